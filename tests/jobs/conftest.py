"""Fixtures for the job tests; helpers live in jobkit.py (a unique module name: several
test folders have a conftest.py, so helpers are never imported from one)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jobkit import BIN, TIME_SCALE, JobEnv

JOBS_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder runs `pyats run job` on an embedded lab: mark it slow, so the
    fast suite (-m 'not slow', used by `make mutation`) leaves it out."""
    for item in items:
        if JOBS_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.slow)


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
