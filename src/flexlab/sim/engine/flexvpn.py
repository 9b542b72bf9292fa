"""FlexVPN: the spoke's client block (peer selection, tunnel up/down) and the hub's
server side (authorization, pool addresses, Virtual-Access interfaces).

Client rules (facts.md §2): peers in sequence order; a peer with a track object is
possible only while the track is up; on start the first possible peer is tried; IKE
failure or DPD/rekey death moves to the next possible peer (wrapping round) after
``flex_next_peer_delay_s``; a cleared SA restarts from the first possible peer. No
pre-emption unless `peer reactivate`: then a more preferred possible peer is probed every
``flex_reactivate_probe_s`` (an IKE_SA_INIT it must answer) and, when it answers, the
client moves back to it. The client drives its tunnel only when the tunnel has
`tunnel destination dynamic`.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from flexlab.sim.engine import syslog
from flexlab.sim.engine.ifaces import Iface
from flexlab.sim.engine.scheduler import Timer
from flexlab.sim.engine.views_crypto import FlexClientView, ProfileView

if TYPE_CHECKING:
    from flexlab.sim.engine.ikev2 import IkeSa
    from flexlab.sim.engine.node import Node

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network
START_DELAY_S = 0.5
_RESTART_FROM_FIRST = ("cleared", "peer delete")


class FlexServer:
    """Hub side of FlexVPN sessions."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.in_use: dict[str, set[int]] = {}

    def authorize(
        self, profile: ProfileView, want_config: bool
    ) -> tuple[str | None, IPv4Address | None, tuple[IPv4Network, ...]]:
        """(error, address to assign, routes to push) for a new session on ``profile``."""
        crypto = self.node.ike.crypto
        template = f"Virtual-Template{profile.virtual_template}" if profile.virtual_template is not None else None
        if template is None or self.node.interfaces.get(template) is None:
            return "no virtual-template for the IKEv2 profile", None, ()
        policy = crypto.auth_policies.get(profile.auth_policy) if profile.auth_policy else None
        assigned = None
        if want_config:
            if policy is None or policy.pool is None:
                return "no address pool in the authorization policy", None, ()
            pool = crypto.pools.get(policy.pool)
            if pool is None:
                return f"ip local pool {policy.pool} not defined", None, ()
            used = self.in_use.get(pool.name, set())
            free = next((a for a in pool.addresses() if a not in used), None)
            if free is None:
                return f"ip local pool {pool.name} exhausted", None, ()
            assigned = IPv4Address(free)
        routes: tuple[IPv4Network, ...] = ()
        if policy is not None and policy.route_set_interface:
            address = self.node.interfaces.ip_of(template)
            if address is not None:
                routes = (IPv4Network(f"{address}/32"),)
        return None, assigned, routes

    def attach(self, sa: IkeSa, profile: ProfileView) -> None:
        """Hub side: mark the SA's pool address in use; give it a Virtual-Access cloned from its Virtual-Template."""
        crypto = self.node.ike.crypto
        policy = crypto.auth_policies.get(profile.auth_policy or "")
        if sa.assigned is not None and policy is not None and policy.pool:
            self.in_use.setdefault(policy.pool, set()).add(int(sa.assigned))
            sa.pool = policy.pool
        va = self.node.interfaces.create_virtual_access(f"Virtual-Template{profile.virtual_template}")
        va.sa = sa
        va.pushed = (IPv4Network(f"{sa.assigned}/32"),) if sa.assigned is not None else ()
        sa.interface = va.name
        self.node.update_interfaces()

    def detach(self, sa: IkeSa) -> None:
        """Hub side: an SA ended, so return its pool address and remove its Virtual-Access (logging it down)."""
        if sa.pool is not None and sa.assigned is not None:
            self.in_use.get(sa.pool, set()).discard(int(sa.assigned))
        va = self.node.interfaces.get(sa.interface)
        if va is None:
            return
        if va.line_up:
            self.node.log(syslog.lineproto(va.name, False))
        self.node.log(syslog.link_updown(va.name, False))
        self.node.interfaces.remove(va.name)
        self.node.update_interfaces(removed={va.name})


