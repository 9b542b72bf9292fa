"""The DPD bound: worst-case failover time from a spoke's running configuration plus the
declared DPD model of its image (flexlab.dpd_model). The one place the bound is computed;
docs/timing.md derives it. Pure functions, no device access.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from flexlab.dpd_model import DEFAULT_MODEL, DpdModel
from flexlab.errors import TimingInputError
from flexlab.iosconfig import ConfigLine, ConfigTree
from flexlab.syslog_events import json_ready

DEFAULT_SETUP_ALLOWANCE_S = 5.0    # IKE_SA_INIT + IKE_AUTH + tunnel up; docs/timing.md
DEFAULT_BGP_KEEPALIVE_S = 60
DEFAULT_BGP_HOLDTIME_S = 180
DEFAULT_IP_SLA_FREQUENCY_S = 60
#: A dead peer the FlexVPN client tries on its way to a live one (docs/timing.md, "Dead
#: peers on the way"). Both assumed, not verified on IOS: K, the time until the client
#: gives up an unanswered IKE_SA_INIT (first retransmission after 2 s, doubling, 3
#: retransmissions: 2+4+8+16, RFC 7296 section 2.1 exponential retransmission), and P, the
#: pause before it tries the next peer.
DEAD_PEER_IKE_GIVEUP_S = 30.0
NEXT_PEER_PAUSE_S = 2.0


@dataclass(frozen=True)
class DpdConfig:
    """``crypto ikev2 dpd I R mode`` (global) or ``dpd I R mode`` inside an IKEv2 profile."""

    interval_s: int
    retry_interval_s: int
    mode: str                       # "on-demand" | "periodic"
    origin: str = "global"          # "global" or "profile <name>"

    def to_dict(self) -> dict[str, Any]:
        """The DPD values as JSON-ready fields (for the failover report)."""
        return json_ready(self)


DPD_LINE_RE = re.compile(
    r"^(?:crypto\s+ikev2\s+)?dpd\s+(?P<interval>\d+)\s+(?P<retry>\d+)(?:\s+(?P<mode>on-demand|periodic))?\s*$",
    re.IGNORECASE,
)


def _dpd_from_line(text: str, origin: str) -> DpdConfig:
    match = DPD_LINE_RE.match(text.strip())
    if not match:
        raise TimingInputError(f"cannot read the DPD line {text.strip()!r} ({origin})")
    return DpdConfig(
        interval_s=int(match["interval"]),
        retry_interval_s=int(match["retry"]),
        mode=(match["mode"] or "on-demand").lower(),   # on-demand is the IOS default
        origin=origin,
    )


def parse_dpd_config(running_config: str, profile: str | None = None) -> DpdConfig | None:
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
        _dpd_from_line(dpd.text, f"profile {name}")
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
    return _dpd_from_line(global_line.text, "global") if global_line else None


# ------------------------------------------------------------------ DPD-triggering traffic

@dataclass(frozen=True)
class TrafficSource:
    """Periodic outbound traffic through the tunnel that lets on-demand DPD fire."""

    name: str
    period_s: float

    def to_dict(self) -> dict[str, Any]:
        """The source as JSON-ready fields (for the failover report)."""
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
    """BGP keepalive and hold time (seconds) that apply to a neighbour, and which line set them."""

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
    """One term of the bound's formula: its symbol (``I``, ``R``, ...), what it stands for, its value."""

    symbol: str
    name: str
    value_s: float

    def to_dict(self) -> dict[str, Any]:
        """The term as JSON-ready fields."""
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
    model: str = ""                 # the declared DPD model the bound follows

    def to_dict(self) -> dict[str, Any]:
        """The bound with its terms as JSON-ready fields (the report's ``bound`` record)."""
        return json_ready(self)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _waits_expression(model: DpdModel, retry_s: float) -> str:
    """``(5+1)*5`` for the fixed model, ``(5+10+20+40+80+160)`` for an exponential one."""
    if model.backoff == "fixed":
        return f"({model.retransmits}+1)*{_fmt(retry_s)}"
    return "(" + "+".join(_fmt(w) for w in model.waits_s(retry_s)) + ")"


