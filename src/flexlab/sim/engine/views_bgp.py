"""Typed views of `router bgp` and the policy objects it references (see :mod:`views`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from flexlab.iosconfig import ConfigLine, ConfigTree
from flexlab.sim.engine.views import IPv4Address, IPv4Network, ip, network, to_int


@dataclass(frozen=True)
class NeighborView:
    """One `neighbor X ...` set (X an address or a peer-group), group settings merged in."""

    key: str
    remote_as: int | None = None
    peer_group: str | None = None
    is_group: bool = False
    rr_client: bool = False
    next_hop_self: bool = False
    next_hop_self_all: bool = False
    unsuppress_map: str | None = None
    timers: tuple[int, int] | None = None
    shutdown: bool = False
    update_source: str | None = None

    def merged_with(self, group: NeighborView | None) -> NeighborView:
        """The neighbour's own settings, falling back to its peer-group's."""
        if group is None:
            return self
        return replace(
            self,
            remote_as=self.remote_as if self.remote_as is not None else group.remote_as,
            rr_client=self.rr_client or group.rr_client,
            next_hop_self=self.next_hop_self or group.next_hop_self,
            next_hop_self_all=self.next_hop_self_all or group.next_hop_self_all,
            unsuppress_map=self.unsuppress_map or group.unsuppress_map,
            timers=self.timers or group.timers,
            shutdown=self.shutdown or group.shutdown,
            update_source=self.update_source or group.update_source,
        )


@dataclass(frozen=True)
class AggregateView:
    """One `aggregate-address` line: the summary, `summary-only`, `as-set`."""
    prefix: IPv4Network
    summary_only: bool
    as_set: bool = False


@dataclass(frozen=True)
class BgpView:
    """The `router bgp` block: AS, router ID, neighbours, peer groups, listen ranges, networks, timers."""
    asn: int
    router_id: IPv4Address | None
    log_neighbor_changes: bool = True
    listen_ranges: tuple[tuple[IPv4Network, str], ...] = ()
    listen_limit: int = 100
    networks: tuple[IPv4Network, ...] = ()
    aggregates: tuple[AggregateView, ...] = ()
    neighbors: dict[IPv4Address, NeighborView] = field(default_factory=dict)
    groups: dict[str, NeighborView] = field(default_factory=dict)
    keepalive: int = 60
    holdtime: int = 180
    cluster_id: IPv4Address | None = None

    def neighbor_for(self, address: IPv4Address) -> NeighborView | None:
        """The configured neighbour at ``address`` (peer-group settings merged), or None."""
        return self.neighbors.get(address)

    def listen_group_for(self, address: IPv4Address) -> str | None:
        """Peer-group of the first listen range containing ``address`` (a known group only)."""
        for prefix, group in self.listen_ranges:
            if address in prefix and group in self.groups:
                return group
        return None

    def dynamic_view(self, address: IPv4Address, group: str) -> NeighborView:
        """Settings of a neighbour accepted through `bgp listen range ... peer-group` ``group``."""
        return NeighborView(key=str(address), peer_group=group).merged_with(self.groups.get(group))


_NEIGHBOR_FLAGS = {"route-reflector-client": "rr_client", "shutdown": "shutdown"}


def _apply_neighbor_line(views: dict[str, NeighborView], words: list[str]) -> None:
    key = words[1]
    current = views.get(key, NeighborView(key=key))
    rest = words[2:]
    if not rest:
        return
    verb = rest[0]
    if verb == "peer-group" and len(rest) == 1:
        current = replace(current, is_group=True)
    elif verb == "peer-group":
        current = replace(current, peer_group=rest[1])
    elif verb == "remote-as" and len(rest) >= 2:
        current = replace(current, remote_as=to_int(rest[1]))
    elif verb in _NEIGHBOR_FLAGS:
        flag: dict[str, Any] = {_NEIGHBOR_FLAGS[verb]: True}
        current = replace(current, **flag)
    elif verb == "next-hop-self":
        current = replace(current, next_hop_self=True, next_hop_self_all="all" in rest)
    elif verb == "unsuppress-map" and len(rest) >= 2:
        current = replace(current, unsuppress_map=rest[1])
    elif verb == "timers" and len(rest) >= 3 and rest[1].isdigit() and rest[2].isdigit():
        current = replace(current, timers=(int(rest[1]), int(rest[2])))
    elif verb == "update-source" and len(rest) >= 2:
        current = replace(current, update_source=rest[1])
    views[key] = current


def _bgp_lines(router: ConfigLine) -> list[ConfigLine]:
    """Lines of `router bgp` including those inside `address-family ipv4 [unicast]`."""
    lines = []
    for sub in router.children:
        if sub.starts_with("address-family", "ipv4"):
            lines.extend(sub.children)
        else:
            lines.append(sub)
    return lines


def bgp_view(tree: ConfigTree) -> BgpView | None:
    """Read `router bgp`, or None without one; neighbours inherit their peer group's settings."""
    router = tree.first("router", "bgp")
    if router is None or len(router.words) < 3 or to_int(router.words[2]) is None:
        return None
    raw: dict[str, NeighborView] = {}
    router_id = cluster_id = None
    log_changes = True
    ranges: list[tuple[IPv4Network, str]] = []
    limit = 100
    networks: list[IPv4Network] = []
    aggregates: list[AggregateView] = []
    keepalive, holdtime = 60, 180
    for line in _bgp_lines(router):
        w = line.words
        if line.starts_with("bgp", "router-id") and len(w) >= 3:
            router_id = ip(w[2])
        elif line.starts_with("bgp", "cluster-id") and len(w) >= 3:
            cluster_id = ip(w[2])
        elif line.starts_with("no", "bgp", "log-neighbor-changes"):
            log_changes = False
        elif line.starts_with("bgp", "listen", "range") and len(w) >= 6 and w[4] == "peer-group":
            net = network(w[3])
            if net is not None:
                ranges.append((net, w[5]))
        elif line.starts_with("bgp", "listen", "limit") and len(w) >= 4:
            limit = to_int(w[3], 100) or 100
        elif line.starts_with("network") and len(w) >= 2:
            net = network(w[1], w[3]) if len(w) >= 4 and w[2] == "mask" else _classful(w[1])
            if net is not None:
                networks.append(net)
        elif line.starts_with("aggregate-address") and len(w) >= 3:
            net = network(w[1], w[2])
            if net is not None:
                aggregates.append(AggregateView(net, "summary-only" in w, "as-set" in w))
        elif line.starts_with("timers", "bgp") and len(w) >= 4:
            keepalive, holdtime = to_int(w[2], 60) or 0, to_int(w[3], 180) or 0
        elif line.starts_with("neighbor") and len(w) >= 3:
            _apply_neighbor_line(raw, w)
    groups = {k: v for k, v in raw.items() if v.is_group}
    neighbors = {}
    for key, view in raw.items():
        address = ip(key)
        if address is not None:
            neighbors[address] = view.merged_with(groups.get(view.peer_group or ""))
    return BgpView(
        asn=int(router.words[2]), router_id=router_id, log_neighbor_changes=log_changes,
        listen_ranges=tuple(ranges), listen_limit=limit, networks=tuple(networks),
        aggregates=tuple(aggregates), neighbors=neighbors, groups=groups,
        keepalive=keepalive, holdtime=holdtime, cluster_id=cluster_id,
    )


