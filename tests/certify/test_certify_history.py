"""History (SQLite), trends across runs, regression detection, and `flexlab trend` /
`flexlab nightly` exit codes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from certify_testkit import StandInCertify

from flexlab.certify.history import History, HistoryError, default_history_path
from flexlab.certify.trend import build_series, find_regressions, write_trend
from flexlab.cli import certify_cmd, main
from flexlab.packaged import EMBEDDED_MATRIX
from flexlab.results.certify import CertifyRun, Check, MatrixRef, RowResult, SpokeMeasurement

#: The rows stand_in_certify certifies by default: the embedded matrix's images.
ROWS = ("iol-17.12", "iosv-15.9", "iol-17.12-dpd-bug", "csr-17.3")


def synthetic_row(name: str, *, passed: bool = True, failovers: tuple[float, ...] = (40.0,)) -> RowResult:
    row = RowResult(name=name, lab="embedded", kind=None, image=f"img-{name}", failure_modes=["interface-shutdown"],
                    iterations=1, versions=["17.12.1"])
    row.checks = [Check(name="lab up", status="passed", category="lab"),
                  Check(name="Failover (interface-shutdown, hub1, iteration 1)", status="passed" if passed else "failed",
                        message="" if passed else "spoke1 never left hub1")]
    row.measurements = [SpokeMeasurement(failure_mode="interface-shutdown", hub="hub1", iteration=1, spoke=f"spoke{i}",
                                         failover_s=value if passed else None, dpd_bound_s=70.0,
                                         bgp_converged_s=value + 2 if passed else None, passed=passed)
                        for i, value in enumerate(failovers, 1)]
    return row


def synthetic_run(*rows: RowResult, matrix: str = "nightly", stamp: str = "2025-01-01T00:00:00+00:00") -> CertifyRun:
    return CertifyRun(matrix=MatrixRef(name=matrix, path=f"{matrix}.yaml"), out_dir="/tmp/out", started_at=stamp,
                      finished_at=stamp, rows=list(rows), flexlab_version="test")


def test_each_run_adds_a_point_per_row_and_the_trend_shows_them(stand_in_certify: StandInCertify, tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite")
    first = history.record(stand_in_certify())
    assert {r.row_name for r in history.records()} == set(ROWS)
    second = history.record(stand_in_certify())
    assert second == first + 1 and history.run_count() == 2

    result = write_trend(history, tmp_path / "trend")
    points = {(key.matrix, key.row): [r.run_id for r in records] for key, records in result.series.items()}
    assert points == {("embedded", row): [first, second] for row in ROWS}
    trend = json.loads((tmp_path / "trend" / "trend.json").read_text())
    good = next(s for s in trend["series"] if s["row"] == "iol-17.12")
    assert [p["verdict"] for p in good["points"]] == ["PASS", "PASS"]
    # recorded: hub1 down 12:03:19.081, spoke1 up on hub2 12:04:20.169
    assert [p["failover_s"]["median"] for p in good["points"]] == [61.088, 61.088]
    bad = next(s for s in trend["series"] if s["row"] == "iol-17.12-dpd-bug")
    assert bad["points"][-1]["failed_checks"] == ["Failover (interface-shutdown, hub1, iteration 1)"]
    assert trend["regressions"] == []  # the defective image failed both times: not a regression
    names = sorted(p.name for p in (tmp_path / "trend").iterdir())
    assert names == ["trend.html", "trend.json", "trend_convergence.png", "trend_failover.png"]
    html = (tmp_path / "trend" / "trend.html").read_text()
    assert html.count('src="data:image/png;base64,') == 2
    assert html.count('<tr data-run="') == 8  # 4 rows x 2 runs


def test_every_figure_is_stored(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite")
    history.record(synthetic_run(synthetic_row("a", failovers=(40.0, 44.0, 42.0))))
    record = history.records()[0]
    assert record.failover == {"count": 3, "min": 40.0, "median": 42.0, "p95": 44.0, "max": 44.0}
    assert record.bgp == {"count": 3, "min": 42.0, "median": 44.0, "p95": 46.0, "max": 46.0}
    assert record.bound is not None and record.bound["min"] == 70.0
    with sqlite3.connect(tmp_path / "h.sqlite") as db:
        detail = json.loads(db.execute("SELECT detail FROM results").fetchone()[0])
    assert detail["name"] == "a" and len(detail["measurements"]) == 3


def test_regressions_on_synthetic_history(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite")
    history.record(synthetic_run(
        synthetic_row("breaks"), synthetic_row("slower", failovers=(40.0,)), synthetic_row("a-bit-slower", failovers=(40.0,)),
        synthetic_row("still-broken", passed=False), synthetic_row("dropped"),
    ))
    latest = history.record(synthetic_run(
        synthetic_row("breaks", passed=False), synthetic_row("slower", failovers=(50.0,)),
        synthetic_row("a-bit-slower", failovers=(44.0,)), synthetic_row("still-broken", passed=False),
        synthetic_row("new"), stamp="2025-01-02T00:00:00+00:00",
    ))
    series = build_series(history.records())
    found = {(r.row, r.kind): r for r in find_regressions(series, threshold_pct=20)}
    assert set(found) == {("breaks", "verdict"), ("slower", "failover")}
    assert "passed in run 1, FAIL in run 2: Failover (interface-shutdown, hub1, iteration 1)" in found[("breaks", "verdict")].detail
    assert "40.000 s in run 1 -> 50.000 s in run 2 (+25.0 %, threshold 20 %)" in found[("slower", "failover")].detail
    # a lower threshold also catches the 10 % growth
    assert ("a-bit-slower", "failover") in {(r.row, r.kind) for r in find_regressions(series, threshold_pct=5)}
    # limited to one run: only series with a point in it
    assert find_regressions(series, 20, run_id=latest + 1) == []
    assert len(find_regressions(series, 20, run_id=latest)) == 2


def test_series_are_per_matrix(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite")
    history.record(synthetic_run(synthetic_row("iol"), matrix="embedded"))
    history.record(synthetic_run(synthetic_row("iol", passed=False), matrix="containerlab"))
    series = build_series(history.records())
    assert sorted((k.matrix, len(v)) for k, v in series.items()) == [("containerlab", 1), ("embedded", 1)]
    assert find_regressions(series, 20) == []  # different matrices are not compared


def test_history_default_path_follows_xdg(tmp_path: Path) -> None:
    assert default_history_path() == tmp_path / "xdg-data" / "flexlab" / "history.sqlite"


def test_history_from_a_newer_flexlab_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(HistoryError, match="schema 99"):
        History(path).record(synthetic_run(synthetic_row("a")))


def test_trend_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = History(tmp_path / "h.sqlite")
    history.record(synthetic_run(synthetic_row("a")))
    history.record(synthetic_run(synthetic_row("a", passed=False)))
    code = main(["trend", "--history", str(history.path), "--out", str(tmp_path / "t"), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["kind"] for r in data["regressions"]] == ["verdict"]
    assert len(data["series"][0]["points"]) == 2
    assert main(["trend", "--history", str(history.path), "--out", str(tmp_path / "t")]) == 0
    out = capsys.readouterr().out
    assert "1 regression(s):" in out and "\033[" not in out  # captured: no colours


def test_trend_without_history_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trend", "--history", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "t")]) == 2
    assert "does not exist: run `flexlab certify` first" in capsys.readouterr().err


def test_nightly_exit_code_follows_regressions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """nightly = certify + history + trend; 1 on a regression (or any failure with --strict)."""
    runs = iter([
        synthetic_run(synthetic_row("iol-17.12"), synthetic_row("iol-17.12-dpd-bug", passed=False), matrix="embedded"),
        synthetic_run(synthetic_row("iol-17.12"), synthetic_row("iol-17.12-dpd-bug", passed=False), matrix="embedded"),
        synthetic_run(synthetic_row("iol-17.12", passed=False), synthetic_row("iol-17.12-dpd-bug", passed=False),
                      matrix="embedded"),
    ])
    monkeypatch.setattr(certify_cmd, "certify", lambda matrix, options: next(runs))
    matrix = EMBEDDED_MATRIX
    db = tmp_path / "h.sqlite"

    def nightly(*extra: str) -> int:
        return main(["nightly", "--matrix", str(matrix), "--out", str(tmp_path / "n"), "--history", str(db), *extra])

    assert nightly() == 0            # first night: nothing to compare with
    assert nightly("--strict") == 1  # no regression, but a row fails and --strict asks for all PASS
    capsys.readouterr()
    assert nightly("--json") == 1    # iol-17.12 passed last night and fails now
    data = json.loads(capsys.readouterr().out)
    assert [(r["row"], r["kind"]) for r in data["trend"]["regressions"]] == [("iol-17.12", "verdict")]
    assert data["history_run"] == 3
    assert (tmp_path / "n" / "trend" / "trend.html").exists() and (tmp_path / "n" / "junit.xml").exists()


def test_certify_command_records_in_the_default_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = iter([synthetic_run(synthetic_row("iol-17.12"), synthetic_row("iol-17.12-dpd-bug", passed=False)),
                 synthetic_run(synthetic_row("iol-17.12"))])
    monkeypatch.setattr(certify_cmd, "certify", lambda matrix, options: next(runs))
    matrix = EMBEDDED_MATRIX
    assert main(["certify", "--matrix", str(matrix), "--out", str(tmp_path / "a"), "--json"]) == 1  # a row failed
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"PASS": 1, "FAIL": 1, "ERROR": 0} and data["passed"] is False
    assert History(default_history_path()).run_count() == 1
    assert main(["certify", "--matrix", str(matrix), "--out", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "PASS: 1 passed, 0 failed, 0 errored" in out and f"run 2 recorded in {default_history_path()}" in out
    assert main(["certify", "--matrix", str(matrix), "--out", str(tmp_path / "c"), "--no-history",
                 "--history", str(tmp_path / "x.db")]) == 2
    assert "exclude each other" in capsys.readouterr().err
