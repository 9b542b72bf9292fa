"""Precision of the measured failover and BGP convergence against the lab's ground truth.

    .venv/bin/python -m benchmarks.run precision [--iterations 10] [--scale 50]

One lab, one job with ``--iterations N`` failing both hubs in turn (2N failovers). Each
reported failover / convergence is compared with the truth (the hub's failure instant to
the spoke's FlexVPN up on the other hub, and to its next BGP Established). The coarse
poll-based figure the report also carries (``failover_polled_s``) is compared too: that
is what a polling tool would have measured.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import BenchLab, run_job, stats
from benchmarks.truth_analysis import true_failover

NAME = "precision"


def _errors(samples: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    errors = [s[f"{key}_error_s"] for s in samples if s.get(f"{key}_error_s") is not None]
    summary = stats(errors)
    if summary is None:
        return None
    return {"bias_s": round(summary["mean"], 4), "worst_abs_error_s": round(max(abs(e) for e in errors), 4),
            "min_error_s": round(summary["min"], 4), "max_error_s": round(summary["max"], 4), "count": len(errors)}


def compare(report: dict[str, Any], truth: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One sample per reported spoke failover: measured, polled and true values (device s)."""
    samples = []
    for run in report.get("runs", []):
        for record in run.get("spokes", []):
            real = true_failover(truth, run["hub"], record["spoke"], run["failed_at"])
            sample = {"hub": run["hub"], "iteration": run.get("iteration"), "spoke": record["spoke"],
                      "failover_s": record.get("failover_s"), "true_failover_s": real.failover_s,
                      "failover_polled_s": record.get("failover_polled_s"),
                      "bgp_converged_s": record.get("bgp_converged_s"), "true_bgp_converged_s": real.bgp_converged_s}
            for key, true_key in (("failover", "true_failover_s"), ("failover_polled", "true_failover_s"),
                                  ("bgp_converged", "true_bgp_converged_s")):
                measured, true = sample[f"{key}_s"], sample[true_key]
                sample[f"{key}_error_s"] = round(measured - true, 4) if None not in (measured, true) else None
            samples.append(sample)
    return samples


def run(iterations: int = 10, time_scale: float = 50.0) -> dict[str, Any]:
    with BenchLab("precision", time_scale=time_scale) as lab, \
            tempfile.TemporaryDirectory(prefix="flexlab-bench-precision-") as work:
        job = run_job(lab, Path(work), "--iterations", str(iterations))
        samples = compare(job.report, lab.truth())
    figures = {
        "time_scale": time_scale, "iterations": iterations,
        "job_passed": job.passed, "job_wall_s": round(job.wall_s, 2),
        "samples": len(samples),
        "failover_from_logs": _errors(samples, "failover"),
        "bgp_convergence_from_logs": _errors(samples, "bgp_converged"),
        "failover_from_polling": _errors(samples, "failover_polled"),
        "true_failover_s": stats([s["true_failover_s"] for s in samples if s["true_failover_s"] is not None]),
        "target": {"worst_abs_error_s_max": 0.05},
        "per_sample": samples,
    }
    for label, key in (("failover (logs)", "failover_from_logs"), ("convergence (logs)", "bgp_convergence_from_logs"),
                       ("failover (polling)", "failover_from_polling")):
        value = figures[key]
        if value:
            print(f"{label:<20} n={value['count']:>3}  bias {value['bias_s'] * 1000:9.1f} ms  "
                  f"worst |error| {value['worst_abs_error_s'] * 1000:9.1f} ms (device time)")
    print(f"job {'passed' if job.passed else 'FAILED'} in {job.wall_s:.1f} s wall, {len(samples)} failovers")
    return figures
