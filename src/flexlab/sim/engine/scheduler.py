"""Discrete-event scheduler on the lab clock.

Events sit in a heap ordered by (lab time, sequence number), so two events at the same
instant run in the order they were scheduled and a run is deterministic for a given seed.
An event's callback runs with :attr:`Scheduler.now` equal to the event's own scheduled
time, never the (possibly later) wall-clock processing time, so everything it logs is
stamped exactly.

Timers may name an *owner* (a simulated node). Before running a timer the scheduler asks
the owner's ``timer_gate(timer)``: "run", "drop" (the node rebooted or stopped since the
timer was set) or "defer" (the node is frozen; it keeps the timer and re-arms it when it
resumes, as a paused container's overdue timers fire right after it is unpaused).

An optional ``meter(timer, seconds)`` is told how long each callback took
(``time.perf_counter``; engine/cpu.py charges it to the node's IOS processes).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from time import perf_counter
from typing import Any, Literal, Protocol

Gate = Literal["run", "drop", "defer"]


class TimerOwner(Protocol):
    """What owns a timer (a node): its boot generation and whether its timers run now."""
    generation: int

    def timer_gate(self, timer: Timer) -> Gate:
        """Run, defer or drop this due timer (see Node.timer_gate)."""
        ...


class Timer:
    """A scheduled callback; ``cancel()`` makes it a no-op (lazy removal from the heap)."""

    __slots__ = ("args", "cancelled", "fired", "fn", "generation", "owner", "time")

    def __init__(self, time: float, fn: Callable[..., Any], args: tuple[Any, ...], owner: TimerOwner | None) -> None:
        self.time = time
        self.fn = fn
        self.args = args
        self.cancelled = False
        self.fired = False
        self.owner = owner
        self.generation = owner.generation if owner is not None else 0

    def cancel(self) -> None:
        """Make the timer a no-op; it stays on the heap until due."""
        self.cancelled = True

    @property
    def pending(self) -> bool:
        """Whether the timer will still fire."""
        return not self.cancelled and not self.fired

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        name = getattr(self.fn, "__qualname__", repr(self.fn))
        return f"<Timer t={self.time:.3f} {name}{' cancelled' if self.cancelled else ''}>"


class Scheduler:
    """Heap of timers; :meth:`run_until` processes them in (time, seq) order."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = 0
        self.processed = 0
        self.running = False
        self.on_schedule: Callable[[float], None] | None = None
        self.meter: Callable[[Timer, float], None] | None = None

    def at(self, time: float, fn: Callable[..., Any], *args: Any, owner: TimerOwner | None = None) -> Timer:
        """Schedule ``fn(*args)`` at lab time ``time`` (never earlier than now)."""
        timer = Timer(max(time, self.now), fn, args, owner)
        self._push(timer)
        return timer

    def after(self, delay: float, fn: Callable[..., Any], *args: Any, owner: TimerOwner | None = None) -> Timer:
        """Schedule ``fn`` in ``delay`` lab seconds (a negative delay means now)."""
        return self.at(self.now + max(0.0, delay), fn, *args, owner=owner)

    def rearm(self, timer: Timer, time: float) -> None:
        """Put a deferred timer back in the heap at ``time`` (keeps its callback)."""
        timer.time = max(time, self.now)
        timer.fired = False
        timer.generation = timer.owner.generation if timer.owner is not None else 0
        self._push(timer)

    def _push(self, timer: Timer) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (timer.time, self._seq, timer))
        if self.on_schedule is not None:
            self.on_schedule(timer.time)

    def peek(self) -> float | None:
        """Lab time of the next live event, or None."""
        heap = self._heap
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def run_until(self, until: float) -> int:
        """Run every event with time <= ``until``; afterwards ``now == max(now, until)``."""
        count = 0
        heap = self._heap
        self.running = True
        try:
            count = self._run(heap, until)
        finally:
            self.running = False
        self.now = max(self.now, until)
        self.processed += count
        return count

    def _run(self, heap: list[tuple[float, int, Timer]], until: float) -> int:
        count = 0
        meter, clock = self.meter, perf_counter
        while heap and heap[0][0] <= until:
            time, _, timer = heapq.heappop(heap)
            if timer.cancelled:
                continue
            self.now = time
            owner = timer.owner
            if owner is not None:
                gate = owner.timer_gate(timer) if owner.generation == timer.generation else "drop"
                if gate != "run":
                    continue
            timer.fired = True
            if meter is None:
                timer.fn(*timer.args)
            else:
                started = clock()
                timer.fn(*timer.args)
                meter(timer, clock() - started)
            count += 1
        return count

    def __len__(self) -> int:
        return sum(1 for _, _, t in self._heap if not t.cancelled)
