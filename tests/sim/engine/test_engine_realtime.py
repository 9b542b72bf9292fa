"""Wall-clock driven mode with an injected wall clock: catch_up and run_realtime."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from flexlab.sim.engine.lab import Lab, SimLabError


class FakeWall:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def realtime_lab(make_lab: Callable[..., Lab], scale: float) -> tuple[Lab, FakeWall]:
    lab = make_lab(settle=0.0, time_scale=scale)
    wall = FakeWall()
    lab.clock.wall = wall
    lab.start_realtime()
    return lab, wall


def test_catch_up_runs_due_events_stamped_with_their_own_time(make_lab: Callable[..., Lab]) -> None:
    lab, wall = realtime_lab(make_lab, scale=20.0)
    start = lab.now()                  # every node has booted
    wall.now += 5.0                    # 100 simulated seconds late
    assert lab.now() == pytest.approx(start + 100.0)
    lab.catch_up()
    assert lab.scheduler.now == pytest.approx(start + 100.0)
    snap = lab.nodes["spoke1"].snapshot()
    up = next(e for e in snap.log if e.mnemonic == "FLEXVPN_CONNECTION_UP")
    assert lab.nodes["spoke1"].booted < up.time < start + 20.0   # the event's instant, not the processing one
    with pytest.raises(SimLabError, match="test mode"):
        lab.run_for(1.0)


def test_config_change_in_realtime_takes_effect_at_the_wall_mapped_instant(make_lab: Callable[..., Lab]) -> None:
    lab, wall = realtime_lab(make_lab, scale=10.0)
    start = lab.now()
    wall.now += 10.0
    lab.catch_up()
    wall.now += 1.0
    lab.fail("hub1", "interface-shutdown")
    snap = lab.nodes["hub1"].snapshot()
    wan = lab.wan_interface("hub1")   # the unused ports were logged shut down at boot
    (changed,) = [e for e in snap.log if e.mnemonic == "CHANGED" and f"Interface {wan}," in e.text]
    assert changed.time == pytest.approx(start + 110.0)


def test_run_realtime_processes_events_as_the_wall_clock_moves(make_lab: Callable[..., Lab]) -> None:
    lab, wall = realtime_lab(make_lab, scale=100.0)

    async def drive() -> None:
        task = asyncio.create_task(lab.run_realtime())
        for _ in range(5):
            wall.now += 0.2
            await asyncio.sleep(0.01)
        for _ in range(300):  # the task wakes by itself when events fall due
            if lab.scheduler.now >= 99.0:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(drive())
    assert lab.scheduler.now >= 99.0
    assert {e.node for e in lab.truth() if e.kind == "flexvpn-up"} == {"spoke1", "spoke2"}
