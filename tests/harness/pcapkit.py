"""Build pcaps with scapy from hand-written schedules (the expected values are the ones
written here, not values the code under test produced)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scapy.contrib.ikev2 import IKEv2
from scapy.layers.inet import IP, UDP
from scapy.layers.ipsec import ESP
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

SPOKE = "203.0.113.11"
HUB1 = "198.51.100.1"
HUB2 = "198.51.100.2"
#: The failure instant on the spoke's device clock (naive, as `show clock` prints it).
FAILURE = datetime(2026, 11, 29, 10, 0, 0)
INFORMATIONAL, IKE_SA_INIT = 37, 34


def epoch(at: datetime) -> float:
    return at.replace(tzinfo=UTC).timestamp()


@dataclass
class Capture:
    """Frames at seconds relative to FAILURE (device time)."""

    frames: list[Packet] = field(default_factory=list)

    def add(self, seconds: float, frame: Packet) -> None:
        frame.time = epoch(FAILURE + timedelta(seconds=seconds))
        self.frames.append(frame)

    def ike(self, seconds: float, src: str, dst: str, exchange: int, message_id: int,
            flags: int = 0x08, port: int = 500) -> None:
        header = IKEv2(init_SPI=b"\x11" * 8, resp_SPI=b"\x22" * 8 if exchange != IKE_SA_INIT else b"\x00" * 8,
                       exch_type=exchange, flags=flags, id=message_id) / Raw(b"\x00" * 4)
        if port == 4500:
            payload: Packet = Raw(b"\x00\x00\x00\x00" + bytes(header))
        else:
            payload = header
        self.add(seconds, Ether() / IP(src=src, dst=dst) / UDP(sport=port, dport=port) / payload)

    def esp(self, seconds: float, src: str, dst: str) -> None:
        self.add(seconds, Ether() / IP(src=src, dst=dst, proto=50) / ESP(spi=0x1000, seq=1, data=b"\x00" * 16))

    def peer_traffic(self, start: float, stop: float, every: float, peer: str = HUB1) -> None:
        """ESP both ways every ``every`` s (an IP SLA probe through the tunnel and its reply)."""
        t = start
        while t < stop:
            self.esp(t, SPOKE, peer)
            self.esp(t + 0.01, peer, SPOKE)
            t += every

    def dpd(self, probe_s: float, waits: list[float], message_id: int = 7, next_peer_after: float | None = None,
            port: int = 500) -> None:
        """A probe, one retransmission per wait but the last, IKE_SA_INIT to HUB2 after the last wait."""
        t = probe_s
        self.ike(t, SPOKE, HUB1, INFORMATIONAL, message_id, port=port)
        for wait in waits[:-1]:
            t += wait
            self.ike(t, SPOKE, HUB1, INFORMATIONAL, message_id, port=port)
        if next_peer_after is not None:
            self.ike(t + waits[-1] + next_peer_after, SPOKE, HUB2, IKE_SA_INIT, 0)

    def write(self, path: Path) -> Path:
        wrpcap(str(path), sorted(self.frames, key=lambda f: f.time))
        return path
