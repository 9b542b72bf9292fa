"""The failover measurement: failure instant, one spoke's failover from its log events,
and the statistics over spokes. Pure functions and dataclasses; no device access.

The bound it is compared with is flexlab.bound; clocks are flexlab.clock; log lines are
flexlab.syslog_events. docs/timing.md derives the method.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flexlab.bound import Bound
from flexlab.clock import ClockOffset
from flexlab.errors import TimingInputError
from flexlab.syslog_events import (
    CLOCK_RESOLUTION_S,
    BgpAdjChange,
    EventDetail,
    FlexvpnConnection,
    Ikev2SessionStatus,
    LogEvent,
    json_ready,
    recognise,
)

__all__ = ["METHOD_NTP", "METHOD_OFFSET", "FailureInstant", "FailoverMeasurement", "measure_failover",
           "failover_statistics"]

METHOD_NTP = "ntp-synchronised logs"
METHOD_OFFSET = "offset-corrected"


@dataclass(frozen=True)
class FailureInstant:
    """When the hub failed, on the spoke's clock."""

    spoke_time: datetime
    method: str                      # METHOD_NTP | METHOD_OFFSET
    uncertainty_s: float
    source: str

    @classmethod
    def from_synced_log(cls, event: LogEvent, source: str = "hub log") -> FailureInstant:
        """The hub's own log line; valid on the spoke's axis when both clocks follow NTP."""
        if not event.synced:
            raise TimingInputError(f"{source}: '{event.raw or event.tag}' has an unsynchronised timestamp "
                                   "(leading '*' or '.'): use an offset-corrected failure instant")
        return cls(event.device_time, METHOD_NTP, CLOCK_RESOLUTION_S, f"{source}: %{event.tag}")

    @classmethod
    def from_harness(cls, instant: datetime, spoke_clock: ClockOffset,
                     source: str = "harness clock") -> FailureInstant:
        """The harness's own instant of the failure, carried onto the spoke's clock by its offset."""
        return cls(spoke_clock.to_device(instant), METHOD_OFFSET, spoke_clock.uncertainty_s, source)

    @classmethod
    def from_device_log(cls, event: LogEvent, device_clock: ClockOffset, spoke_clock: ClockOffset,
                        source: str = "hub log") -> FailureInstant:
        """A log time on another device's clock, carried over through the harness clock."""
        harness = device_clock.to_harness(event.device_time)
        return cls(spoke_clock.to_device(harness), METHOD_OFFSET,
                   device_clock.uncertainty_s * spoke_clock.rate / device_clock.rate + spoke_clock.uncertainty_s,
                   f"{source}: %{event.tag}")

    def to_dict(self) -> dict[str, Any]:
        """The instant as JSON-ready fields."""
        return json_ready(self)


@dataclass(frozen=True)
class FailoverMeasurement:
    """One spoke's failover after a hub failure: when it came up on which peer, and BGP after it (seconds)."""

    failure: FailureInstant
    failed_peer: str
    to_peer: str | None
    up_event: str | None             # tag of the message that marks the new tunnel up
    up_time: datetime | None
    failover_s: float | None         # None: the spoke never came up on another peer
    detected_s: float | None         # first DOWN for the failed peer
    bgp_neighbor: str | None
    bgp_up_time: datetime | None
    bgp_converged_s: float | None
    reason: str = ""

    @property
    def method(self) -> str:
        """How the failure instant was put on the spoke's clock (METHOD_NTP or METHOD_OFFSET)."""
        return self.failure.method

    @property
    def uncertainty_s(self) -> float:
        """The failure instant's error plus the 1 ms resolution of the spoke's log line."""
        return self.failure.uncertainty_s + CLOCK_RESOLUTION_S

    def within(self, bound: Bound) -> bool:
        """True when the measurement does not exceed the bound by more than its uncertainty."""
        if self.failover_s is None:
            return False
        return bound.total_s is None or self.failover_s <= bound.total_s + self.uncertainty_s

    def to_dict(self) -> dict[str, Any]:
        """The measurement as JSON-ready fields plus its method and uncertainty."""
        return {**json_ready(self), "method": self.method, "uncertainty_s": self.uncertainty_s}


