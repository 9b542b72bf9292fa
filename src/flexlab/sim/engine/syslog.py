"""Syslog messages (exact IOS texts) and the size-limited logging buffer.

Message texts follow real IOS output (facts.md §3 and the seed document):
``%LINEPROTO-5-UPDOWN``, ``%LINK-3-UPDOWN``, ``%LINK-5-CHANGED``,
``%CRYPTO-5-IKEV2_SESSION_STATUS`` (two spaces before ``Peer``),
``%FLEXVPN-6-FLEXVPN_CONNECTION_UP/DOWN``, ``%BGP-5-ADJCHANGE``, ``%BGP-3-NOTIFICATION``,
``%BGP_SESSION-5-ADJCHANGE`` (dynamic neighbour deleted), ``%SYS-5-RESTART``.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass

from flexlab.sim.state import LogEntry

#: ``(facility, severity, mnemonic, text)``
Message = tuple[str, int, str, str]

_LEVELS = {
    "emergencies": 0, "alerts": 1, "critical": 2, "errors": 3,
    "warnings": 4, "notifications": 5, "informational": 6, "debugging": 7,
}
_ENTRY_OVERHEAD = 40  # timestamp, "%FAC-S-MNEMONIC: " and newline, roughly


def lineproto(interface: str, up: bool) -> Message:
    """%LINEPROTO-5-UPDOWN: line protocol of an interface went up or down."""
    return (
        "LINEPROTO",
        5,
        "UPDOWN",
        f"Line protocol on Interface {interface}, changed state to {'up' if up else 'down'}",
    )


def link_updown(interface: str, up: bool) -> Message:
    """%LINK-3-UPDOWN: an interface went up or down."""
    return ("LINK", 3, "UPDOWN", f"Interface {interface}, changed state to {'up' if up else 'down'}")


def link_admin_down(interface: str) -> Message:
    """%LINK-5-CHANGED: an interface was shut (administratively down)."""
    return ("LINK", 5, "CHANGED", f"Interface {interface}, changed state to administratively down")


def ikev2_session(up: bool, peer: object, identity: object, port: int = 500) -> Message:
    """%CRYPTO-5-IKEV2_SESSION_STATUS (`crypto logging session`): an IKEv2 session came up or went down."""
    state = "UP" if up else "DOWN"
    return ("CRYPTO", 5, "IKEV2_SESSION_STATUS", f"Crypto tunnel v2 is {state}.  Peer {peer}:{port} Id: {identity}")


def flexvpn_up(client: str, local: object, server: object, assigned: object) -> Message:
    """%FLEXVPN-6-FLEXVPN_CONNECTION_UP: a spoke's FlexVPN client connected, with its assigned address."""
    return (
        "FLEXVPN", 6, "FLEXVPN_CONNECTION_UP",
        f"FlexVPN({client}) Client_public_addr = {local} Server_public_addr = {server} "
        f"Assigned_Tunnel_v4_addr = {assigned}",
    )


def flexvpn_down(client: str, local: object, server: object) -> Message:
    """%FLEXVPN-6-FLEXVPN_CONNECTION_DOWN: a spoke's FlexVPN client lost its server."""
    return (
        "FLEXVPN",
        6,
        "FLEXVPN_CONNECTION_DOWN",
        f"FlexVPN({client}) Client_public_addr = {local} Server_public_addr = {server}",
    )


def ikev2_neg_abort(reason: str) -> Message:
    """A failed IKEv2 negotiation. The reason texts are IOS's IKEv2 debug wording; the
    ``%IKEV2-3-NEG_ABORT`` envelope is [assumed] (docs/embedded-cli-strict.md)."""
    return ("IKEV2", 3, "NEG_ABORT", f"Negotiation aborted due to ERROR: {reason}")


def bgp_adjchange(neighbor: str, up: bool, reason: str = "") -> Message:
    """%BGP-5-ADJCHANGE: a neighbour came Up, or went Down with its reason."""
    return ("BGP", 5, "ADJCHANGE", f"neighbor {neighbor} Up" if up else f"neighbor {neighbor} Down {reason}".rstrip())


def bgp_notification(neighbor: str, sent: bool, code: str, text: str) -> Message:
    """%BGP-3-NOTIFICATION: a NOTIFICATION was sent to or received from a neighbour."""
    direction = "sent to" if sent else "received from"
    return ("BGP", 3, "NOTIFICATION", f"{direction} neighbor {neighbor} {code} ({text}) 0 bytes")


def bgp_neighbor_deleted(neighbor: str) -> Message:
    """%BGP_SESSION-5-ADJCHANGE: a dynamic (listen-range) neighbour was deleted."""
    return (
        "BGP_SESSION",
        5,
        "ADJCHANGE",
        f"neighbor {neighbor} IPv4 Unicast topology base removed from session  Neighbor deleted",
    )


def sys_restart() -> Message:
    """%SYS-5-RESTART: the first message after a boot."""
    return ("SYS", 5, "RESTART", "System restarted --")


@dataclass
class LogBuffer:
    """`logging buffered SIZE LEVEL`: newest entries kept within SIZE bytes."""

    size: int = 4096
    level: str = "debugging"

    def __post_init__(self) -> None:
        self._entries: deque[LogEntry] = deque()
        self._bytes = 0

    def configure(self, size: int, level: str) -> None:
        """Apply `logging buffered SIZE LEVEL`, dropping the oldest entries that no longer fit."""
        self.size, self.level = size, level
        self._trim()

    def add(self, time: float, message: Message, *, synced: bool, stamp: dt.datetime) -> LogEntry | None:
        """Buffer a message unless its severity is above the level; returns the entry or None."""
        facility, severity, mnemonic, text = message
        if severity > _LEVELS.get(self.level, 7):
            return None
        entry = LogEntry(time, facility, severity, mnemonic, text, synced=synced, stamp=stamp)
        self._entries.append(entry)
        self._bytes += self._cost(entry)
        self._trim()
        return entry

    def clear(self) -> None:
        """`clear logging`: empty the buffer."""
        self._entries.clear()
        self._bytes = 0

    def entries(self) -> tuple[LogEntry, ...]:
        """The buffered entries, oldest first (`show logging`)."""
        return tuple(self._entries)

    @staticmethod
    def _cost(entry: LogEntry) -> int:
        return len(entry.facility) + len(entry.mnemonic) + len(entry.text) + _ENTRY_OVERHEAD

    def _trim(self) -> None:
        while self._entries and self._bytes > self.size:
            self._bytes -= self._cost(self._entries.popleft())
