"""Scale: 2 hubs with 50, 100 and 200 spokes — lab boot, lab memory, full job wall time.

    .venv/bin/python -m benchmarks.run scale [--spokes 50,100,200] [--scale 50]

Each size gets a fresh lab and one full job (both hubs failed in turn). Every spoke sits
on one hub, so the two failovers together must measure every spoke once. Above 100
spokes the design gives the hubs `bgp listen limit <spokes>` (a surviving hub carries every
spoke; IOS accepts 100 dynamic neighbours by default). Growth is given
as the exponent k of ``figure ~ spokes^k`` between the smallest and the largest size.
"""

from __future__ import annotations

import math
from typing import Any

from benchmarks.bench_job_time import measure_job

NAME = "scale"
def growth_exponent(sizes: list[int], values: list[float]) -> float | None:
    """k in value ~ size^k, from the first and last point (1 = linear, 2 = quadratic)."""
    if len(sizes) < 2 or min(values[0], values[-1]) <= 0:
        return None
    return round(math.log(values[-1] / values[0]) / math.log(sizes[-1] / sizes[0]), 2)


def run(spoke_counts: list[int], time_scale: float = 50.0) -> dict[str, Any]:
    rows = []
    for spokes in spoke_counts:
        result = measure_job(time_scale, spokes)
        result["every_spoke_measured"] = result["failovers_measured"] == spokes
        rows.append(result)
        memory = result["lab_memory_after_job"]
        print(f"{spokes:>4} spokes: boot {result['lab_boot_wall_s']:6.2f} s, lab RSS {memory['rss_mb']} MiB "
              f"(peak {memory['peak_rss_mb']}), job {result['job_wall_s']:7.2f} s wall "
              f"(protocol {result['protocol_s']:.2f} s), failovers measured {result['failovers_measured']}/{spokes} "
              f"({'passed' if result['passed'] else 'FAILED'})")
    sizes = [r["spokes"] for r in rows]
    growth = {
        "lab_boot_wall_s": growth_exponent(sizes, [r["lab_boot_wall_s"] for r in rows]),
        "lab_peak_rss_mb": growth_exponent(sizes, [r["lab_memory_after_job"]["peak_rss_mb"] or 0 for r in rows]),
        "job_wall_s": growth_exponent(sizes, [r["job_wall_s"] for r in rows]),
        "harness_overhead_s": growth_exponent(sizes, [r["harness_overhead_s"] for r in rows]),
    }
    print("growth exponents (figure ~ spokes^k): " + ", ".join(f"{k} {v}" for k, v in growth.items()))
    return {"time_scale": time_scale, "rows": rows, "growth_exponent": growth,
            "target": {"spokes": 200, "job_wall_s_max": 180.0, "every_spoke_measured": True}}