class FlexClient:
    """One `crypto ikev2 client flexvpn NAME` block on a spoke: which peer it tries, its SA, its state."""
    def __init__(self, node: Node, view: FlexClientView) -> None:
        self.node = node
        self.view = view
        self.state = "INACTIVE"
        self.index: int | None = None
        self.sa: IkeSa | None = None
        self.peer: IPv4Address | None = None
        self._timer: Timer | None = None
        self._probe_timer: Timer | None = None
        self._token = 0
        self._stopping = False

    # -- helpers ------------------------------------------------------------------------------
    @property
    def tunnel(self) -> Iface | None:
        """The tunnel interface named by `client connect`, if it exists."""
        return self.node.interfaces.get(self.view.tunnel)

    def usable(self) -> bool:
        """Whether the client can run: a dynamic-destination tunnel, not shut, and at least one `peer`."""
        tunnel = self.tunnel
        return (
            tunnel is not None and tunnel.kind == "tunnel" and tunnel.view.tunnel_destination == "dynamic"
            and not tunnel.view.shutdown and bool(self.view.peers)
        )

    def possible(self) -> list[int]:
        """Indexes of the peers whose `track` is up (or that have none), in `peer` sequence order."""
        return [i for i, p in enumerate(self.view.peers) if p.track is None or self.node.sla.track_up(p.track)]

    def _next_after(self, index: int | None) -> int | None:
        possible = self.possible()
        if not possible:
            return None
        if index is None:
            return possible[0]
        later = [i for i in possible if i > index]
        return later[0] if later else possible[0]

    def source_interface(self) -> str | None:
        """Interface the IKE packets leave from: `source`, else the tunnel's `tunnel source`."""
        tunnel = self.tunnel
        return self.view.source_interface or (tunnel.view.tunnel_source if tunnel else None)

    def _cancel_timers(self) -> None:
        for timer in (self._timer, self._probe_timer):
            if timer is not None:
                timer.cancel()

    # -- connecting -----------------------------------------------------------------------------
    def start(self, from_first: bool = True, delay: float = START_DELAY_S) -> None:
        """Begin peer selection after ``delay`` lab seconds, from the first peer or the one after the current."""
        self._cancel_timers()
        if not self.usable():
            self.state = "INACTIVE"
            return
        index = self._next_after(None if from_first else self.index)
        if index is None:
            self.state = "INACTIVE"
            return
        self.state = "WAIT-NEXT-PEER"
        self._timer = self.node.after(delay, self._connect, index)

    def _connect(self, index: int) -> None:
        if not self.usable() or self.sa is not None:
            return
        if index >= len(self.view.peers):
            index = self._next_after(None) or 0
        tunnel = self.tunnel
        assert tunnel is not None
        self.index, self.peer = index, self.view.peers[index].address
        source = self.node.interfaces.get(self.source_interface())
        local = self.node.interfaces.ip_of(self.source_interface())
        profile = self.node.ike.crypto.profile_for_tunnel(tunnel.view.tunnel_protection)
        if profile is None:
            self.state = "INACTIVE"
            self.node.truth("ike-failed", self.peer, reason="no IKEv2 profile on the tunnel's IPsec profile")
            return
        if source is None or not source.line_up or local is None:
            self._failed("source interface down")
            return
        self.state = "CONNECTING"
        self._token += 1
        token = self._token
        self.node.ike.initiate(self.peer, local, profile, lambda sa, reason: self._result(token, sa, reason),
                               want_config=tunnel.view.negotiated, ipsec_profile=tunnel.view.tunnel_protection)

    def _result(self, token: int, sa: IkeSa | None, reason: str) -> None:
        if token != self._token or self.state != "CONNECTING":
            if sa is not None:
                self.node.ike.delete(sa, "not wanted", notify=True)
            return
        if sa is None:
            self._failed(reason)
            return
        self._up(sa)

    def _failed(self, reason: str) -> None:
        self.state = "WAIT-NEXT-PEER"
        next_index = self._next_after(self.index)
        if next_index is None:
            self.state = "INACTIVE"
            return
        self._timer = self.node.after(self.node.timing.flex_next_peer_delay_s, self._connect, next_index)

    def _up(self, sa: IkeSa) -> None:
        tunnel = self.tunnel
        assert tunnel is not None
        self.sa = sa
        self.state = "ACTIVE"
        sa.interface = tunnel.name
        tunnel.sa = sa
        negotiated = sa.assigned is not None and tunnel.view.negotiated
        tunnel.negotiated = ipaddress.IPv4Interface(f"{sa.assigned}/32") if negotiated else None
        tunnel.pushed = sa.pushed
        self.node.update_interfaces()
        self.node.ike.log_session(sa, True)
        self.node.log(syslog.flexvpn_up(self.view.name, sa.local, sa.remote, sa.assigned))
        self.node.truth("flexvpn-up", sa.remote, assigned=str(sa.assigned))
        self._schedule_reactivate()

    # -- losing the connection --------------------------------------------------------------------
    def sa_down(self, sa: IkeSa, reason: str) -> None:
        """Our SA ended: log FLEXVPN_CONNECTION_DOWN, clear the tunnel and try the next (or first) peer."""
        if sa is not self.sa:
            return
        self.sa = None
        self.node.log(syslog.flexvpn_down(self.view.name, sa.local, sa.remote))
        self.node.truth("flexvpn-down", sa.remote, assigned=str(sa.assigned), reason=reason)
        tunnel = self.tunnel
        if tunnel is not None:
            tunnel.sa, tunnel.negotiated, tunnel.pushed = None, None, ()
        self.node.update_interfaces()
        self._cancel_timers()
        if reason == "reactivate" or self._stopping:
            return
        if reason in _RESTART_FROM_FIRST:
            self.start(from_first=True, delay=self.node.timing.flex_next_peer_delay_s)
        else:
            self._failed(reason)

    def stop(self, reason: str = "config") -> None:
        """Delete the SA (notifying the peer) and go INACTIVE, e.g. when the client block is removed."""
        self._token += 1
        self._cancel_timers()
        self._stopping = True
        try:
            if self.sa is not None:
                self.node.ike.delete(self.sa, reason, notify=True)
        finally:
            self._stopping = False
        self.state = "INACTIVE"

    # -- pre-emption and tracking -------------------------------------------------------------------
    def _better_peers(self) -> list[int]:
        if self.index is None:
            return []
        return [i for i in self.possible() if i < self.index]

    def _schedule_reactivate(self) -> None:
        if self.view.reactivate and self._better_peers():
            self._probe_timer = self.node.after(self.node.timing.flex_reactivate_probe_s, self._probe_better)

    def _probe_better(self) -> None:
        better = self._better_peers()
        if self.state != "ACTIVE" or not better or not self.view.reactivate:
            return
        local = self.node.interfaces.ip_of(self.source_interface())
        if local is None:
            self._schedule_reactivate()
            return
        target = better[0]
        sa = self.sa
        self.node.ike.probe(self.view.peers[target].address, local, lambda ok: self._probed(ok, target, sa))

    def _probed(self, ok: bool, target: int, sa: IkeSa | None) -> None:
        if sa is not self.sa or self.state != "ACTIVE":
            return
        if not ok:
            self._schedule_reactivate()
            return
        self.switch_to(target)

    def switch_to(self, index: int) -> None:
        """Drop the current SA and connect to peer ``index`` (`peer reactivate` moving back to a better peer)."""
        if self.sa is not None:
            self.node.ike.delete(self.sa, "reactivate", notify=True)
        self._connect(index)

    def track_changed(self) -> None:
        """A track object changed: leave a peer whose track went down, reactivate a better one, or restart."""
        possible = self.possible()
        if self.state == "ACTIVE" and self.index is not None and self.index not in possible:
            if self.sa is not None:
                self.node.ike.delete(self.sa, "track down", notify=True)
        elif self.state == "ACTIVE" and self.view.reactivate and self._better_peers():
            self.switch_to(self._better_peers()[0])
        elif self.state == "INACTIVE" and possible:
            self.start()


