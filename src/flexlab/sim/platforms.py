"""The hardware interfaces each containerlab kind boots with.

- ``cisco_iol``: Ethernet<slot>/<port>, four ports per slot; slot 0 always (Ethernet0/0 is
  management), up to the slot of the highest wired port (containerlab nodes/iol/iol.go maps
  ethN to slot N//4, port N%4, and IOL shows every port of a provisioned slot).
- ``cisco_vios``: GigabitEthernet0/0 to 0/15 (vrnetlab cisco/vios: 15 data NICs + management).
- ``cisco_csr1000v``: GigabitEthernet1 to 32 (vrnetlab default of 31 data NICs + management).
- ``cisco_c8000v``: GigabitEthernet1 to 10 (vrnetlab: 9 data NICs + management).

A port the topology wires beyond a VM kind's NIC count is added (a generated design with
many spokes still boots; real vrnetlab would not have it). Unconfigured, ports are shut down:
`show ip interface brief` shows
``unassigned YES unset administratively down down`` (containerlab's cisco_iol page). Other
physical names are refused as IOS refuses an unknown interface; logical interfaces
(Loopback, Tunnel, Virtual-Template) are created and deleted freely.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

PHYSICAL_REMOVAL = "% Removal of physical interfaces is not permitted"
_LOGICAL = ("Loopback", "Tunnel", "Virtual-Template", "Virtual-Access", "Null")


@dataclass(frozen=True)
class Platform:
    """The hardware of one containerlab kind: which physical interfaces the box has."""
    kind: str
    physical: tuple[str, ...]

    def is_physical(self, name: str) -> bool:
        """Whether ``name`` is a physical port of this box (not a subinterface or logical one)."""
        return name in self.physical

    def exists(self, name: str) -> bool:
        """May ``interface <name>`` be entered: a port of this box, a subinterface of one, or
        a logical interface."""
        if name.startswith(_LOGICAL):
            return True
        return name.split(".", 1)[0] in self.physical


def _iol(wired: Iterable[str]) -> tuple[str, ...]:
    slots = max((int(m.group(1)) for name in wired if (m := re.fullmatch(r"Ethernet(\d+)/\d+", name))), default=0) + 1
    return tuple(f"Ethernet{slot}/{port}" for slot in range(slots) for port in range(4))


_FIXED = {
    "cisco_vios": tuple(f"GigabitEthernet0/{n}" for n in range(16)),
    "cisco_csr1000v": tuple(f"GigabitEthernet{n}" for n in range(1, 33)),
    "cisco_c8000v": tuple(f"GigabitEthernet{n}" for n in range(1, 11)),
}


def platform_for(kind: str, wired: Iterable[str]) -> Platform:
    """The interface set of ``kind`` whose data links are the IOS interfaces ``wired``."""
    wired = tuple(wired)
    if kind == "cisco_iol":
        return Platform(kind, _iol(wired))
    if kind in _FIXED:
        fixed = _FIXED[kind]
        return Platform(kind, fixed + tuple(name for name in wired if name not in fixed))
    raise ValueError(f"no interface set known for kind {kind!r}")


def interface_lines(platform: Platform, configured: Iterable[str]) -> list[str]:
    """Config lines creating the physical interfaces not in ``configured``, shut down."""
    have = set(configured)
    lines: list[str] = []
    for name in platform.physical:
        if name not in have:
            lines += [f"interface {name}", " shutdown", "!"]
    return lines


def type_length(name: str) -> int:
    """Characters of the type word in a canonical name (``Ethernet0/1`` -> 8)."""
    match = re.match(r"[A-Za-z-]+", name)
    return match.end() if match else 0
