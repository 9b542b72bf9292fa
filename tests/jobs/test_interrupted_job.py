"""Killing the job in the middle of a failover leaves nothing the next run cannot clean up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from jobkit import BIN, ROOT, load_report


def _wait_for(predicate, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_next_run_restores_the_hub_a_killed_run_left_failed(job_env, tmp_path):
    testbed = job_env.lab_up("killed")
    ledgers = Path(job_env.env["FLEXLAB_STATE_DIR"]) / "ledgers"
    first = subprocess.Popen(job_env.job_command(testbed, tmp_path / "first", "--hubs", "hub1"),
                             env=job_env.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        _wait_for(lambda: any(ledgers.glob("*.json")), 300, "the job to fail hub1")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    [ledger] = ledgers.glob("*.json")
    assert json.loads(ledger.read_text())["hubs"] == {"hub1": "interface-shutdown"}
    # the lab was started by the user, so it survives the killed job, with hub1 still down
    status = json.loads(job_env.flexlab("lab", "status", "--name", "killed", "--json").stdout)
    assert status["up"] is True

    report_dir = tmp_path / "second"
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub2", "--skip-config")
    report = load_report(report_dir)
    assert result.returncode == 0, result.stdout[-4000:]
    assert report["passed"] is True
    assert not ledger.exists()


def test_lab_started_for_a_job_stops_when_the_job_dies(job_env, tmp_path):
    owner = subprocess.Popen(["sleep", "600"])
    try:
        command = [str(BIN / "python"), "-c",
                   "from flexlab.labs.embedded import EmbeddedLab, UpOptions; "
                   f"EmbeddedLab('owned').up(UpOptions(time_scale=50, owner_pid={owner.pid}))"]
        subprocess.run(command, env=job_env.env, check=True, timeout=120)
        assert json.loads(job_env.flexlab("lab", "status", "--name", "owned", "--json").stdout)["up"] is True
    finally:
        owner.kill()
        owner.wait()
    _wait_for(lambda: job_env.flexlab("lab", "status", "--name", "owned", check=False).returncode == 1,
              30, "the owned lab to stop after its owner died")
