"""NTP: `ntp master` nodes are authoritative; `ntp server A` nodes poll A and, once A
answered and ``ntp_sync_delay_s`` passed since NTP started, take A's clock exactly
(offset and all) and count as synchronised (times without a leading '*').

Simplifications: one reply is enough (the delay stands for the several samples real NTP
collects); a synchronised client stays synchronised when its server later disappears
(IOS keeps the clock running and only drops the sync after a long holdover).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from flexlab.sim.engine.scheduler import Timer
from flexlab.sim.engine.underlay import Packet
from flexlab.sim.engine.views import NtpView
from flexlab.sim.state import NtpAssociationState, NtpState

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node

IPv4Address = ipaddress.IPv4Address
LOCAL_CLOCK = IPv4Address("127.127.1.1")


class NtpClient:
    """The node's NTP: master or client of `ntp server`s, its stratum, reference and reach registers."""
    def __init__(self, node: Node) -> None:
        self.node = node
        self.view = NtpView()
        self.stratum = 16
        self.reference: IPv4Address | None = None
        self.started: float | None = None
        self.last_update: float | None = None
        self.reach: dict[IPv4Address, int] = {}
        self.last_rx: dict[IPv4Address, float] = {}
        self.server_stratum: dict[IPv4Address, int] = {}
        self._timer: Timer | None = None

    def apply(self, view: NtpView) -> None:
        """Follow a new NTP config: become master, stop syncing, or start polling the servers."""
        if view == self.view and self.started is not None:
            return
        self.view = view
        node = self.node
        if self._timer is not None:
            self._timer.cancel()
        if view.master:
            node.clock_offset, node.clock_synced = node.own_offset, True
            self.stratum, self.reference, self.last_update = view.stratum, LOCAL_CLOCK, node.now()
            self.started = node.now()
            return
        if not view.servers:
            if node.clock_synced:
                node.clock_synced, self.stratum, self.reference = False, 16, None
            self.started = node.now()
            return
        self.started = node.now()
        if not node.clock_synced:
            self._timer = node.after(node.timing.ntp_sync_delay_s, self._poll)
        else:
            self._timer = node.after(node.timing.ntp_poll_s, self._poll)

    def _poll(self) -> None:
        node = self.node
        for server in self.view.servers:
            self.reach[server] = (self.reach.get(server, 0) << 1) & 0xFF
            found = node.source_for(server)
            if found is not None:
                node.send(Packet(found[0], server, "ntp", ("req",), 76))
        period = node.timing.ntp_poll_s if node.clock_synced else node.timing.ntp_sync_delay_s
        self._timer = node.after(period, self._poll)

    def receive(self, packet: Packet) -> None:
        """Answer a request when synced; take a server's time (offset) from a response, stratum + 1."""
        node = self.node
        kind = packet.payload[0]
        if kind == "req":
            if node.clock_synced:
                node.send(Packet(packet.dst, packet.src, "ntp", ("resp", node.clock_offset, self.stratum), 76))
            return
        if kind != "resp" or packet.src not in self.view.servers:
            return
        _, offset, stratum = packet.payload
        self.reach[packet.src] = self.reach.get(packet.src, 0) | 1
        self.last_rx[packet.src] = node.now()
        self.server_stratum[packet.src] = stratum
        if stratum >= 16:
            return
        node.clock_offset, node.clock_synced = offset, True
        self.stratum, self.reference, self.last_update = min(15, stratum + 1), packet.src, node.now()

    def state(self) -> NtpState | None:
        """What `show ntp status` / `associations` render, or None when NTP is not configured."""
        view = self.view
        if not view.master and not view.servers:
            return None
        node = self.node
        associations = []
        if view.master:
            associations.append(NtpAssociationState(
                LOCAL_CLOCK, ".LOCL.", max(0, view.stratum - 1), self.last_update, reach=0o377, selection="sys.peer",
            ))
        for server in view.servers:
            associations.append(NtpAssociationState(
                server, ".LOCL." if self.server_stratum.get(server, 16) < 16 else ".INIT.",
                self.server_stratum.get(server, 16), self.last_rx.get(server), reach=self.reach.get(server, 0),
                selection="sys.peer" if self.reference == server and node.clock_synced else "none",
            ))
        return NtpState(
            synchronized=node.clock_synced, stratum=self.stratum if node.clock_synced else 16,
            reference=str(self.reference) if self.reference and node.clock_synced else None,
            associations=tuple(associations), last_update=self.last_update,
        )
