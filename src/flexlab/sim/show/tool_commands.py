"""Command table of the show commands the standard tools (NAPALM, Genie `learn`,
ntc-templates) need; merged into :mod:`flexlab.sim.show`'s dispatcher."""

from __future__ import annotations

from collections.abc import Callable

from flexlab.sim.show import bgp, bgp_neighbors, ip_interface, ipsec, neighbors, processes, route_detail, system
from flexlab.sim.show.errors import UnknownShowCommand
from flexlab.sim.state import NodeSnapshot

Handler = Callable[[NodeSnapshot, list[str], list[str]], str]


def _plain(renderer: Callable[[NodeSnapshot], str]) -> Handler:
    def handler(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
        if args:
            raise UnknownShowCommand(words, len(words) - len(args))
        return renderer(snap)

    return handler


def _neighbors(family_header: bool) -> Handler:
    def handler(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
        return bgp_neighbors.render_neighbors(snap, words, args, family_header)

    return handler


def _ip_bgp(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    if not args:
        return bgp.render_ip_bgp(snap)
    return bgp_neighbors.render_prefix(snap, words, args)


def _bgp_all(snap: NodeSnapshot) -> str:
    if snap.bgp is None:
        return ""
    return "For address family: IPv4 Unicast\n\n" + bgp.render_ip_bgp(snap)


def route_entry(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    """`show ip route ADDR [MASK]` (asked by the standard tools, e.g. NAPALM)."""
    return route_detail.render_route_entry(snap, words, args)


COMMANDS: dict[tuple[str, ...], Handler] = {
    ("show", "ip", "bgp"): _ip_bgp,
    ("show", "ip", "bgp", "neighbors"): _neighbors(family_header=False),
    ("show", "bgp", "ipv4", "unicast"): _ip_bgp,
    ("show", "bgp", "ipv4", "unicast", "summary"): _plain(bgp.render_ip_bgp_summary),
    ("show", "bgp", "ipv4", "unicast", "neighbors"): _neighbors(family_header=False),
    ("show", "bgp", "all", "neighbors"): _neighbors(family_header=True),
    ("show", "bgp", "all"): _plain(_bgp_all),
    ("show", "bgp", "all", "detail"): _plain(bgp_neighbors.render_all_detail),
    ("show", "bgp", "summary"): _plain(bgp.render_ip_bgp_summary),
    ("show", "crypto", "ipsec", "sa"): ipsec.render_ipsec_sa,
    ("show", "ip", "interface"): ip_interface.render_ip_interface,
    ("show", "interfaces", "description"): _plain(ip_interface.render_interfaces_description),
    ("show", "ip", "route", "summary"): _plain(route_detail.render_route_summary),
    ("show", "ip", "protocols"): _plain(route_detail.render_ip_protocols),
    ("show", "ip", "arp"): _plain(neighbors.render_arp),
    ("show", "arp"): _plain(neighbors.render_arp),
    ("show", "cdp", "neighbors"): _plain(neighbors.render_cdp_neighbors),
    ("show", "cdp", "neighbors", "detail"): _plain(neighbors.render_cdp_neighbors_detail),
    ("show", "inventory"): _plain(system.render_inventory),
    ("show", "clock", "detail"): _plain(system.render_clock_detail),
    ("show", "processes", "cpu"): processes.render_processes_cpu,
}
