"""Helpers for the three-hub verdict tests: the job's steps on a live in-process engine.

The lab is the simulator engine running src/flexlab/topologies/examples/flexvpn-3hubs.clab.yml
(tests/fixtures/live/live_lab.py); every verdict comes from flexlab.harness.
"""

from __future__ import annotations

import sys
from pathlib import Path

LIVE = Path(__file__).resolve().parents[1] / "fixtures" / "live"
if str(LIVE) not in sys.path:
    sys.path.insert(0, str(LIVE))

from live_lab import THREE_HUBS, LiveLab, LiveTestbed, live, run_testscript, topology_configs  # noqa: E402

__all__ = ["THREE_HUBS", "LiveLab", "LiveTestbed", "live", "run_testscript", "topology_configs"]

#: Hub WAN addresses, read by hand from the topology's startup configs.
HUB_WAN = {"hub1": "100.64.0.2", "hub2": "100.64.0.6", "hub3": "100.64.0.10"}
