"""The lab clock: simulated seconds since boot, mapped to UTC and (optionally) wall time.

Lab instant 0 is ``epoch`` (a UTC datetime). In test mode time only moves when the lab is
advanced explicitly; in real-time mode ``time_scale`` simulated seconds pass per wall
second, anchored when :meth:`LabClock.start_realtime` is called.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flexlab.errors import FlexlabError


class ClockError(FlexlabError):
    """Invalid clock parameters (time scale, target time)."""


def default_epoch() -> dt.datetime:
    """Now in UTC, truncated to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class LabClock:
    """Maps lab seconds to UTC (``epoch`` + t) and, once realtime, to wall seconds times ``time_scale``."""
    epoch: dt.datetime = field(default_factory=default_epoch)
    time_scale: float = 1.0
    wall: Callable[[], float] = time.monotonic
    _anchor_wall: float | None = None
    _anchor_lab: float = 0.0

    def __post_init__(self) -> None:
        if self.time_scale <= 0:
            raise ClockError(f"time scale must be > 0 simulated seconds per wall second, got {self.time_scale}")
        if self.epoch.tzinfo is None:
            self.epoch = self.epoch.replace(tzinfo=dt.UTC)

    @property
    def realtime(self) -> bool:
        """Whether the lab follows the wall clock (daemon), not driven by advance_to (tests)."""
        return self._anchor_wall is not None

    def start_realtime(self, lab_now: float) -> None:
        """From now on lab time follows the wall clock, starting at ``lab_now``."""
        self._anchor_wall = self.wall()
        self._anchor_lab = lab_now

    def wall_mapped_now(self) -> float:
        """The lab instant the wall clock maps to (real-time mode only)."""
        if self._anchor_wall is None:
            raise ClockError("the lab clock is not in real-time mode")
        return self._anchor_lab + (self.wall() - self._anchor_wall) * self.time_scale

    def wall_delay_until(self, lab_time: float) -> float:
        """Wall seconds from now until ``lab_time`` (0 when already due)."""
        return max(0.0, (lab_time - self.wall_mapped_now()) / self.time_scale)

    def to_datetime(self, lab_time: float, offset: float = 0.0) -> dt.datetime:
        """UTC instant of a lab time, shifted by a node's clock offset (what its `show clock` reads)."""
        return self.epoch + dt.timedelta(seconds=lab_time + offset)
