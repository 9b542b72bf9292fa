"""ICMP echoes a node sends itself (IP SLA, `ping`, `traceroute`), answered on the lab clock.

One :class:`EchoService` per node keeps the outstanding probes. A probe is a real ICMP echo
forwarded through the routing tables (tunnels and IPsec included, see underlay.py); it ends
with the first of: the echo reply, an ICMP time-exceeded from a router on the way (probes
sent with a TTL, for traceroute), or the timeout on the lab clock. The ``done`` callback
gets an :class:`EchoResult`; a late answer after the timeout is ignored, as IOS ignores it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from flexlab.sim.engine.scheduler import Timer
from flexlab.sim.engine.underlay import Packet

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node

IPv4Address = ipaddress.IPv4Address
#: Size of an ICMP time-exceeded message (IP + ICMP header + the original header and 8 bytes).
TIME_EXCEEDED_SIZE = 56

Outcome = Literal["reply", "ttl-exceeded", "timeout"]


@dataclass(frozen=True)
class EchoResult:
    """Outcome of one ICMP echo: reply, timeout or TTL exceeded, with its round trip in milliseconds."""
    outcome: Outcome
    rtt_ms: int | None = None               # whole milliseconds, at least 1 (as IOS prints them)
    responder: IPv4Address | None = None    # who answered: the target, or the router where the TTL ran out

    @property
    def ok(self) -> bool:
        """Whether an echo reply came back (the `!` of `ping`)."""
        return self.outcome == "reply"


Done = Callable[[EchoResult], None]


def rtt_ms(seconds: float) -> int:
    """A round-trip time as IOS reports it: whole milliseconds, never below 1."""
    return max(1, round(seconds * 1000))


@dataclass
class _Pending:
    sent: float
    timeout: Timer
    done: Done


class EchoService:
    """The node's outstanding ICMP echoes, matched to replies by (identifier, sequence)."""
    def __init__(self, node: Node) -> None:
        self.node = node
        self._next_ident = 0
        self._pending: dict[tuple[int, int], _Pending] = {}

    def new_ident(self) -> int:
        """An ICMP identifier of its own for one sender (an SLA operation, a ping)."""
        self._next_ident += 1
        return self._next_ident

    def send(self, source: IPv4Address, target: IPv4Address, *, ident: int, seq: int, size: int,
             timeout_s: float, done: Done, ttl: int | None = None) -> None:
        """Send one echo now; ``done`` runs once, with the answer or at the timeout."""
        key = (ident, seq)
        timer = self.node.after(timeout_s, self._timed_out, key)
        self._pending[key] = _Pending(self.node.now(), timer, done)
        self.node.send(Packet(source, target, "icmp", ("echo", ident, seq), size, ttl=ttl))

    def cancel(self, ident: int) -> None:
        """Forget every outstanding probe of ``ident`` (the sender stopped)."""
        for key in [k for k in self._pending if k[0] == ident]:
            self._pending.pop(key).timeout.cancel()

    def on_icmp(self, packet: Packet) -> None:
        """An echo reply or time-exceeded addressed to this node."""
        kind, ident, seq = packet.payload
        pending = self._pending.pop((ident, seq), None)
        if pending is None:
            return
        pending.timeout.cancel()
        outcome: Outcome = "reply" if kind == "reply" else "ttl-exceeded"
        pending.done(EchoResult(outcome, rtt_ms(self.node.now() - pending.sent), packet.src))

    def _timed_out(self, key: tuple[int, int]) -> None:
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.done(EchoResult("timeout"))


def ttl_expired(node: Node, packet: Packet, delay: float) -> None:
    """``node`` dropped ``packet`` whose TTL ran out: it answers with ICMP time-exceeded,
    from its address towards the sender (the egress of the way back, which on the
    symmetric paths of the lab is the interface the probe came in on)."""
    if packet.proto != "icmp" or packet.payload[0] != "echo":
        return
    back = node.source_for(packet.src)
    if back is None:
        return
    reply = Packet(back[0], packet.src, "icmp", ("ttl-exceeded", *packet.payload[1:]), TIME_EXCEEDED_SIZE)
    node.lab.fabric.transmit(node, reply, delay)
