"""Running the failover job as `pyats run job ...` in a subprocess (a stand-in pyats)."""

from __future__ import annotations

import io
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from certify_testkit import FAKE_PYATS

from flexlab.certify import job as job_module
from flexlab.certify.job import JobError, JobRequest, failed_sections, job_command, pyats_command, run_job
from flexlab.certify.progress import Progress
from flexlab.certify.results import job_check, read_report, report_checks
from flexlab.results.job import JobReportDocument


@pytest.fixture
def fake_pyats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    argv_file = tmp_path / "pyats.argv"
    monkeypatch.setenv(job_module.PYATS_ENV, shlex.join([sys.executable, str(FAKE_PYATS)]))
    monkeypatch.setenv("FAKE_PYATS_ARGV_FILE", str(argv_file))
    for name in ("FAKE_PYATS_FAIL", "FAKE_PYATS_SLEEP"):
        monkeypatch.delenv(name, raising=False)
    return argv_file


def request(tmp_path: Path, **overrides: object) -> JobRequest:
    values: dict = {
        "testbed": tmp_path / "testbed.yaml", "report_dir": tmp_path / "mode", "archive_dir": tmp_path / "mode" / "archive",
        "log_path": tmp_path / "mode" / "job.log", "failure_mode": "freeze", "iterations": 2, "timeout_s": 60.0,
        "hubs": ("hub1",),
    }
    values.update(overrides)
    return JobRequest(**values)


def test_job_command_passes_pyats_and_job_options(tmp_path: Path, fake_pyats: Path) -> None:
    command = job_command(request(tmp_path, design=tmp_path / "design.yaml"))
    assert command[:2] == [sys.executable, str(FAKE_PYATS)]
    assert command[2:5] == ["run", "job", str(job_module.JOB_FILE)]
    options = command[5:]
    pairs = {options[i]: options[i + 1] for i in range(len(options) - 1) if options[i].startswith("--")}
    assert pairs["--testbed-file"] == str(tmp_path / "testbed.yaml")
    assert pairs["--archive-dir"] == str(tmp_path / "mode" / "archive")
    assert pairs["--report-dir"] == str(tmp_path / "mode")
    assert pairs["--failure-mode"] == "freeze" and pairs["--iterations"] == "2" and pairs["--hubs"] == "hub1"
    assert pairs["--design"] == str(tmp_path / "design.yaml")
    assert "--no-mail" in options


@pytest.mark.parametrize(("option", "misspelled"), [("--failure-mode", "--failure-mod"), ("--no-mail", "--nomail"),
                                                   ("--report-dir", "--reportdir")])
def test_the_stand_in_pyats_refuses_misspelled_options(tmp_path: Path, fake_pyats: Path, option: str,
                                                       misspelled: str) -> None:
    command = [misspelled if arg == option else arg for arg in job_command(request(tmp_path))]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and f"unrecognized arguments: {misspelled}" in refused.stderr
    assert not (tmp_path / "mode" / "failover_report.json").exists()


def test_every_hub_when_the_row_names_none(tmp_path: Path, fake_pyats: Path) -> None:
    assert "--hubs" not in job_command(request(tmp_path, hubs=None))


def test_run_job_writes_the_log_and_leaves_the_report(tmp_path: Path, fake_pyats: Path) -> None:
    outcome = run_job(request(tmp_path), Progress(stream=io.StringIO()))
    assert outcome.exit_code == 0 and not outcome.timed_out
    assert json.loads(fake_pyats.read_text().splitlines()[0])[:2] == ["run", "job"]
    report = read_report(tmp_path / "mode" / "failover_report.json")
    assert report.passed is True and len(report.runs) == 2  # 1 hub x 2 iterations
    log = (tmp_path / "mode" / "job.log").read_text()
    assert log.startswith("$ ") and "fake pyats: report written" in log


def test_failing_job_exit_code_is_kept(tmp_path: Path, fake_pyats: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_PYATS_FAIL", "1")
    assert run_job(request(tmp_path), Progress(stream=io.StringIO())).exit_code == 1


def test_job_over_its_timeout_is_stopped(tmp_path: Path, fake_pyats: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_PYATS_SLEEP", "60")
    stream = io.StringIO()
    outcome = run_job(request(tmp_path, timeout_s=3.0), Progress(stream=stream, quiet_s=0))
    assert outcome.timed_out and outcome.exit_code is None
    # stopped by SIGINT (pyATS then cleans up), not left to run its 60 s nor killed outright
    assert Path(f"{fake_pyats}.signals").read_text().split() == ["SIGINT"]
    assert not (tmp_path / "mode" / "failover_report.json").exists()
    assert "job (freeze): running" in stream.getvalue()


def test_missing_pyats_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(job_module.PYATS_ENV, raising=False)
    monkeypatch.setattr(job_module.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(JobError, match="pyats not found"):
        pyats_command()


PYATS_LOG = """\
2026-11-27T00:31:32: %AETEST-INFO: |                          Starting subsection learn                           |
2026-11-27T00:31:33: %AETEST-ERROR: \x1b[31mFailed reason: cannot learn the lab from its devices:\x1b[0m\x1b[39m
2026-11-27T00:31:33: %AETEST-ERROR: \x1b[31mhub1: cannot find its WAN interface\x1b[0m\x1b[39m
2026-11-27T00:31:33: %AETEST-INFO: The result of subsection learn is => FAILED
2026-11-27T00:31:33: %AETEST-INFO: The result of common setup is => FAILED
2026-11-27T00:31:33: %AETEST-INFO: The result of testcase Baseline is => BLOCKED
2026-11-27T00:32:24: %AETEST-INFO: The result of common cleanup is => PASSED
"""


def test_failed_sections_name_the_section_and_its_reason(tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    log.write_text(PYATS_LOG)
    assert failed_sections(log) == [
        "subsection learn FAILED: cannot learn the lab from its devices: hub1: cannot find its WAN interface"
    ]
    assert failed_sections(tmp_path / "missing.log") == []


def _report(passed: bool, testcases: dict[str, str]) -> JobReportDocument:
    return JobReportDocument.model_validate({"lab": {}, "images": {}, "clock_method": "", "passed": passed, "runs": [
        {"hub": "hub1", "failure_mode": "freeze", "iteration": 1, "testcases": testcases, "spokes": []}]})


@pytest.mark.parametrize(
    ("exit_code", "timed_out", "report", "status", "text"),
    [
        (0, False, _report(True, {"Baseline": "passed"}), "passed", ""),
        (1, False, _report(False, {"Baseline": "failed"}), "passed", ""),  # the testcase carries the failure
        (None, True, None, "errored", "did not finish within 60 s"),
        (3, False, None, "errored", "exited with code 3 without writing failover_report.json"),
        (1, False, _report(True, {}), "failed", "no testcase ran (CommonSetup failed?); subsection learn FAILED"),
        (1, False, _report(True, {"Baseline": "passed"}), "failed", "pyATS exited with code 1 although no testcase failed"),
        (0, False, _report(False, {"Baseline": "passed"}), "failed", "the report's verdict is FAIL"),
    ],
)
def test_job_check(exit_code: int | None, timed_out: bool, report: JobReportDocument | None, status: str, text: str) -> None:
    testcases = report_checks(report, "freeze") if report else []
    check = job_check("freeze", exit_code, timed_out, 60.0, report, testcases, "/x/job.log",
                      log_problems=["subsection learn FAILED: reason"])
    assert (check.name, check.status, check.category) == ("job (freeze)", status, "job")
    assert text in check.message
