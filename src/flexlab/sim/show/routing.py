"""`show ip route [bgp]`: codes legend, gateway of last resort, classful grouping."""

from __future__ import annotations

import ipaddress
from collections import defaultdict

from flexlab.sim.show.bgp import classful_length
from flexlab.sim.show.fmt import elapsed, join_lines, modern
from flexlab.sim.state import NodeSnapshot, RouteState

_LEGEND_CLASSIC = [
    "Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP",
    "       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area ",
    "       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2",
    "       E1 - OSPF external type 1, E2 - OSPF external type 2",
    "       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2",
    "       ia - IS-IS inter area, * - candidate default, U - per-user static route",
    "       o - ODR, P - periodic downloaded static route, H - NHRP, l - LISP",
    "       a - application route",
    "       + - replicated route, % - next hop override, p - overrides from PfR",
]
_LEGEND_MODERN = [
    "Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP",
    "       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area ",
    "       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2",
    "       E1 - OSPF external type 1, E2 - OSPF external type 2, m - OMP",
    "       n - NAT, Ni - NAT inside, No - NAT outside, Nd - NAT DIA",
    "       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2",
    "       ia - IS-IS inter area, * - candidate default, U - per-user static route",
    "       H - NHRP, G - NHRP registered, g - NHRP registration summary",
    "       o - ODR, P - periodic downloaded static route, l - LISP",
    "       a - application route",
    "       + - replicated route, % - next hop override, p - overrides from PfR",
    "       & - replicated local route overrides by connected",
]

_PROTOCOL_CODES = {"bgp": ("B",), "static": ("S", "S*"), "connected": ("C",), "local": ("L",)}


def render_ip_route(snap: NodeSnapshot, protocol: str | None) -> str:
    """`show ip route [bgp]`: legend, gateway of last resort, routes grouped by classful network."""
    lines = list(_LEGEND_MODERN if modern(snap.version) else _LEGEND_CLASSIC)
    lines += ["", _gateway_line(snap.routes), ""]
    wanted = _PROTOCOL_CODES[protocol] if protocol else None
    for major, group in _grouped(snap.routes):
        shown = [r for r in group if wanted is None or r.code in wanted]
        if not shown:
            continue
        if major is None:
            lines += [_route_line(snap, route, indent=6, with_mask=True) for route in shown]
            continue
        lines.append(_subnet_header(major, group))
        same_mask = len({r.prefix.prefixlen for r in group}) == 1
        lines += [_route_line(snap, route, indent=9, with_mask=not same_mask) for route in shown]
    return join_lines(lines)


def _gateway_line(routes: tuple[RouteState, ...]) -> str:
    default = next((r for r in routes if r.prefix.prefixlen == 0 and r.next_hop is not None), None)
    if default is None:
        return "Gateway of last resort is not set"
    return f"Gateway of last resort is {default.next_hop} to network 0.0.0.0"


def _grouped(routes: tuple[RouteState, ...]) -> list[tuple[ipaddress.IPv4Network | None, list[RouteState]]]:
    """Routes in IOS order: one group per classful major network holding subnets (printed
    under an ``is subnetted`` header); a major network alone, or a supernet, stands alone
    (group key None)."""
    by_major: dict[ipaddress.IPv4Network, list[RouteState]] = defaultdict(list)
    for route in routes:
        by_major[_major_network(route.prefix)].append(route)
    groups: list[tuple[ipaddress.IPv4Network | None, list[RouteState]]] = []
    for major in sorted(by_major, key=lambda n: int(n.network_address)):
        members = sorted(by_major[major], key=lambda r: (int(r.prefix.network_address), r.prefix.prefixlen))
        subnets = [r for r in members if r.prefix.prefixlen > major.prefixlen]
        if not subnets:
            groups += [(None, [route]) for route in members]
            continue
        supernets = [r for r in members if r.prefix.prefixlen < major.prefixlen]
        groups += [(None, [route]) for route in supernets]
        groups.append((major, [r for r in members if r.prefix.prefixlen >= major.prefixlen]))
    return groups


def _major_network(prefix: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    length = classful_length(prefix)
    return ipaddress.IPv4Network((int(prefix.network_address), length), strict=False)


def _subnet_header(major: ipaddress.IPv4Network, group: list[RouteState]) -> str:
    masks = sorted({r.prefix.prefixlen for r in group})
    if len(masks) == 1:
        return f"      {major.network_address}/{masks[0]} is subnetted, {len(group)} subnets"
    return f"      {major} is variably subnetted, {len(group)} subnets, {len(masks)} masks"


def _route_line(snap: NodeSnapshot, route: RouteState, indent: int, with_mask: bool) -> str:
    network = str(route.prefix) if with_mask else str(route.prefix.network_address)
    head = f"{route.code:<{indent}}{network}"
    if route.code in ("C", "L") or (route.next_hop is None and not route.code.startswith("B")):
        return f"{head} is directly connected, {route.interface}"
    preference = f"[{route.distance}/{route.metric or 0}]"
    age = None if route.code.startswith("S") else elapsed(snap.now - route.since)
    if route.next_hop is None:
        parts = [f"{head} {preference}", *([age] if age else []), route.interface or "Null0"]
        return ", ".join(parts)
    text = f"{head} {preference} via {route.next_hop}"
    for extra in (age, route.interface):
        if extra:
            text += f", {extra}"
    return text
