"""Routing table of one node: candidates per source, best by administrative distance,
longest-prefix match over the selected routes.

Two LPM tables are kept: all selected routes (forwarding) and the best non-BGP route per
prefix (BGP next-hop resolution and `network` checks look only at the IGP/static view, so
BGP routes never resolve BGP next hops — no recursion loops).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network

SOURCE_ORDER = {"connected": 0, "static": 1, "ike": 2, "bgp": 3}


@dataclass(frozen=True, slots=True)
class Route:
    """One route as `show ip route` lists it: code, distance/metric, next hop or interface, age base."""
    prefix: IPv4Network
    code: str                      # "C", "L", "S", "S*", "B"
    distance: int
    metric: int
    next_hop: IPv4Address | None
    interface: str | None          # egress interface; None: recursive via next_hop
    since: float
    source: str                    # key of SOURCE_ORDER

    def same_path(self, other: Route | None) -> bool:
        """Whether ``other`` forwards the same way (age aside), so replacing it is no change."""
        return other is not None and (self.code, self.distance, self.metric, self.next_hop, self.interface) == (
            other.code, other.distance, other.metric, other.next_hop, other.interface)


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a packet goes: egress interface, the gateway on it, and the route that chose them."""
    interface: str
    gateway: IPv4Address           # the address to hand the packet to on that interface
    route: Route


class _Lpm:
    def __init__(self) -> None:
        self.by_len: dict[int, dict[int, Route]] = {}
        self.lengths: list[int] = []

    def put(self, route: Route) -> None:
        plen = route.prefix.prefixlen
        table = self.by_len.get(plen)
        if table is None:
            table = self.by_len[plen] = {}
            self.lengths = sorted(self.by_len, reverse=True)
        table[int(route.prefix.network_address)] = route

    def remove(self, prefix: IPv4Network) -> None:
        table = self.by_len.get(prefix.prefixlen)
        if table is None:
            return
        table.pop(int(prefix.network_address), None)
        if not table:
            del self.by_len[prefix.prefixlen]
            self.lengths = sorted(self.by_len, reverse=True)

    def lookup(self, address: int) -> Route | None:
        for plen in self.lengths:
            route = self.by_len[plen].get(address & (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF)
            if route is not None:
                return route
        return None


class Rib:
    """The routing table: candidate routes per source, the best by administrative distance, LPM lookup."""
    def __init__(self, on_change: Callable[[IPv4Network, bool], None] | None = None) -> None:
        self._candidates: dict[IPv4Network, dict[str, Route]] = {}
        self._best: dict[IPv4Network, Route] = {}
        self._all = _Lpm()
        self._igp = _Lpm()
        self._igp_best: dict[IPv4Network, Route] = {}
        self.on_change = on_change
        self.version = 0

    # -- updates ----------------------------------------------------------------------
    def set(self, source: str, prefix: IPv4Network, route: Route | None) -> None:
        """Install (or with None remove) the candidate of ``source`` for ``prefix``."""
        candidates = self._candidates.get(prefix)
        old = candidates.get(source) if candidates else None
        if route is None:
            if old is None:
                return
            del candidates[source]  # type: ignore[union-attr]
            if not candidates:
                del self._candidates[prefix]
        else:
            if route.same_path(old):
                return
            if candidates is None:
                candidates = self._candidates[prefix] = {}
            candidates[source] = route
        self._reselect(prefix)

    def replace_source(self, source: str, routes: dict[IPv4Network, Route]) -> None:
        """Make ``routes`` the complete set of ``source``'s candidates."""
        stale = [p for p, c in self._candidates.items() if source in c and p not in routes]
        for prefix in stale:
            self.set(source, prefix, None)
        for prefix, route in routes.items():
            self.set(source, prefix, route)

    def _reselect(self, prefix: IPv4Network) -> None:
        candidates = self._candidates.get(prefix, {})
        best = min(candidates.values(), key=_rank) if candidates else None
        igp = min((r for r in candidates.values() if r.source != "bgp"), key=_rank, default=None)
        igp_changed = not _same(igp, self._igp_best.get(prefix))
        if igp_changed:
            if igp is None:
                self._igp_best.pop(prefix, None)
                self._igp.remove(prefix)
            else:
                self._igp_best[prefix] = igp
                self._igp.put(igp)
        if _same(best, self._best.get(prefix)) and not igp_changed:
            return
        if best is None:
            self._best.pop(prefix, None)
            self._all.remove(prefix)
        else:
            self._best[prefix] = best
            self._all.put(best)
        self.version += 1
        if self.on_change is not None:
            self.on_change(prefix, igp_changed)

    # -- queries ----------------------------------------------------------------------
    def lookup(self, address: IPv4Address, igp_only: bool = False) -> Route | None:
        """Longest-prefix match for ``address``; ``igp_only`` skips BGP routes (BGP next-hop resolution)."""
        return (self._igp if igp_only else self._all).lookup(int(address))

    def resolve(self, address: IPv4Address, igp_only: bool = False) -> Resolution | None:
        """Egress interface and gateway for ``address`` (recursive next hops, depth 4)."""
        target = address
        for _ in range(4):
            route = self.lookup(target, igp_only)
            if route is None:
                return None
            if route.interface is not None:
                return Resolution(route.interface, route.next_hop or target, route)
            if route.next_hop is None:
                return None
            target = route.next_hop
            igp_only = True
        return None

    def has_igp_prefix(self, prefix: IPv4Network) -> Route | None:
        """The non-BGP best route for exactly ``prefix`` (a `network` statement needs one), or None."""
        return self._igp_best.get(prefix)

    def get(self, prefix: IPv4Network) -> Route | None:
        """The best route for exactly ``prefix``, or None."""
        return self._best.get(prefix)

    def routes(self) -> Iterable[Route]:
        """The best routes in address order, as `show ip route` lists them."""
        return sorted(self._best.values(), key=lambda r: (int(r.prefix.network_address), r.prefix.prefixlen))

    def __len__(self) -> int:
        return len(self._best)


def _rank(route: Route) -> tuple[int, int, int]:
    return (route.distance, SOURCE_ORDER.get(route.source, 9), route.metric)


def _same(a: Route | None, b: Route | None) -> bool:
    if a is None or b is None:
        return a is b
    return a is b or (a.source == b.source and a.same_path(b))
