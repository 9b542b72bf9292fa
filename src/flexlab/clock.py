"""Device clocks against the harness clock: one ``show clock`` anchors a device clock.

Times on a device clock are naive ``datetime`` objects (the wall time the device prints);
harness instants are timezone-aware ``datetime`` objects. Pure functions and dataclasses;
no device access. docs/timing.md explains the offset and its uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flexlab.syslog_events import CLOCK_RESOLUTION_S, json_ready, parse_show_clock

__all__ = ["ClockOffset", "clock_rate"]


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("harness instants must be timezone-aware (e.g. datetime.now(timezone.utc))")
    return instant.astimezone(UTC)


@dataclass(frozen=True)
class ClockOffset:
    """A device clock anchored to the harness clock by one ``show clock``.

    The device read its clock somewhere between sending and answering: the midpoint is the
    estimate and half the round trip the error. ``rate`` is device seconds per harness
    second (1.0 for real devices; the embedded lab's time scale otherwise).
    """

    device_time: datetime            # naive, as read
    harness_time: datetime           # aware UTC midpoint of the command's round trip
    round_trip_s: float
    device_synced: bool
    timezone: str | None = None
    rate: float = 1.0

    @classmethod
    def from_show_clock(cls, output: str, sent_at: datetime, answered_at: datetime,
                        rate: float = 1.0) -> ClockOffset:
        """Anchor from a ``show clock`` output sent at ``sent_at`` and answered at ``answered_at`` (harness clock)."""
        sent, answered = _aware(sent_at), _aware(answered_at)
        if answered < sent:
            raise ValueError("answered_at is before sent_at")
        if rate <= 0:
            raise ValueError("rate must be > 0")
        reading = parse_show_clock(output)
        round_trip = (answered - sent).total_seconds()
        return cls(reading.device_time, sent + (answered - sent) / 2, round_trip, reading.synced,
                   reading.timezone, rate)

    @property
    def offset_s(self) -> float:
        """Device wall time minus harness UTC at the anchor instant."""
        return (self.device_time - self.harness_time.replace(tzinfo=None)).total_seconds()

    @property
    def uncertainty_s(self) -> float:
        """Error of a converted instant, in device seconds: half the round trip plus IOS's 1 ms resolution."""
        return self.rate * self.round_trip_s / 2 + CLOCK_RESOLUTION_S

    def to_device(self, harness_instant: datetime) -> datetime:
        """The device's wall time at a harness instant (scaled by ``rate``)."""
        elapsed = (_aware(harness_instant) - self.harness_time).total_seconds()
        return self.device_time + timedelta(seconds=elapsed * self.rate)

    def to_harness(self, device_time: datetime) -> datetime:
        """The harness instant (aware UTC) at a device wall time."""
        elapsed = (device_time - self.device_time).total_seconds()
        return self.harness_time + timedelta(seconds=elapsed / self.rate)

    def to_dict(self) -> dict[str, Any]:
        """The anchor as JSON-ready fields plus the derived offset and uncertainty."""
        return {**json_ready(self), "offset_s": self.offset_s, "uncertainty_s": self.uncertainty_s}


def clock_rate(first: ClockOffset, second: ClockOffset) -> float:
    """Device seconds per harness second between two readings of the same clock."""
    harness = (second.harness_time - first.harness_time).total_seconds()
    if harness <= 0:
        raise ValueError("the second reading must be later than the first")
    return (second.device_time - first.device_time).total_seconds() / harness