class FlexManager:
    """The node's FlexVPN parts: the spoke clients by name and the hub (server) side."""
    def __init__(self, node: Node) -> None:
        self.node = node
        self.clients: dict[str, FlexClient] = {}
        self.server = FlexServer(node)

    def apply(self, views: dict[str, FlexClientView]) -> None:
        """Bring the clients in line with the config. A client whose session must end is
        stopped while it still has its old view (so the tunnel it drove is cleared), then
        given the new one."""
        for name in list(self.clients):
            if name not in views:
                self.clients.pop(name).stop()
        for name, view in views.items():
            client = self.clients.get(name)
            if client is None:
                self.clients[name] = client = FlexClient(self.node, view)
                client.start()
                continue
            if view == client.view:
                self._follow_tunnel(client)
                continue
            old_peer = client.peer
            still_there = any(p.address == old_peer for p in view.peers)
            if client.state == "ACTIVE" and still_there and view.tunnel == client.view.tunnel and client.usable():
                client.view = view
                client.index = next(i for i, p in enumerate(view.peers) if p.address == old_peer)
                client.track_changed()
            else:
                client.stop()
                client.view = view
                client.start()

    @staticmethod
    def _follow_tunnel(client: FlexClient) -> None:
        """Tunnel lines changed (`[no] tunnel destination dynamic`, `no ip address
        negotiated`): stop, restart or drop the negotiated address now."""
        tunnel = client.tunnel
        if tunnel is not None and tunnel.negotiated is not None and not tunnel.view.negotiated:
            client.stop("config")   # [assumed] the session restarts without a config request
            client.start()
        elif client.state != "INACTIVE" and not client.usable():
            client.stop("tunnel unusable")
        elif client.state == "INACTIVE" and client.usable() and client.possible():
            client.start()

    def sa_down(self, sa: IkeSa, reason: str) -> None:
        """Tell every client that an initiator SA ended."""
        for client in self.clients.values():
            client.sa_down(sa, reason)

    def interfaces_changed(self) -> None:
        """Let each client follow its tunnel interface (created, removed or shut)."""
        for client in self.clients.values():
            self._follow_tunnel(client)

    def track_changed(self) -> None:
        """Tell every client that a track object changed state."""
        for client in self.clients.values():
            client.track_changed()
