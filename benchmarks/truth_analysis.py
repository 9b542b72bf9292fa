"""Reading the embedded lab's ground truth: what the job waited for, and the true failovers.

Protocol time is the simulated time the job *had* to wait: from each action the harness
takes on the lab (a hub's WAN shut / unshut, a spoke's `clear crypto ikev2 sa`) to the
last protocol event that action causes and the job waits for (a tunnel, BGP session or
prefix coming up). Everything else in the job's wall time is harness overhead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

#: Events the job waits for (something coming up); downs and expiries it does not wait for.
UP_KINDS = frozenset({"flexvpn-up", "bgp-established", "prefix-received"})
FAILURE_KINDS = frozenset({"interface-admin-down", "node-failed"})
RESTORE_KINDS = frozenset({"interface-admin-up", "node-restored"})


@dataclass(frozen=True)
class Interval:
    begin: float
    end: float
    cause: str

    @property
    def length(self) -> float:
        return self.end - self.begin


def _is_clear(event: dict[str, Any]) -> bool:
    return event["kind"] == "sa-deleted" and event.get("reason") == "cleared"


def _is_action(event: dict[str, Any]) -> bool:
    return event["kind"] in FAILURE_KINDS or event["kind"] in RESTORE_KINDS or _is_clear(event)


def _window_end(events: list[dict[str, Any]], index: int) -> float:
    """Where the effects of the action at ``index`` stop counting.

    A failure lasts until its node is restored, a restore until the next action, a clear
    until the next hub failure.
    """
    action = events[index]
    for later in events[index + 1:]:
        if action["kind"] in FAILURE_KINDS:
            if later["kind"] in RESTORE_KINDS and later["node"] == action["node"]:
                return later["time"]
        elif _is_clear(action):
            if later["kind"] in FAILURE_KINDS:
                return later["time"]
        elif _is_action(later):
            return later["time"]
    return float("inf")


def _awaited(event: dict[str, Any], action: dict[str, Any]) -> bool:
    if event["kind"] not in UP_KINDS:
        return False
    if _is_clear(action):  # only the cleared spoke's own reconnection
        return action["node"] in (event["node"], event.get("peer_node"))
    return True


def protocol_intervals(truth: list[dict[str, Any]], job_start: float) -> list[Interval]:
    """[action, last awaited event] per action at or after ``job_start`` (lab seconds)."""
    events = sorted(truth, key=lambda e: e["time"])
    intervals: list[Interval] = []
    first_action = next((e["time"] for e in events if e["time"] >= job_start and _is_action(e)), float("inf"))
    boot_ups = [e["time"] for e in events if e["kind"] in UP_KINDS and job_start < e["time"] < first_action]
    if boot_ups:
        intervals.append(Interval(job_start, max(boot_ups), "initial convergence"))
    for index, action in enumerate(events):
        if action["time"] < job_start or not _is_action(action):
            continue
        end = _window_end(events, index)
        awaited = [e["time"] for e in events[index + 1:]
                   if action["time"] < e["time"] <= end and _awaited(e, action)]
        if awaited:
            intervals.append(Interval(action["time"], max(awaited), f"{action['node']} {action['kind']}"))
    return intervals


def union_length(intervals: list[Interval]) -> float:
    """Total length covered by the intervals (overlaps counted once)."""
    total, current_begin, current_end = 0.0, None, None
    for interval in sorted(intervals, key=lambda i: i.begin):
        if current_end is None or interval.begin > current_end:
            if current_end is not None:
                total += current_end - current_begin
            current_begin, current_end = interval.begin, interval.end
        else:
            current_end = max(current_end, interval.end)
    if current_end is not None:
        total += current_end - current_begin
    return total


def protocol_seconds(truth: list[dict[str, Any]], job_start: float) -> float:
    """Simulated seconds the job had to wait for the protocols, overlaps counted once."""
    return union_length(protocol_intervals(truth, job_start))


# -- true failover and convergence ---------------------------------------------------------------
def _naive(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=None)


@dataclass(frozen=True)
class TrueFailover:
    failover_s: float | None
    bgp_converged_s: float | None


def failure_event(truth: list[dict[str, Any]], hub: str, failed_at: str) -> dict[str, Any]:
    """The hub's failure in the truth that the report's ``failed_at`` (device time) names."""
    wanted = _naive(failed_at)
    failures = [e for e in truth if e["node"] == hub and e["kind"] in FAILURE_KINDS]
    if not failures:
        raise ValueError(f"no failure of {hub} in the ground truth")
    best = min(failures, key=lambda e: abs((_naive(e["device_time"]) - wanted).total_seconds()))
    if abs((_naive(best["device_time"]) - wanted).total_seconds()) > 1.0:
        raise ValueError(f"no failure of {hub} near {failed_at} in the ground truth")
    return best


def true_failover(truth: list[dict[str, Any]], hub: str, spoke: str, failed_at: str) -> TrueFailover:
    """Failure of ``hub`` -> the spoke's FlexVPN up on another hub, and its next BGP Up."""
    failure = failure_event(truth, hub, failed_at)
    t0 = failure["time"]
    up = next((e for e in sorted(truth, key=lambda e: e["time"])
               if e["node"] == spoke and e["kind"] == "flexvpn-up" and e["time"] > t0
               and e.get("peer_node") != hub), None)
    if up is None:
        return TrueFailover(None, None)
    bgp = next((e for e in sorted(truth, key=lambda e: e["time"])
                if e["node"] == spoke and e["kind"] == "bgp-established" and e["time"] >= up["time"]), None)
    return TrueFailover(up["time"] - t0, bgp["time"] - t0 if bgp else None)
