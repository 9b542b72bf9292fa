"""Render captured frames as a libpcap file (Ethernet/IPv4) with scapy.

scapy (2.8) is the project's pcap library: maintained, it builds and decodes RFC 7296
IKEv2 headers (``scapy.contrib.ikev2``) and writes/reads pcap (RawPcapWriter/PcapReader).
It is imported here only, when a capture is written, so a lab without captures never
loads it.

What goes on the wire is computed from the simulated packet, not canned:

* IKEv2 on UDP 500: initiator/responder SPI, version 0x20, exchange type (34 IKE_SA_INIT,
  35 IKE_AUTH, 36 CREATE_CHILD_SA, 37 INFORMATIONAL), flags (I = 0x08 from the original
  initiator, R = 0x20 on responses), message ID and length. IKE_SA_INIT carries clear SA,
  KE and Nonce payloads; every later message one SK payload (46) of opaque bytes whose
  first inner payload type is what the message holds (none for a DPD probe: an empty SK).
* ESP (IP protocol 50) with the sender's SPI and sequence number, the inner packet opaque.
* ICMP echo / echo-reply (IP SLA), NTP (UDP 123) and BGP over TCP 179 where unencrypted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flexlab.sim.engine.capture import Frame
from flexlab.sim.engine.underlay import Packet

IKE_PORT = 500
BGP_PORT = 179
EXCHANGE_TYPES = {"init": 34, "auth": 35, "rekey": 36, "info": 37}
FLAG_INITIATOR, FLAG_RESPONSE = 0x08, 0x20
PAYLOAD_NONE, PAYLOAD_SA, PAYLOAD_IDI, PAYLOAD_IDR, PAYLOAD_DELETE = 0, 33, 35, 36, 42
SK_IV, SK_ICV, SK_BLOCK = 16, 16, 16
BGP_TYPES = {"OPEN": 1, "UPDATE": 2, "NOTIFICATION": 3, "KEEPALIVE": 4}
LINKTYPE_ETHERNET = 1


def _opaque(seed: str, length: int) -> bytes:
    """Deterministic filler standing in for encrypted or random bytes."""
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(f"{seed}/{counter}".encode()).digest()
        counter += 1
    return out[:length]


def ike_header_fields(msg: Any) -> dict[str, Any]:
    """RFC 7296 header values of an IKE message (what tshark shows)."""
    exchange, _, direction = msg.kind.partition("-")
    flags = (FLAG_INITIATOR if msg.from_initiator else 0) | (FLAG_RESPONSE if direction == "resp" else 0)
    return {"init_SPI": bytes.fromhex(msg.spi), "resp_SPI": bytes.fromhex(msg.spi_r),
            "exch_type": EXCHANGE_TYPES[exchange], "flags": flags, "id": msg.msg_id}


def _sk_inner_type(msg: Any) -> tuple[int, int]:
    """First inner payload type and its (opaque) length inside the SK payload."""
    what = msg.data.get("what")
    if msg.kind.startswith("auth"):
        return (PAYLOAD_IDI if msg.kind == "auth-req" else PAYLOAD_IDR), 224
    if msg.kind.startswith("rekey"):
        return PAYLOAD_SA, 176
    if what == "delete" and msg.kind == "info-req":
        return PAYLOAD_DELETE, 8
    return PAYLOAD_NONE, 0   # DPD probe and every empty INFORMATIONAL response


def _stack(*layers: Any) -> Any:
    """``a / b / c`` without the copies scapy's ``/`` makes (the layers are new anyway)."""
    top = layers[0]
    for layer in layers[1:]:
        top.lastlayer().add_payload(layer)
    return top


