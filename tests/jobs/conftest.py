"""Fixtures for the job tests; helpers live in jobkit.py (a unique module name: several
test folders have a conftest.py, so helpers are never imported from one)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jobkit import BIN, TIME_SCALE, JobEnv


@pytest.fixture
def job_env(tmp_path: Path):
    env = dict(os.environ)
    env["FLEXLAB_STATE_DIR"] = str(tmp_path / "state")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["FLEXLAB_TIME_SCALE"] = TIME_SCALE
    job = JobEnv(env, tmp_path)
    yield job
    state = tmp_path / "state"
    for lab in state.iterdir() if state.exists() else []:
        if lab.is_dir():
            job.flexlab("lab", "down", "--name", lab.name, check=False)
