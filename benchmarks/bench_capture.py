"""What packet capture and schedule analysis cost the failover job (issue 10: at most 1 s wall
at time scale 50).

    .venv/bin/python -m benchmarks.run capture --repeat 3 [--scale 50]

On one default lab, the full job (both hubs) alternately with captures (the default) and
with ``--no-capture``. Two figures: the harness's own capture time as the job reports it
(``capture_wall_s`` per run: starting, stopping and reading the captures; scapy is
imported on a thread while the job waits for DPD), and the
difference of the median job wall times (which also holds the lab's cost of writing pcap,
and the machine's noise).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import BenchLab, run_job, stats

NAME = "capture"
TARGET_ADDED_WALL_S = 1.0


def _one(lab: BenchLab, capture: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="flexlab-bench-capture-") as work:
        job = run_job(lab, Path(work), *(() if capture else ("--no-capture",)))
    runs = job.report.get("runs", [])
    spokes = [s for run in runs for s in run.get("spokes", [])]
    return {
        "capture": capture, "passed": job.passed, "job_wall_s": round(job.wall_s, 3),
        "capture_wall_s": round(sum(sum((run.get("capture_wall_s") or {}).values()) for run in runs), 3),
        "capture_steps_s": [run.get("capture_wall_s") or {} for run in runs],
        "schedules": [s.get("schedule_result") for s in spokes],
        "output_tail": None if job.passed else job.output_tail,
    }


def run(repeat: int = 3, time_scale: float = 50.0) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    with BenchLab("capture", time_scale=time_scale) as lab:
        for attempt in range(repeat):
            for capture in (True, False):
                result = _one(lab, capture)
                runs.append(result)
                print(f"run {attempt + 1} capture={'on ' if capture else 'off'}: job {result['job_wall_s']:6.2f} s, "
                      f"capture steps {result['capture_wall_s']:.3f} s, schedules {result['schedules']}")
    on = [r for r in runs if r["capture"]]
    off = [r for r in runs if not r["capture"]]
    summary = {
        "job_wall_s_capture_on": stats([r["job_wall_s"] for r in on]),
        "job_wall_s_capture_off": stats([r["job_wall_s"] for r in off]),
        "capture_wall_s": stats([r["capture_wall_s"] for r in on]),
    }
    added = summary["job_wall_s_capture_on"]["median"] - summary["job_wall_s_capture_off"]["median"]
    summary["added_job_wall_s_median"] = round(added, 3)
    # each pair ran back to back on the same lab: their difference drifts less with the load
    summary["added_job_wall_s_paired"] = stats(
        [a["job_wall_s"] - b["job_wall_s"] for a, b in zip(on, off, strict=True)]
    )
    capture = summary["capture_wall_s"]
    print(f"capture steps: median {capture['median']:.3f} s, max {capture['max']:.3f} s;"
          f" job wall median on {summary['job_wall_s_capture_on']['median']:.2f} s, off "
          f"{summary['job_wall_s_capture_off']['median']:.2f} s (difference {added:+.2f} s, paired median "
          f"{summary['added_job_wall_s_paired']['median']:+.2f} s)")
    return {"summary": summary, "runs": runs, "targets": {"added_wall_s_max": TARGET_ADDED_WALL_S}}
