"""`debug ...`, `undebug all` / `no debug all` and `show debugging`.

Debug flags are per router (as on IOS, not per session) and gone after a reload. The lab
accepts the debugs below and reports them; it prints no debug messages (not modelled).
The confirmation texts follow IOS; the `show debugging` grouping is modelled on IOS
(an assumption, see docs/embedded-cli.md).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

#: canonical words after `debug` -> (show debugging section, the "... is on" line)
DEBUGS: dict[tuple[str, ...], tuple[str, str]] = {
    ("crypto", "ikev2"): ("Cryptographic Subsystem", "IKEv2 default debugging is on"),
    ("crypto", "ipsec"): ("Cryptographic Subsystem", "Crypto IPSEC debugging is on"),
    ("crypto", "isakmp"): ("Cryptographic Subsystem", "Crypto ISAKMP debugging is on"),
    ("ip", "bgp"): ("IP routing", "BGP debugging is on for address family: IPv4 Unicast"),
    ("ip", "icmp"): ("IP routing", "ICMP packet debugging is on"),
    ("ip", "routing"): ("IP routing", "IP routing debugging is on"),
}
#: the grammar fragment naming them: ``(crypto (ikev2|ipsec|isakmp)|ip (bgp|icmp|routing))``
DEBUG_TARGETS = "(crypto (ikev2|ipsec|isakmp)|ip (bgp|icmp|routing))"
ALL_OFF = "All possible debugging has been turned off\n"

_flags: weakref.WeakKeyDictionary[object, tuple[int, set[tuple[str, ...]]]] = weakref.WeakKeyDictionary()


def _on(device: object) -> set[tuple[str, ...]]:
    """The device's debug flags; a reboot (``device.boots`` changed) cleared them."""
    boots = int(getattr(device, "boots", 0))
    known = _flags.get(device)
    if known is None or known[0] != boots:
        known = (boots, set())
        _flags[device] = known
    return known[1]


def debug(device: object, words: Sequence[str]) -> str:
    """`debug <target>`: words are the canonical command words."""
    target = tuple(words[1:])
    _on(device).add(target)
    return DEBUGS[target][1] + "\n"


def undebug(device: object, words: Sequence[str]) -> str:
    """`undebug all|<target>`, `no debug all|<target>`."""
    target = tuple(words[2:] if words[0] == "no" else words[1:])
    flags = _on(device)
    if target == ("all",):
        flags.clear()
        return ALL_OFF
    flags.discard(target)
    return DEBUGS[target][1].replace(" is on", " is off") + "\n"


def show_debugging(device: object) -> str:
    """`show debugging`: the enabled debug flags, grouped under their section headings."""
    sections: dict[str, list[str]] = {}
    for target in sorted(_on(device)):
        section, line = DEBUGS[target]
        sections.setdefault(section, []).append(line)
    return "".join(f"{section}:\n" + "".join(f"  {line}\n" for line in lines) for section, lines in sections.items())
