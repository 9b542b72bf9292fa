"""The DPD schedule a spoke actually sent, read from a capture of its WAN link.

IKEv2 headers travel in clear (RFC 7296 section 3.1): a DPD probe is an INFORMATIONAL
(exchange 37) request (R flag clear) to the peer, a retransmission repeats its message
ID, and after the peer is declared dead the FlexVPN client sends IKE_SA_INIT (34) to its
next peer. facts.md section 1. The pcap is read with scapy (imported lazily: ~0.5 s).

Times are put on the spoke's device-clock axis by the caller's ``to_axis`` (embedded lab:
pcap time *is* device time; a capture on the host: host UTC mapped through the clock offset), the
axis the failure instant is on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from flexlab.results.records import ObservedScheduleRecord

IKE_SA_INIT = 34
INFORMATIONAL = 37
FLAG_INITIATOR = 0x08
FLAG_RESPONSE = 0x20
IKE_PORTS = (500, 4500)
NON_ESP_MARKER = b"\x00\x00\x00\x00"

#: pcap timestamp (epoch seconds) -> the spoke's device-clock axis (naive datetime).
Axis = Callable[[float], datetime]


@dataclass(frozen=True)
class IkePacket:
    """One IKEv2 message as the capture shows it."""

    at: datetime                     # on the spoke's device-clock axis
    src: IPv4Address
    dst: IPv4Address
    exchange: int
    initiator: bool                  # I flag: sent by the original initiator
    response: bool                   # R flag
    message_id: int


@dataclass(frozen=True)
class WirePacket:
    """Any IPv4 packet of the capture (to know when the peer was last heard)."""

    at: datetime
    src: IPv4Address
    dst: IPv4Address


def device_axis(timestamp: float) -> datetime:
    """Embedded lab: the pcap timestamp is the node's device clock taken as UTC epoch."""
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)


def host_axis(to_device: Callable[[datetime], datetime]) -> Axis:
    """Captures with time base "host": host UTC, carried to the spoke's clock (e.g. ClockOffset.to_device)."""
    return lambda timestamp: to_device(datetime.fromtimestamp(timestamp, UTC))


def preload() -> None:
    """Import scapy's layers now (~0.5-1 s): the job does it on a thread while it waits for
    DPD, so reading the captures later costs no import time."""
    from scapy.contrib.ikev2 import IKEv2  # noqa: F401
    from scapy.layers.inet import IP, UDP  # noqa: F401
    from scapy.utils import PcapReader  # noqa: F401


def read_capture(path: Path, to_axis: Axis) -> tuple[list[IkePacket], list[WirePacket]]:
    """IKEv2 messages (UDP 500, or 4500 after the non-ESP marker) and all IPv4 packets."""
    from scapy.contrib.ikev2 import IKEv2
    from scapy.layers.inet import IP, UDP
    from scapy.utils import PcapReader

    ike: list[IkePacket] = []
    wire: list[WirePacket] = []
    with PcapReader(str(path)) as reader:
        for frame in reader:
            if IP not in frame:
                continue
            ip = frame[IP]
            at = to_axis(float(frame.time))
            src, dst = IPv4Address(ip.src), IPv4Address(ip.dst)
            wire.append(WirePacket(at, src, dst))
            header = _ike_header(frame, IKEv2, UDP)
            if header is not None:
                flags = int(header.flags)
                ike.append(IkePacket(at, src, dst, int(header.exch_type), bool(flags & FLAG_INITIATOR),
                                     bool(flags & FLAG_RESPONSE), int(header.id)))
    return ike, wire


def _ike_header(frame: Any, ikev2: Any, udp_layer: Any) -> Any:
    if udp_layer not in frame:
        return None
    udp = frame[udp_layer]
    if udp.sport not in IKE_PORTS and udp.dport not in IKE_PORTS:
        return None
    if ikev2 in frame:
        return frame[ikev2]
    payload = bytes(udp.payload)
    if payload.startswith(NON_ESP_MARKER) and len(payload) >= 32:
        return ikev2(payload[4:])
    return None