def _seconds_after(failure: FailureInstant, event: LogEvent) -> float:
    if failure.method == METHOD_NTP and not event.synced:
        raise TimingInputError(f"spoke log line '{event.raw or event.tag}' is not NTP-synchronised: "
                               "use an offset-corrected failure instant")
    return round((event.device_time - failure.spoke_time).total_seconds(), 6)


def _is_up_elsewhere(detail: EventDetail | None, failed_peer: str) -> str | None:
    """The new peer when ``detail`` is a tunnel-up to a peer other than ``failed_peer``."""
    if isinstance(detail, FlexvpnConnection) and detail.state == "UP" and detail.server_public_addr != failed_peer:
        return detail.server_public_addr
    if isinstance(detail, Ikev2SessionStatus) and detail.state == "UP" and detail.peer != failed_peer:
        return detail.peer
    return None


def _is_down_from(detail: EventDetail | None, failed_peer: str) -> bool:
    if isinstance(detail, FlexvpnConnection) and detail.state == "DOWN":
        return detail.server_public_addr in (failed_peer, "")
    if isinstance(detail, Ikev2SessionStatus) and detail.state == "DOWN":
        return detail.peer in (failed_peer, "")
    return False


def measure_failover(failure: FailureInstant, spoke_events: Iterable[LogEvent], failed_peer: str,
                     bgp_neighbor: str | None = None) -> FailoverMeasurement:
    """Failover and BGP convergence of one spoke, from its log events.

    failover_s: first FLEXVPN_CONNECTION_UP to a peer other than ``failed_peer`` (or, when
    the spoke logs none, the first IKEV2_SESSION_STATUS UP) minus the failure instant.
    bgp_converged_s: first BGP ADJCHANGE Up (to ``bgp_neighbor`` when given) after the failure.
    """
    after = sorted((e for e in spoke_events if e.device_time >= failure.spoke_time),
                   key=lambda e: e.device_time)
    recognised = [(e, recognise(e)) for e in after]
    ups = [(e, peer) for e, d in recognised if (peer := _is_up_elsewhere(d, failed_peer)) is not None]
    preferred = [(e, p) for e, p in ups if e.facility == "FLEXVPN"] or ups
    up = preferred[0] if preferred else None
    down = next((e for e, d in recognised if _is_down_from(d, failed_peer)), None)
    detected_s = _seconds_after(failure, down) if down else None
    if up is None:
        return FailoverMeasurement(failure, failed_peer, None, None, None, None, detected_s, bgp_neighbor,
                                   None, None, f"no tunnel up to a peer other than {failed_peer} "
                                   f"in {len(after)} spoke log messages after the failure")
    up_event, to_peer = up
    # the old session must go Down before a new Up: the first Up after the failure is the new one
    bgp_up = next((e for e, d in recognised if isinstance(d, BgpAdjChange) and d.state == "Up"
                   and (bgp_neighbor is None or d.neighbor == bgp_neighbor)), None)
    return FailoverMeasurement(
        failure, failed_peer, to_peer, up_event.tag, up_event.device_time,
        _seconds_after(failure, up_event), detected_s, bgp_neighbor,
        bgp_up.device_time if bgp_up else None, _seconds_after(failure, bgp_up) if bgp_up else None,
        "" if bgp_up else "no BGP ADJCHANGE Up after the failure",
    )


def failover_statistics(values: Sequence[float]) -> dict[str, float | int]:
    """min / median / p95 (nearest rank) / max of measured times."""
    if not values:
        return {}
    ordered = sorted(values)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"count": len(ordered), "min": ordered[0], "median": median, "p95": p95, "max": ordered[-1]}
