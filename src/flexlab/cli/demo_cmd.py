"""`flexlab demo`: the main job on the embedded lab, exactly as a user runs it."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from flexlab.certify.job import job_argv
from flexlab.design import SecretsModel
from flexlab.errors import FlexlabError
from flexlab.failure import DEFAULT_FAILURE_MODE, FAILURE_MODES
from flexlab.packaged import EMBEDDED_TESTBED, JOB_FILE
from flexlab.results.job import JobReportDocument
from flexlab.results.versioning import load_document

#: Relative to the working directory (the user's project; the checkout's root for `make demo`).
REPORT_DIR = Path("reports") / "demo"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `flexlab demo`."""
    demo = subparsers.add_parser("demo", help="run the failover job on the embedded lab and show the report")
    demo.add_argument("--report-dir", type=Path, default=REPORT_DIR)
    demo.add_argument("--failure-mode", choices=FAILURE_MODES, default=DEFAULT_FAILURE_MODE)
    demo.set_defaults(func=_demo)


def demo_environment(environ: dict[str, str] | os._Environ[str], venv_bin: Path) -> dict[str, str]:
    """The job's environment: the venv on PATH, and no router login variables.

    The packaged testbed (flexlab/data/testbeds/embedded.yaml) logs in with the embedded lab's documented
    defaults; a lab the job starts would take FLEXLAB_USERNAME / FLEXLAB_PASSWORD exported for
    a real lab instead, and the demo could not log in.
    """
    env = dict(environ)
    # pyATS runs `pyats version check` through the shell: the venv must be on PATH
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    secrets = SecretsModel()
    for name in (secrets.username_env, secrets.password_env, secrets.enable_env):
        env.pop(name, None)
    return env


def _demo(args: argparse.Namespace) -> int:
    if not JOB_FILE.exists():
        raise FlexlabError(f"job file {JOB_FILE} not found: reinstall flexlab")
    command = job_argv(EMBEDDED_TESTBED, args.report_dir, args.failure_mode)
    print("running:", " ".join(command), flush=True)
    env = demo_environment(os.environ, Path(sys.executable).parent)
    code = subprocess.call(command, env=env)
    report = args.report_dir / "failover_report.json"
    if not report.exists():
        print("no report was written; see the pyATS output above")
        return code
    document = load_document(report, JobReportDocument)   # validated: a bad report is one line, exit 2
    median = f"{document.failover_s.median:.3f} s" if document.failover_s else "not measured"
    print(f"\nverdict: {'PASS' if document.passed else 'FAIL'}; failover median {median} (device time)")
    print(f"report: {report}\n        {report.with_suffix('.md')}")
    return code