@dataclass
class ObservedSchedule:
    """What one spoke sent after the failure; seconds relative to the failure unless noted."""

    spoke: str
    failed_peer: str
    probe_s: float | None = None                  # first R-U-THERE after the failure
    message_id: int | None = None
    spacings_s: list[float] = field(default_factory=list)   # each retransmission - the previous send
    next_peer: str | None = None
    next_peer_s: float | None = None              # first IKE_SA_INIT to another peer, after the probe
    quiet_before_probe_s: float | None = None     # probe - last packet from the failed peer
    probes_before_failure_s: list[float] = field(default_factory=list)   # (negative) seconds
    quiet_before_early_probes_s: list[float] = field(default_factory=list)
    window_s: tuple[float, float] | None = None   # capture start/end relative to the failure
    problem: str = ""                             # why no schedule could be read

    @property
    def retransmissions(self) -> int:
        """How many retransmissions the capture shows."""
        return len(self.spacings_s)

    @property
    def final_wait_s(self) -> float | None:
        """Last send (probe or retransmission) to the IKE_SA_INIT towards the next peer."""
        if self.next_peer_s is None:
            return None
        return round(self.next_peer_s - sum(self.spacings_s), 6)

    def describe(self) -> str:
        """The observed schedule in one line."""
        if self.probe_s is None:
            return f"no schedule: {self.problem}"
        spacing = ", ".join(f"+{s:.3g}" for s in self.spacings_s)
        text = f"probe at +{self.probe_s:.1f} s, "
        text += (f"retransmitted at {spacing} s ({self.retransmissions} retransmissions)" if self.spacings_s
                 else "not retransmitted")
        if self.next_peer_s is not None:
            text += f", next peer {self.next_peer} at +{self.next_peer_s:.1f} s after the first probe"
        else:
            text += ", no IKE_SA_INIT to another peer in the capture"
        return text

    def to_record(self) -> ObservedScheduleRecord:
        """The observed schedule as the spoke's report record holds it."""
        return ObservedScheduleRecord(**asdict(self), retransmissions=self.retransmissions,
                                      final_wait_s=self.final_wait_s, text=self.describe())


def _seconds(later: datetime, earlier: datetime) -> float:
    return round((later - earlier).total_seconds(), 6)


def _last_heard(wire: Iterable[WirePacket], peer: IPv4Address, before: datetime) -> datetime | None:
    heard = [p.at for p in wire if p.src == peer and p.at < before]
    return max(heard) if heard else None


def _is_probe(packet: IkePacket, spoke_wan: IPv4Address | None, peer: IPv4Address) -> bool:
    return (packet.exchange == INFORMATIONAL and not packet.response and packet.dst == peer
            and (spoke_wan is None or packet.src == spoke_wan))


def analyse(spoke: str, ike: list[IkePacket], wire: list[WirePacket], failed_peer: IPv4Address,
            failure_at: datetime, spoke_wan: IPv4Address | None = None,
            window: tuple[datetime, datetime] | None = None) -> ObservedSchedule:
    """The schedule ``spoke`` sent towards ``failed_peer`` after ``failure_at``.

    ``window`` is when the capture ran (same axis); a capture that started after the failure
    or stopped before it cannot show the schedule and says so.
    """
    observed = ObservedSchedule(spoke=spoke, failed_peer=str(failed_peer))
    if window is not None:
        observed.window_s = (_seconds(window[0], failure_at), _seconds(window[1], failure_at))
        if window[0] > failure_at:
            observed.problem = f"the capture started {observed.window_s[0]:.3f} s after the failure"
            return observed
        if window[1] <= failure_at:
            observed.problem = f"the capture stopped {-observed.window_s[1]:.3f} s before the failure"
            return observed
    ordered = sorted(ike, key=lambda p: p.at)
    probes = [p for p in ordered if _is_probe(p, spoke_wan, failed_peer)]
    for early in (p for p in probes if p.at < failure_at):
        observed.probes_before_failure_s.append(_seconds(early.at, failure_at))
        heard = _last_heard(wire, failed_peer, early.at)
        if heard is not None:
            observed.quiet_before_early_probes_s.append(_seconds(early.at, heard))
    first = next((p for p in probes if p.at >= failure_at), None)
    if first is None:
        observed.problem = f"no R-U-THERE (INFORMATIONAL request) to {failed_peer} after the failure in the capture"
        return observed
    observed.probe_s, observed.message_id = _seconds(first.at, failure_at), first.message_id
    heard = _last_heard(wire, failed_peer, first.at)
    observed.quiet_before_probe_s = _seconds(first.at, heard) if heard is not None else None
    previous = first.at
    for again in (p for p in probes if p.at > first.at and p.message_id == first.message_id):
        observed.spacings_s.append(_seconds(again.at, previous))
        previous = again.at
    init = next((p for p in ordered if p.at > first.at and p.exchange == IKE_SA_INIT and not p.response
                 and p.dst != failed_peer and (spoke_wan is None or p.src == spoke_wan)), None)
    if init is not None:
        observed.next_peer, observed.next_peer_s = str(init.dst), _seconds(init.at, first.at)
    return observed


def analyse_pcap(spoke: str, path: Path, to_axis: Axis, failed_peer: IPv4Address, failure_at: datetime,
                 spoke_wan: IPv4Address | None = None,
                 window: tuple[datetime, datetime] | None = None) -> ObservedSchedule:
    """The DPD schedule ``spoke`` sent towards ``failed_peer`` after ``failure_at``, read from its pcap."""
    ike, wire = read_capture(path, to_axis)
    return analyse(spoke, ike, wire, failed_peer, failure_at, spoke_wan, window)

