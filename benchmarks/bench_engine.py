"""The protocol engine alone at scale (no SSH, no pyATS), through ``bench_engine_scale``.

    .venv/bin/python -m benchmarks.run engine-scale [--spokes 50,100,200]

Runs ``python -m benchmarks.bench_engine_scale --spokes N`` per size in a fresh process
and records its printed figures: boot and simulated-run CPU/wall time, events processed,
and whether every spoke converged.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

from benchmarks.common import ROOT

NAME = "engine_scale"
_EVENTS = re.compile(r"spokes=(\d+) simulated=(\d+)s events=(\d+)")
_PHASE = re.compile(r"^(boot|run):\s+cpu ([\d.]+)s wall ([\d.]+)s", re.M)
_CONVERGED = re.compile(r"converged spokes (\d+)/(\d+); spoke LANs in BGP: hub1 (\d+), hub2 (\d+)")


def parse_output(text: str) -> dict[str, Any]:
    events, converged = _EVENTS.search(text), _CONVERGED.search(text)
    if events is None or converged is None:
        raise ValueError(f"unexpected bench_engine_scale output:\n{text}")
    figures: dict[str, Any] = {"spokes": int(events.group(1)), "simulated_s": int(events.group(2)),
                               "events": int(events.group(3))}
    for phase, cpu, wall in _PHASE.findall(text):
        figures[f"{phase}_cpu_s"], figures[f"{phase}_wall_s"] = float(cpu), float(wall)
    figures["converged_spokes"] = int(converged.group(1))
    figures["hub_lans"] = [int(converged.group(3)), int(converged.group(4))]
    return figures


def run(spoke_counts: list[int]) -> dict[str, Any]:
    rows = []
    for spokes in spoke_counts:
        result = subprocess.run([sys.executable, "-m", "benchmarks.bench_engine_scale", "--spokes", str(spokes)],
                                cwd=ROOT, capture_output=True, text=True, timeout=900, check=True)
        row = parse_output(result.stdout)
        rows.append(row)
        print(f"{spokes:>4} spokes: boot cpu {row['boot_cpu_s']:.2f} s, {row['simulated_s']} simulated s in "
              f"{row['run_cpu_s']:.2f} s cpu ({row['events']} events), converged {row['converged_spokes']}/{spokes}")
    return {"rows": rows}
