"""Typed reads of router state through Genie parsers: what the job knows, it read here.

Each function takes a connected pyATS device, runs one show command through
``device.parse`` (flexlab's external parsers fill the ios gaps) and returns small typed
records, so the checks work on data instead of nested parser dictionaries.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network


@dataclass(frozen=True)
class FlexClient:
    """One FlexVPN client block of `show crypto ikev2 client flexvpn`."""
    name: str
    state: str
    peer: IPv4Address | None
    assigned: IPv4Address | None
    tunnel_interface: str | None


@dataclass(frozen=True)
class IkeSa:
    """One IKEv2 SA of `show crypto ikev2 sa`."""
    local: IPv4Address
    remote: IPv4Address
    status: str


@dataclass(frozen=True)
class BgpNeighbor:
    """One BGP neighbour of `show ip bgp summary`."""
    address: IPv4Address
    state: str              # "Established" or the FSM state shown (Idle, Active, ...)
    prefixes: int | None    # prefixes received when Established
    up_down: str


@dataclass(frozen=True)
class Route:
    """One route of the BGP table."""
    prefix: IPv4Network
    protocol: str
    next_hops: tuple[IPv4Address, ...]


def _ip(value: str | None) -> IPv4Address | None:
    try:
        return ipaddress.IPv4Address(value.strip()) if value else None
    except ValueError:
        return None


def load_parser_index(device: Any) -> None:
    """Load Genie's parser index (~0.2 s of CPU) once, before threads read devices.

    Genie loads it on the first parse of a process; threads that parse at the same time
    (unicon's `show version` at connect, then the job's reads) each load it again and
    queue on a lock. docs/performance.md has the figures.
    """
    from genie.libs.parser.utils.common import ParserNotFound, get_parser

    try:
        get_parser("show version", device)
    except ParserNotFound:  # the index is loaded before the lookup; a missing parser shows in the reads
        pass


def flex_clients(device: Any) -> list[FlexClient]:
    """`show crypto ikev2 client flexvpn` (flexlab's external parser)."""
    parsed = device.parse("show crypto ikev2 client flexvpn")
    clients = []
    for name, facts in parsed.get("profile", parsed).items():
        clients.append(FlexClient(
            name=name, state=str(facts.get("current_state", "")).upper(), peer=_ip(facts.get("peer")),
            assigned=_ip(facts.get("assigned_ip_address")), tunnel_interface=facts.get("tunnel_interface"),
        ))
    return clients


def ike_sas(device: Any) -> list[IkeSa]:
    """`show crypto ikev2 sa` (IOS XE parser, registered for ios by flexlab)."""
    parsed = device.parse("show crypto ikev2 sa")
    return [
        IkeSa(local=ipaddress.IPv4Address(sa["local_ip"]), remote=ipaddress.IPv4Address(sa["remote_ip"]),
              status=str(sa["status"]).upper())
        for sa in parsed.get("ipv4", {}).values()
    ]


def _bgp_summary(device: Any) -> dict[str, Any]:
    """`show ip bgp summary`, or {} for a router that has no BGP neighbour at all.

    IOS prints only the router-id/table-version header then (or nothing when BGP is not
    configured); Genie's schema needs a ``vrf`` key and raises. That is a router without
    neighbours, which the checks must see and report, not an error of the read.
    """
    from genie.metaparser.util.exceptions import SchemaEmptyParserError, SchemaMissingKeyError

    try:
        return dict(device.parse("show ip bgp summary"))
    except SchemaEmptyParserError:
        return {}
    except SchemaMissingKeyError as exc:
        if getattr(exc, "missing_list", None) == [["vrf"]]:
            return {}
        raise


def bgp_neighbors(device: Any) -> dict[IPv4Address, BgpNeighbor]:
    """`show ip bgp summary`; a numeric State/PfxRcd means Established."""
    parsed = _bgp_summary(device)
    neighbors: dict[IPv4Address, BgpNeighbor] = {}
    for vrf in parsed.get("vrf", {}).values():
        for address, facts in vrf.get("neighbor", {}).items():
            for af in facts.get("address_family", {}).values():
                raw = str(af.get("state_pfxrcd", ""))
                established = raw.isdigit()
                addr = ipaddress.IPv4Address(address.lstrip("*"))
                neighbors[addr] = BgpNeighbor(
                    address=addr, state="Established" if established else raw,
                    prefixes=int(raw) if established else None, up_down=str(af.get("up_down", "")),
                )
    return neighbors


def _routes(parsed: dict[str, Any]) -> Iterator[Route]:
    vrf = parsed.get("vrf", {}).get("default", {})
    for prefix, facts in vrf.get("address_family", {}).get("ipv4", {}).get("routes", {}).items():
        hops = facts.get("next_hop", {}).get("next_hop_list", {})
        next_hops = tuple(
            ipaddress.IPv4Address(h["next_hop"]) for h in hops.values() if h.get("next_hop")
        )
        yield Route(ipaddress.IPv4Network(prefix), str(facts.get("source_protocol", "")), next_hops)


def bgp_routes(device: Any) -> dict[IPv4Network, Route]:
    """`show ip route bgp`: the BGP routes installed in the routing table.

    Asked as the parser's own command template: Genie finds "show ip route bgp" only by a
    fuzzy search of its whole index (~7 ms of CPU per read), the template by key.
    """
    try:
        parsed = device.parse("show ip route {protocol}", protocol="bgp")
    except Exception as exc:  # Genie raises SchemaEmptyParserError when the table is empty
        if type(exc).__name__ == "SchemaEmptyParserError":
            return {}
        raise
    return {route.prefix: route for route in _routes(parsed)}


def interface_addresses(device: Any) -> dict[str, IPv4Address]:
    """`show ip interface brief`: interface -> address (unassigned ones left out)."""
    parsed = device.parse("show ip interface brief")
    out: dict[str, IPv4Address] = {}
    for name, facts in parsed.get("interface", {}).items():
        if (addr := _ip(facts.get("ip_address"))) is not None:
            out[name] = addr
    return out


def running_config(device: Any) -> str:
    """`show running-config` with IOS's CRLF line ends normalised."""
    output: str = device.execute("show running-config")
    return output.replace("\r\n", "\n").replace("\r", "")


def logging_lines(device: Any) -> list[str]:
    """The logging buffer lines of `show logging` (Genie ShowLogging 'logs')."""
    parsed = device.parse("show logging")
    return list(parsed.get("logs", []))


_CLIENT_PEER = re.compile(r"^\s*peer\s+(\d+)\s+(\d+\.\d+\.\d+\.\d+)", re.M)


def configured_peers(config_text: str) -> list[IPv4Address]:
    """Peers of the FlexVPN client block in a running config, in preference order."""
    block = re.search(r"^crypto ikev2 client flexvpn \S+\n((?:[ \t]+.*\n?)*)", config_text, re.M)
    if not block:
        return []
    peers = sorted((int(seq), ipaddress.IPv4Address(addr)) for seq, addr in _CLIENT_PEER.findall(block.group(1)))
    return [addr for _, addr in peers]


def has_peer_reactivate(config_text: str) -> bool:
    """Whether the config's FlexVPN client block has `peer reactivate`."""
    block = re.search(r"^crypto ikev2 client flexvpn \S+\n((?:[ \t]+.*\n?)*)", config_text, re.M)
    return bool(block and re.search(r"^\s*peer reactivate\s*$", block.group(1), re.M))


def tunnel_source_interface(config_text: str) -> str | None:
    """The WAN interface of a hub: the `tunnel source` of its Virtual-Template."""
    block = re.search(r"^interface Virtual-Template\d+ type tunnel\n((?:[ \t]+.*\n?)*)", config_text, re.M)
    source = block and re.search(r"^\s*tunnel source (\S+)", block.group(1), re.M)
    return source.group(1) if source else None
