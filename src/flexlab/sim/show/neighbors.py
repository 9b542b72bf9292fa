"""`show ip arp` / `show arp` and `show cdp neighbors [detail]`, from the cabling.

Both come from :attr:`NodeSnapshot.links` (cabled neighbours whose link is up at both ends)
and the node's own interfaces. Modelled simplifications: an ARP entry exists for every
up neighbour address inside the interface's subnet (IOS would learn it at the first
packet, which the lab's BGP/IKE/NTP traffic sends within seconds of the link coming up);
CDP runs on every Ethernet (`cdp run` is IOS's default) and its 60 s adverts start when
the link comes up.
"""

from __future__ import annotations

import ipaddress
import re

from flexlab.sim.show.fmt import join_lines
from flexlab.sim.show.version import build_year
from flexlab.sim.state import LinkNeighborState, NodeSnapshot

CDP_INTERVAL_S = 60
CDP_HOLDTIME_S = 180
_CDP_SHORT = {"ethernet": "Eth", "gigabitethernet": "Gig", "fastethernet": "Fas"}


# ---------------------------------------------------------------- ARP


def render_arp(snap: NodeSnapshot) -> str:
    """`show ip arp`: own ethernet addresses (age `-`) and the linked neighbours on their subnets."""
    rows: list[tuple[ipaddress.IPv4Address, str, str, str]] = []
    for intf in snap.interfaces:
        if intf.kind == "ethernet" and intf.line_up and intf.address is not None:
            rows.append((intf.address, "-", intf.mac, intf.name))
    by_name = {i.name: i for i in snap.interfaces}
    for link in snap.links:
        local = by_name.get(link.local_interface)
        if link.address is None or local is None or local.address is None or local.prefixlen is None:
            continue
        if link.address not in ipaddress.IPv4Network(f"{local.address}/{local.prefixlen}", strict=False):
            continue
        rows.append((link.address, str(int(max(0.0, snap.now - link.since)) // 60), link.mac, link.local_interface))
    lines = ["Protocol  Address          Age (min)  Hardware Addr   Type   Interface"]
    for address, age, mac, interface in sorted(rows, key=lambda r: int(r[0])):
        lines.append(f"Internet  {str(address):<16} {age:>8}   {mac}  ARPA   {interface}")
    return join_lines(lines)


# ---------------------------------------------------------------- CDP


def _holdtime(snap: NodeSnapshot, link: LinkNeighborState) -> int:
    """Seconds left of the last advert's 180 s hold time (adverts every 60 s from link up)."""
    since_advert = max(0.0, snap.now - link.since) % CDP_INTERVAL_S
    return CDP_HOLDTIME_S - int(since_advert)


def cdp_port(name: str) -> str:
    """``Ethernet0/1`` -> ``Eth 0/1`` (the brief table's interface form)."""
    match = re.fullmatch(r"([A-Za-z-]+)([\d/.:]+)", name)
    if match is None:
        return name
    return f"{_CDP_SHORT.get(match.group(1).lower(), match.group(1)[:3])} {match.group(2)}"


_LEGEND = [
    "Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge",
    "                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone, ",
    "                  D - Remote, C - CVTA, M - Two-port Mac Relay ",
    "",
]


def render_cdp_neighbors(snap: NodeSnapshot) -> str:
    """`show cdp neighbors`: one row per cabled neighbour (long device IDs on a line of their own)."""
    lines = _LEGEND + ["Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID"]
    for link in snap.links:
        device = link.device_id
        row = (f"{cdp_port(link.local_interface):<18}{_holdtime(snap, link):<11}{'R B':>10}   "
               f"{link.platform[:9]:<10}{cdp_port(link.remote_interface)}")
        if len(device) > 16:
            lines += [device, f"{'':17}{row}"]
        else:
            lines.append(f"{device:<17}{row}")
    lines += ["", f"Total cdp entries displayed : {len(snap.links)}"]
    return join_lines(lines)


def render_cdp_neighbors_detail(snap: NodeSnapshot) -> str:
    """`show cdp neighbors detail`: per neighbour its address, platform, ports and version text."""
    lines: list[str] = []
    for link in snap.links:
        address = [f"  IP address: {link.address}"] if link.address is not None else []
        lines += [
            "-------------------------",
            f"Device ID: {link.device_id}",
            "Entry address(es): ",
            *address,
            f"Platform: {link.platform},  Capabilities: Router Source-Route-Bridge ",
            f"Interface: {link.local_interface},  Port ID (outgoing port): {link.remote_interface}",
            f"Holdtime : {_holdtime(snap, link)} sec",
            "",
            "Version :",
            link.version_line,
            "Technical Support: http://www.cisco.com/techsupport",
            f"Copyright (c) 1986-{build_year(snap.version)} by Cisco Systems, Inc.",
            snap.version.compiled,
            "",
            "advertisement version: 2",
            "Duplex: half",
            "Management address(es): ",
            *address,
            "",
        ]
    lines += ["", f"Total cdp entries displayed : {len(snap.links)}"]
    return join_lines(lines)
