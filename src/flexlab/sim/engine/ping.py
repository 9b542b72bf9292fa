"""`ping` and `traceroute` from a node: ICMP echoes through the real forwarding path.

A :class:`ProbeRun` sends the probes of a :class:`~flexlab.sim.device_api.ProbeRequest`
one after another with the node's :class:`~flexlab.sim.engine.echo.EchoService` — the same
echoes IP SLA sends — so they cross the routing tables, tunnels and IPsec SAs as traffic
does, and fail while a spoke is between hubs. The next probe leaves when the previous one
is answered or timed out; timeouts run on the lab clock, so a failing ping takes lab time.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING

from flexlab.sim.device_api import ProbeAnswer, ProbeError, ProbeRequest
from flexlab.sim.engine.echo import EchoResult

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node

IPv4Address = ipaddress.IPv4Address
BAD_SOURCE_INTERFACE = "% Invalid source interface - IP not enabled or interface is down"
BAD_SOURCE_ADDRESS = "% Invalid source address- IP address not on any of our up interfaces"


def _source_address(node: Node, source: str | None) -> IPv4Address | None:
    """The address a `source` option names, checked as IOS does (interface up, address local)."""
    if source is None:
        return None
    try:
        address = IPv4Address(source)
    except ValueError:
        iface = node.interfaces.get(source)
        interface_address = node.interfaces.ip_of(source) if iface is not None and iface.line_up else None
        if interface_address is None:
            raise ProbeError(BAD_SOURCE_INTERFACE) from None
        return interface_address
    owner = node.interfaces.local_addresses().get(address)
    iface = node.interfaces.get(owner)
    if iface is None or not iface.line_up:
        raise ProbeError(BAD_SOURCE_ADDRESS)
    return address


class ProbeRun:
    """One `ping` or `traceroute` in progress on ``node``."""

    def __init__(self, node: Node, request: ProbeRequest) -> None:
        self.node = node
        self.request = request
        self.target = IPv4Address(request.target)
        chosen = _source_address(node, request.source)
        self.source = str(chosen) if chosen is not None else None
        self._chosen = chosen
        self.ident = node.echo.new_ident()
        self._index = 0
        self._reached_ttl: int | None = None
        self._on_answer: Callable[[ProbeAnswer], None] = lambda answer: None
        self._on_done: Callable[[], None] = lambda: None
        self.finished = False

    def start(self, on_answer: Callable[[ProbeAnswer], None], on_done: Callable[[], None]) -> None:
        """Start sending; ``on_answer`` gets each probe's answer, ``on_done`` runs after the last."""
        self._on_answer, self._on_done = on_answer, on_done
        self.node.after(0.0, self._send)

    def abort(self) -> None:
        """Stop now (the user typed the escape sequence); no more answers are reported."""
        if not self.finished:
            self.node.echo.cancel(self.ident)
            self._finish()

    def _send(self) -> None:
        if self.finished:
            return
        if self._index >= len(self.request.ttls) or self._group_done_after_reach():
            self._finish()
            return
        ttl = self.request.ttls[self._index]
        self._index += 1
        source = self._chosen
        if source is None:
            found = self.node.source_for(self.target)
            source = found[0] if found else None
        if source is None:   # no route: nothing leaves, the probe times out
            self.node.after(self.request.timeout_s, self._answered, EchoResult("timeout"))
            return
        self.node.echo.send(source, self.target, ident=self.ident, seq=self._index, size=self.request.size,
                            timeout_s=self.request.timeout_s, done=self._answered, ttl=ttl)

    def _group_done_after_reach(self) -> bool:
        """Traceroute: the target answered at some TTL and that TTL's probes are all sent."""
        return (self.request.stop_on_reach and self._reached_ttl is not None
                and self.request.ttls[self._index] != self._reached_ttl)

    def _answered(self, result: EchoResult) -> None:
        if self.finished:
            return
        if result.ok and self.request.stop_on_reach:
            self._reached_ttl = self.request.ttls[self._index - 1]
        responder = str(result.responder) if result.responder is not None else None
        self._on_answer(ProbeAnswer(result.outcome, result.rtt_ms, responder))
        self.node.after(0.0, self._send)    # a timer, not a call: long pings do not recurse

    def _finish(self) -> None:
        self.finished = True
        self._on_done()


def start_probes(node: Node, request: ProbeRequest) -> ProbeRun:
    """A run ready to start; raises ProbeError for a source IOS would refuse."""
    return ProbeRun(node, request)
