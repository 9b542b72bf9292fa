"""Job wall time at several time scales, split into protocol time and harness overhead.

    .venv/bin/python -m benchmarks.run job-time [--scales 1,10,50] [--repeat 1]

For each time scale: a fresh default lab (2 hubs, 2 spokes, isp), then the full job
(setup, baseline, failover of both hubs, BGP convergence, recovery). Protocol time is the
simulated time the job had to wait for (from the ground truth, see ``truth_analysis``)
divided by the scale; harness overhead is the rest of the wall time.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from benchmarks.cli_logs import poll_intervals
from benchmarks.common import BenchLab, run_job, section_times, stats
from benchmarks.truth_analysis import Interval, protocol_intervals, union_length

NAME = "job_time"


def measure_job(time_scale: float, spokes: int | None = None) -> dict[str, Any]:
    """Start a lab, run the full job on it once, and split the wall time."""
    with tempfile.TemporaryDirectory(prefix="flexlab-bench-job-") as work:
        with BenchLab(f"jt{int(time_scale)}", spokes=spokes, time_scale=time_scale) as lab:
            return _measure(lab, Path(work), time_scale, ())


def _measure(lab: BenchLab, work: Path, time_scale: float, job_args: tuple[str, ...]) -> dict[str, Any]:
    """One job on a running lab: wall time, protocol time from the truth, sections, memory."""
    memory_after_boot = lab.memory()
    job = run_job(lab, work, *job_args)
    truth = lab.truth()
    intervals = protocol_intervals(truth, job.lab_time_at_start)
    protocol_s = union_length(intervals) / time_scale
    failovers = [s for run in job.report.get("runs", []) for s in run.get("spokes", [])]
    return {
        "time_scale": time_scale,
        "spokes": lab.info.spokes if lab.info else lab.spokes,
        "passed": job.passed,
        "lab_boot_wall_s": round(lab.boot_wall_s, 3),
        "job_wall_s": round(job.wall_s, 3),
        "protocol_s": round(protocol_s, 3),
        "harness_overhead_s": round(job.wall_s - protocol_s, 3),
        "protocol_waits_device_s": _by_action(intervals),
        "sections_wall_s": section_times(job.archive),
        "failover_poll": poll_intervals(job.archive),
        "failovers_measured": sum(1 for s in failovers if s.get("failover_s") is not None),
        "failovers_expected": len(failovers),
        "lab_memory_after_boot": memory_after_boot,
        "lab_memory_after_job": lab.memory(),
        "output_tail": None if job.passed else job.output_tail,
    }


def _by_action(intervals: list[Interval]) -> dict[str, dict[str, float]]:
    """Protocol waits grouped by the action that caused them (device seconds)."""
    groups: dict[str, list[float]] = {}
    for interval in intervals:
        groups.setdefault(interval.cause.split()[-1], []).append(interval.length)
    return {action: {"count": len(lengths), "total": round(sum(lengths), 3), "max": round(max(lengths), 3)}
            for action, lengths in groups.items()}


def run(scales: list[float], repeat: int = 1) -> dict[str, Any]:
    runs = []
    for scale in scales:
        for attempt in range(repeat):
            result = measure_job(scale)
            runs.append(result)
            print(f"scale {scale:>4g} run {attempt + 1}: job {result['job_wall_s']:6.2f} s wall = protocol "
                  f"{result['protocol_s']:6.2f} s + harness {result['harness_overhead_s']:6.2f} s "
                  f"({'passed' if result['passed'] else 'FAILED'})")
    summary = {}
    for scale in scales:
        of_scale = [r for r in runs if r["time_scale"] == scale]
        summary[f"{scale:g}"] = {key: stats([r[key] for r in of_scale])
                                 for key in ("job_wall_s", "protocol_s", "harness_overhead_s")}
        print(f"scale {scale:>4g}: median job {summary[f'{scale:g}']['job_wall_s']['median']:.2f} s, harness overhead "
              f"median {summary[f'{scale:g}']['harness_overhead_s']['median']:.2f} s "
              f"(max {summary[f'{scale:g}']['harness_overhead_s']['max']:.2f} s) over {len(of_scale)} runs")
    return {"summary": summary, "runs": runs,
            "targets": {"harness_overhead_s_max": 15.0, "job_wall_s_at_scale_50_max": 25.0}}
