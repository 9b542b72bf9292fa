"""Trends across certification runs, and the regressions they reveal.

A series is one matrix row (matrix name + row name: one image under one set of failures)
across runs. Its latest point is compared with the point before it: a regression is a
row that passed before and does not now, or whose median failover time grew by more
than the threshold (percent).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from flexlab.certify.charts import TrendSeries, png_data_uri, save_png, trend_figure
from flexlab.certify.history import History, HistoryRecord
from flexlab.certify.outputs import TEMPLATES, fmt

DEFAULT_THRESHOLD_PCT = 20.0
TREND_FAILOVER_PNG, TREND_CONVERGENCE_PNG, TREND_HTML, TREND_JSON = (
    "trend_failover.png", "trend_convergence.png", "trend.html", "trend.json",
)


@dataclass(frozen=True)
class SeriesKey:
    """What makes one series: the matrix's name and the row's."""

    matrix: str
    row: str

    def label(self, image: str, several_matrices: bool) -> str:
        """The chart legend's name: the row (with its image when that differs), prefixed by the matrix when several."""
        base = self.row if self.row == image else f"{self.row} ({image})"
        return f"{self.matrix}/{base}" if several_matrices else base


@dataclass(frozen=True)
class Regression:
    """A row that got worse between two runs: its verdict dropped from PASS, or its median failover grew."""

    matrix: str
    row: str
    image: str
    kind: str                  # "verdict" | "failover"
    previous_run: int
    current_run: int
    detail: str


@dataclass
class TrendResult:
    """Every series, the regressions found in them, and the files `flexlab trend` wrote."""

    series: dict[SeriesKey, list[HistoryRecord]]
    regressions: list[Regression]
    threshold_pct: float
    paths: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """What trend.json holds: threshold, regressions, every series' points and the output files."""
        return {
            "threshold_pct": self.threshold_pct,
            "regressions": [asdict(r) for r in self.regressions],
            "series": [
                {"matrix": key.matrix, "row": key.row, "points": [_point(record) for record in records]}
                for key, records in self.series.items()
            ],
            "outputs": [str(p) for p in self.paths],
        }


def _point(record: HistoryRecord) -> dict[str, Any]:
    return {
        "run_id": record.run_id, "started_at": record.started_at, "image": record.image, "version": record.version,
        "verdict": record.verdict, "failed_checks": list(record.failed_checks),
        "failover_s": record.failover, "bgp_converged_s": record.bgp, "dpd_bound_s": record.bound,
    }


def build_series(records: list[HistoryRecord]) -> dict[SeriesKey, list[HistoryRecord]]:
    """The history's records grouped by matrix and row, oldest run first."""
    series: dict[SeriesKey, list[HistoryRecord]] = {}
    for record in sorted(records, key=lambda r: r.run_id):
        series.setdefault(SeriesKey(record.matrix_name, record.row_name), []).append(record)
    return series


def find_regressions(
    series: dict[SeriesKey, list[HistoryRecord]], threshold_pct: float, run_id: int | None = None
) -> list[Regression]:
    """Regressions of each series' latest point against the point before it; with
    ``run_id`` only the series that have a point in that run."""
    found = []
    for key, records in series.items():
        if len(records) < 2 or (run_id is not None and records[-1].run_id != run_id):
            continue
        previous, current = records[-2], records[-1]

        def regression(kind: str, detail: str, key: SeriesKey = key, previous: HistoryRecord = previous,
                       current: HistoryRecord = current) -> Regression:
            return Regression(key.matrix, key.row, current.image, kind, previous.run_id, current.run_id, detail)

        if previous.verdict == "PASS" and current.verdict != "PASS":
            failed = "; ".join(current.failed_checks) or "no check named"
            found.append(regression(
                "verdict", f"passed in run {previous.run_id}, {current.verdict} in run {current.run_id}: {failed}"
            ))
        before = (previous.failover or {}).get("median")
        now = (current.failover or {}).get("median")
        if before is not None and now is not None and before > 0 and now > before * (1 + threshold_pct / 100):
            growth = (now / before - 1) * 100
            found.append(regression(
                "failover",
                f"median failover {fmt(before)} s in run {previous.run_id} -> {fmt(now)} s in run {current.run_id}"
                f" (+{growth:.1f} %, threshold {threshold_pct:g} %)",
            ))
    return found


def _trend_series(series: dict[SeriesKey, list[HistoryRecord]], figure: str) -> list[TrendSeries]:
    several = len({key.matrix for key in series}) > 1
    result = []
    for key, records in series.items():
        stats = [getattr(record, figure) or {} for record in records]
        result.append(TrendSeries(
            label=key.label(records[-1].image, several),
            x=tuple(run_label(record) for record in records),
            y=tuple(s.get("median") for s in stats), low=tuple(s.get("min") for s in stats),
            high=tuple(s.get("max") for s in stats), failed=tuple(record.verdict != "PASS" for record in records),
        ))
    return result


def run_label(record: HistoryRecord) -> str:
    """A run's name on charts and in trend.html: ``#<id> <start, to the minute>``."""
    return f"#{record.run_id} {record.started_at[:16].replace('T', ' ')}"


def write_trend(history: History, out_dir: Path, threshold_pct: float = DEFAULT_THRESHOLD_PCT,
                run_id: int | None = None) -> TrendResult:
    """trend_failover.png, trend_convergence.png, trend.html and trend.json in ``out_dir``."""
    series = build_series(history.records())
    result = TrendResult(series, find_regressions(series, threshold_pct, run_id), threshold_pct)
    out_dir.mkdir(parents=True, exist_ok=True)
    failover_png = save_png(trend_figure(
        _trend_series(series, "failover"), "Failover time per image across runs (median, min-max)",
        "failover time (device seconds)"), out_dir / TREND_FAILOVER_PNG)
    convergence_png = save_png(trend_figure(
        _trend_series(series, "bgp"), "BGP convergence time per image across runs (median, min-max)",
        "BGP converged (device seconds)"), out_dir / TREND_CONVERGENCE_PNG)
    html_path, json_path = out_dir / TREND_HTML, out_dir / TREND_JSON
    result.paths = [failover_png, convergence_png, html_path, json_path]
    html_path.write_text(_render_html(result, png_data_uri(failover_png), png_data_uri(convergence_png)))
    json_path.write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    return result


def _render_html(result: TrendResult, failover_uri: str, convergence_uri: str) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.globals["run_label"] = run_label
    return env.get_template("trend.html.j2").render(
        result=result, failover_uri=failover_uri, convergence_uri=convergence_uri,
    )
