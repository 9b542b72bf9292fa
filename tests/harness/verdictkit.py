"""Helpers for the verdict tests: the job's steps run in-process on recorded device outputs.

The devices answer from tests/fixtures/recorded (the embedded lab, recorded once; see the
README there); every verdict comes from the job's own code in flexlab.harness.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from flexlab.harness import flow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RECORDED = FIXTURES / "recorded"
GENIE_GOLDEN = FIXTURES / "genie-golden"
PARSER_GOLDEN = Path(__file__).resolve().parents[1] / "parsers" / "golden"
if str(RECORDED) not in sys.path:
    sys.path.insert(0, str(RECORDED))

from recorded_lab import (  # noqa: E402
    PlaybackDevice,
    PlaybackLab,
    PlaybackTestbed,
    RecordedWorld,
    playback,
    run_testscript,
)

__all__ = ["PlaybackDevice", "PlaybackLab", "PlaybackTestbed", "RecordedWorld", "playback", "run_testscript"]

#: Wall seconds are device seconds / this: a spoke that never moves is given up in 0.14 s.
TIME_SCALE = 1000.0
HUB1_WAN, HUB2_WAN = "100.64.0.2", "100.64.0.6"


def sample(path: str) -> str:
    """A real output below tests/fixtures/genie-golden or tests/parsers/golden."""
    for root in (GENIE_GOLDEN, PARSER_GOLDEN):
        if (root / path).exists():
            return (root / path).read_text()
    raise FileNotFoundError(path)


def recorded_text(scenario: str, phase: str, node: str, command: str, hub: str = "hub1") -> str:
    return json.loads((RECORDED / f"failover-{scenario}.json").read_text())[hub][phase][node][command]


def context(scenario: str, failure_mode: str = "interface-shutdown", hub: str = "hub1",
            time_scale: float = TIME_SCALE) -> tuple[flow.Context, PlaybackTestbed, PlaybackLab]:
    """A job context over a playback lab, connected, with the topology learnt."""
    testbed, lab = playback(scenario, time_scale=time_scale)
    ctx = flow.Context.create(testbed, lab, {"failure_mode": failure_mode, "hub": hub})
    assert flow.connect_all(ctx) == []
    assert flow.learn_topology(ctx) == []
    return ctx, testbed, lab


def failed(scenario: str, failure_mode: str = "interface-shutdown", hub: str = "hub1",
           time_scale: float = TIME_SCALE) -> tuple[flow.Context, PlaybackTestbed, PlaybackLab]:
    """The context after a passed Baseline and the hub's failure (HubFailure)."""
    ctx, testbed, lab = context(scenario, failure_mode, hub, time_scale)
    assert not any(flow.wait_baseline(ctx).values()) and ctx.baseline_ok
    flow.fail_hub(ctx, hub, failure_mode)
    return ctx, testbed, lab