def dpd_bound(
    dpd: DpdConfig | None,
    traffic_period_s: float | None,
    setup_allowance_s: float = DEFAULT_SETUP_ALLOWANCE_S,
    model: DpdModel = DEFAULT_MODEL,
) -> Bound:
    """Worst case from the hub's failure to the spoke's tunnel up on the next peer.

    periodic:  I + W + S
    on-demand: T + I + W + S   (T: longest gap between outbound packets)
    W is the sum of the model's N+1 waits: (N+1)*R when fixed, R + R*f + ... + R*f^N when
    exponential (each wait capped). Both periodic readings give the same worst case: the
    first R-U-THERE leaves at most I after the failure (docs/timing.md).
    """
    if setup_allowance_s < 0:
        raise ValueError("setup_allowance_s must be >= 0")
    if dpd is None:
        return Bound("dpd-off", None, None, "none", "no bound", (),
                     "DPD is off: the spoke changes peer only when the IKEv2 SA is cleared, expires "
                     "or fails to rekey; the BGP hold timer does not move the FlexVPN client", model.describe())
    if traffic_period_s is not None and traffic_period_s <= 0:
        raise ValueError("traffic_period_s must be > 0")
    i, r, s = dpd.interval_s, dpd.retry_interval_s, setup_allowance_s
    waits = sum(model.waits_s(r))
    terms = [
        BoundTerm("I", "DPD interval: idle time before the first R-U-THERE", float(i)),
        BoundTerm("N", f"R-U-THERE retransmissions before the peer is declared dead ({model.name})",
                  float(model.retransmits)),
        BoundTerm("R", "DPD retry interval: the first wait between retransmissions", float(r)),
        BoundTerm("W", f"sum of the waits, {model.spacing_formula()} ({model.backoff})", waits),
        BoundTerm("S", "set-up allowance: IKE_SA_INIT + IKE_AUTH to the next peer, tunnel up", s),
    ]
    spacing = model.spacing_formula()
    retries = _waits_expression(model, r)
    if dpd.mode == "periodic":
        detection = i + waits
        return Bound("periodic", detection, detection + s, f"I + {spacing} + S",
                     f"{i} + {retries} + {_fmt(s)} = {_fmt(detection + s)} s", tuple(terms),
                     f"periodic DPD ({model.periodic} reading): an R-U-THERE at most I after the failure",
                     model.describe())
    if traffic_period_s is None:
        return Bound("on-demand-no-traffic", None, None, f"T + I + {spacing} + S", "no bound",
                     tuple(terms), "on-demand DPD fires only when there is outbound traffic for the "
                     "peer; the configuration has none that is periodic", model.describe())
    t = float(traffic_period_s)
    detection = t + i + waits
    terms.insert(0, BoundTerm("T", "longest gap until the next outbound packet (traffic period)", t))
    return Bound("on-demand", detection, detection + s, f"T + I + {spacing} + S",
                 f"{_fmt(t)} + {i} + {retries} + {_fmt(s)} = {_fmt(detection + s)} s", tuple(terms),
                 "on-demand DPD: the first R-U-THERE goes with the first outbound packet after I s "
                 "without traffic from the peer", model.describe())


def with_dead_peers(bound: Bound, dead_peers: int, ike_giveup_s: float = DEAD_PEER_IKE_GIVEUP_S,
                    next_peer_pause_s: float = NEXT_PEER_PAUSE_S) -> Bound:
    """``bound`` for a spoke that tries ``dead_peers`` dead peers before the live one.

    The client tries peers in sequence order (facts.md section 2): each dead peer on the way
    costs an unanswered IKE_SA_INIT until the client gives up (K) and the pause before the
    next peer (P), so the bound grows by d*(K+P). Unchanged when no dead peer is tried or
    there is no bound.
    """
    if dead_peers < 0:
        raise ValueError("dead_peers must be >= 0")
    if dead_peers == 0 or bound.total_s is None or bound.detection_s is None:
        return bound
    extra = dead_peers * (ike_giveup_s + next_peer_pause_s)
    head, _, setup = bound.formula.rpartition(" + ")
    numbers, _, _total = bound.expression.rpartition(" = ")
    first, _, allowance = numbers.rpartition(" + ")
    terms = (
        BoundTerm("d", "dead peers the client tries before the live one (peer order of its client block)",
                  float(dead_peers)),
        BoundTerm("K", "IKE_SA_INIT give-up time per dead peer (assumed: 2+4+8+16 s, not verified on IOS)",
                  ike_giveup_s),
        BoundTerm("P", "pause before the client tries the next peer (assumed, not verified on IOS)",
                  next_peer_pause_s),
    )
    return replace(
        bound, detection_s=bound.detection_s + extra, total_s=bound.total_s + extra,
        formula=f"{head} + d*(K+P) + {setup}",
        expression=(f"{first} + {dead_peers}*({_fmt(ike_giveup_s)}+{_fmt(next_peer_pause_s)}) + {allowance} = "
                    f"{_fmt(bound.total_s + extra)} s"),
        terms=bound.terms + terms,
        note=f"{bound.note}; then {dead_peers} dead peer(s) tried before the live one",
    )
