"""Packet captures of the embedded lab: what crosses one node's interfaces, per frame.

The fabric calls :meth:`CaptureTable.tap` for every packet that leaves or enters an
Ethernet interface while a capture of that (node, interface) is on; with no capture on the
check is one empty-dict test per hop. A frame keeps the packet (immutable) and the instant
it crossed the interface, converted to the capturing node's device clock (what `show clock`
prints, read as UTC) so a pcap carries device time. Rendering to pcap happens once, when
the capture stops (:mod:`flexlab.sim.pcap`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flexlab.errors import FlexlabError
from flexlab.sim.engine.underlay import Packet

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node


class CaptureError(FlexlabError):
    """Unknown node, interface or capture id."""


def interface_mac(node: str, interface: str) -> str:
    """A stable, locally administered MAC per node interface."""
    digest = hashlib.sha1(f"{node}/{interface}".encode()).digest()
    return "aa:bb:cc:" + ":".join(f"{b:02x}" for b in digest[:3])


@dataclass(frozen=True, slots=True)
class Frame:
    """One packet crossing a captured interface."""

    device_ts: float      # capturing node's device clock, as UTC epoch seconds
    interface: str
    src_mac: str
    dst_mac: str
    packet: Packet


@dataclass
class PacketCapture:
    """One capture (`monitor capture` style): the frames seen on some interfaces of one node."""
    capture_id: int
    node: str
    interfaces: tuple[str, ...]
    frames: list[Frame] = field(default_factory=list)


class CaptureTable:
    """The lab's running captures, indexed by (node, interface) for the fabric."""

    def __init__(self) -> None:
        self.taps: dict[tuple[str, str], list[PacketCapture]] = {}
        self.captures: dict[int, PacketCapture] = {}
        self._next_id = 1

    def start(self, node: str, interfaces: tuple[str, ...]) -> PacketCapture:
        """Open a capture on ``interfaces`` of ``node``; frames are tapped from now on."""
        capture = PacketCapture(self._next_id, node, interfaces)
        self._next_id += 1
        self.captures[capture.capture_id] = capture
        for interface in interfaces:
            self.taps.setdefault((node, interface), []).append(capture)
        return capture

    def stop(self, capture_id: int) -> PacketCapture:
        """End a capture and return it with its frames; an unknown id is a CaptureError."""
        capture = self.captures.pop(capture_id, None)
        if capture is None:
            raise CaptureError(f"no running capture {capture_id}")
        for interface in capture.interfaces:
            key = (capture.node, interface)
            remaining = [c for c in self.taps.get(key, []) if c is not capture]
            if remaining:
                self.taps[key] = remaining
            else:
                self.taps.pop(key, None)
        return capture

    def tap(self, node: Node, interface: str, peer: str, peer_interface: str, packet: Packet,
            at: float, outbound: bool) -> None:
        """Record ``packet`` crossing ``node``'s ``interface`` at lab instant ``at``."""
        captures = self.taps.get((node.name, interface))
        if not captures:
            return
        own, far = interface_mac(node.name, interface), interface_mac(peer, peer_interface)
        src, dst = (own, far) if outbound else (far, own)
        device_ts = node.device_time(at).timestamp()
        frame = Frame(device_ts, interface, src, dst, packet)
        for capture in captures:
            capture.frames.append(frame)
