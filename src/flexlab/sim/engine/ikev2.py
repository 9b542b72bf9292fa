"""IKEv2 + IPsec SAs: negotiation (initiator and responder), DPD, rekey, delete.

Exchanges are real packets on the underlay (UDP 500 between the public addresses):
IKE_SA_INIT (the responder answers after the image's ``ike_setup_s``), IKE_AUTH (PSKs
checked both ways, profile matched by `match identity remote address`, address assigned
by the FlexVPN server side), INFORMATIONAL (DPD R-U-THERE, delete) and CREATE_CHILD_SA
(rekey at a fraction of the IPsec lifetime). Unanswered requests are retransmitted with
doubling waits and abandoned after ``Timing.ike_timeout_s``.

DPD follows facts.md §1, with the open points as image parameters (``Timing``):
``periodic`` sends R-U-THERE when nothing was received from the peer for ``interval`` s
(``dpd_periodic="idle"``) or every ``interval`` s whatever arrives (``"always"``);
``on-demand`` only when there is outbound traffic for the peer and nothing was received for
``interval`` s. Unanswered, it is retransmitted ``dpd_retransmits`` times after the waits of
``Timing.dpd_retry_waits`` (fixed ``retry`` s or exponential back-off); after the last wait
the peer is declared dead and the SA deleted. A retransmission repeats the message ID.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flexlab.iosconfig import ConfigTree
from flexlab.sim.engine import ike_checks, syslog
from flexlab.sim.engine.ike_msg import IkeMsg
from flexlab.sim.engine.scheduler import Timer
from flexlab.sim.engine.underlay import Packet
from flexlab.sim.engine.views_crypto import (
    CryptoView,
    DpdView,
    ProfileView,
    crypto_view,
)

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network
ESP_OVERHEAD = 73


class IkeSa:
    """One IKE SA with its IPsec child SA pair (the IOS crypto session)."""

    def __init__(self, manager: IkeManager, tunnel_id: int, local: IPv4Address, remote: IPv4Address,
                 initiator: bool, spi_i: str, spi_r: str, profile: ProfileView | None) -> None:
        self.manager = manager
        node = manager.node
        self.tunnel_id = tunnel_id
        self.local, self.remote = local, remote
        self.initiator = initiator
        self.spi_i, self.spi_r = spi_i, spi_r
        self.profile = profile.name if profile else "default"
        self.lifetime = profile.lifetime if profile else 86400
        self.dpd: DpdView | None = manager.crypto.dpd_for(profile)
        self.child_lifetime = manager.crypto.ipsec_lifetime
        self.created = node.now()
        self.last_rx = node.now()
        self.assigned: IPv4Address | None = None       # address pushed to the initiator
        self.pushed: tuple[IPv4Network, ...] = ()      # routes the peer pushed to us
        self.interface: str | None = None
        self.pool: str | None = None                   # pool the assigned address came from
        self.alive = True
        self.encrypted = self.decrypted = 0
        self.msg_id_out = 2 if initiator else 0        # IKE_SA_INIT/IKE_AUTH used 0 and 1
        self.probing = False
        self._last_probe = node.now()                  # periodic "always": phase of the probes
        self._dpd_attempt = 0
        self._dpd_msg: IkeMsg | None = None
        self._dpd_timer: Timer | None = None
        self._periodic_timer: Timer | None = None
        self._rekey_timer: Timer | None = None

    @property
    def node(self) -> Node:
        """The node this SA lives on."""
        return self.manager.node

    def next_msg_id(self) -> int:
        """Message ID of this side's next new request (RFC 7296 §2.2)."""
        msg_id, self.msg_id_out = self.msg_id_out, self.msg_id_out + 1
        return msg_id

    def new_request(self, kind: str, data: dict[str, Any] | None = None) -> IkeMsg:
        """A new request on this SA with the next message ID (IKEv2 requests are numbered per SA)."""
        return IkeMsg(kind, self.spi_i, data or {}, self.next_msg_id(), self.initiator, self.spi_r)

    @property
    def local_spi(self) -> str:
        """This side's SPI: the initiator's if we initiated, else the responder's."""
        return self.spi_i if self.initiator else self.spi_r

    @property
    def remote_spi(self) -> str:
        """The peer's SPI (ESP packets from the peer carry it)."""
        return self.spi_r if self.initiator else self.spi_i

    # -- traffic ----------------------------------------------------------------------------
    def encapsulate(self, packet: Packet) -> Packet | None:
        """ESP-wrap an outbound packet (outbound traffic triggers on-demand DPD)."""
        if not self.alive:
            return None
        self.encrypted += 1
        if self._on_demand_due():
            self.probing = True
            self.node.after(0.0, self._start_probe)
        return Packet(self.local, self.remote, "esp", self.local_spi, packet.size + ESP_OVERHEAD, packet,
                      self.encrypted)

    def _on_demand_due(self) -> bool:
        """On-demand DPD: outbound traffic and nothing received for ``interval`` s."""
        dpd = self.dpd
        if dpd is None or dpd.mode != "on-demand" or self.probing:
            return False
        return self.node.now() - self.last_rx >= dpd.interval

    def received(self) -> None:
        """Note traffic from the peer now; on-demand DPD only probes after a quiet interval."""
        self.last_rx = self.node.now()

    # -- DPD --------------------------------------------------------------------------------
    def _periodic_due(self) -> float:
        assert self.dpd is not None
        if self.node.timing.dpd_periodic == "always":
            return self._last_probe + self.dpd.interval
        return self.last_rx + self.dpd.interval

    def start_timers(self) -> None:
        """Arm the SA's timers once it is up: periodic DPD, and rekey (initiator) or expiry (responder)."""
        # "always": probes keep a phase of their own (seeded), not the SA's set-up instant
        self._last_probe = self.node.now() - (self.node.phase(self.dpd.interval) if self.dpd is not None else 0.0)
        if self.dpd is not None and self.dpd.mode == "periodic":
            self._periodic_timer = self.node.at(self._periodic_due(), self._periodic_check)
        timing = self.node.timing
        if self.initiator:
            self._rekey_timer = self.node.after(self.child_lifetime * timing.ipsec_rekey_fraction, self._rekey)
        else:
            self._rekey_timer = self.node.after(self.child_lifetime, self._expire)

    def _periodic_check(self) -> None:
        if not self.alive or self.dpd is None:
            return
        due = self._periodic_due()
        if self.probing:
            return
        if self.node.now() + 1e-9 >= due:
            self.probing = True
            self._start_probe()
        else:
            self._periodic_timer = self.node.at(due, self._periodic_check)

    def _start_probe(self) -> None:
        if not self.alive or self.dpd is None:
            return
        self._dpd_attempt = 0
        self._last_probe = self.node.now()
        self._dpd_msg = self.new_request("info-req", {"what": "dpd"})
        self._send_dpd()

    def _send_dpd(self) -> None:
        assert self.dpd is not None and self._dpd_msg is not None
        self.node.truth("dpd-r-u-there", self.remote, attempt=self._dpd_attempt)
        self.manager.send(self.remote, self._dpd_msg, self.local)
        wait = self.node.timing.dpd_retry_waits(self.dpd.retry)[self._dpd_attempt]
        self._dpd_timer = self.node.after(wait, self._dpd_timeout)

    def _dpd_timeout(self) -> None:
        if not self.alive or not self.probing:
            return
        if self._dpd_attempt < self.node.timing.dpd_retransmits:
            self._dpd_attempt += 1
            self._send_dpd()
            return
        self.probing = False
        if self.node.timing.dpd_declares_dead:
            self.node.truth("dpd-peer-dead", self.remote)
            self.manager.delete(self, "dpd", notify=False)
        elif self.dpd is not None and self.dpd.mode == "periodic":
            self._periodic_timer = self.node.after(self.dpd.interval, self._periodic_check)

    def dpd_answered(self) -> None:
        """The peer answered a DPD probe (empty INFORMATIONAL): stop retransmitting, re-arm periodic DPD."""
        self.received()
        if not self.probing:
            return
        self.probing = False
        if self._dpd_timer is not None:
            self._dpd_timer.cancel()
        if self.dpd is not None and self.dpd.mode == "periodic":
            self._periodic_timer = self.node.at(max(self.node.now(), self._periodic_due()), self._periodic_check)

    # -- rekey / expiry ------------------------------------------------------------------------
    def _rekey(self) -> None:
        if self.alive:
            self.manager.request(self, self.new_request("rekey-req"), self._rekeyed)

    def _rekeyed(self, ok: bool, _reply: object = None) -> None:
        if not self.alive:
            return
        if ok:
            self.received()
            fraction = self.node.timing.ipsec_rekey_fraction
            self._rekey_timer = self.node.after(self.child_lifetime * fraction, self._rekey)
        elif self.node.timing.dpd_declares_dead:
            self.manager.delete(self, "rekey timeout", notify=False)
        else:
            self._rekey_timer = self.node.after(self.child_lifetime * 0.1, self._rekey)

    def rekeyed_by_peer(self) -> None:
        """The peer rekeyed the child SA: restart the lifetime (expiry) timer."""
        if self._rekey_timer is not None:
            self._rekey_timer.cancel()
        self._rekey_timer = self.node.after(self.child_lifetime, self._expire)

    def _expire(self) -> None:
        if self.alive:
            self.manager.delete(self, "lifetime expired", notify=False)

    def stop(self) -> None:
        """Mark the SA dead and cancel its DPD, periodic and rekey timers."""
        self.alive = False
        for timer in (self._dpd_timer, self._periodic_timer, self._rekey_timer):
            if timer is not None:
                timer.cancel()


