"""One BGP neighbour: TCP connection, OPEN/KEEPALIVE handshake, timers, UPDATE queue.

TCP is modelled as segments on the simulated network: SYN / SYN-ACK / RST and data.
Data segments go through an ordered send queue; a segment that cannot be forwarded when
sent is retransmitted (``tcp_rto_s`` doubling up to 32 s), as TCP would, so retransmissions
are also outbound traffic for on-demand DPD. A segment for a connection the receiver does
not know (e.g. after a reboot) is answered with RST.

States shown as IOS does: Idle, Active (trying / waiting for OPEN), Connect (SYN sent),
OpenSent, OpenConfirm, Established. Hold time is negotiated as the smaller of both sides'
values, keepalive = min(configured keepalive, hold / 3).
"""

from __future__ import annotations

import ipaddress
from collections import Counter, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flexlab.sim.engine import syslog
from flexlab.sim.engine.bgp_paths import Attrs, Path
from flexlab.sim.engine.scheduler import Timer
from flexlab.sim.engine.underlay import Packet
from flexlab.sim.engine.views_bgp import NeighborView

if TYPE_CHECKING:
    from flexlab.sim.engine.bgp import BgpSpeaker

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network
Conn = tuple[IPv4Address, IPv4Address, int]
MAX_RTO_S = 32.0


@dataclass(frozen=True, slots=True)
class Segment:
    """A TCP segment between two BGP speakers: handshake kinds, or `data` carrying one BGP message."""
    kind: str                  # "syn", "synack", "rst", "data"
    conn: Conn
    msg: tuple[Any, ...] | None = None


