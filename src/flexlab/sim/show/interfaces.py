"""`show ip interface brief` and `show interfaces [IF]`."""

from __future__ import annotations

import re

from flexlab.sim.show.errors import UnknownShowCommand
from flexlab.sim.show.fmt import elapsed, join_lines
from flexlab.sim.state import InterfaceState, NodeSnapshot

_HARDWARE = {
    "loopback": "Loopback",
    "tunnel": "Tunnel",
    "virtual-access": "Virtual Access interface",
    "virtual-template": "Virtual Template interface",
}
_ENCAPSULATION = {
    "ethernet": "ARPA",
    "loopback": "LOOPBACK",
    "tunnel": "TUNNEL",
    "virtual-access": "TUNNEL",
    "virtual-template": "TUNNEL",
}


def link_up(intf: InterfaceState) -> bool:
    """Physical status: explicit when the engine gives it, else ethernet follows the line
    protocol and logical interfaces are up whenever not shut down."""
    if not intf.admin_up:
        return False
    if intf.link_up is not None:
        return intf.link_up
    return intf.line_up if intf.kind == "ethernet" else True


def status_word(intf: InterfaceState) -> str:
    """The Status column: administratively down, up or down (physical link)."""
    if not intf.admin_up:
        return "administratively down"
    return "up" if link_up(intf) else "down"


def protocol_word(intf: InterfaceState) -> str:
    """The Protocol column: up when not shut and the line protocol is up."""
    return "up" if intf.admin_up and intf.line_up else "down"


def find_interface(snap: NodeSnapshot, name: str) -> InterfaceState | None:
    """The interface called ``name``: exact, case-insensitive, or an abbreviated type with
    the same number (``Tu1``, ``e0/1``, ``virtual-a1``)."""
    wanted = name.lower()
    for intf in snap.interfaces:
        if intf.name.lower() == wanted:
            return intf
    match = re.fullmatch(r"([a-z-]+)\s*([\d/.:]+)", wanted)
    if not match:
        return None
    kind, number = match.groups()
    candidates = [
        intf
        for intf in snap.interfaces
        if (m := re.fullmatch(r"([A-Za-z-]+)([\d/.:]+)", intf.name))
        and m.group(1).lower().startswith(kind)
        and m.group(2) == number
    ]
    return candidates[0] if len(candidates) == 1 else None


def _borrowed_address(snap: NodeSnapshot, intf: InterfaceState) -> tuple[str, int] | None:
    """(address, prefixlen) shown for the interface: its own, or the unnumbered source's."""
    if intf.address is not None and intf.prefixlen is not None:
        return str(intf.address), intf.prefixlen
    if intf.unnumbered:
        source = find_interface(snap, intf.unnumbered)
        if source is not None and source.address is not None and source.prefixlen is not None:
            return str(source.address), source.prefixlen
    return None


# ---------------------------------------------------------------- show ip interface brief


def render_ip_interface_brief(snap: NodeSnapshot) -> str:
    """`show ip interface brief`, with the name column as wide as the image family prints it."""
    # Classic IOS (IOL, IOSv) prints a 27-column name field; IOS XE a 23-column one.
    width = 22 if snap.version.os_family == "iosxe" else 26
    lines = [f"{'Interface':<{width}} {'IP-Address':<15} OK? Method {'Status':<21} Protocol"]
    for intf in snap.interfaces:
        shown = _borrowed_address(snap, intf)
        address = shown[0] if shown else "unassigned"
        lines.append(
            f"{intf.name:<{width}} {address:<15} YES {intf.method:<6} {status_word(intf):<21} {protocol_word(intf):<8}"
        )
    return join_lines(lines)


# ---------------------------------------------------------------- show interfaces


def selected_interfaces(snap: NodeSnapshot, words: list[str], args: list[str]) -> list[InterfaceState]:
    """Every interface, or the one ``args`` names (``Ethernet0/1`` or ``Ethernet 0/1``);
    IOS's error under the name when the device has no such interface."""
    first_arg = len(words) - len(args)
    if len(args) > 2:
        raise UnknownShowCommand(words, first_arg + 2)
    if not args:
        return list(snap.interfaces)
    intf = find_interface(snap, "".join(args))
    if intf is None:
        raise UnknownShowCommand(words, first_arg)
    return [intf]


def render_interfaces(snap: NodeSnapshot, args: list[str]) -> str:
    """All interfaces, or the one named by ``args`` (``Ethernet0/1`` or ``Ethernet 0/1``)."""
    lines: list[str] = []
    for intf in selected_interfaces(snap, ["show", "interfaces", *args], args):
        lines += _interface_block(snap, intf)
    return join_lines(lines)


def _interface_block(snap: NodeSnapshot, intf: InterfaceState) -> list[str]:
    lines = [f"{intf.name} is {status_word(intf)}, line protocol is {protocol_word(intf)} "]
    lines.append(f"  Hardware is {_hardware(intf)}")
    if intf.description:
        lines.append(f"  Description: {intf.description}")
    lines += _address_lines(snap, intf)
    lines += [
        f"  MTU {intf.mtu} bytes, BW {intf.bandwidth_kbit} Kbit/sec, DLY {intf.delay_usec} usec, ",
        "     reliability 255/255, txload 1/255, rxload 1/255",
        f"  Encapsulation {_ENCAPSULATION[intf.kind]}, loopback not set",
    ]
    lines += _keepalive_and_kind_lines(snap, intf)
    lines += _counter_lines(snap, intf)
    return lines


