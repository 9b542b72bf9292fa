"""`show ip interface [IF]` and `show interfaces description`, from the interface state."""

from __future__ import annotations

import re

from flexlab.sim.show.fmt import join_lines
from flexlab.sim.show.interfaces import find_interface, protocol_word, selected_interfaces, status_word
from flexlab.sim.state import InterfaceState, NodeSnapshot

_ADDRESS_SOURCE = {"NVRAM": "non-volatile memory", "manual": "setup command", "IPCP": "IPCP", "TFTP": "TFTP"}
_SHORT_TYPES = {"ethernet": "Et", "gigabitethernet": "Gi", "fastethernet": "Fa", "loopback": "Lo", "tunnel": "Tu",
                "virtual-template": "Vt", "virtual-access": "Vi", "null": "Nu"}

# Feature lines IOS prints for every IP interface; the lab runs none of these features,
# so each says "disabled"/"not set" as on a router with the default configuration.
_DEFAULT_FEATURES = [
    "  Helper address is not set",
    "  Directed broadcast forwarding is disabled",
    "  Outgoing Common access list is not set ",
    "  Outgoing access list is not set",
    "  Inbound Common access list is not set ",
    "  Inbound  access list is not set",
    "  Proxy ARP is enabled",
    "  Local Proxy ARP is disabled",
    "  Security level is default",
    "  Split horizon is enabled",
    "  ICMP redirects are always sent",
    "  ICMP unreachables are always sent",
    "  ICMP mask replies are never sent",
    "  IP fast switching is enabled",
    "  IP Flow switching is disabled",
    "  IP CEF switching is enabled",
    "  IP CEF switching turbo vector",
    "  IP Null turbo vector",
    "  Associated unicast routing topologies:",
    '        Topology "base", operation state is UP',
    "  IP multicast fast switching is enabled",
    "  IP multicast distributed fast switching is disabled",
    "  IP route-cache flags are Fast, CEF",
    "  Router Discovery is disabled",
    "  IP output packet accounting is disabled",
    "  IP access violation accounting is disabled",
    "  TCP/IP header compression is disabled",
    "  RTP/IP header compression is disabled",
    "  Probe proxy name replies are disabled",
    "  Policy routing is disabled",
    "  Network address translation is disabled",
    "  BGP Policy Mapping is disabled",
    "  Input features: MCI Check",
    "  IPv4 WCCP Redirect outbound is disabled",
    "  IPv4 WCCP Redirect inbound is disabled",
    "  IPv4 WCCP Redirect exclude is disabled",
]


def render_ip_interface(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    """Every interface, or the one named by ``args``."""
    lines: list[str] = []
    for intf in selected_interfaces(snap, words, args):
        lines += _block(snap, intf)
    return join_lines(lines)


def _block(snap: NodeSnapshot, intf: InterfaceState) -> list[str]:
    lines = [f"{intf.name} is {status_word(intf)}, line protocol is {protocol_word(intf)}"]
    if intf.address is not None and intf.prefixlen is not None:
        lines += [
            f"  Internet address is {intf.address}/{intf.prefixlen}",
            "  Broadcast address is 255.255.255.255",
            f"  Address determined by {_ADDRESS_SOURCE.get(intf.method, 'non-volatile memory')}",
        ]
    elif intf.unnumbered:
        source = find_interface(snap, intf.unnumbered)
        shown = source.address if source is not None and source.address is not None else "0.0.0.0"
        lines.append(f"  Interface is unnumbered. Using address of {intf.unnumbered} ({shown})")
    else:
        return lines + ["  Internet protocol processing disabled"]
    lines.append(f"  MTU is {intf.ip_mtu or _ip_mtu(intf)} bytes")
    return lines + _DEFAULT_FEATURES


def _ip_mtu(intf: InterfaceState) -> int:
    """IP MTU without `ip mtu`: the interface MTU; on GRE tunnels the transport's 1500
    less the 24 bytes of GRE/IP header (IPsec overhead is not modelled)."""
    if intf.kind in ("tunnel", "virtual-access", "virtual-template"):
        return 1476
    return intf.mtu


def short_name(name: str) -> str:
    """``Ethernet0/1`` -> ``Et0/1``, ``Virtual-Access1`` -> ``Vi1`` (IOS's short forms)."""
    match = re.fullmatch(r"([A-Za-z-]+)([\d/.:]+)", name)
    if match is None:
        return name
    short = _SHORT_TYPES.get(match.group(1).lower(), match.group(1)[:2])
    return short + match.group(2)


def render_interfaces_description(snap: NodeSnapshot) -> str:
    """`show interfaces description`: short names, status (`admin down`), protocol, description."""
    lines = [f"{'Interface':<30} {'Status':<14} {'Protocol':<8} Description"]
    for intf in snap.interfaces:
        status = "admin down" if not intf.admin_up else status_word(intf)
        lines.append(f"{short_name(intf.name):<30} {status:<14} {protocol_word(intf):<8} {intf.description}".rstrip())
    return join_lines(lines)
