"""One job per lab, and a lab restarted after a killed job is never blocked by the old ledger."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from jobkit import ROOT, load_report


def _wait_for(predicate, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _lock_held(state: Path, lab: str) -> bool:
    lock = state / "locks" / f"embedded-{lab}.lock"
    return lock.exists() and lock.stat().st_size > 0


def test_a_second_job_on_a_busy_lab_exits_2_naming_the_first(job_env, tmp_path):
    testbed = job_env.lab_up("shared")
    state = Path(job_env.env["FLEXLAB_STATE_DIR"])
    first = subprocess.Popen(job_env.job_command(testbed, tmp_path / "first", "--iterations", "2"),
                             env=job_env.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: _lock_held(state, "shared"), 120, "the first job to take the lab")
        second = job_env.run_job(testbed, tmp_path / "second", "--hubs", "hub1")
        assert second.returncode == 2
        [line] = [out for out in (second.stdout + second.stderr).splitlines() if "flexvpn_failover_job: error" in out]
        assert f"embedded lab 'shared' is in use by pid {first.pid}" in line
        assert "Traceback" not in second.stdout + second.stderr
        assert not (tmp_path / "second" / "failover_report.json").exists()
    finally:
        assert first.wait(timeout=600) == 0
    assert load_report(tmp_path / "first")["passed"] is True


@pytest.mark.parametrize("mode", ["interface-shutdown", "node-stop", "freeze", "blackhole"])
def test_killed_job_then_restarted_lab_then_job_passes(job_env, tmp_path, mode):
    testbed = job_env.lab_up("k9")
    ledgers = Path(job_env.env["FLEXLAB_STATE_DIR"]) / "ledgers"
    first = subprocess.Popen(job_env.job_command(testbed, tmp_path / "first", "--hubs", "hub1", "--failure-mode", mode),
                             env=job_env.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        _wait_for(lambda: any(ledgers.glob("*.json")), 300, f"the job to fail hub1 by {mode}")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    [old] = ledgers.glob("*.json")
    assert json.loads(old.read_text())["hubs"] == {"hub1": mode}
    assert oct(old.stat().st_mode & 0o777) == "0o600"
    job_env.flexlab("lab", "down", "--name", "k9")
    testbed = job_env.lab_up("k9")   # the same name, a new instance: every node healthy

    report_dir = tmp_path / "second"
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub1", "--failure-mode", mode, "--skip-config")
    assert result.returncode == 0, result.stdout[-4000:]
    assert load_report(report_dir)["passed"] is True
    assert not old.exists()
    assert list(ledgers.glob("*.json")) == []
