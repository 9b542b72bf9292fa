"""A lab process killed under a running job is named as such, not as a console-port error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from jobkit import ROOT


def test_job_says_the_lab_process_died(job_env, tmp_path):
    testbed = job_env.lab_up("doomed")
    state = Path(job_env.env["FLEXLAB_STATE_DIR"])
    pid = json.loads((state / "doomed" / "lab.json").read_text())["pid"]
    ledgers = state / "ledgers"
    job = subprocess.Popen(job_env.job_command(testbed, tmp_path / "report", "--hubs", "hub1",
                                               "--failure-mode", "node-stop"),
                           env=job_env.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while not any(ledgers.glob("*.json")):
        assert job.poll() is None and time.monotonic() < deadline, "the job never failed hub1"
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    output, _ = job.communicate(timeout=600)
    assert job.returncode != 0
    assert f"embedded lab 'doomed' is not running any more: its process {pid} ended" in output
    assert "Unable to clear the console port line" not in output