def _ike_layer(msg: Any) -> Any:
    from scapy.contrib import ikev2

    header = ikev2.IKEv2(**ike_header_fields(msg))
    seed = f"{msg.spi}/{msg.spi_r}/{msg.kind}/{msg.msg_id}"
    if msg.kind.startswith("init"):
        transforms = _stack(ikev2.IKEv2_Transform(transform_type=1, transform_id=20, key_length=256),
                            ikev2.IKEv2_Transform(transform_type=2, transform_id=7),
                            ikev2.IKEv2_Transform(transform_type=4, transform_id=19))
        proposal = ikev2.IKEv2_Proposal(proposal=1, proto=1, trans_nb=3, trans=transforms)
        return _stack(header, ikev2.IKEv2_SA(prop=proposal), ikev2.IKEv2_KE(group=19, ke=_opaque(seed + "/ke", 64)),
                      ikev2.IKEv2_Nonce(nonce=_opaque(seed + "/nonce", 32)))
    inner_type, inner_length = _sk_inner_type(msg)
    padded = (inner_length // SK_BLOCK + 1) * SK_BLOCK   # inner payloads + padding + pad length
    load = _opaque(seed, SK_IV + padded + SK_ICV)
    return _stack(header, ikev2.IKEv2_Encrypted(next_payload=inner_type, load=load))


def _bgp_message(msg: tuple[Any, ...] | None) -> bytes:
    """A BGP message with a real header; OPEN carries AS, hold time and router ID."""
    if msg is None:
        return b""
    kind = msg[0]
    body = b""
    if kind == "OPEN":
        asn = int(msg[1]) if int(msg[1]) < 65536 else 23456
        hold = int(msg[3] or 0)
        body = bytes([4]) + asn.to_bytes(2, "big") + hold.to_bytes(2, "big") + _router_id(msg[2]) + b"\x00"
    elif kind == "UPDATE":
        body = b"\x00\x00\x00\x00"   # no withdrawn routes, no attributes encoded (opaque to this model)
    elif kind == "NOTIFICATION":
        body = bytes([6, 0])         # Cease
    length = 19 + len(body)
    return b"\xff" * 16 + length.to_bytes(2, "big") + bytes([BGP_TYPES.get(kind, 4)]) + body


def _router_id(value: Any) -> bytes:
    try:
        return int(value).to_bytes(4, "big")
    except (TypeError, ValueError):
        return b"\x00\x00\x00\x00"


class _TcpState:
    """Sequence numbers per direction of each BGP connection, as this capture saw them."""

    def __init__(self) -> None:
        self.next_seq: dict[tuple[str, str, int], int] = {}

    def segment(self, packet: Packet) -> Any:
        from scapy.layers.inet import TCP

        seg = packet.payload
        initiator, _responder, conn_id = seg.conn
        ephemeral = 1024 + conn_id % 64000
        outbound_from_initiator = packet.src == initiator
        sport, dport = (ephemeral, BGP_PORT) if outbound_from_initiator else (BGP_PORT, ephemeral)
        data = _bgp_message(seg.msg) if seg.kind == "data" else b""
        flags = {"syn": "S", "synack": "SA", "rst": "R"}.get(seg.kind, "PA")
        key = (str(packet.src), str(packet.dst), conn_id)
        seq = self.next_seq.get(key, conn_id & 0xFFFFFF)
        self.next_seq[key] = seq + len(data) + (1 if seg.kind in ("syn", "synack") else 0)
        return _stack(TCP(sport=sport, dport=dport, flags=flags, seq=seq), data) if data else TCP(
            sport=sport, dport=dport, flags=flags, seq=seq)


_ICMP_TYPES = {"echo": 8, "reply": 0, "ttl-exceeded": 11}


def packet_layers(packet: Packet, tcp: _TcpState) -> Any:
    """IPv4 and what it carries for one simulated packet."""
    from scapy.layers.inet import ICMP, IP, UDP
    from scapy.layers.ipsec import ESP
    from scapy.layers.ntp import NTPHeader

    ip = IP(src=str(packet.src), dst=str(packet.dst), ttl=255)
    if packet.proto == "ike":
        return _stack(ip, UDP(sport=IKE_PORT, dport=IKE_PORT), _ike_layer(packet.payload))
    if packet.proto == "esp":
        opaque = _opaque(f"{packet.payload}/{packet.seq}", max(16, packet.size - 28))
        return _stack(IP(src=str(packet.src), dst=str(packet.dst), ttl=255, proto=50),
                      ESP(spi=int(str(packet.payload)[:8], 16), seq=packet.seq, data=opaque))
    if packet.proto == "icmp":
        kind, *rest = packet.payload
        ident = int(rest[0]) & 0xFFFF if rest else 0
        seq = int(rest[1]) & 0xFFFF if len(rest) > 1 else 0
        return _stack(ip, ICMP(type=_ICMP_TYPES.get(kind, 0), id=ident, seq=seq), bytes(max(0, packet.size - 28)))
    if packet.proto == "ntp":
        mode = 3 if packet.payload[0] == "req" else 4
        return _stack(ip, UDP(sport=123, dport=123), NTPHeader(mode=mode))
    if packet.proto == "tcp":
        return _stack(ip, tcp.segment(packet))
    return ip


def _frame_bytes(frame: Frame, tcp: _TcpState) -> bytes:
    from scapy.layers.l2 import Ether

    ether = Ether(src=frame.src_mac, dst=frame.dst_mac)
    ether.add_payload(packet_layers(frame.packet, tcp))
    return bytes(ether)


class FrameRenderer:
    """Turns one capture's frames into wire bytes, a batch at a time, then writes the pcap.

    The embedded lab renders while the capture runs (the daemon does it in small batches
    when the lab is idle), so stopping a capture only writes bytes already built."""

    def __init__(self) -> None:
        self._tcp = _TcpState()
        self._rendered: list[tuple[float, bytes]] = []
        self._next = 0

    def render(self, frames: list[Frame], limit: int | None = None) -> int:
        """Render up to ``limit`` not yet rendered frames (all by default); returns how many."""
        end = len(frames) if limit is None else min(len(frames), self._next + limit)
        for frame in frames[self._next:end]:
            self._rendered.append((frame.device_ts, _frame_bytes(frame, self._tcp)))
        count, self._next = end - self._next, end
        return count

    def write(self, path: Path) -> int:
        """Write every rendered frame, in time order, to ``path`` as libpcap; returns the count."""
        from scapy.utils import RawPcapWriter

        path.parent.mkdir(parents=True, exist_ok=True)
        writer = RawPcapWriter(str(path), linktype=LINKTYPE_ETHERNET, sync=False)
        try:
            writer.write_header(None)   # an empty capture is still a valid pcap file
            for stamp, raw in sorted(self._rendered, key=lambda item: item[0]):
                sec = int(stamp)
                usec = int(round((stamp - sec) * 1e6))
                if usec >= 1_000_000:
                    sec, usec = sec + 1, usec - 1_000_000
                writer.write_packet(raw, sec=sec, usec=usec)
        finally:
            writer.close()
        return len(self._rendered)


def write_pcap(frames: Iterable[Frame], path: Path) -> int:
    """Render and write ``frames`` to ``path`` as libpcap; returns the frame count."""
    renderer = FrameRenderer()
    renderer.render(list(frames))
    return renderer.write(path)
