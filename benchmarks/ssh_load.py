"""How long one SSH session of the embedded lab waits while another floods it.

Session A types one very long line (1 MB, no newline, as a fuzzer or a runaway script
does); session B, on another router of the same lab process, keeps running `show clock`.
Every B round trip is timed from the moment A's line is sent. Used by the test
(tests/sim/test_ssh_flood.py) and by the benchmark (``benchmarks.run ssh-flood``).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import asdict, dataclass

import asyncssh

PROMPT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class FloodFigures:
    line_chars: int
    probes: int
    baseline_median_ms: float
    probe_median_ms: float
    probe_max_ms: float
    flood_answer: str            # what A's router answered when the line ended
    flood_answered_s: float      # from sending A's line to that answer

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class _Shell:
    def __init__(self, process: asyncssh.SSHClientProcess) -> None:
        self.process = process

    async def until(self, text: str) -> str:
        return await asyncio.wait_for(self.process.stdout.readuntil(text), PROMPT_TIMEOUT_S)

    async def round_trip(self, command: str, prompt: str) -> float:
        start = time.perf_counter()
        self.process.stdin.write(command + "\r")
        await self.until(prompt)
        return time.perf_counter() - start


async def _shell(host: str, port: int, username: str, password: str) -> tuple[asyncssh.SSHClientConnection, _Shell]:
    conn = await asyncssh.connect(host, port, username=username, password=password, known_hosts=None,
                                  client_keys=None, preferred_auth="password")
    shell = _Shell(await conn.create_process(term_type="vt100", term_size=(80, 24)))
    await shell.until("#")
    return conn, shell


async def measure_flood(host: str, flood_port: int, probe_port: int, username: str, password: str,
                        line_chars: int = 1_000_000, probes: int = 20) -> FloodFigures:
    """Time ``probes`` `show clock` round trips on one router while another takes a long line."""
    flood_conn, flood = await _shell(host, flood_port, username, password)
    probe_conn, probe = await _shell(host, probe_port, username, password)
    try:
        baseline = [await probe.round_trip("show clock", "#") for _ in range(5)]
        sent = time.perf_counter()
        flood.process.stdin.write("x" * line_chars)
        timings = [await probe.round_trip("show clock", "#") for _ in range(probes)]
        flood.process.stdin.write("\r")
        answer = await flood.until("%")
        answer += await flood.until("\n")
        answered = time.perf_counter() - sent
    finally:
        flood_conn.close()
        probe_conn.close()
    return FloodFigures(
        line_chars=line_chars, probes=probes,
        baseline_median_ms=round(statistics.median(baseline) * 1000, 2),
        probe_median_ms=round(statistics.median(timings) * 1000, 2),
        probe_max_ms=round(max(timings) * 1000, 2),
        flood_answer=answer.strip().splitlines()[-1][:120], flood_answered_s=round(answered, 3),
    )


async def abort_mid_line(host: str, port: int, username: str, password: str, line_chars: int = 1_000_000) -> None:
    """Send most of a long line and drop the connection while the router is still reading it."""
    conn, shell = await _shell(host, port, username, password)
    shell.process.stdin.write("y" * line_chars)
    await asyncio.sleep(0.05)
    conn.abort()
