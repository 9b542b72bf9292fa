"""Interface names as IOS accepts and prints them.

IOS takes any unambiguous abbreviation of the interface type, with or without a space
before the number (``e0/1``, ``Eth 0/1``, ``gi2``, ``lo1``, ``tu1``), and stores the full
name (``Ethernet0/1``). The embedded lab plays the IOL, IOSv and CSR1000v kinds, so the
numbering of all of them is accepted: ``Ethernet0/1``, ``GigabitEthernet0/1``,
``GigabitEthernet2``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flexlab.sim.shell.params import (
    Param,
    ParamMatch,
    ParamResult,
    Token,
    common_prefix_len,
)


@dataclass(frozen=True)
class InterfaceType:
    """One IOS interface type: full name, number syntax, its place in the running-config order."""
    name: str
    number: str          # regex for the number part
    order: int           # position of its blocks in the running configuration
    tunnel_like: bool = False


_SLOT_PORT = r"\d+(?:/\d+){0,2}(?:\.\d+)?"

INTERFACE_TYPES: tuple[InterfaceType, ...] = (
    InterfaceType("Loopback", r"\d+", 0),
    InterfaceType("Tunnel", r"\d+", 1, tunnel_like=True),
    InterfaceType("Null", r"0", 2),
    InterfaceType("Ethernet", r"\d+/\d+(?:/\d+)?(?:\.\d+)?", 3),
    InterfaceType("FastEthernet", _SLOT_PORT, 4),
    InterfaceType("GigabitEthernet", _SLOT_PORT, 5),
    InterfaceType("Virtual-Template", r"\d+", 6, tunnel_like=True),
    InterfaceType("Virtual-Access", r"\d+(?:\.\d+)?", 7, tunnel_like=True),
)
_BY_NAME = {t.name.lower(): t for t in INTERFACE_TYPES}


def resolve_type(text: str) -> InterfaceType | None:
    """The interface type an (abbreviated, any-case) type word stands for, if unambiguous."""
    lowered = text.lower()
    if lowered in _BY_NAME:
        return _BY_NAME[lowered]
    candidates = [t for t in INTERFACE_TYPES if t.name.lower().startswith(lowered)]
    return candidates[0] if len(candidates) == 1 else None


def split_name(name: str) -> tuple[InterfaceType, str] | None:
    """``"Ethernet0/1"`` -> (Ethernet type, ``"0/1"``) for canonical or abbreviated names."""
    m = re.fullmatch(r"([A-Za-z][A-Za-z-]*?)\s*(\d[\d/.]*)", name.strip())
    if not m:
        return None
    itype = resolve_type(m.group(1))
    if itype is None or not re.fullmatch(itype.number, m.group(2)):
        return None
    return itype, m.group(2)


def canonical_interface(name: str) -> str | None:
    """Full IOS interface name, or None when ``name`` is not one."""
    parts = split_name(name)
    return f"{parts[0].name}{parts[1]}" if parts else None


def interface_sort_key(name: str) -> tuple[int, tuple[int, ...]]:
    """Running-config order: by type (Loopback, Tunnel, physical, Virtual-Template), then number."""
    parts = split_name(name)
    if parts is None:
        return (99, ())
    return parts[0].order, tuple(int(n) for n in re.split(r"[/.]", parts[1]))


def is_tunnel_like(name: str) -> bool:
    """Whether the interface is a Tunnel, Virtual-Template or Virtual-Access (its block takes the `tunnel` commands)."""
    parts = split_name(name)
    return bool(parts and parts[0].tunnel_like)


class InterfaceParam(Param):
    """An interface name; ``types`` limits it (e.g. only Virtual-Template)."""

    def __init__(self, types: Sequence[str] | None = None) -> None:
        self.types = tuple(t.lower() for t in types) if types else None
        self.key = "if" + (":" + ",".join(self.types) if self.types else "")

    def _allowed(self, itype: InterfaceType) -> bool:
        return self.types is None or itype.name.lower() in self.types

    def match(self, tokens: Sequence[Token], i: int, line: str) -> ParamResult:
        """An interface name, abbreviated or not, with its number attached or as the next word (`gi 0/0/1`)."""
        text = tokens[i].text
        m = re.fullmatch(r"([A-Za-z][A-Za-z-]*?)(\d.*)?", text)
        if not m:
            return ParamResult()
        itype = resolve_type(m.group(1))
        if itype is None:
            best = max(common_prefix_len(m.group(1), t.name) for t in INTERFACE_TYPES)
            return ParamResult(fail_offset=best)
        if not self._allowed(itype):
            return ParamResult()
        number, consumed = m.group(2), 1
        if number is None:
            if i + 1 >= len(tokens):
                return ParamResult(incomplete=True)
            number, consumed = tokens[i + 1].text, 2
        if not re.fullmatch(itype.number, number):
            offset = len(m.group(1)) if consumed == 1 else tokens[i + 1].start - tokens[i].start
            return ParamResult(fail_offset=offset)
        return ParamResult((ParamMatch(f"{itype.name}{number}", consumed),))