def _classful(address: str) -> IPv4Network | None:
    addr = ip(address)
    if addr is None:
        return None
    first = int(addr) >> 24
    length = 8 if first < 128 else 16 if first < 192 else 24
    return IPv4Network(f"{addr}/{length}", strict=False)


# ---------------------------------------------------------------------------------------
# Policy objects: standard access-lists, prefix-lists, route-maps.
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AclEntry:
    """One standard access-list entry: permit/deny an address under a wildcard mask."""
    permit: bool
    address: int
    wildcard: int

    def matches(self, prefix: IPv4Network) -> bool:
        """Whether the prefix's network address matches under the wildcard (standard ACL)."""
        return (int(prefix.network_address) & ~self.wildcard) == (self.address & ~self.wildcard)


@dataclass(frozen=True)
class PrefixListEntry:
    """One `ip prefix-list` entry: permit/deny a prefix with optional `ge`/`le` lengths."""
    permit: bool
    prefix: IPv4Network
    ge: int | None
    le: int | None

    def matches(self, candidate: IPv4Network) -> bool:
        """Whether the prefix falls in this entry (exact length unless `ge`/`le` widen it)."""
        if not candidate.subnet_of(self.prefix):
            return False
        if self.ge is None and self.le is None:
            return candidate.prefixlen == self.prefix.prefixlen
        low = self.ge if self.ge is not None else self.prefix.prefixlen
        high = self.le if self.le is not None else 32
        return low <= candidate.prefixlen <= high


@dataclass(frozen=True)
class RouteMapEntry:
    """One `route-map` sequence: permit/deny and its `match ip address` ACLs and prefix lists."""
    sequence: int
    permit: bool
    acls: tuple[str, ...]
    prefix_lists: tuple[str, ...]


