"""Typed, read-only views of a node's running configuration (general part).

The engine never stores configuration: every reaction re-reads the :class:`ConfigTree`
through these functions, so the CLI's edits and the simulated behaviour cannot diverge.
Crypto and BGP views live in :mod:`views_crypto` and :mod:`views_bgp`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from flexlab.iosconfig import ConfigLine, ConfigTree
from flexlab.sim.state import LoggingConfig

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network
IfKind = Literal["ethernet", "loopback", "tunnel", "virtual-template", "virtual-access", "null"]


def ip(text: str) -> IPv4Address | None:
    """The text as an IPv4 address, or None if it is not one."""
    try:
        return IPv4Address(text)
    except ValueError:
        return None


def network(address: str, mask: str | None = None) -> IPv4Network | None:
    """``10.0.0.0 255.0.0.0`` or ``10.0.0.0/8``; None when not an IPv4 prefix."""
    try:
        if mask is None:
            return IPv4Network(address, strict=False)
        return IPv4Network(f"{address}/{mask}", strict=False)
    except ValueError:
        return None


def to_int(text: str, default: int | None = None) -> int | None:
    """The text as an integer, or ``default`` if it is not one."""
    try:
        return int(text)
    except ValueError:
        return default


def interface_kind(name: str) -> IfKind:
    """The kind of an interface from its IOS name prefix (Loopback, Tunnel, Virtual-Template...)."""
    low = name.lower()
    if low.startswith("loopback"):
        return "loopback"
    if low.startswith("tunnel"):
        return "tunnel"
    if low.startswith("virtual-template"):
        return "virtual-template"
    if low.startswith("virtual-access"):
        return "virtual-access"
    if low.startswith("null"):
        return "null"
    return "ethernet"


@dataclass(frozen=True)
class InterfaceView:
    """One `interface` block of the running config: address, shutdown, tunnel and MTU settings."""
    name: str
    kind: IfKind
    shutdown: bool
    address: ipaddress.IPv4Interface | None
    negotiated: bool = False
    unnumbered: str | None = None
    description: str = ""
    ip_mtu: int | None = None
    bandwidth_kbit: int | None = None
    delay_tens_usec: int | None = None
    tunnel_source: str | None = None
    tunnel_destination: str | None = None   # "dynamic" or an address
    tunnel_protection: str | None = None    # IPsec profile name


def _interface(line: ConfigLine) -> InterfaceView:
    words = line.words
    name = words[1]
    kind = interface_kind(name)
    address: ipaddress.IPv4Interface | None = None
    negotiated = False
    unnumbered = None
    values: dict[str, str | None] = {"description": "", "source": None, "destination": None, "protection": None}
    ip_mtu = bandwidth = delay = None
    for sub in line.children:
        w = sub.words
        if sub.starts_with("ip", "address") and len(w) >= 3:
            if w[2] == "negotiated":
                negotiated = True
            elif len(w) >= 4 and "secondary" not in w:
                try:
                    address = ipaddress.IPv4Interface(f"{w[2]}/{w[3]}")
                except ValueError:
                    address = None
        elif sub.starts_with("ip", "unnumbered") and len(w) >= 3:
            unnumbered = w[2]
        elif sub.starts_with("description"):
            values["description"] = sub.text.partition(" ")[2]
        elif sub.starts_with("ip", "mtu") and len(w) >= 3:
            ip_mtu = to_int(w[2])
        elif sub.starts_with("bandwidth") and len(w) >= 2:
            bandwidth = to_int(w[1])
        elif sub.starts_with("delay") and len(w) >= 2:
            delay = to_int(w[1])
        elif sub.starts_with("tunnel", "source") and len(w) >= 3:
            values["source"] = w[2]
        elif sub.starts_with("tunnel", "destination") and len(w) >= 3:
            values["destination"] = w[2]
        elif sub.starts_with("tunnel", "protection", "ipsec", "profile") and len(w) >= 5:
            values["protection"] = w[4]
    return InterfaceView(
        name=name, kind=kind, shutdown=line.has("shutdown"), address=address, negotiated=negotiated,
        unnumbered=unnumbered, description=values["description"] or "", ip_mtu=ip_mtu,
        bandwidth_kbit=bandwidth, delay_tens_usec=delay, tunnel_source=values["source"],
        tunnel_destination=values["destination"], tunnel_protection=values["protection"],
    )


def interfaces(tree: ConfigTree) -> dict[str, InterfaceView]:
    """Every `interface` block, by name."""
    return {line.words[1]: _interface(line) for line in tree.find("interface") if len(line.words) >= 2}


@dataclass(frozen=True)
class StaticRouteView:
    """One `ip route`: prefix, next hop and/or interface, administrative distance."""
    prefix: IPv4Network
    next_hop: IPv4Address | None
    interface: str | None
    distance: int = 1


def static_routes(tree: ConfigTree) -> list[StaticRouteView]:
    """`ip route P M {next-hop | interface [next-hop]} [distance] [name N] [permanent]`."""
    routes = []
    for line in tree.find("ip", "route"):
        w = line.words
        if len(w) < 5 or w[2] == "vrf":
            continue
        prefix = network(w[2], w[3])
        if prefix is None:
            continue
        rest = w[4:]
        next_hop = ip(rest[0])
        interface = None if next_hop else rest[0]
        rest = rest[1:]
        if interface and rest and ip(rest[0]):
            next_hop, rest = ip(rest[0]), rest[1:]
        distance = to_int(rest[0], 1) if rest and rest[0].isdigit() else 1
        routes.append(StaticRouteView(prefix, next_hop, interface, distance or 1))
    return routes


@dataclass(frozen=True)
class UserView:
    """One `username NAME [privilege N] secret|password [TYPE] TEXT` line."""
    name: str
    privilege: int
    secret: str
    kind: Literal["secret", "password"]
    encryption: int          # 0 plain, 7 reversible, 5/8/9 hashes


def _secret_words(words: list[str]) -> tuple[int, str]:
    if len(words) >= 2 and words[0].isdigit():
        return int(words[0]), " ".join(words[1:])
    return 0, " ".join(words)


def users(tree: ConfigTree) -> dict[str, UserView]:
    """Every `username` with a secret or password, by name."""
    found: dict[str, UserView] = {}
    for line in tree.find("username"):
        w = line.words
        if len(w) < 2:
            continue
        privilege = 1
        for i, word in enumerate(w[2:], start=2):
            if word == "privilege" and i + 1 < len(w):
                privilege = to_int(w[i + 1], 1) or 1
            if word in ("secret", "password") and i + 1 < len(w):
                enc, secret = _secret_words(w[i + 1:])
                found[w[1]] = UserView(w[1], privilege, secret, word, enc)  # type: ignore[arg-type]
                break
    return found


def enable_secret(tree: ConfigTree) -> tuple[int, str] | None:
    """`enable secret [0|5|9] X` wins over `enable password [0|7] X`."""
    for kind in ("secret", "password"):
        line = tree.first("enable", kind)
        if line is not None and len(line.words) >= 3:
            return _secret_words(line.words[2:])
    return None


_LEVELS = ("emergencies", "alerts", "critical", "errors", "warnings", "notifications", "informational", "debugging")


def logging_view(tree: ConfigTree) -> LoggingConfig:
    """Read the logging settings; defaults are the IOS ones (4096 bytes, debugging)."""
    size, level = 4096, "debugging"
    line = tree.first("logging", "buffered")
    if line is not None:
        for word in line.words[2:]:
            if word.isdigit() and int(word) > 7:
                size = int(word)
            elif word in _LEVELS:
                level = word
            elif word.isdigit():
                level = _LEVELS[int(word)]
    stamps = tree.first("service", "timestamps", "log")
    datetime_on = stamps is not None and "datetime" in stamps.words
    return LoggingConfig(
        buffered_size=size, buffered_level=level, console=not tree.find("no", "logging", "console"),
        timestamps_msec=datetime_on and "msec" in stamps.words if stamps else False,
    )


@dataclass(frozen=True)
class NtpView:
    """NTP settings: `ntp server` addresses, `ntp master [stratum]`."""
    servers: tuple[IPv4Address, ...] = ()
    master: bool = False
    stratum: int = 8


def ntp_view(tree: ConfigTree) -> NtpView:
    """Read `ntp server` and `ntp master` (stratum 8 by default, as IOS)."""
    servers = tuple(a for line in tree.find("ntp", "server") if len(line.words) >= 3 and (a := ip(line.words[2])))
    master = tree.first("ntp", "master")
    stratum = 8
    if master is not None and len(master.words) >= 3:
        stratum = to_int(master.words[2], 8) or 8
    return NtpView(servers=servers, master=master is not None, stratum=stratum)


@dataclass(frozen=True)
class SlaView:
    """One `ip sla N` icmp-echo operation and whether `ip sla schedule N start-time now` starts it."""
    operation: int
    target: IPv4Address | None
    source_interface: str | None
    source_ip: IPv4Address | None
    frequency: int = 60
    timeout_ms: int = 5000
    scheduled: bool = False
    start_now: bool = False


def slas(tree: ConfigTree) -> dict[int, SlaView]:
    """Every `ip sla N` operation by number, with its schedule (frequency 60 s, timeout 5000 ms by default)."""
    schedules: dict[int, bool] = {}
    for line in tree.find("ip", "sla", "schedule"):
        op = to_int(line.words[3]) if len(line.words) > 3 else None
        if op is not None:
            w = line.words
            schedules[op] = "start-time" in w and w[w.index("start-time") + 1:w.index("start-time") + 2] == ["now"]
    found: dict[int, SlaView] = {}
    for line in tree.find("ip", "sla"):
        w = line.words
        if len(w) != 3 or not w[2].isdigit():
            continue
        op = int(w[2])
        target = source_if = source_ip = None
        frequency, timeout = 60, 5000
        for sub in line.children:
            s = sub.words
            if sub.starts_with("icmp-echo") and len(s) >= 2:
                target = ip(s[1])
                for i, word in enumerate(s):
                    if word == "source-interface" and i + 1 < len(s):
                        source_if = s[i + 1]
                    if word == "source-ip" and i + 1 < len(s):
                        source_ip = ip(s[i + 1])
            elif sub.starts_with("frequency") and len(s) >= 2:
                frequency = to_int(s[1], 60) or 60
            elif sub.starts_with("timeout") and len(s) >= 2:
                timeout = to_int(s[1], 5000) or 5000
        found[op] = SlaView(
            op, target, source_if, source_ip, frequency, timeout, op in schedules, schedules.get(op, False)
        )
    return found


@dataclass(frozen=True)
class TrackView:
    """One `track N ip sla M` or `track N interface X` object."""
    number: int
    kind: Literal["ip-sla", "interface"]
    target: str          # SLA operation number or interface name


def tracks(tree: ConfigTree) -> dict[int, TrackView]:
    """Every supported `track` object, by number."""
    found: dict[int, TrackView] = {}
    for line in tree.find("track"):
        w = line.words
        if len(w) < 4 or not w[1].isdigit():
            continue
        if w[2] == "ip" and w[3] == "sla" and len(w) >= 5:
            found[int(w[1])] = TrackView(int(w[1]), "ip-sla", w[4])
        elif w[2] == "interface" and len(w) >= 4:
            found[int(w[1])] = TrackView(int(w[1]), "interface", w[3])
    return found


def hostname(tree: ConfigTree, default: str) -> str:
    """The `hostname` line, else ``default``."""
    line = tree.first("hostname")
    return line.words[1] if line is not None and len(line.words) >= 2 else default
