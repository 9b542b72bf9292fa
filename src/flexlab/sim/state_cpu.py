"""Read model of `show processes cpu` (part of :class:`flexlab.sim.state.NodeSnapshot`).

Percentages are 0-100 shares of lab time; runtimes are measured host time (see
``flexlab.sim.engine.cpu`` for the clocks and the process table)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CpuLoad:
    """The header: `CPU utilization for five seconds: X%/Y%; one minute: A%; five minutes: B%`."""

    five_sec: float
    five_sec_interrupt: float   # the lab switches packets inside the sending event: no interrupt level, 0
    one_min: float
    five_min: float


@dataclass(frozen=True)
class ProcessCpu:
    """One row: PID, Runtime(ms), Invoked, uSecs, 5Sec, 1Min, 5Min, Process."""

    pid: int
    name: str
    runtime_ms: int
    invoked: int
    usecs: int                  # runtime per invocation, microseconds
    five_sec: float
    one_min: float
    five_min: float


@dataclass(frozen=True)
class CpuState:
    """`show processes cpu`: the utilisation header and one row per process."""
    load: CpuLoad
    processes: tuple[ProcessCpu, ...] = ()