class Neighbor:
    """One BGP neighbour: FSM state (Idle..Established), TCP connection, timers, counters, Adj-RIBs."""
    def __init__(self, speaker: BgpSpeaker, address: IPv4Address, view: NeighborView, dynamic: bool) -> None:
        self.speaker = speaker
        self.node = speaker.node
        self.address = address
        self.view = view
        self.dynamic = dynamic
        self.state = "Idle"
        self.since: float | None = None
        self.conn: Conn | None = None
        self.initiator = False
        self.local_addr: IPv4Address | None = None
        self.egress: str | None = None
        self.peer_node: str | None = None       # lab node behind the session (for truth events)
        self.peer_router_id: IPv4Address | None = None
        self.hold_time = 0
        self.keepalive = 0
        self.msg_sent = self.msg_rcvd = 0
        self.sent_by_type: Counter[str] = Counter()    # message statistics per type
        self.rcvd_by_type: Counter[str] = Counter()
        self.established_count = self.dropped_count = 0
        self.last_reset: str | None = None
        self.last_tx: float | None = None
        self.last_rx = 0.0
        self.adj_in: dict[IPv4Network, Path] = {}
        self.adj_out: dict[IPv4Network, Attrs] = {}
        self.pending: dict[IPv4Network, Attrs | None] = {}
        self.table_version = 0
        self.outq: deque[tuple[Any, ...]] = deque()
        self._rto = 0
        self._timers: dict[str, Timer] = {}

    # -- helpers -------------------------------------------------------------------------------
    @property
    def display(self) -> str:
        """The address as `show ip bgp summary` prints it: a `*` marks a dynamic (listen-range) neighbour."""
        return f"*{self.address}" if self.dynamic else str(self.address)

    @property
    def established(self) -> bool:
        """Whether the FSM is in Established (UPDATEs flow)."""
        return self.state == "Established"

    @property
    def remote_as(self) -> int:
        """The peer's AS: its `remote-as`, else our own (an iBGP peer)."""
        return self.view.remote_as if self.view.remote_as is not None else self.speaker.asn

    @property
    def ibgp(self) -> bool:
        """Whether the session is internal BGP (same AS on both ends)."""
        return self.remote_as == self.speaker.asn

    def _timer(self, name: str, delay: float, fn: Any, *args: Any) -> None:
        self._cancel(name)
        self._timers[name] = self.node.after(delay, fn, *args)

    def _cancel(self, *names: str) -> None:
        for name in names or tuple(self._timers):
            timer = self._timers.pop(name, None)
            if timer is not None:
                timer.cancel()

    def _log(self, message: syslog.Message) -> None:
        if self.speaker.log_changes:
            self.node.log(message)

    # -- connection set-up -------------------------------------------------------------------------
    def start(self, first: bool = False) -> None:
        """Arm the ConnectRetry timer (jittered, shorter on first start); dynamic and shut neighbours wait."""
        if self.dynamic or self.view.shutdown:
            return
        base = self.node.timing.bgp_connect_retry_s
        rng = self.speaker.rng
        delay = base * (rng.uniform(0.05, 0.3) if first else rng.uniform(0.75, 1.25))
        self._timer("connect", delay, self._connect)

    def _connect(self) -> None:
        if self.state in ("OpenSent", "OpenConfirm", "Established") or self.view.shutdown:
            return
        self.start()
        hop = self.node.rib.resolve(self.address)
        local = None
        if hop is not None and hop.interface != "Null0":
            local = self.node.interfaces.ip_of(self.view.update_source) if self.view.update_source else \
                self.node.interfaces.ip_of(hop.interface)
        if hop is None or local is None:
            self.state, self.conn = "Active", None
            return
        self.conn = (local, self.address, self.speaker.rng.getrandbits(32))
        self.local_addr, self.egress, self.initiator = local, hop.interface, True
        self.peer_node = self.node.lab.peer_node(self.node, self.address)
        self.state = "Connect"
        self._segment("syn")

    def accept(self, conn: Conn, local: IPv4Address) -> None:
        """Passive open: a SYN from the neighbour was accepted."""
        hop = self.node.rib.resolve(self.address)
        self.conn, self.local_addr, self.initiator = conn, local, False
        self.egress = hop.interface if hop is not None else None
        self.peer_node = self.node.lab.peer_node(self.node, self.address)
        self.state = "Active"
        self._segment("synack")
        self._timer("open", self.node.timing.bgp_connect_retry_s * 4, self._open_wait_expired)

    def _open_wait_expired(self) -> None:
        if self.state in ("Active", "OpenSent"):
            self.reset("open wait expired", quiet=True)

    def _segment(self, kind: str, msg: tuple[Any, ...] | None = None, conn: Conn | None = None) -> bool:
        conn = conn or self.conn
        if conn is None or self.local_addr is None:
            return False
        return self.node.send(Packet(self.local_addr, self.address, "tcp", Segment(kind, conn, msg), 60 + _size(msg)))

    # -- sending messages ---------------------------------------------------------------------------
    def send(self, msg: tuple[Any, ...]) -> None:
        """Queue a BGP message on the connection (ordered, retransmitted until forwarded)."""
        self.msg_sent += 1
        self.sent_by_type[msg[0]] += 1
        self.last_tx = self.node.now()
        self.outq.append(msg)
        if len(self.outq) == 1:
            self._drain()

    def _drain(self) -> None:
        while self.outq and self.conn is not None:
            if not self._segment("data", self.outq[0]):
                delay = min(MAX_RTO_S, self.node.timing.tcp_rto_s * 2**self._rto)
                self._rto += 1
                self._timer("rto", delay, self._drain)
                return
            self._rto = 0
            self.outq.popleft()

    def _open_msg(self) -> tuple[Any, ...]:
        _, hold = self.speaker.timers_for(self)
        return ("OPEN", self.speaker.asn, self.speaker.router_id, hold)

    # -- receiving --------------------------------------------------------------------------------
    def handle(self, seg: Segment) -> None:
        """Process one segment from the peer: RST ends the session, SYN-ACK sends OPEN, data runs its message."""
        if seg.kind == "rst":
            if self.established:
                self.reset("Peer closed the session")
            else:
                self.reset("connection refused", quiet=True)
        elif seg.kind == "synack":
            if self.state == "Connect" and self.initiator:
                self.state = "OpenSent"
                self.send(self._open_msg())
                self._timer("open", self.node.timing.bgp_connect_retry_s * 4, self._open_wait_expired)
        elif seg.kind == "data" and seg.msg is not None:
            self.msg_rcvd += 1
            self.rcvd_by_type[seg.msg[0]] += 1
            self.last_rx = self.node.now()
            getattr(self, "_on_" + seg.msg[0].lower())(seg.msg)

    def _on_open(self, msg: tuple[Any, ...]) -> None:
        _, asn, router_id, hold = msg
        if asn != self.remote_as:
            self._notify("2/2", "peer in wrong AS")
            self.reset("BGP Notification sent")
            return
        self.peer_router_id = router_id
        keepalive, own_hold = self.speaker.timers_for(self)
        self.hold_time = min(own_hold, hold)
        self.keepalive = min(keepalive, self.hold_time // 3) if self.hold_time else 0
        if not self.initiator:
            self.send(self._open_msg())
        self.send(("KEEPALIVE",))
        self.state = "OpenConfirm"
        self._cancel("open")
        if self.hold_time:
            self._timer("hold", self.hold_time, self._hold_check)

    def _on_keepalive(self, msg: tuple[Any, ...]) -> None:
        if self.state == "OpenConfirm":
            self._establish()

    def _on_update(self, msg: tuple[Any, ...]) -> None:
        if self.established:
            self.speaker.process_update(self, msg[1])

    def _on_notification(self, msg: tuple[Any, ...]) -> None:
        _, code, text = msg
        self._log(syslog.bgp_notification(self.display, False, code, text))
        self.reset("BGP Notification received")

    def _establish(self) -> None:
        self.state = "Established"
        self.established_count += 1
        self.since = self.node.now()
        self._log(syslog.bgp_adjchange(self.display, True))
        self.node.truth("bgp-established", self.address, peer_node=self.peer_node)
        if self.keepalive:
            self._timer("keepalive", self._keepalive_wait(), self._send_keepalive)
        self.speaker.neighbor_up(self)

    # -- timers ------------------------------------------------------------------------------------
    def _send_keepalive(self) -> None:
        if self.established and self.keepalive:
            self.send(("KEEPALIVE",))
            self._timer("keepalive", self._keepalive_wait(), self._send_keepalive)

    def _keepalive_wait(self) -> float:
        """The keepalive interval with RFC 4271 §10 jitter (seeded per node)."""
        jitter = self.node.timing.bgp_keepalive_jitter
        return self.keepalive * (1.0 - jitter * self.node.phases.random())

    def _hold_check(self) -> None:
        if self.state not in ("OpenConfirm", "Established") or not self.hold_time:
            return
        due = self.last_rx + self.hold_time
        if self.node.now() + 1e-9 < due:
            self._timer("hold", due - self.node.now(), self._hold_check)
            return
        self._notify("4/0", "hold time expired")
        self.reset("BGP Notification sent")

    def _notify(self, code: str, text: str) -> None:
        self._log(syslog.bgp_notification(self.display, True, code, text))
        self._segment("data", ("NOTIFICATION", code, text))
        self.msg_sent += 1
        self.sent_by_type["NOTIFICATION"] += 1

    # -- updates ------------------------------------------------------------------------------------
    def offer(self, prefix: IPv4Network, attrs: Attrs | None) -> None:
        """Queue ``prefix`` for the next UPDATE when it differs from what was sent."""
        if not self.established:
            return
        current = self.pending[prefix] if prefix in self.pending else self.adj_out.get(prefix)
        if current == attrs:
            return
        self.pending[prefix] = attrs
        if "flush" not in self._timers or not self._timers["flush"].pending:
            self._timer("flush", self.node.timing.bgp_update_delay_s, self._flush)

    def _flush(self) -> None:
        entries = []
        for prefix, attrs in self.pending.items():
            if self.adj_out.get(prefix) == attrs:
                continue
            if attrs is None:
                self.adj_out.pop(prefix, None)
            else:
                self.adj_out[prefix] = attrs
            entries.append((prefix, attrs))
        self.pending.clear()
        self.table_version = self.speaker.table_version
        if entries:
            self.send(("UPDATE", tuple(entries)))

    # -- teardown ------------------------------------------------------------------------------------
    def reset(self, reason: str, quiet: bool = False) -> None:
        """Close the connection; an Established session logs Down and withdraws its routes."""
        was_up = self.established
        self._cancel()
        self.conn = None
        self.outq.clear()
        self.pending.clear()
        self._rto = 0
        self.state = "Idle"
        if was_up:
            self.dropped_count += 1
            self.last_reset = reason
            self.since = self.node.now()
            if not quiet:
                self._log(syslog.bgp_adjchange(self.display, False, reason))
            self.node.truth("bgp-down", self.address, reason=reason, peer_node=self.peer_node)
        self.speaker.neighbor_down(self)
        if self.dynamic:
            self.speaker.remove_dynamic(self, was_up)
        else:
            self.start()

    def admin_reset(self, code: str, text: str, reason: str) -> None:
        """Cease the session (`clear ip bgp`, `shutdown`, de-config): NOTIFICATION if OPEN was exchanged, then reset."""
        if self.conn is not None and self.state in ("OpenConfirm", "Established"):
            self._notify(code, text)
        self.reset(reason)


def _size(msg: tuple[Any, ...] | None) -> int:
    if msg is None:
        return 0
    if msg[0] == "UPDATE":
        return 23 + 30 * len(msg[1])
    return 19 if msg[0] == "KEEPALIVE" else 45
