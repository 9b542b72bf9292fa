"""`show ip route ADDR [MASK]`, `show ip route summary` and `show ip protocols`, from the
routing table and the BGP state."""

from __future__ import annotations

import ipaddress
from collections import Counter

from flexlab.sim.show.bgp import classful_length
from flexlab.sim.show.errors import UnknownShowCommand
from flexlab.sim.show.fmt import elapsed, join_lines
from flexlab.sim.state import NodeSnapshot, RouteState

# `show ip route summary` memory columns: bytes per route entry and per path (IOS 15.x/17.x
# 64-bit images print 96 overhead and 180 memory bytes per subnet route). [assumed sizes]
_OVERHEAD_BYTES = 96
_MEMORY_BYTES = 180
_SOURCES = (("connected", ("C", "L")), ("static", ("S", "S*")), ("application", ()), ("bgp", ("B",)))


def _protocol(snap: NodeSnapshot, route: RouteState) -> str:
    if route.code in ("C", "L"):
        return "connected"
    if route.code.startswith("S"):
        return "static"
    asn = snap.bgp.local_as if snap.bgp is not None else 0
    return f"bgp {asn}"


def render_route_entry(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    """``args``: an address (longest match, the default route left out as IOS does) or an
    address and a mask (exact match)."""
    first_arg = len(words) - len(args)
    try:
        address = ipaddress.IPv4Address(args[0])
        mask = ipaddress.IPv4Network(f"0.0.0.0/{args[1]}").prefixlen if len(args) == 2 else None
    except ValueError:
        raise UnknownShowCommand(words, first_arg + (len(args) - 1)) from None
    if len(args) > 2:
        raise UnknownShowCommand(words, first_arg + 2)
    route = _find(snap.routes, address, mask)
    if route is None:
        return "% Subnet not in table\n" if mask is not None else "% Network not in table\n"
    return join_lines(_entry(snap, route))


def _find(routes: tuple[RouteState, ...], address: ipaddress.IPv4Address, mask: int | None) -> RouteState | None:
    if mask is not None:
        wanted = ipaddress.IPv4Network(f"{address}/{mask}", strict=False)
        return next((r for r in routes if r.prefix == wanted), None)
    covering = [
        r for r in routes if address in r.prefix and (r.prefix.prefixlen > 0 or address == r.prefix.network_address)
    ]
    return max(covering, key=lambda r: r.prefix.prefixlen, default=None)


def _entry(snap: NodeSnapshot, route: RouteState) -> list[str]:
    supernet = ", supernet" if route.prefix.prefixlen < classful_length(route.prefix) else ""
    protocol = _protocol(snap, route)
    distance = route.distance or 0
    metric = route.metric or 0
    lines = [f"Routing entry for {route.prefix}{supernet}"]
    if protocol == "connected":
        lines += ['  Known via "connected", distance 0, metric 0 (connected, via interface)',
                  "  Routing Descriptor Blocks:", f"  * directly connected, via {route.interface}"]
    elif protocol == "static":
        extra = (
            ", candidate default path"
            if route.prefix.prefixlen == 0
            else (" (connected)" if route.next_hop is None else "")
        )
        lines += [f'  Known via "static", distance {distance}, metric {metric}{extra}', "  Routing Descriptor Blocks:"]
        if route.next_hop is None:
            lines.append(f"  * directly connected, via {route.interface}")
        else:
            lines.append(f"  * {route.next_hop}" + (f", via {route.interface}" if route.interface else ""))
    else:
        age = elapsed(snap.now - route.since)
        source = route.next_hop or ipaddress.IPv4Address("0.0.0.0")
        lines += [
            f'  Known via "{protocol}", distance {distance}, metric {metric}, type internal',
            f"  Last update from {source} {age} ago",
            "  Routing Descriptor Blocks:",
            f"  * {source}, from {source}, {age} ago" + (f", via {route.interface}" if route.interface else ""),
        ]
    lines.append(f"      Route metric is {metric}, traffic share count is 1")
    if protocol.startswith("bgp"):
        lines += ["      AS Hops 0", "      MPLS label: none"]
    return lines


# ---------------------------------------------------------------- show ip route summary


def _is_subnet(route: RouteState) -> bool:
    return route.prefix.prefixlen > classful_length(route.prefix)


def render_route_summary(snap: NodeSnapshot) -> str:
    """`show ip route summary`: networks, subnets and memory per route source, with totals."""
    lines = [
        "IP routing table name is default (0x0)",
        "IP routing table maximum-paths is 32",
        "Route Source    Networks    Subnets     Replicates  Overhead    Memory (bytes)",
    ]
    totals = Counter[str]()
    for name, codes in _SOURCES:
        routes = [r for r in snap.routes if r.code in codes]
        if name == "bgp":
            if snap.bgp is None:
                continue
            name = f"bgp {snap.bgp.local_as}"
        networks = sum(1 for r in routes if not _is_subnet(r))
        subnets = len(routes) - networks
        overhead, memory = len(routes) * _OVERHEAD_BYTES, len(routes) * _MEMORY_BYTES
        lines.append(f"{name:<16}{networks:<12}{subnets:<12}{0:<12}{overhead:<12}{memory}")
        if name.startswith("bgp"):
            lines.append(f"  External: 0 Internal: {len(routes)} Local: 0")
        totals.update(networks=networks, subnets=subnets, overhead=overhead, memory=memory)
    majors = len({_major(r.prefix) for r in snap.routes if _is_subnet(r)})
    internal_memory = majors * _MEMORY_BYTES
    lines.append(f"{'internal':<16}{majors:<48}{internal_memory}")
    lines.append(
        f"{'Total':<16}{totals['networks'] + majors:<12}{totals['subnets']:<12}{0:<12}"
        f"{totals['overhead']:<12}{totals['memory'] + internal_memory}"
    )
    return join_lines(lines)


def _major(prefix: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network((int(prefix.network_address), classful_length(prefix)), strict=False)


# ---------------------------------------------------------------- show ip protocols


def render_ip_protocols(snap: NodeSnapshot) -> str:
    """`show ip protocols`: the BGP process, its neighbours and routing information sources."""
    lines = ["*** IP Routing is NSF aware ***", ""]
    if snap.bgp is None:
        return join_lines(lines)
    bgp = snap.bgp
    lines += [
        f'Routing Protocol is "bgp {bgp.local_as}"',
        "  Outgoing update filter list for all interfaces is not set",
        "  Incoming update filter list for all interfaces is not set",
        "  IGP synchronization is disabled",
        "  Automatic route summarization is disabled",
    ]
    static = [n for n in bgp.neighbors if not n.dynamic]
    if static:
        lines += ["  Neighbor(s):", "    Address          FiltIn FiltOut DistIn DistOut Weight RouteMap"]
        lines += [f"    {n.address}" for n in static]
    lines += ["  Maximum path: 1", "  Routing Information Sources:", "    Gateway         Distance      Last Update"]
    for neighbor in sorted(bgp.neighbors, key=lambda n: int(n.address)):
        if neighbor.state == "Established":
            lines.append(
                f"    {str(neighbor.address):<15} {200:>8}      {elapsed(snap.now - (neighbor.since or snap.now))}"
            )
    lines += ["  Distance: external 20 internal 200 local 200", ""]
    return join_lines(lines)