@dataclass(frozen=True)
class PolicyView:
    """The routing-policy objects: ACLs, prefix lists and route maps, by name."""
    acls: dict[str, tuple[AclEntry, ...]]
    prefix_lists: dict[str, tuple[PrefixListEntry, ...]]
    route_maps: dict[str, tuple[RouteMapEntry, ...]]

    def acl_permits(self, name: str, prefix: IPv4Network) -> bool:
        """The first matching ACL entry's verdict; no match (or no such ACL) is the implicit deny."""
        for entry in self.acls.get(name, ()):
            if entry.matches(prefix):
                return entry.permit
        return False  # implicit deny (a missing ACL matches nothing)

    def prefix_list_permits(self, name: str, prefix: IPv4Network) -> bool:
        """The first matching prefix-list entry's verdict; no match is the implicit deny."""
        for entry in self.prefix_lists.get(name, ()):
            if entry.matches(prefix):
                return entry.permit
        return False

    def route_map_permits(self, name: str, prefix: IPv4Network) -> bool:
        """First entry whose match clauses all match decides; no match -> deny."""
        for entry in self.route_maps.get(name, ()):
            if all(self.acl_permits(a, prefix) for a in entry.acls) and all(
                self.prefix_list_permits(p, prefix) for p in entry.prefix_lists
            ):
                return entry.permit
        return False


def _acl_entry(words: list[str]) -> AclEntry | None:
    """``permit|deny {any | host A | A [W]}``."""
    if not words or words[0] not in ("permit", "deny"):
        return None
    permit = words[0] == "permit"
    rest = words[1:]
    if not rest or rest[0] == "any":
        return AclEntry(permit, 0, 0xFFFFFFFF)
    if rest[0] == "host" and len(rest) >= 2 and ip(rest[1]):
        return AclEntry(permit, int(ip(rest[1])), 0)  # type: ignore[arg-type]
    address = ip(rest[0])
    if address is None:
        return None
    wildcard = ip(rest[1]) if len(rest) >= 2 else None
    return AclEntry(permit, int(address), int(wildcard) if wildcard else 0)


def _prefix_list_entry(words: list[str]) -> PrefixListEntry | None:
    if len(words) >= 2 and words[0] == "seq":
        words = words[2:]
    if len(words) < 2 or words[0] not in ("permit", "deny"):
        return None
    prefix = network(words[1])
    if prefix is None:
        return None
    ge = le = None
    for i, word in enumerate(words[2:], start=2):
        if word in ("ge", "le") and i + 1 < len(words):
            value = to_int(words[i + 1])
            ge, le = (value, le) if word == "ge" else (ge, value)
    return PrefixListEntry(words[0] == "permit", prefix, ge, le)


def policy_view(tree: ConfigTree) -> PolicyView:
    """Read numbered and named standard ACLs, prefix lists and route maps."""
    acls: dict[str, list[AclEntry]] = {}
    for line in tree.find("access-list"):
        if len(line.words) >= 3 and (entry := _acl_entry(line.words[2:])):
            acls.setdefault(line.words[1], []).append(entry)
    for line in tree.find("ip", "access-list", "standard"):
        if len(line.words) >= 4:
            entries = acls.setdefault(line.words[3], [])
            for sub in line.children:
                words = sub.words[1:] if sub.words and sub.words[0].isdigit() else sub.words
                if entry := _acl_entry(words):
                    entries.append(entry)
    prefix_lists: dict[str, list[PrefixListEntry]] = {}
    for line in tree.find("ip", "prefix-list"):
        if len(line.words) >= 4 and (prefix_entry := _prefix_list_entry(line.words[3:])):
            prefix_lists.setdefault(line.words[2], []).append(prefix_entry)
    route_maps: dict[str, list[RouteMapEntry]] = {}
    for line in tree.find("route-map"):
        w = line.words
        if len(w) < 2:
            continue
        permit = len(w) < 3 or w[2] != "deny"
        seq = to_int(w[3], 10) if len(w) >= 4 else 10
        acl_names: list[str] = []
        pl_names: list[str] = []
        for sub in line.children:
            s = sub.words
            if sub.starts_with("match", "ip", "address", "prefix-list"):
                pl_names.extend(s[4:])
            elif sub.starts_with("match", "ip", "address"):
                acl_names.extend(s[3:])
        route_maps.setdefault(w[1], []).append(RouteMapEntry(seq or 10, permit, tuple(acl_names), tuple(pl_names)))
    return PolicyView(
        {k: tuple(v) for k, v in acls.items()},
        {k: tuple(v) for k, v in prefix_lists.items()},
        {k: tuple(sorted(v, key=lambda e: e.sequence)) for k, v in route_maps.items()},
    )
