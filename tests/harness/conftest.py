"""Fixtures for the flexlab.harness tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The failure ledger and embedded-lab state never touch the user's directories."""
    monkeypatch.setenv("FLEXLAB_STATE_DIR", str(tmp_path / "state"))
