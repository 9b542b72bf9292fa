"""Stand-in for `pyats` in the certify tests (run as FLEXLAB_PYATS="python fake_pyats.py").

Records its arguments (one JSON list per line in $FAKE_PYATS_ARGV_FILE) and checks them as
`pyats run job` and the failover job would, but strictly: pyATS's own flags (facts.md §5)
and the job's real option set (``job_parser()`` of the job file), any other argument
refused with argparse's usage error (exit code 2). Then it does what the job does, on the
embedded lab's recordings: the real testscript per hub and iteration, failover_report.json
in --report-dir, an archive zip in --archive-dir, exit code 0 only when every run passed.
$FAKE_PYATS_FAIL=1 plays the defective image's recording; $FAKE_PYATS_SLEEP=S makes it
hang first (for the timeout), noting a SIGINT in $FAKE_PYATS_ARGV_FILE.signals.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import sys
import time
import zipfile
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent


def load_job(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("flexvpn_failover_job", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"fake pyats: cannot load the job file {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pyats_run_job_parser(job: ModuleType) -> argparse.ArgumentParser:
    """`pyats run job JOBFILE` with pyATS's own flags and the job's options."""
    parser = argparse.ArgumentParser(prog="pyats", parents=[job.job_parser()], allow_abbrev=False)
    parser.add_argument("run", choices=["run"])
    parser.add_argument("job", choices=["job"])
    parser.add_argument("job_file", type=Path)
    parser.add_argument("--testbed-file", required=True)
    parser.add_argument("--archive-dir", required=True, type=Path)
    parser.add_argument("--no-archive", action="store_true")
    parser.add_argument("--xunit", action="store_true")
    parser.add_argument("--html-logs", action="store_true")
    parser.add_argument("--no-mail", action="store_true")
    return parser


def _note_interrupt(signum: int, _frame: object) -> None:
    """pyATS runs its cleanup on SIGINT and exits; the stand-in notes the signal and exits."""
    if argv_file := os.environ.get("FAKE_PYATS_ARGV_FILE"):
        with open(f"{argv_file}.signals", "a") as log:
            log.write(f"{signal.Signals(signum).name}\n")
    sys.exit(130)


def main() -> int:
    argv = sys.argv[1:]
    signal.signal(signal.SIGINT, _note_interrupt)
    if argv_file := os.environ.get("FAKE_PYATS_ARGV_FILE"):
        with open(argv_file, "a") as log:
            log.write(json.dumps(argv) + "\n")
    if sleep := os.environ.get("FAKE_PYATS_SLEEP"):
        time.sleep(float(sleep))
    sys.path.insert(0, str(HERE))
    from certify_testkit import DEFAULT_BEHAVIOUR, run_recorded_job  # imported after the signal handler

    job_file = Path(argv[2]) if len(argv) > 2 else Path("missing-job-file")
    args = pyats_run_job_parser(load_job(job_file)).parse_args(argv)
    if args.report_dir is None:
        raise SystemExit("fake pyats: the stand-in writes the report only into --report-dir")
    scenario = "iol-17.12-dpd-bug" if os.environ.get("FAKE_PYATS_FAIL") == "1" else DEFAULT_BEHAVIOUR
    hubs = tuple(h for h in args.hubs.split(",") if h) or ("hub1", "hub2")
    passed = run_recorded_job(scenario, scenario, args.report_dir, args.failure_mode, hubs, args.iterations)
    args.archive_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(args.archive_dir / "flexvpn_failover_job.zip", "w") as archive:
        archive.writestr("results.json", json.dumps({"passed": passed}))
    print("fake pyats: report written")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
