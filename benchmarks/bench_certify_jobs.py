"""`flexlab certify --jobs 2` against a sequential run over the embedded matrix, side by side.

    .venv/bin/python -m benchmarks.run certify-jobs [--repeat 2] [--jobs 2]

Each repeat runs the sequential and the parallel certification one right after the other
(alternating which goes first), each as a user runs it: the `flexlab` command in a
subprocess, real embedded labs, real `pyats run job`. Figures: wall times, the ratio of
their medians and the ratio within each pair (issue 15's bound: <= 0.65), the machine's
load average around each run (the machine may be shared), and the best ratio row-level
parallelism allows on this matrix: the rows' sequential durations dealt longest first onto
``jobs`` slots, plus what is not a row
(start-up, preflight, writing the outputs), over the sequential wall time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import BIN, ROOT
from flexlab.packaged import EMBEDDED_MATRIX

NAME = "certify_jobs"
NAME_WARM = "certify_jobs_warm"
MATRIX = EMBEDDED_MATRIX
#: Issue 15's done-when: the parallel run takes at most this share of the sequential one.
BOUND_RATIO = 0.65
RUN_TIMEOUT_S = 1800


def run(repeat: int, jobs: int, warm: bool = False) -> dict[str, Any]:
    """``warm``: as a nightly runs, with a history (one unmeasured sequential run first), so
    --jobs starts the longest row first; else without one (rows start in matrix order)."""
    with tempfile.TemporaryDirectory(prefix="flexlab-bench-history-") as scratch:
        history = Path(scratch) / "history.sqlite" if warm else None
        if history is not None:
            certify_once(1, history)
        return _pairs(repeat, jobs, history)


def _pairs(repeat: int, jobs: int, history: Path | None) -> dict[str, Any]:
    pairs = []
    for index in range(repeat):
        order = (1, jobs) if index % 2 == 0 else (jobs, 1)
        measured = {j: certify_once(j, history) for j in order}
        first = "sequential" if order[0] == 1 else "parallel"
        pairs.append({"sequential": measured[1], "parallel": measured[jobs], "first": first})
        print(f"  repeat {index + 1}: sequential {measured[1]['wall_s']:.1f} s,"
              f" --jobs {jobs} {measured[jobs]['wall_s']:.1f} s"
              f" (load {measured[1]['load_before']}/{measured[jobs]['load_before']})")
    sequential = statistics.median(p["sequential"]["wall_s"] for p in pairs)
    parallel = statistics.median(p["parallel"]["wall_s"] for p in pairs)
    ideal = statistics.median(ideal_ratio(p["sequential"], jobs) for p in pairs)
    pair_ratios = [round(p["parallel"]["wall_s"] / p["sequential"]["wall_s"], 3) for p in pairs]
    figures = {
        "matrix": str(MATRIX.relative_to(ROOT)), "jobs": jobs, "repeat": repeat, "with_history": history is not None,
        "pairs": pairs,
        "sequential_median_s": round(sequential, 3), "parallel_median_s": round(parallel, 3),
        "ratio": round(parallel / sequential, 3), "bound_ratio": BOUND_RATIO,
        "within_bound": parallel / sequential <= BOUND_RATIO,
        "pair_ratios": pair_ratios, "median_pair_ratio": statistics.median(pair_ratios),
        "ideal_ratio_row_level": round(ideal, 3),
        "same_verdicts": all(p["sequential"]["verdicts"] == p["parallel"]["verdicts"] for p in pairs),
        "cpu_count": os.cpu_count(),
    }
    print(f"  median: sequential {sequential:.1f} s, --jobs {jobs} {parallel:.1f} s, ratio {figures['ratio']},"
          f" ratios of the pairs {pair_ratios}"
          f" (bound {BOUND_RATIO}; best possible with whole rows on {jobs} slots: {figures['ideal_ratio_row_level']})")
    return figures


def certify_once(jobs: int, history: Path | None = None) -> dict[str, Any]:
    """One `flexlab certify` of the embedded matrix; wall time, verdicts, per-row durations."""
    with tempfile.TemporaryDirectory(prefix="flexlab-bench-certify-") as work:
        out = Path(work) / "out"
        env = {**os.environ, "FLEXLAB_STATE_DIR": str(Path(work) / "state"), "XDG_DATA_HOME": str(Path(work) / "xdg"),
               "NO_COLOR": "1"}   # no history but the one given
        recording = ["--history", str(history)] if history is not None else ["--no-history"]
        command = [str(BIN / "flexlab"), "certify", "--matrix", str(MATRIX), "--out", str(out), *recording,
                   "--jobs", str(jobs)]
        load_before = round(os.getloadavg()[0], 2)
        started = time.monotonic()
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=RUN_TIMEOUT_S)
        wall = time.monotonic() - started
        if result.returncode not in (0, 1):
            raise RuntimeError(f"flexlab certify --jobs {jobs} exited {result.returncode}: {result.stderr[-2000:]}")
        summary = json.loads((out / "summary.json").read_text())
    return {
        "wall_s": round(wall, 3), "exit_code": result.returncode,
        "load_before": load_before, "load_after": round(os.getloadavg()[0], 2),
        "verdicts": {row["name"]: row["verdict"] for row in summary["rows"]},
        "row_s": {row["name"]: row["duration_s"] for row in summary["rows"]},
    }


def ideal_ratio(sequential: dict[str, Any], jobs: int) -> float:
    """Best wall-time share for whole rows on ``jobs`` slots, the rows as long as sequentially."""
    rows = sorted(sequential["row_s"].values(), reverse=True)
    slots = [0.0] * jobs
    for seconds in rows:
        slots[slots.index(min(slots))] += seconds
    not_rows = sequential["wall_s"] - sum(rows)
    return (max(slots) + not_rows) / sequential["wall_s"]
