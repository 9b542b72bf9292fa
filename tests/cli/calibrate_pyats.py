"""Stand-in for `pyats run job` in the calibrate tests (FLEXLAB_PYATS="python calibrate_pyats.py").

Writes the failover report a job on a lab playing $STAND_IN_SPACINGS (comma-separated waits,
device seconds, retry interval 5 s) would write; empty: the lab could not capture.
Records its arguments in $STAND_IN_ARGV_FILE.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def main() -> int:
    Path(os.environ["STAND_IN_ARGV_FILE"]).write_text(json.dumps(sys.argv[1:]))
    parser = argparse.ArgumentParser()
    parser.add_argument("--report-dir", type=Path, required=True)
    args, _ = parser.parse_known_args()
    spacings = [float(v) for v in os.environ.get("STAND_IN_SPACINGS", "").split(",") if v]
    schedule = {"probe_s": 12.5, "spacings_s": spacings, "final_wait_s": None, "probes_before_failure_s": [],
                "quiet_before_early_probes_s": [], "window_s": [-1.0, 150.0],
                "text": "probe at +12.5 s, retransmitted at " + ", ".join(f"+{s:g}" for s in spacings) + " s"}
    spoke = {"spoke": "spoke1", "hub": "hub1", "from_peer": "198.51.100.1", "bound": {"terms": {"I": 30.0, "R": 5.0}},
             "declared_schedule": {"mode": "on-demand"},
             "schedule": schedule if spacings else None, "schedule_result": "passed" if spacings else "not run",
             "schedule_note": "" if spacings else "no capture: spoke1: tcpdump not found"}
    report = {"schema_version": "1.0", "lab": {"type": "containerlab", "image": "vrnetlab/cisco_iol:17.12.01"},
              "images": {"spoke1": "17.12.1"}, "clock_method": "device clock", "passed": False,
              "runs": [{"hub": "hub1", "failure_mode": "interface-shutdown", "spokes": [spoke]}]}
    if version := os.environ.get("STAND_IN_SCHEMA_VERSION"):   # a report of another flexlab
        report["schema_version"] = version
    args.report_dir.mkdir(parents=True, exist_ok=True)
    (args.report_dir / "failover_report.json").write_text(json.dumps(report))
    return 1


if __name__ == "__main__":
    sys.exit(main())
