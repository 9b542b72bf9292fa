"""Scheduler ordering, cancellation, owner gates, and the lab clock mapping."""

from __future__ import annotations

import datetime as dt

import pytest

from flexlab.sim.engine.clock import ClockError, LabClock
from flexlab.sim.engine.scheduler import Gate, Scheduler, Timer


class Owner:
    def __init__(self) -> None:
        self.generation = 1
        self.frozen = False
        self.deferred: list[Timer] = []

    def timer_gate(self, timer: Timer) -> Gate:
        if self.frozen:
            self.deferred.append(timer)
            return "defer"
        return "run"


def test_events_run_in_time_then_scheduling_order_with_their_own_time() -> None:
    sched = Scheduler()
    seen: list[tuple[str, float]] = []
    sched.at(2.0, lambda: seen.append(("b", sched.now)))
    sched.at(1.0, lambda: seen.append(("a", sched.now)))
    sched.at(2.0, lambda: seen.append(("c", sched.now)))
    assert sched.run_until(5.0) == 3
    assert seen == [("a", 1.0), ("b", 2.0), ("c", 2.0)]
    assert sched.now == 5.0


def test_events_scheduled_by_events_inside_the_window_run_and_cancel_works() -> None:
    sched = Scheduler()
    seen: list[float] = []
    cancelled = sched.at(1.5, lambda: seen.append(-1.0))
    sched.at(1.0, lambda: sched.after(0.25, lambda: seen.append(sched.now)))
    cancelled.cancel()
    sched.run_until(2.0)
    assert seen == [1.25]
    assert sched.peek() is None


def test_timers_of_a_newer_generation_owner_are_dropped_and_frozen_ones_deferred() -> None:
    sched = Scheduler()
    owner = Owner()
    seen: list[str] = []
    sched.at(1.0, lambda: seen.append("old"), owner=owner)
    owner.generation = 2  # the node rebooted
    sched.at(1.0, lambda: seen.append("new"), owner=owner)
    owner.frozen = True
    sched.at(2.0, lambda: seen.append("while frozen"), owner=owner)
    sched.run_until(3.0)
    assert seen == []
    assert len(owner.deferred) == 2
    owner.frozen = False
    for timer in owner.deferred:
        sched.rearm(timer, sched.now)
    sched.run_until(3.0)
    assert seen == ["new", "while frozen"]


def test_clock_maps_lab_time_to_wall_time_with_the_time_scale() -> None:
    wall = [100.0]
    epoch = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    clock = LabClock(epoch, time_scale=10.0, wall=lambda: wall[0])
    assert not clock.realtime
    clock.start_realtime(lab_now=5.0)
    wall[0] = 102.5
    assert clock.wall_mapped_now() == pytest.approx(30.0)
    assert clock.wall_delay_until(40.0) == pytest.approx(1.0)
    assert clock.to_datetime(30.0, offset=-0.5) == epoch + dt.timedelta(seconds=29.5)


def test_clock_refuses_a_non_positive_time_scale() -> None:
    with pytest.raises(ClockError, match="time scale"):
        LabClock(time_scale=0)