def _hardware(intf: InterfaceState) -> str:
    if intf.kind != "ethernet":
        return _HARDWARE[intf.kind]
    chip = "iGbit" if intf.name.startswith("GigabitEthernet") else "AmdP2"
    return f"{chip}, address is {intf.mac} (bia {intf.mac})"


def _address_lines(snap: NodeSnapshot, intf: InterfaceState) -> list[str]:
    if intf.unnumbered:
        shown = _borrowed_address(snap, intf)
        source_address = shown[0] if shown else "0.0.0.0"
        return [f"  Interface is unnumbered. Using address of {intf.unnumbered} ({source_address})"]
    if intf.address is not None:
        return [f"  Internet address is {intf.address}/{intf.prefixlen}"]
    return []


def _keepalive_and_kind_lines(snap: NodeSnapshot, intf: InterfaceState) -> list[str]:
    if intf.kind == "ethernet":
        lines = ["  Keepalive set (10 sec)"]
        if intf.name.startswith("GigabitEthernet"):  # IOSv/CSR NICs report duplex; IOL's AmdP2 does not
            lines += [
                "  Full Duplex, Auto Speed, link type is auto, media type is RJ45",
                "  output flow-control is unsupported, input flow-control is unsupported",
            ]
        return lines + ["  ARP type: ARPA, ARP Timeout 04:00:00"]
    if intf.kind == "loopback":
        return ["  Keepalive set (10 sec)"]
    lines = []
    if intf.kind == "virtual-access":
        lines += ["  Tunnel vaccess, cloned from Virtual-Template1", "  Vaccess status 0x4, loopback not set"]
    lines += ["  Keepalive not set", f"  Tunnel linestate evaluation {protocol_word(intf)}"]
    lines.append(f"  Tunnel source {_tunnel_endpoints(snap, intf)}")
    lines += [
        "  Tunnel protocol/transport GRE/IP",
        "    Key disabled, sequencing disabled",
        "    Checksumming of packets disabled",
        "  Tunnel TTL 255, Fast tunneling enabled",
        "  Tunnel transport MTU 1476 bytes",
        "  Tunnel transmit bandwidth 8000 (kbps)",
        "  Tunnel receive bandwidth 8000 (kbps)",
    ]
    if intf.tunnel_protection:
        lines.append(f'  Tunnel protection via IPSec (profile "{intf.tunnel_protection}")')
    return lines


def _tunnel_endpoints(snap: NodeSnapshot, intf: InterfaceState) -> str:
    """``100.64.0.10 (Ethernet0/1), destination 100.64.0.2``."""
    source = intf.tunnel_source or "UNKNOWN"
    source_intf = find_interface(snap, source)
    if source_intf is not None:
        address = str(source_intf.address) if source_intf.address is not None else "UNKNOWN"
        source = f"{address} ({source_intf.name})"
    destination = intf.tunnel_destination or "UNKNOWN"
    return f"{source}, destination {destination}"


def _counter_lines(snap: NodeSnapshot, intf: InterfaceState) -> list[str]:
    last_in = elapsed(None if intf.last_input is None else snap.now - intf.last_input)
    last_out = elapsed(None if intf.last_output is None else snap.now - intf.last_output)
    output_queue = "0/0" if intf.kind == "loopback" else "0/40"
    lines = [
        f"  Last input {last_in}, output {last_out}, output hang never",
        '  Last clearing of "show interface" counters never',
        "  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: 0",
        "  Queueing strategy: fifo",
        f"  Output queue: {output_queue} (size/max)",
        "  5 minute input rate 0 bits/sec, 0 packets/sec",
        "  5 minute output rate 0 bits/sec, 0 packets/sec",
        f"     {intf.packets_in} packets input, {intf.bytes_in} bytes, 0 no buffer",
        "     Received 0 broadcasts (0 IP multicasts)",
        "     0 runts, 0 giants, 0 throttles ",
    ]
    output_lines = [
        f"     {intf.packets_out} packets output, {intf.bytes_out} bytes, 0 underruns",
        "     0 output errors, 0 collisions, 0 interface resets",
        "     0 unknown protocol drops",
    ]
    if intf.kind != "ethernet":
        lines.append("     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored, 0 abort")
        lines += output_lines
    elif intf.name.startswith("GigabitEthernet"):  # IOSv / CSR virtual NICs
        lines += [
            "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored",
            "     0 watchdog, 0 multicast, 0 pause input",
        ]
        lines += output_lines
        lines += ["     0 babbles, 0 late collision, 0 deferred", "     0 lost carrier, 0 no carrier, 0 pause output"]
    else:  # IOL's emulated AmdP2 Ethernet
        lines += [
            "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored",
            "     0 input packets with dribble condition detected",
        ]
        lines += output_lines[:1] + ["     Output 0 broadcasts (0 IP multicasts)"] + output_lines[1:]
        lines += ["     0 babbles, 0 late collision, 0 deferred", "     0 lost carrier, 0 no carrier"]
    lines.append("     0 output buffer failures, 0 output buffers swapped out")
    return lines
