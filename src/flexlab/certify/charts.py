"""Charts (matplotlib, Agg backend: no display needed): failover time per image against its
DPD bound, and failover / convergence time per matrix row across runs."""

from __future__ import annotations

import base64
import statistics
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

PASS_COLOUR, FAIL_COLOUR, BOUND_COLOUR = "#2e7d32", "#c62828", "#455a64"


@dataclass(frozen=True)
class FailoverBar:
    """One matrix row on the failover chart."""

    label: str
    failovers: tuple[float, ...]      # every measured spoke failover (device s)
    bound_s: float | None             # the tightest DPD bound of the row
    passed: bool
    unmeasured: int = 0               # spokes that never failed over


@dataclass(frozen=True)
class TrendSeries:
    """One matrix row's line on a trend chart: a median and its range per run."""

    label: str
    x: tuple[str, ...]                # run labels, oldest first
    y: tuple[float | None, ...]       # median per run (None: not measured)
    low: tuple[float | None, ...]
    high: tuple[float | None, ...]
    failed: tuple[bool, ...] = ()     # the row's verdict was not PASS in that run


def failover_figure(bars: list[FailoverBar]) -> Figure:
    """Each row's spoke failovers (dots), their median (bar) and the row's DPD bound (dashed line)."""
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(bars) + 2), 4.5))
    values = [v for bar in bars for v in (*bar.failovers, bar.bound_s) if v is not None]
    top = max(values, default=1.0) * 1.35
    for x, bar in enumerate(bars):
        colour = PASS_COLOUR if bar.passed else FAIL_COLOUR
        if bar.failovers:
            ax.scatter([x] * len(bar.failovers), bar.failovers, color=colour, alpha=0.7, zorder=3, s=18)
            ax.bar(x, statistics.median(bar.failovers), width=0.5, color=colour, alpha=0.35, zorder=2)
        if bar.bound_s is not None:
            ax.hlines(bar.bound_s, x - 0.35, x + 0.35, colors=BOUND_COLOUR, linestyles="--", linewidth=2, zorder=4)
        if bar.unmeasured:
            ax.text(x, top * 0.04, f"{bar.unmeasured} spoke(s)\nnever failed over", ha="center", va="bottom",
                    color=FAIL_COLOUR, fontsize=8)
        elif not bar.failovers:
            ax.text(x, top * 0.04, "not measured", ha="center", va="bottom", color=FAIL_COLOUR, fontsize=8)
    ax.set_xticks(range(len(bars)), [bar.label for bar in bars], rotation=20, ha="right", fontsize=8)
    for tick, bar in zip(ax.get_xticklabels(), bars, strict=True):
        tick.set_color(PASS_COLOUR if bar.passed else FAIL_COLOUR)
    ax.set_ylabel("failover time (device seconds)")
    ax.set_title("Measured failover time per image against its DPD bound", fontsize=10)
    ax.set_xlim(-0.7, len(bars) - 0.3)
    ax.set_ylim(0, top)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(handles=[
        Line2D([], [], color="grey", marker="o", linestyle="", label="spoke failover"),
        Patch(color="grey", alpha=0.35, label="median"),
        Line2D([], [], color=BOUND_COLOUR, linestyle="--", linewidth=2, label="DPD bound"),
    ], fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def trend_figure(series: list[TrendSeries], title: str, ylabel: str) -> Figure:
    """One line per row across runs, with low-high error bars and a cross on each run that did not pass."""
    fig, ax = plt.subplots(figsize=(8.0, 4.5))
    runs = sorted({x for s in series for x in s.x})
    position = {run: i for i, run in enumerate(runs)}
    for s in series:
        points = [(position[x], y, lo, hi)
                  for x, y, lo, hi in zip(s.x, s.y, s.low, s.high, strict=True) if y is not None]
        if points:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            lows = [y - (lo if lo is not None else y) for _, y, lo, _ in points]
            highs = [(hi if hi is not None else y) - y for _, y, _, hi in points]
            ax.errorbar(xs, ys, yerr=[lows, highs], marker="o", capsize=3, label=s.label)
        failed = [(position[x], y or 0.0) for x, y, bad in zip(s.x, s.y, s.failed, strict=True) if bad]
        if failed:  # a run that did not pass: a red cross on its median, or on the axis when unmeasured
            ax.scatter([f[0] for f in failed], [f[1] for f in failed], marker="x", s=60, color=FAIL_COLOUR, zorder=5)
    ax.set_xticks(range(len(runs)), runs, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if any(any(s.failed) for s in series):
        ax.scatter([], [], marker="x", color=FAIL_COLOUR, label="run not passed (on the axis: not measured)")
    if any(any(y is not None for y in s.y) or any(s.failed) for s in series):
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no measurement yet", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig


def save_png(fig: Figure, path: Path) -> Path:
    """Write the figure as a 100 dpi PNG and close it (pyplot keeps open figures alive); the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)
    return path


def png_data_uri(path: Path) -> str:
    """The PNG as a data: URI, so an HTML page embeds it and stays self-contained."""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
