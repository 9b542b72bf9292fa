"""Packets, links and forwarding between simulated nodes.

A packet is forwarded hop by hop through the nodes' routing tables when it is sent: every
hop must be a running, unfrozen, non-blackholed node whose egress interface and link are
up. Routing into a tunnel interface (spoke Tunnel1, hub Virtual-AccessN) encapsulates the
packet in ESP towards the IKE peer (counting as outbound traffic for on-demand DPD); the
outer packet is then forwarded the same way. The walk ends where the destination address
is local; an arrival event is scheduled there after the summed per-hop latency, and the
receiving node is checked again on arrival (a node that froze or stopped meanwhile drops
it). Latencies are milliseconds, so route changes during a packet's flight are ignored.
A probe with a TTL loses one at each router that forwards it (not at its sender); where
it reaches 0 that router answers with ICMP time-exceeded (echo.py).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flexlab.sim.topology import Port

if TYPE_CHECKING:
    from flexlab.sim.engine.capture import CaptureTable
    from flexlab.sim.engine.node import Node

IPv4Address = ipaddress.IPv4Address
MAX_HOPS = 24


@dataclass(slots=True)
class Packet:
    """One IP packet on the fabric; ESP carries the SPI as payload and the tunnelled packet as ``inner``."""
    src: IPv4Address
    dst: IPv4Address
    proto: str                 # "icmp", "ike", "tcp", "esp"
    payload: Any = None
    size: int = 100
    inner: Packet | None = None
    seq: int = 0               # ESP sequence number
    ttl: int | None = None     # modelled only for probes that set it (traceroute)


@dataclass
class Fabric:
    """Point-to-point links of the lab (the topology's ``ethN`` ports mapped to IOS names)."""

    hop_latency: float
    links: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    dropped: int = 0
    captures: CaptureTable | None = None    # set by the lab; taps only when a capture is on

    @classmethod
    def from_links(cls, links: Iterable[tuple[Port, Port]], hop_latency: float) -> Fabric:
        """Build the fabric from topology links, each usable in both directions."""
        fabric = cls(hop_latency)
        for a, b in links:
            fabric.links[(a.node, a.ifname)] = (b.node, b.ifname)
            fabric.links[(b.node, b.ifname)] = (a.node, a.ifname)
        return fabric

    def peer(self, node: str, interface: str) -> tuple[Node, str] | None:
        """The node and interface at the far end of a link, or None if unlinked or the node is gone."""
        end = self.links.get((node, interface))
        if end is None:
            return None
        other = self.nodes.get(end[0])
        return (other, end[1]) if other is not None else None

    def carrier(self, node: str, interface: str) -> bool:
        """Physical link state seen by ``node`` on ``interface``: the far end exists, its
        node is running (frozen still counts: a paused container keeps its links) and the
        far interface is configured and not shut down."""
        peer = self.peer(node, interface)
        if peer is None:
            return False
        other, other_if = peer
        return other.running and other.interfaces.admin_up(other_if)

    # -- forwarding ---------------------------------------------------------------------
    def transmit(self, origin: Node, packet: Packet, delay: float = 0.0) -> bool:
        """Send ``packet`` from ``origin``; True when an arrival was scheduled."""
        node = origin
        latency = delay
        for _ in range(MAX_HOPS):
            if not node.forwarding:
                break
            if node.interfaces.is_local(packet.dst):
                node.schedule_arrival(packet, latency)
                return True
            if packet.ttl is not None and not node.interfaces.is_local(packet.src):
                packet.ttl -= 1             # a router forwarding someone else's packet
                if packet.ttl <= 0:
                    from flexlab.sim.engine.echo import ttl_expired  # echo.py builds on this module

                    ttl_expired(node, packet, latency)
                    break
            hop = node.rib.resolve(packet.dst)
            if hop is None:
                break
            iface = node.interfaces.get(hop.interface)
            if iface is None or not iface.line_up:
                break
            iface.count_out(packet.size, node.now())
            if iface.kind == "ethernet":
                peer = self.peer(node.name, iface.name)
                if peer is None or node.blackholed or peer[0].blackholed:
                    break
                other, other_if = peer
                other_iface = other.interfaces.get(other_if)
                if other_iface is None or not other_iface.line_up:
                    break
                other_iface.count_in(packet.size, node.now())
                if self.captures is not None and self.captures.taps:
                    self._tap(node, iface.name, other, other_if, packet, latency)
                latency += self.hop_latency
                node = other
            elif iface.sa is not None:
                outer = iface.sa.encapsulate(packet)
                if outer is None:
                    break
                packet = outer
            else:
                break  # Null0 or a tunnel without SA
        self.dropped += 1
        return False

    def _tap(self, node: Node, ifname: str, other: Node, other_if: str, packet: Packet, latency: float) -> None:
        """Hand a packet on the wire to the captures of both link ends (egress, then ingress)."""
        assert self.captures is not None
        sent = node.now() + latency
        self.captures.tap(node, ifname, other.name, other_if, packet, sent, outbound=True)
        self.captures.tap(other, other_if, node.name, ifname, packet, sent + self.hop_latency, outbound=False)