@dataclass
class _Pending:
    """An initiator's outstanding request with its retransmission state."""

    peer: IPv4Address
    local: IPv4Address
    msg: IkeMsg
    on_done: Callable[..., None]
    attempt: int = 0
    timer: Timer | None = None


class IkeManager:
    """The node's IKEv2 SAs by peer address, its pending requests and half-open negotiations."""
    def __init__(self, node: Node) -> None:
        self.node = node
        self.crypto: CryptoView = crypto_view(ConfigTree())
        self.sas: dict[IPv4Address, IkeSa] = {}
        self._pending: dict[tuple[str, str], _Pending] = {}   # (spi, kind) -> request
        self._half_open: dict[tuple[IPv4Address, str], str] = {}
        self._tunnel_ids = 0

    def apply(self, crypto: CryptoView) -> None:
        """New settings apply to new negotiations; existing SAs keep theirs (as IOS)."""
        self.crypto = crypto

    def _spi(self) -> str:
        return f"{self.node.rng.getrandbits(64):016X}"

    # -- sending -------------------------------------------------------------------------------
    def send(self, peer: IPv4Address, msg: IkeMsg, local: IPv4Address | None = None) -> bool:
        """Send an IKE message to ``peer`` (UDP 500) from ``local`` or the address routing picks; False if none."""
        source = local or self._local_for(peer)
        if source is None:
            return False
        return self.node.send(Packet(source, peer, "ike", msg, 300))

    def _local_for(self, peer: IPv4Address) -> IPv4Address | None:
        found = self.node.source_for(peer)
        return found[0] if found else None

    def request(self, sa_or_peer: IkeSa | tuple[IPv4Address, IPv4Address], msg: IkeMsg,
                on_done: Callable[..., None]) -> None:
        """Send a request and retransmit it until answered or ``ike_timeout_s`` passed."""
        peer, local = (sa_or_peer.remote, sa_or_peer.local) if isinstance(sa_or_peer, IkeSa) else sa_or_peer
        pending = _Pending(peer, local, msg, on_done)
        self._pending[(msg.spi, msg.kind)] = pending
        self._transmit(pending)

    def _transmit(self, pending: _Pending) -> None:
        self.send(pending.peer, pending.msg, pending.local)
        waits = self.node.timing.ike_retransmit_waits()
        pending.timer = self.node.after(waits[pending.attempt], self._retransmit, pending)

    def _retransmit(self, pending: _Pending) -> None:
        key = (pending.msg.spi, pending.msg.kind)
        if self._pending.get(key) is not pending:
            return
        pending.attempt += 1
        if pending.attempt >= len(self.node.timing.ike_retransmit_waits()):
            del self._pending[key]
            pending.on_done(False, "timeout")
            return
        self._transmit(pending)

    def _answered(self, spi: str, kind: str) -> _Pending | None:
        pending = self._pending.pop((spi, kind), None)
        if pending is not None and pending.timer is not None:
            pending.timer.cancel()
        return pending

    # -- initiator ---------------------------------------------------------------------------
    def initiate(self, peer: IPv4Address, local: IPv4Address, profile: ProfileView,
                 on_done: Callable[[IkeSa | None, str], None], want_config: bool = True,
                 ipsec_profile: str | None = None) -> None:
        """IKE_SA_INIT + IKE_AUTH with ``peer``; ``on_done(sa or None, reason)``. Offers this
        router's IKEv2 proposals and ``ipsec_profile``'s transform sets; ``want_config``:
        request an address (CFG_REQUEST, sent for `ip address negotiated`)."""
        keyring = self.crypto.keyrings.get(profile.keyring or "")
        key = keyring.peer_for(peer) if keyring else None
        self.node.truth("ike-start", peer)
        if key is None or key.local_psk is None:
            self.node.truth("ike-failed", peer, reason="no pre-shared key for peer")
            on_done(None, "no pre-shared key for peer")
            return
        spi = self._spi()

        def init_done(ok: bool, data: Any) -> None:
            if not ok or data.get("error"):
                self._fail(peer, on_done, data.get("error") if ok else data)
                return
            auth = IkeMsg("auth-req", spi, {
                "identity": local, "psk": key.local_psk, "initial_contact": True, "want_config": want_config,
                "spi_r": data["spi_r"], "transforms": self.crypto.transforms_for(ipsec_profile),
            }, msg_id=1, spi_r=data["spi_r"])
            self.request((peer, local), auth, lambda ok2, data2: auth_done(ok2, data2, data["spi_r"]))

        def auth_done(ok: bool, data: Any, spi_r: str) -> None:
            if not ok:
                self._fail(peer, on_done, data)
                return
            if data.get("error"):
                self._fail(peer, on_done, data["error"])
                return
            if data["psk"] != key.remote_psk:
                self.send(peer, IkeMsg("info-req", spi, {"what": "delete"}, 2, True, spi_r), local)
                self._fail(peer, on_done, "peer authentication failed")
                return
            self._drop_existing(peer)
            sa = self._new_sa(local, peer, True, spi, spi_r, profile)
            sa.assigned = data.get("assigned")
            sa.pushed = tuple(data.get("routes", ()))
            self.node.truth("ike-up", peer, role="initiator")
            on_done(sa, "ok")
            if sa.alive:
                sa.start_timers()

        self.request((peer, local), IkeMsg("init-req", spi, {"proposals": self.crypto.proposals}), init_done)

    def _fail(self, peer: IPv4Address, on_done: Callable[[IkeSa | None, str], None], reason: Any) -> None:
        ike_checks.initiator_refused(self.node, str(reason))
        self.node.truth("ike-failed", peer, reason=str(reason))
        on_done(None, str(reason))

    def probe(self, peer: IPv4Address, local: IPv4Address, on_done: Callable[[bool], None]) -> None:
        """IKE_SA_INIT without follow-up: does the peer answer at all (`peer reactivate`)?"""
        msg = IkeMsg("init-req", self._spi(), {"probe": True, "proposals": self.crypto.proposals})
        self.request((peer, local), msg, lambda ok, data: on_done(ok and not data.get("error")))

    def _new_sa(self, local: IPv4Address, remote: IPv4Address, initiator: bool, spi_i: str, spi_r: str,
                profile: ProfileView | None) -> IkeSa:
        self._tunnel_ids += 1
        sa = IkeSa(self, self._tunnel_ids, local, remote, initiator, spi_i, spi_r, profile)
        self.sas[remote] = sa
        return sa

    def _drop_existing(self, peer: IPv4Address) -> None:
        """INITIAL_CONTACT: a new SA with a peer replaces the old one."""
        old = self.sas.get(peer)
        if old is not None:
            self.delete(old, "replaced", notify=False)

    # -- receiving -----------------------------------------------------------------------------
    def receive(self, packet: Packet) -> None:
        """Dispatch an IKE message to the handler of its kind (unknown kinds are dropped)."""
        msg: IkeMsg = packet.payload
        handler = getattr(self, "_on_" + msg.kind.replace("-", "_"), None)
        if handler is not None:
            handler(packet, msg)

    def _on_init_req(self, packet: Packet, msg: IkeMsg) -> None:
        if not self.crypto.profiles:
            return  # no IKEv2 responder configured: UDP 500 is not answered
        spi_r = self._spi()
        refused = ike_checks.init_refusal(self.node, self.crypto, msg.data)
        if not msg.data.get("probe") and refused is None:
            self._half_open[(packet.src, msg.spi)] = spi_r
        reply = msg.reply("init-resp", {"spi_r": spi_r, "error": refused}, spi_r=spi_r)
        self.node.after(self.node.timing.ike_setup_s, self.send, packet.src, reply, packet.dst)

    def _on_init_resp(self, packet: Packet, msg: IkeMsg) -> None:
        pending = self._answered(msg.spi, "init-req")
        if pending is not None:
            pending.on_done(True, msg.data)

    def _on_auth_req(self, packet: Packet, msg: IkeMsg) -> None:
        spi_r = self._half_open.pop((packet.src, msg.spi), None)
        if spi_r is None:
            return
        error, reply = self._authorize(packet, msg)
        if error is not None:
            self.node.truth("ike-failed", packet.src, reason=error)
            self.send(packet.src, msg.reply("auth-resp", {"error": error}), packet.dst)
            return
        self.send(packet.src, msg.reply("auth-resp", reply), packet.dst)

    def _authorize(self, packet: Packet, msg: IkeMsg) -> tuple[str | None, dict[str, Any]]:
        identity: IPv4Address = msg.data["identity"]
        profile = next((p for p in self.crypto.profiles.values() if p.matches(identity)), None)
        if profile is None:
            return "no matching IKEv2 profile", {}
        keyring = self.crypto.keyrings.get(profile.keyring or "")
        key = keyring.peer_for(packet.src) if keyring else None
        if key is None or key.remote_psk is None:
            return "no pre-shared key for peer", {}
        if msg.data["psk"] != key.remote_psk:
            return "authentication failed", {}
        refused = ike_checks.auth_refusal(self.node, profile, msg.data)
        if refused is not None:
            return refused, {}
        server = self.node.flex.server
        error, assigned, routes = server.authorize(profile, want_config=msg.data.get("want_config", False))
        if error is not None:
            return error, {}
        self._drop_existing(packet.src)
        sa = self._new_sa(packet.dst, packet.src, False, msg.spi, msg.data["spi_r"], profile)
        sa.assigned = assigned
        server.attach(sa, profile)
        self.node.truth("ike-up", packet.src, role="responder")
        self.log_session(sa, True)
        sa.start_timers()
        return None, {"psk": key.local_psk, "assigned": assigned, "routes": routes}

    def _on_auth_resp(self, packet: Packet, msg: IkeMsg) -> None:
        pending = self._answered(msg.spi, "auth-req")
        if pending is not None:
            pending.on_done(True, msg.data)

    def _on_info_req(self, packet: Packet, msg: IkeMsg) -> None:
        sa = self.sas.get(packet.src)
        if sa is None or msg.spi not in (sa.spi_i, sa.spi_r):
            return  # unknown SPI: ignored
        sa.received()
        self.send(packet.src, msg.reply("info-resp", dict(msg.data)), packet.dst)
        if msg.data.get("what") == "delete":
            self.delete(sa, "peer delete", notify=False)

    def _on_info_resp(self, packet: Packet, msg: IkeMsg) -> None:
        sa = self.sas.get(packet.src)
        if sa is not None and msg.data.get("what") == "dpd":
            sa.dpd_answered()
        elif sa is not None:
            sa.received()

    def _on_rekey_req(self, packet: Packet, msg: IkeMsg) -> None:
        sa = self.sas.get(packet.src)
        if sa is None or msg.spi != sa.spi_i:
            return
        sa.received()
        sa.rekeyed_by_peer()
        self.send(packet.src, msg.reply("rekey-resp"), packet.dst)

    def _on_rekey_resp(self, packet: Packet, msg: IkeMsg) -> None:
        pending = self._answered(msg.spi, "rekey-req")
        if pending is not None:
            pending.on_done(True, None)

    def decapsulate(self, packet: Packet) -> Packet | None:
        """Decrypt an ESP packet of a live SA with the matching SPI: count it and return the inner packet."""
        sa = self.sas.get(packet.src)
        if sa is None or not sa.alive or packet.payload != sa.remote_spi:
            return None
        sa.decrypted += 1
        sa.received()
        iface = self.node.interfaces.get(sa.interface)
        if iface is not None:
            iface.count_in(packet.size, self.node.now())
        return packet.inner

    # -- teardown ------------------------------------------------------------------------------
    def delete(self, sa: IkeSa, reason: str, notify: bool = True) -> None:
        """End an SA (sending a Delete unless told not to), log the session down and release its tunnel."""
        if not sa.alive:
            return
        if notify:
            self.send(sa.remote, sa.new_request("info-req", {"what": "delete"}), sa.local)
        sa.stop()
        if self.sas.get(sa.remote) is sa:
            del self.sas[sa.remote]
        self.node.truth("sa-deleted", sa.remote, reason=reason)
        self.log_session(sa, False)
        if sa.initiator:
            self.node.flex.sa_down(sa, reason)
        else:
            self.node.flex.server.detach(sa)

    def clear_all(self, reason: str = "cleared") -> int:
        """`clear crypto session`: delete every SA, notifying each peer; returns how many."""
        sas = list(self.sas.values())
        for sa in sas:
            self.delete(sa, reason, notify=True)
        return len(sas)

    def log_session(self, sa: IkeSa, up: bool) -> None:
        """Log IKEV2_SESSION_STATUS up/down, if `crypto logging session` is configured."""
        if self.crypto.logging_session:
            self.node.log(syslog.ikev2_session(up, sa.remote, sa.remote))
