"""End to end: a real `flexlab certify` over src/flexlab/data/matrices/embedded.yaml (embedded lab, real
pyATS failover job), then a real `flexlab nightly` that adds a second point to the history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from certify_testkit import assert_outputs_agree

from flexlab.certify.history import History
from flexlab.packaged import EMBEDDED_MATRIX

pytestmark = pytest.mark.slow  # runs flexlab certify over the embedded matrix in a subprocess (docs/mutation.md)

PROJECT = Path(__file__).resolve().parents[2]
GOOD = ("iol-17.12", "iosv-15.9", "csr-17.3")
DEFECTIVE = "iol-17.12-dpd-bug"
#: Wall-clock guard only (a hung run must not hang the suite); the matrix takes far less.
RUN_TIMEOUT_S = 900


def flexlab(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("flexlab")), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd=PROJECT)


def test_certify_embedded_matrix_then_nightly_adds_a_point(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    first_out = tmp_path / "first"
    first = flexlab("certify", "--matrix", str(EMBEDDED_MATRIX), "--out", str(first_out), "--history", str(history))
    assert first.returncode == 1, first.stderr  # the defective image fails, so certify fails
    summary = assert_outputs_agree(first_out)
    rows = {row["name"]: row for row in summary["rows"]}
    assert set(rows) == {*GOOD, DEFECTIVE}

    for name in GOOD:
        row = rows[name]
        assert row["verdict"] == "PASS", (name, row["failed_checks"], [c["message"] for c in row["checks"] if c["message"]])
        assert row["version"], name
        assert row["failover_s"]["count"] >= 1 and row["failover_s"]["max"] <= row["dpd_bound_s"]["min"]
        assert row["bgp_converged_s"]["count"] >= 1
        assert row["archives"] and all(Path(a).is_file() for a in row["archives"])

    defective = rows[DEFECTIVE]
    assert defective["verdict"] == "FAIL"
    failover = [c for c in defective["checks"] if c["name"].startswith("Failover (")]
    assert failover and failover[0]["status"] == "failed" and failover[0]["message"]
    assert failover[0]["name"] in defective["failed_checks"]
    assert all(not name.startswith(("lab ", "job ")) for name in defective["failed_checks"])

    second_out = tmp_path / "second"
    second = flexlab("nightly", "--matrix", str(EMBEDDED_MATRIX), "--row", GOOD[0], "--out", str(second_out),
                     "--history", str(history), "--json")
    assert second.returncode == 0, second.stderr
    data = json.loads(second.stdout)
    assert data["trend"]["regressions"] == []
    series = {s["row"]: s["points"] for s in data["trend"]["series"]}
    assert [p["verdict"] for p in series[GOOD[0]]] == ["PASS", "PASS"]
    assert len(series[DEFECTIVE]) == 1
    assert History(history).run_count() == 2
    assert (second_out / "trend" / "trend.html").is_file()

    # Every embedded lab the runs started is gone.
    state = Path(os.environ["FLEXLAB_STATE_DIR"])
    assert not state.exists() or list(state.iterdir()) == []
