"""Failover timing: the DPD bound from a running configuration, device clock offsets and
the failover measurement. Pure functions and dataclasses; no device access.

Times on a device clock are naive ``datetime`` objects (the wall time the device prints);
harness instants are timezone-aware ``datetime`` objects. docs/timing.md derives the bound.
The log and ``show clock`` parsers live in flexlab.parsers.syslog and are re-exported here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Sequence

from flexlab.errors import FlexlabError
from flexlab.parsers.syslog import (  # re-exported: flexlab.timing is the public API
    CLOCK_RESOLUTION_S,
    BgpAdjChange,
    BgpNotification,
    ClockParseError,
    ClockReading,
    EventDetail,
    FlexvpnConnection,
    Ikev2SessionStatus,
    InterfaceChange,
    LogEvent,
    infer_year,
    json_ready,
    parse_log,
    parse_log_line,
    parse_show_clock,
    recognise,
)
from flexlab.iosconfig import ConfigLine, ConfigTree

__all__ = [
    # configuration and bound
    "DEFAULT_DPD_RETRANSMITS", "DEFAULT_SETUP_ALLOWANCE_S", "DpdConfig", "parse_dpd_config",
    "TrafficSource", "ip_sla_traffic", "BgpTimers", "bgp_timers", "dpd_trigger_traffic",
    "traffic_period_s", "BoundTerm", "Bound", "dpd_bound",
    # logs and clocks (from flexlab.parsers.syslog)
    "LogEvent", "parse_log", "parse_log_line", "infer_year", "recognise", "EventDetail",
    "FlexvpnConnection", "Ikev2SessionStatus", "BgpAdjChange", "BgpNotification", "InterfaceChange",
    "ClockReading", "parse_show_clock", "ClockParseError", "CLOCK_RESOLUTION_S", "json_ready",
    "ClockOffset", "clock_rate",
    # measurement
    "METHOD_NTP", "METHOD_OFFSET", "FailureInstant", "FailoverMeasurement", "measure_failover",
    "failover_statistics", "TimingInputError",
]

DEFAULT_DPD_RETRANSMITS = 5        # facts.md section 1: verified for IKEv1, [assumed] for IKEv2
DEFAULT_SETUP_ALLOWANCE_S = 5.0    # IKE_SA_INIT + IKE_AUTH + tunnel up; docs/timing.md
DEFAULT_BGP_KEEPALIVE_S = 60
DEFAULT_BGP_HOLDTIME_S = 180
DEFAULT_IP_SLA_FREQUENCY_S = 60

METHOD_NTP = "ntp-synchronised logs"
METHOD_OFFSET = "offset-corrected"


class TimingInputError(FlexlabError):
    """Configuration, log or clock input that timing cannot use (the message says why)."""


# --------------------------------------------------------------------------- DPD config

@dataclass(frozen=True)
class DpdConfig:
    """``crypto ikev2 dpd I R mode`` (global) or ``dpd I R mode`` inside an IKEv2 profile."""

    interval_s: int
    retry_interval_s: int
    mode: str                       # "on-demand" | "periodic"
    retransmits: int = DEFAULT_DPD_RETRANSMITS
    origin: str = "global"          # "global" or "profile <name>"

    def to_dict(self) -> dict[str, Any]:
        return json_ready(self)


DPD_LINE_RE = re.compile(
    r"^(?:crypto\s+ikev2\s+)?dpd\s+(?P<interval>\d+)\s+(?P<retry>\d+)(?:\s+(?P<mode>on-demand|periodic))?\s*$",
    re.IGNORECASE,
)


def _dpd_from_line(text: str, origin: str, retransmits: int) -> DpdConfig:
    match = DPD_LINE_RE.match(text.strip())
    if not match:
        raise TimingInputError(f"cannot read the DPD line {text.strip()!r} ({origin})")
    return DpdConfig(
        interval_s=int(match["interval"]),
        retry_interval_s=int(match["retry"]),
        mode=(match["mode"] or "on-demand").lower(),   # on-demand is the IOS default
        retransmits=retransmits,
        origin=origin,
    )


def parse_dpd_config(
    running_config: str, profile: str | None = None, retransmits: int = DEFAULT_DPD_RETRANSMITS
) -> DpdConfig | None:
    """The DPD that applies to the FlexVPN tunnel, or None when DPD is off.

    A ``dpd`` line inside the IKEv2 profile wins over the global ``crypto ikev2 dpd``.
    ``profile`` names the IKEv2 profile; when None, the profiles carrying a ``dpd`` line are
    used if they agree (a spoke normally has one profile).
    """
    tree = ConfigTree.from_text(running_config)
    profiles = {line.words[3]: line for line in tree.find("crypto", "ikev2", "profile") if len(line.words) >= 4}
    if profile is not None and profile not in profiles:
        raise TimingInputError(f"IKEv2 profile {profile!r} is not in the running configuration")
    candidates = [profile] if profile is not None else list(profiles)
    profile_dpds = [
        _dpd_from_line(dpd.text, f"profile {name}", retransmits)
        for name in candidates
        if (dpd := profiles[name].child("dpd")) is not None
    ]
    distinct = {(d.interval_s, d.retry_interval_s, d.mode) for d in profile_dpds}
    if len(distinct) > 1:
        raise TimingInputError(
            "IKEv2 profiles " + ", ".join(d.origin for d in profile_dpds)
            + " configure different DPD values: name the profile the tunnel uses"
        )
    if profile_dpds:
        return profile_dpds[0]
    global_line = tree.first("crypto", "ikev2", "dpd")
    return _dpd_from_line(global_line.text, "global", retransmits) if global_line else None


# ------------------------------------------------------------------ DPD-triggering traffic

@dataclass(frozen=True)
class TrafficSource:
    """Periodic outbound traffic through the tunnel that lets on-demand DPD fire."""

    name: str
    period_s: float

    def to_dict(self) -> dict[str, Any]:
        return json_ready(self)


def _descendants(line: ConfigLine) -> Iterable[ConfigLine]:
    for child in line.children:
        yield child
        yield from _descendants(child)


def _running_sla_ids(tree: ConfigTree) -> set[str]:
    """Operations with ``ip sla schedule N ... start-time <not pending>``."""
    running: set[str] = set()
    for line in tree.find("ip", "sla", "schedule"):
        words = [w.lower() for w in line.words]
        if len(words) < 4 or "start-time" not in words:
            continue
        start = words.index("start-time")
        if start + 1 < len(words) and words[start + 1] != "pending":
            running.add(line.words[3])
    return running


def ip_sla_traffic(running_config: str) -> list[TrafficSource]:
    """Scheduled IP SLA operations (``ip sla N`` / ``frequency F``, default 60 s).

    Whether a probe's destination is reached through the tunnel is the caller's call; the
    name carries the operation type and destination.
    """
    tree = ConfigTree.from_text(running_config)
    running = _running_sla_ids(tree)
    sources: list[TrafficSource] = []
    for line in tree.find("ip", "sla"):
        if len(line.words) != 3 or not line.words[2].isdigit() or line.words[2] not in running:
            continue
        frequency = next((c for c in _descendants(line) if c.starts_with("frequency")), None)
        period = int(frequency.words[1]) if frequency and len(frequency.words) > 1 else DEFAULT_IP_SLA_FREQUENCY_S
        probe = " ".join(line.children[0].words[:2]) if line.children else "probe"
        sources.append(TrafficSource(f"ip sla {line.words[2]} {probe}", float(period)))
    return sources


@dataclass(frozen=True)
class BgpTimers:
    keepalive_s: int
    holdtime_s: int
    origin: str                      # "default", "timers bgp", "neighbor <x> timers"

    @property
    def keepalive_period_s(self) -> float | None:
        """Upper bound of the keepalive period (None: keepalives off).

        IOS sends keepalives every min(keepalive, negotiated hold time / 3); negotiation can
        only lower the hold time, so the local values bound the period from above.
        """
        if self.keepalive_s == 0 or self.holdtime_s == 0:
            return None
        return min(float(self.keepalive_s), self.holdtime_s / 3)


def _timers_from(words: list[str], origin: str) -> BgpTimers | None:
    if len(words) >= 2 and words[0].isdigit() and words[1].isdigit():
        return BgpTimers(int(words[0]), int(words[1]), origin)
    return None


def bgp_timers(running_config: str, neighbor: str | None = None) -> BgpTimers:
    """BGP timers for ``neighbor`` (its own, then its peer-group's, then ``timers bgp``)."""
    tree = ConfigTree.from_text(running_config)
    router = tree.first("router", "bgp")
    if router is None:
        return BgpTimers(DEFAULT_BGP_KEEPALIVE_S, DEFAULT_BGP_HOLDTIME_S, "default")
    names = [neighbor] if neighbor else []
    if neighbor:
        group = router.child("neighbor", neighbor, "peer-group")
        if group is not None and len(group.words) >= 4:
            names.append(group.words[3])
    for name in names:
        line = router.child("neighbor", name, "timers")
        timers = _timers_from(line.words[3:], f"neighbor {name} timers") if line else None
        if timers:
            return timers
    line = router.child("timers", "bgp")
    timers = _timers_from(line.words[2:], "timers bgp") if line else None
    return timers or BgpTimers(DEFAULT_BGP_KEEPALIVE_S, DEFAULT_BGP_HOLDTIME_S, "default")


def dpd_trigger_traffic(running_config: str, bgp_neighbor: str | None = None) -> list[TrafficSource]:
    """Scheduled IP SLA probes plus the BGP keepalives to ``bgp_neighbor`` (if BGP runs)."""
    sources = ip_sla_traffic(running_config)
    tree = ConfigTree.from_text(running_config)
    if tree.first("router", "bgp") is not None:
        timers = bgp_timers(running_config, bgp_neighbor)
        if timers.keepalive_period_s is not None:
            label = f"bgp keepalive to {bgp_neighbor}" if bgp_neighbor else "bgp keepalive"
            sources.append(TrafficSource(f"{label} ({timers.origin})", timers.keepalive_period_s))
    return sources


def traffic_period_s(sources: Iterable[TrafficSource]) -> float | None:
    """The longest gap between outbound packets: the shortest period of all sources."""
    periods = [s.period_s for s in sources]
    return min(periods) if periods else None


# --------------------------------------------------------------------------- the bound

@dataclass(frozen=True)
class BoundTerm:
    symbol: str
    name: str
    value_s: float

    def to_dict(self) -> dict[str, Any]:
        return json_ready(self)


@dataclass(frozen=True)
class Bound:
    """Worst-case failover time; ``total_s`` None means no bound (failover may never happen)."""

    mode: str                       # "periodic" | "on-demand" | "dpd-off" | "on-demand-no-traffic"
    detection_s: float | None       # until the peer is declared dead
    total_s: float | None           # detection + set-up allowance
    formula: str                    # symbolic, e.g. "T + I + (N+1)*R + S"
    expression: str                 # numeric, e.g. "5 + 30 + (5+1)*5 + 5 = 70 s"
    terms: tuple[BoundTerm, ...]
    note: str

    def to_dict(self) -> dict[str, Any]:
        return json_ready(self)


def _fmt(value: float) -> str:
    return f"{value:g}"


def dpd_bound(
    dpd: DpdConfig | None,
    traffic_period_s: float | None,
    setup_allowance_s: float = DEFAULT_SETUP_ALLOWANCE_S,
) -> Bound:
    """Worst case from the hub's failure to the spoke's tunnel up on the next peer.

    periodic:  I + (N+1)*R + S
    on-demand: T + I + (N+1)*R + S   (T: longest gap between outbound packets)
    """
    if setup_allowance_s < 0:
        raise ValueError("setup_allowance_s must be >= 0")
    if dpd is None:
        return Bound("dpd-off", None, None, "none", "no bound", (),
                     "DPD is off: the spoke changes peer only when the IKEv2 SA is cleared, expires "
                     "or fails to rekey; the BGP hold timer does not move the FlexVPN client")
    if traffic_period_s is not None and traffic_period_s <= 0:
        raise ValueError("traffic_period_s must be > 0")
    i, r, n, s = dpd.interval_s, dpd.retry_interval_s, dpd.retransmits, setup_allowance_s
    terms = [
        BoundTerm("I", "DPD interval: idle time before the first R-U-THERE", float(i)),
        BoundTerm("N", "R-U-THERE retransmissions before the peer is declared dead", float(n)),
        BoundTerm("R", "DPD retry interval between retransmissions", float(r)),
        BoundTerm("S", "set-up allowance: IKE_SA_INIT + IKE_AUTH to the next peer, tunnel up", s),
    ]
    retries = f"({n}+1)*{_fmt(r)}"
    if dpd.mode == "periodic":
        detection = i + (n + 1) * r
        return Bound("periodic", detection, detection + s, "I + (N+1)*R + S",
                     f"{i} + {retries} + {_fmt(s)} = {_fmt(detection + s)} s", tuple(terms),
                     "periodic DPD: an R-U-THERE at most I after the last packet from the peer")
    if traffic_period_s is None:
        return Bound("on-demand-no-traffic", None, None, "T + I + (N+1)*R + S", "no bound",
                     tuple(terms), "on-demand DPD fires only when there is outbound traffic for the "
                     "peer; the configuration has none that is periodic")
    t = float(traffic_period_s)
    detection = t + i + (n + 1) * r
    terms.insert(0, BoundTerm("T", "longest gap until the next outbound packet (traffic period)", t))
    return Bound("on-demand", detection, detection + s, "T + I + (N+1)*R + S",
                 f"{_fmt(t)} + {i} + {retries} + {_fmt(s)} = {_fmt(detection + s)} s", tuple(terms),
                 "on-demand DPD: the first R-U-THERE goes with the first outbound packet after I s "
                 "without traffic from the peer")


# --------------------------------------------------------------------------- clock offsets

def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("harness instants must be timezone-aware (e.g. datetime.now(timezone.utc))")
    return instant.astimezone(timezone.utc)


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
        return self.rate * self.round_trip_s / 2 + CLOCK_RESOLUTION_S

    def to_device(self, harness_instant: datetime) -> datetime:
        elapsed = (_aware(harness_instant) - self.harness_time).total_seconds()
        return self.device_time + timedelta(seconds=elapsed * self.rate)

    def to_harness(self, device_time: datetime) -> datetime:
        elapsed = (device_time - self.device_time).total_seconds()
        return self.harness_time + timedelta(seconds=elapsed / self.rate)

    def to_dict(self) -> dict[str, Any]:
        return {**json_ready(self), "offset_s": self.offset_s, "uncertainty_s": self.uncertainty_s}


def clock_rate(first: ClockOffset, second: ClockOffset) -> float:
    """Device seconds per harness second between two readings of the same clock."""
    harness = (second.harness_time - first.harness_time).total_seconds()
    if harness <= 0:
        raise ValueError("the second reading must be later than the first")
    return (second.device_time - first.device_time).total_seconds() / harness


# --------------------------------------------------------------------------- failover

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
        return json_ready(self)


@dataclass(frozen=True)
class FailoverMeasurement:
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
        return self.failure.method

    @property
    def uncertainty_s(self) -> float:
        return self.failure.uncertainty_s + CLOCK_RESOLUTION_S

    def within(self, bound: Bound) -> bool:
        """True when the measurement does not exceed the bound by more than its uncertainty."""
        if self.failover_s is None:
            return False
        return bound.total_s is None or self.failover_s <= bound.total_s + self.uncertainty_s

    def to_dict(self) -> dict[str, Any]:
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
