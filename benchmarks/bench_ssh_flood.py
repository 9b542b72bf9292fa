"""One SSH client flooding a router with a very long line: what the other sessions wait.

    .venv/bin/python -m benchmarks.run ssh-flood [--line-kib 1024] [--probes 50]

Session A on spoke1 types one line of ``--line-kib`` KiB without a newline; session B on
hub1 (same lab process) times `show clock` round trips meanwhile (benchmarks/ssh_load.py).
Before the SSH front end processed input in bounded chunks, a 1 MB line held every router
of the lab for ~43 s.
"""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks.common import BenchLab
from benchmarks.ssh_load import measure_flood

NAME = "ssh_flood"


def run(line_kib: int = 1024, probes: int = 50) -> dict[str, Any]:
    with BenchLab("sshflood", time_scale=10.0) as lab:
        assert lab.info is not None
        username, password = lab.lab.credentials
        figures = asyncio.run(measure_flood(lab.info.host, lab.info.ports["spoke1"], lab.info.ports["hub1"],
                                            username, password, line_chars=line_kib * 1024, probes=probes))
    print(f"line {figures.line_chars} chars: other session's show clock median {figures.probe_median_ms} ms,"
          f" max {figures.probe_max_ms} ms (idle median {figures.baseline_median_ms} ms);"
          f" flooded session answered after {figures.flood_answered_s} s: {figures.flood_answer}")
    return figures.to_dict()
