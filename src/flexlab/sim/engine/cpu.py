"""CPU accounting for `show processes cpu`: the measured cost of each node's work.

Every event the scheduler runs is timed (:class:`CpuMeter`, installed as the scheduler's
``meter``) and charged to the node it belongs to and to the IOS process of the subsystem
that did the work (:data:`PROCESS_OF_MODULE`, :data:`PROCESS_OF_PROTOCOL`). CLI work
(a command typed on a vty, minus the protocol events it caught up on) is charged to
``Virtual Exec`` through :meth:`CpuMeter.exec_work`. Nothing is estimated: runtime is what
the host spent in that code, invocations are the events run.

Clocks:

- *Runtime* is ``time.perf_counter`` around the callback: the simulator is
  single-threaded, so a callback's elapsed time is the CPU it took (plus any preemption
  by the host). ``time.process_time`` would exclude preemption but is a system call
  (~0.75 us on the reference machine, 3 % of an average 50 us event, twice per event)
  where ``perf_counter`` is ~0.08 us; the engine benchmark must not slow down.
- *Shares* (5Sec/1Min/5Min and the header) are runtime divided by **lab** seconds: the
  simulated router lives on the lab clock, in test mode the lab jumps ahead without wall
  time passing, and at a time scale of 1 lab and wall seconds are the same. As on IOS the
  load is sampled every 5 s (on the lab clock's 5 s grid): 5Sec is the last completed
  interval, 1Min and 5Min are exponentially decayed averages of those samples
  (``avg = avg * exp(-5/60) + sample * (1 - exp(-5/60))``, and ``/300`` for 5 min).
  A share above 100 % (a lab computing more than one host second per lab second) is shown
  as 100 %.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flexlab.sim.state_cpu import CpuLoad, ProcessCpu

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node
    from flexlab.sim.engine.scheduler import Timer

INTERVAL_S = 5.0
_DECAY_1MIN = math.exp(-INTERVAL_S / 60.0)
_DECAY_5MIN = math.exp(-INTERVAL_S / 300.0)

#: IOS process name -> its PID on every lab router (stable: the show output and tools
#: can key on it). The numbers are the lab's own; IOS numbers differ per image.
PROCESS_PIDS: dict[str, int] = {
    "Init": 3,
    "IP Input": 88,
    "Virtual Exec": 112,
    "NTP": 131,
    "Crypto IKEv2": 204,
    "IP SLAs Event Processor": 236,
    "BGP Router": 301,
    "BGP I/O": 302,
    "BGP Scanner": 303,
}

#: Engine module of an event's callback -> the IOS process doing that work on a router.
#: bgp_session holds the per-neighbour FSM timers (keepalive, hold, connect retry): BGP
#: Router; bgp.py's only timer is the next-hop/best-path scan: BGP Scanner; FlexVPN
#: client decisions run in the IKEv2 component; `ping` runs in the exec of its vty;
#: echo.py's probe timeouts are ICMP bookkeeping (IP Input); a node's config re-read
#: follows a CLI change (or a failure injected through the config), parsed by the exec.
PROCESS_OF_MODULE: dict[str, str] = {
    "flexlab.sim.engine.bgp_session": "BGP Router",
    "flexlab.sim.engine.bgp": "BGP Scanner",
    "flexlab.sim.engine.ikev2": "Crypto IKEv2",
    "flexlab.sim.engine.flexvpn": "Crypto IKEv2",
    "flexlab.sim.engine.sla": "IP SLAs Event Processor",
    "flexlab.sim.engine.ntp": "NTP",
    "flexlab.sim.engine.echo": "IP Input",
    "flexlab.sim.engine.ping": "Virtual Exec",
    "flexlab.sim.engine.node": "Virtual Exec",
    "flexlab.sim.engine.reload": "Init",
    "flexlab.sim.engine.lab": "Init",
}

#: A packet arriving at a node (Node._arrive), by the protocol it carries (ESP by its
#: inner packet: the decapsulation and the delivery are one event).
PROCESS_OF_PROTOCOL: dict[str, str] = {
    "tcp": "BGP I/O",
    "ike": "Crypto IKEv2",
    "ntp": "NTP",
    "icmp": "IP Input",
    "esp": "IP Input",
}


@dataclass
class ProcessLoad:
    """One process's counters on one node; shares are folded on the 5 s lab-time grid."""

    runtime_s: float = 0.0
    invoked: int = 0
    interval: int = 0          # index of the open 5 s interval (lab time // 5)
    interval_s: float = 0.0    # runtime inside the open interval
    last_5s: float = 0.0       # share of the last completed interval
    avg_1min: float = 0.0
    avg_5min: float = 0.0

    def roll(self, interval: int) -> None:
        """Close every interval before ``interval`` (the first with this runtime, the rest idle)."""
        gap = interval - self.interval
        if gap <= 0:
            return
        sample = self.interval_s / INTERVAL_S
        self.avg_1min = self.avg_1min * _DECAY_1MIN + sample * (1.0 - _DECAY_1MIN)
        self.avg_5min = self.avg_5min * _DECAY_5MIN + sample * (1.0 - _DECAY_5MIN)
        self.last_5s = sample
        if gap > 1:
            self.avg_1min *= _DECAY_1MIN ** (gap - 1)
            self.avg_5min *= _DECAY_5MIN ** (gap - 1)
            self.last_5s = 0.0
        self.interval, self.interval_s = interval, 0.0

    def charge(self, seconds: float, interval: int) -> None:
        """Add ``seconds`` of work to this process, first rolling over if a new 5 s interval began."""
        if interval != self.interval:
            self.roll(interval)
        self.runtime_s += seconds
        self.interval_s += seconds
        self.invoked += 1


