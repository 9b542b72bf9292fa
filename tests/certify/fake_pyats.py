"""Stand-in for `pyats` in the certify tests (run as FLEXLAB_PYATS="python fake_pyats.py").

Records its arguments (one JSON list per line in $FAKE_PYATS_ARGV_FILE) and behaves like
`pyats run job` of the failover job: writes failover_report.json into --report-dir and an
archive zip into --archive-dir, exit code 0 when passed. $FAKE_PYATS_FAIL=1 makes the
Failover testcase fail; $FAKE_PYATS_SLEEP=S makes it hang (for the timeout).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from certify_testkit import make_report  # noqa: E402


def main() -> int:
    if argv_file := os.environ.get("FAKE_PYATS_ARGV_FILE"):
        with open(argv_file, "a") as log:
            log.write(json.dumps(sys.argv[1:]) + "\n")
    if sleep := os.environ.get("FAKE_PYATS_SLEEP"):
        time.sleep(float(sleep))
    parser = argparse.ArgumentParser()
    parser.add_argument("run")
    parser.add_argument("job")
    parser.add_argument("job_file")
    parser.add_argument("--testbed-file", required=True)
    parser.add_argument("--archive-dir", required=True, type=Path)
    parser.add_argument("--report-dir", required=True, type=Path)
    parser.add_argument("--failure-mode", required=True)
    parser.add_argument("--iterations", type=int, required=True)
    parser.add_argument("--hubs", default="hub1,hub2")
    parser.add_argument("--no-mail", action="store_true")
    args, _ = parser.parse_known_args()
    passed = os.environ.get("FAKE_PYATS_FAIL") != "1"
    report = make_report("fake-image", passed=passed, mode=args.failure_mode, hubs=tuple(args.hubs.split(",")),
                         iterations=args.iterations)
    report.write(args.report_dir)
    args.archive_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(args.archive_dir / "flexvpn_failover_job.zip", "w") as archive:
        archive.writestr("results.json", "{}")
    print("fake pyats: report written")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
