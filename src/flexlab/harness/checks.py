"""Checks of the FlexVPN design on parsed router state: each returns the problems it finds.

A check returns a list of human-readable problems (empty = the check holds), so the
job can poll a check until it holds or time runs out, and then report exactly what was
still wrong. Checks take what was read from devices plus the design's expectations.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flexlab.harness.reads import BgpNeighbor, FlexClient, IkeSa, Route

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network


def problems_of(by_check: Mapping[str, list[str]]) -> list[str]:
    """Every problem of a set of checks (check name -> its problems), in check order."""
    return [problem for problems in by_check.values() for problem in problems]


def client_on_peer(spoke: str, clients: list[FlexClient], peer: IPv4Address) -> list[str]:
    """Problems unless the spoke's FlexVPN client is connected to ``peer``."""
    if not clients:
        return [f"{spoke}: no FlexVPN client block in `show crypto ikev2 client flexvpn`"]
    client = clients[0]
    problems = []
    if client.state != "ACTIVE":
        problems.append(f"{spoke}: FlexVPN client {client.name} is {client.state or 'not active'}, expected ACTIVE")
    if client.peer != peer:
        problems.append(f"{spoke}: FlexVPN client peer is {client.peer}, expected {peer}")
    return problems


def sa_ready(spoke: str, sas: list[IkeSa], peer: IPv4Address) -> list[str]:
    """Problems unless the spoke has a READY IKEv2 SA with ``peer``."""
    if any(sa.remote == peer and sa.status == "READY" for sa in sas):
        return []
    seen = ", ".join(f"{sa.remote} {sa.status}" for sa in sas) or "none"
    return [f"{spoke}: no IKEv2 SA READY to {peer} (SAs: {seen})"]


def bgp_established(node: str, neighbors: dict[IPv4Address, BgpNeighbor], peer: IPv4Address) -> list[str]:
    """Problems unless ``node`` has an Established BGP session with ``peer``."""
    neighbor = neighbors.get(peer)
    if neighbor is None:
        return [f"{node}: no BGP neighbour {peer}"]
    if neighbor.state != "Established":
        return [f"{node}: BGP neighbour {peer} is {neighbor.state}, expected Established"]
    return []


def only_summary(spoke: str, routes: dict[IPv4Network, Route], summary: IPv4Network) -> list[str]:
    """Problems unless the spoke's BGP routes are the summary and nothing more specific."""
    problems = []
    if summary not in routes:
        problems.append(f"{spoke}: summary {summary} missing from its BGP routes")
    specifics = sorted(str(p) for p in routes if p != summary)
    if specifics:
        problems.append(
            f"{spoke}: receives specific BGP routes {', '.join(specifics)} (expected only the summary {summary})"
        )
    return problems


def holds_prefixes(
    node: str, routes: dict[IPv4Network, Route], expected: Mapping[IPv4Network, IPv4Address | None]
) -> list[str]:
    """``expected`` maps prefix -> required next hop (None: any next hop)."""
    problems = []
    for prefix, next_hop in expected.items():
        route = routes.get(prefix)
        if route is None:
            problems.append(f"{node}: no BGP route to {prefix}")
        elif next_hop is not None and next_hop not in route.next_hops:
            hops = ", ".join(map(str, route.next_hops)) or "none"
            problems.append(f"{node}: route to {prefix} via {hops}, expected via {next_hop}")
    return problems


def covered_by_summary(node: str, routes: dict[IPv4Network, Route], prefix: IPv4Network) -> list[str]:
    """Problems unless some BGP route of ``node`` covers ``prefix``."""
    if any(prefix.subnet_of(p) for p in routes):
        return []
    return [f"{node}: no BGP route covers {prefix}"]


def unique_addresses(assigned: dict[str, IPv4Address | None]) -> list[str]:
    """Problems for spokes without an overlay address and for addresses given to several spokes."""
    problems = [f"{spoke}: no overlay address assigned" for spoke, addr in assigned.items() if addr is None]
    owners: dict[IPv4Address, list[str]] = {}
    for spoke, addr in assigned.items():
        if addr is not None:
            owners.setdefault(addr, []).append(spoke)
    problems += [
        f"overlay address {addr} assigned to several spokes: {', '.join(s)}" for addr, s in owners.items() if len(s) > 1
    ]
    return problems


def traffic_flows(spoke: str, target: str, latest_ok: bool | None, latest_start: dt.datetime | None,
                  lost_so_far: int | None, failed_at: dt.datetime) -> list[str]:
    """An IP SLA probe carries traffic again: its latest echo, sent after the failure, was answered.

    ``latest_ok`` None: the probe is missing from `show ip sla statistics`.
    """
    if latest_ok is None:
        return [f"{spoke}: probe to {target} missing from `show ip sla statistics`"]
    if not latest_ok:
        return [f"{spoke}: traffic to {target} still lost ({lost_so_far} probes lost since the failure)"]
    if latest_start is None or latest_start <= failed_at:
        return [f"{spoke}: no probe to {target} has been answered since the failure"]
    return []


@dataclass(frozen=True)
class PollResult:
    """What polling a check until it held (or the time ran out) found, and what it cost."""
    problems: list[str]
    polls: int
    wall_s: float

    @property
    def ok(self) -> bool:
        """Whether the last poll found no problem."""
        return not self.problems


def poll(check: Callable[[], list[str]], max_wall_s: float, interval_s: float = 0.2) -> PollResult:
    """Run ``check`` until it returns no problems or ``max_wall_s`` has passed.

    The interval only spaces the reads; success is decided by what the devices say.
    """
    start = time.monotonic()
    polls = 0
    while True:
        polls += 1
        problems = check()
        elapsed = time.monotonic() - start
        if not problems or elapsed >= max_wall_s:
            return PollResult(problems, polls, elapsed)
        time.sleep(min(interval_s, max(0.0, max_wall_s - elapsed)))