@dataclass
class NodeCpu:
    """Per-process loads of one node since its last boot."""

    processes: dict[str, ProcessLoad] = field(default_factory=dict)

    def charge(self, process: str, seconds: float, lab_time: float) -> None:
        """Charge ``seconds`` of measured work to ``process`` (an IOS process name) at lab time ``lab_time``."""
        interval = int(lab_time // INTERVAL_S)
        load = self.processes.get(process)
        if load is None:
            load = self.processes[process] = ProcessLoad(interval=interval)
        load.charge(seconds, interval)

    def report(self, lab_time: float) -> tuple[CpuLoad, tuple[ProcessCpu, ...]]:
        """The header figures and one row per process that ran, in PID order."""
        interval = int(lab_time // INTERVAL_S)
        rows = []
        for name, load in self.processes.items():
            load.roll(interval)
            usecs = int(load.runtime_s * 1e6 / load.invoked) if load.invoked else 0
            rows.append(ProcessCpu(pid_of(name), name, int(load.runtime_s * 1000), load.invoked, usecs,
                                   _share(load.last_5s), _share(load.avg_1min), _share(load.avg_5min)))
        rows.sort(key=lambda row: row.pid)
        header = CpuLoad(
            five_sec=_share(sum(p.last_5s for p in self.processes.values())), five_sec_interrupt=0.0,
            one_min=_share(sum(p.avg_1min for p in self.processes.values())),
            five_min=_share(sum(p.avg_5min for p in self.processes.values())),
        )
        return header, tuple(rows)


def _share(fraction: float) -> float:
    return min(100.0, fraction * 100.0)


def process_of(timer: Timer) -> str:
    """The IOS process an event's work belongs to."""
    fn = timer.fn
    func = getattr(fn, "__func__", fn)
    if func.__name__ == "_arrive":
        packet = timer.args[0]
        proto = packet.inner.proto if packet.proto == "esp" and packet.inner is not None else packet.proto
        return PROCESS_OF_PROTOCOL[proto]
    module: str = func.__module__
    return PROCESS_OF_MODULE.get(module) or f"Sim {module.rsplit('.', 1)[-1]}"


def pid_of(process: str) -> int:
    """The process's PID: from the table, or 900-999 for a module missing from it (a
    test keeps every engine module with timers in the table)."""
    return PROCESS_PIDS.get(process) or 900 + zlib.crc32(process.encode()) % 100


def node_of(timer: Timer) -> Node | None:
    """The node an event works for: its owner, or the node it is a method of / acts on."""
    if timer.owner is not None:
        return timer.owner  # type: ignore[return-value]
    candidate = getattr(timer.fn, "__self__", None)
    if getattr(candidate, "cpu", None) is None and timer.args:
        candidate = timer.args[0]
    return candidate if isinstance(getattr(candidate, "cpu", None), NodeCpu) else None


class CpuMeter:
    """Times events and CLI commands and charges them to their node and process.

    ``charged_s`` is everything charged so far, so a CLI command can leave out the
    protocol events it ran while catching the lab up (they are charged on their own)."""

    def __init__(self) -> None:
        self.charged_s = 0.0

    def charge_event(self, timer: Timer, seconds: float) -> None:
        """Charge one scheduler event's measured cost to the node and IOS process it worked for."""
        node = node_of(timer)
        if node is None:
            return
        self.charged_s += seconds
        node.cpu.charge(process_of(timer), seconds, timer.time)

    @contextmanager
    def exec_work(self, node: Node) -> Iterator[None]:
        """Charge the enclosed CLI work to ``Virtual Exec``, minus the events run inside."""
        started, charged_before = time.perf_counter(), self.charged_s
        try:
            yield
        finally:
            own = (time.perf_counter() - started) - (self.charged_s - charged_before)
            self.charged_s += max(0.0, own)
            node.cpu.charge("Virtual Exec", max(0.0, own), node.now())

