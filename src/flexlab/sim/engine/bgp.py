"""BGP speaker of one node: neighbours (configured and listen-range dynamic), the BGP
table with best-path selection, `network`, `aggregate-address [summary-only]`,
route-reflection, next-hop handling, `unsuppress-map`, and RIB installation.

Rules modelled (IOS): iBGP routes go to iBGP peers only when reflected — from a client
to every peer, from a non-client to clients only, never back to the sender — with
ORIGINATOR_ID / CLUSTER_LIST set and checked; iBGP next hop unchanged except
`next-hop-self` (locally originated/eBGP routes) or `next-hop-self all` (also reflected
routes); local routes get the session's local address. `network` needs the exact prefix
in the (non-BGP) routing table. An aggregate is active while a more specific prefix is
in the BGP table; `summary-only` suppresses those ('s'), except towards neighbours whose
`unsuppress-map` permits them. BGP next hops resolve through non-BGP routes; paths with
unresolvable next hops are not candidates. Best paths are installed with AD 200 (iBGP).
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flexlab.sim.engine import syslog
from flexlab.sim.engine.bgp_paths import ZERO, Attrs, Path, best_of
from flexlab.sim.engine.bgp_session import Neighbor, Segment
from flexlab.sim.engine.rib import Route
from flexlab.sim.engine.scheduler import Timer
from flexlab.sim.engine.underlay import Packet
from flexlab.sim.engine.views_bgp import (
    AggregateView,
    BgpView,
    NeighborView,
    PolicyView,
)

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network
LOCAL_WEIGHT = 32768


def _inside(prefix: IPv4Network, aggregate: IPv4Network) -> bool:
    """``prefix`` is a strictly more specific part of ``aggregate``."""
    plen = aggregate.prefixlen
    if prefix.prefixlen <= plen:
        return False
    mask = (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF
    return int(prefix.network_address) & mask == int(aggregate.network_address)


class BgpSpeaker:
    """The `router bgp` process of one node: neighbours, the BGP table (paths per prefix), best paths, aggregates."""
    def __init__(self, node: Node) -> None:
        self.node = node
        self.view: BgpView | None = None
        self.policy = PolicyView({}, {}, {})
        self.asn = 0
        self.router_id = ZERO
        self.cluster_id = ZERO
        self.rng = random.Random(f"{node.lab.seed}/{node.name}/bgp")
        self.neighbors: dict[IPv4Address, Neighbor] = {}
        self.established: dict[IPv4Address, Neighbor] = {}
        self.paths: dict[IPv4Network, dict[object, Path]] = {}
        self.best: dict[IPv4Network, Path] = {}
        self.table_version = 1
        self.prefix_version: dict[IPv4Network, int] = {}
        self.nh_index: dict[IPv4Address, set[IPv4Network]] = {}
        self.nh_state: dict[IPv4Address, tuple[bool, int]] = {}
        self.aggregates: dict[IPv4Network, AggregateView] = {}
        self.agg_count: dict[IPv4Network, int] = {}
        self.networks: set[IPv4Network] = set()
        self._scan_timer: Timer | None = None

    @property
    def log_changes(self) -> bool:
        """Whether ADJCHANGE goes to the log (`bgp log-neighbor-changes`, on by default in IOS)."""
        return self.view is None or self.view.log_neighbor_changes

    def timers_for(self, neighbor: Neighbor) -> tuple[int, int]:
        """Keepalive and hold time (seconds) to offer this neighbour: its `timers` line, else `timers bgp`."""
        if neighbor.view.timers is not None:
            return neighbor.view.timers
        assert self.view is not None
        return self.view.keepalive, self.view.holdtime

    # -- configuration -------------------------------------------------------------------------
    def apply(self, view: BgpView | None, policy: PolicyView) -> None:
        """Follow a new `router bgp` config; a removed process or a changed AS number drops every session."""
        old_view, old_policy = self.view, self.policy
        if view is None:
            if old_view is not None:
                self._shutdown_all()
            return
        if old_view is not None and view.asn != old_view.asn:
            self._shutdown_all()
            old_view = None
        self.view, self.policy, self.asn = view, policy, view.asn
        self.router_id = view.router_id or self._default_router_id()
        self.cluster_id = view.cluster_id or self.router_id
        self._sync_neighbors(view)
        self._refresh_networks()
        if old_view is None or view.aggregates != old_view.aggregates:
            self._rebuild_aggregates(view.aggregates)
        if old_view is not None and (view != old_view or policy != old_policy):
            self._readvertise_all()

    def _default_router_id(self) -> IPv4Address:
        loopbacks = [i.address.ip for i in self.node.interfaces if i.kind == "loopback" and i.line_up and i.address]
        others = [i.address.ip for i in self.node.interfaces if i.line_up and i.address]
        return max(loopbacks or others or [ZERO])

    def _sync_neighbors(self, view: BgpView) -> None:
        for address, nview in view.neighbors.items():
            current = self.neighbors.get(address)
            if current is not None and current.dynamic:
                current.reset("Neighbor deleted", quiet=True)
                current = None
            if current is None:
                self.neighbors[address] = neighbor = Neighbor(self, address, nview, dynamic=False)
                neighbor.start(first=True)
            else:
                self._reconfigure(current, nview)
        for address, neighbor in list(self.neighbors.items()):
            if neighbor.dynamic:
                group = view.listen_group_for(address)
                if group is None:
                    neighbor.reset("Neighbor deleted", quiet=True)
                else:
                    self._reconfigure(neighbor, view.dynamic_view(address, group))
            elif address not in view.neighbors:
                neighbor.view = NeighborView(key=str(address), shutdown=True)
                neighbor.admin_reset("6/3", "Peer De-configured", "Neighbor deleted")
                self.neighbors.pop(address, None)

    def _reconfigure(self, neighbor: Neighbor, nview: NeighborView) -> None:
        old = neighbor.view
        neighbor.view = nview
        if nview.shutdown and not old.shutdown:
            neighbor.admin_reset("6/2", "Administrative Shutdown", "Admin. shutdown")
        elif old.shutdown and not nview.shutdown:
            neighbor.start(first=True)
        elif nview.remote_as != old.remote_as and neighbor.state != "Idle":
            neighbor.admin_reset("6/6", "Other Configuration Change", "Remote AS changed")

    def _shutdown_all(self) -> None:
        for neighbor in list(self.neighbors.values()):
            neighbor.view = NeighborView(key=str(neighbor.address), shutdown=True)
            neighbor.admin_reset("6/3", "Peer De-configured", "Neighbor deleted")
        self.neighbors.clear()
        for prefix in list(self.paths):
            self._set_path(prefix, "network", None)
            self._set_path(prefix, "aggregate", None)
        self.view = None

    # -- local routes --------------------------------------------------------------------------
    def _refresh_networks(self) -> None:
        wanted = set(self.view.networks) if self.view else set()
        for prefix in wanted | self.networks:
            route = self.node.rib.has_igp_prefix(prefix) if prefix in wanted else None
            current = self.paths.get(prefix, {}).get("network")
            if route is not None and current is None:
                attrs = Attrs(ZERO, med=route.metric)
                self._set_path(
                    prefix, "network", Path(prefix, attrs, "network", LOCAL_WEIGHT, received=self.node.now())
                )
            elif route is None and current is not None:
                self._set_path(prefix, "network", None)
        self.networks = {p for p in wanted if "network" in self.paths.get(p, {})}

    def _rebuild_aggregates(self, aggregates: Iterable[AggregateView]) -> None:
        previous = list(self.aggregates)
        self.aggregates, self.agg_count = {}, {}
        for prefix in previous:
            self._set_path(prefix, "aggregate", None)
        self.aggregates = {a.prefix: a for a in aggregates}
        self.agg_count = {a: sum(1 for p in self.best if _inside(p, a)) for a in self.aggregates}
        for prefix in self.aggregates:
            self._sync_aggregate(prefix)
        self._readvertise_all()

    def _sync_aggregate(self, prefix: IPv4Network) -> None:
        active = self.agg_count.get(prefix, 0) > 0
        current = self.paths.get(prefix, {}).get("aggregate")
        if active and current is None:
            attrs = Attrs(
                ZERO, atomic_aggregate=not self.aggregates[prefix].as_set, aggregator=(self.asn, self.router_id)
            )
            self._set_path(
                prefix, "aggregate", Path(prefix, attrs, "aggregate", LOCAL_WEIGHT, received=self.node.now())
            )
        elif not active and current is not None:
            self._set_path(prefix, "aggregate", None)
        else:
            return
        if self.aggregates[prefix].summary_only:
            for inner in [p for p in self.best if _inside(p, prefix)]:
                self._advertise(inner)

    def suppressed(self, prefix: IPv4Network) -> bool:
        """Whether an `aggregate-address ... summary-only` holds back this more specific (status `s`)."""
        return any(
            agg.summary_only and "aggregate" in self.paths.get(agg_prefix, {}) and _inside(prefix, agg_prefix)
            for agg_prefix, agg in self.aggregates.items()
        )

    # -- the table ---------------------------------------------------------------------------------
    def _set_path(self, prefix: IPv4Network, key: object, path: Path | None) -> None:
        candidates = self.paths.get(prefix)
        old = candidates.get(key) if candidates else None
        if old is None and path is None:
            return
        if old is not None and old.source == "peer":
            self._unindex(prefix, old.attrs.next_hop, key)
        if path is None:
            del candidates[key]  # type: ignore[union-attr]
            if not candidates:
                del self.paths[prefix]
        else:
            if candidates is None:
                candidates = self.paths[prefix] = {}
            candidates[key] = path
            if path.source == "peer":
                self.nh_index.setdefault(path.attrs.next_hop, set()).add(prefix)
                path.valid, path.igp_metric = self._nh(path.attrs.next_hop)
        self._recompute(prefix)

    def _unindex(self, prefix: IPv4Network, next_hop: IPv4Address, key: object) -> None:
        others = self.paths.get(prefix, {})
        if any(k != key and p.source == "peer" and p.attrs.next_hop == next_hop for k, p in others.items()):
            return
        prefixes = self.nh_index.get(next_hop)
        if prefixes is not None:
            prefixes.discard(prefix)
            if not prefixes:
                del self.nh_index[next_hop]
                self.nh_state.pop(next_hop, None)

    def _nh(self, next_hop: IPv4Address) -> tuple[bool, int]:
        state = self.nh_state.get(next_hop)
        if state is None:
            hop = self.node.rib.resolve(next_hop, igp_only=True)
            state = (hop is not None and hop.interface != "Null0", hop.route.metric if hop else 0)
            self.nh_state[next_hop] = state
        return state

    def _recompute(self, prefix: IPv4Network) -> None:
        candidates = self.paths.get(prefix)
        new = best_of(list(candidates.values())) if candidates else None
        old = self.best.get(prefix)
        if new is old:
            return
        if new is None:
            del self.best[prefix]
        else:
            self.best[prefix] = new
        self.table_version += 1
        self.prefix_version[prefix] = self.table_version
        self._install(prefix, new)
        if (old is None) != (new is None):
            delta = 1 if new is not None else -1
            for agg in self.aggregates:
                if _inside(prefix, agg):
                    self.agg_count[agg] = self.agg_count.get(agg, 0) + delta
                    self._sync_aggregate(agg)
        self._advertise(prefix)

    def _install(self, prefix: IPv4Network, best: Path | None) -> None:
        route = None
        if best is not None and best.source == "aggregate":
            route = Route(prefix, "B", 200, 0, ZERO, "Null0", best.received, "bgp")
        elif best is not None and best.source == "peer":
            distance = 200 if best.ibgp else 20
            route = Route(prefix, "B", distance, best.attrs.med, best.attrs.next_hop, None, best.received, "bgp")
        self.node.rib.set("bgp", prefix, route)

    def schedule_scan(self) -> None:
        """Queue a BGP scanner run (next-hop re-resolution) after the image's scan delay, once."""
        if self.view is None:
            return
        if self._scan_timer is None or not self._scan_timer.pending:
            self._scan_timer = self.node.after(self.node.timing.bgp_scan_delay_s, self._scan)

    def _scan(self) -> None:
        """Re-resolve next hops and `network` prefixes after routing-table changes."""
        affected: set[IPv4Network] = set()
        for next_hop, prefixes in self.nh_index.items():
            old = self.nh_state.pop(next_hop, None)
            if self._nh(next_hop) != old:
                affected |= prefixes
        for prefix in affected:
            for path in self.paths.get(prefix, {}).values():
                if path.source == "peer":
                    path.valid, path.igp_metric = self._nh(path.attrs.next_hop)
            self._force_recompute(prefix)
        self._refresh_networks()

    def _force_recompute(self, prefix: IPv4Network) -> None:
        candidates = self.paths.get(prefix)
        new = best_of(list(candidates.values())) if candidates else None
        if new is not self.best.get(prefix):
            self._recompute(prefix)

    # -- advertising -----------------------------------------------------------------------------------
    def _advertise(self, prefix: IPv4Network) -> None:
        for neighbor in self.established.values():
            neighbor.offer(prefix, self.out_attrs(prefix, neighbor))

    def _readvertise_all(self) -> None:
        for neighbor in self.established.values():
            for prefix in set(self.best) | set(neighbor.adj_out):
                neighbor.offer(prefix, self.out_attrs(prefix, neighbor))

    def out_attrs(self, prefix: IPv4Network, neighbor: Neighbor) -> Attrs | None:
        """What ``neighbor`` should hold for ``prefix`` (None: nothing / withdraw)."""
        best = self.best.get(prefix)
        if best is None or (best.source == "peer" and best.peer == neighbor.address):
            return None
        ibgp_out = neighbor.ibgp
        reflect = best.source == "peer" and best.ibgp and ibgp_out
        if reflect and not (best.from_client or neighbor.view.rr_client):
            return None
        if self.suppressed(prefix):
            unsuppress = neighbor.view.unsuppress_map
            if unsuppress is None or not self.policy.route_map_permits(unsuppress, prefix):
                return None
        attrs = best.attrs
        next_hop = attrs.next_hop
        local = neighbor.local_addr or ZERO
        self_as_next_hop = neighbor.view.next_hop_self and (not best.ibgp or neighbor.view.next_hop_self_all)
        if best.local or next_hop == ZERO or not ibgp_out or self_as_next_hop:
            next_hop = local
        originator, clusters = attrs.originator_id, attrs.cluster_list
        if reflect:
            originator = originator or best.peer_router_id
            clusters = (self.cluster_id,) + clusters
        as_path = attrs.as_path if ibgp_out else (self.asn,) + attrs.as_path
        return Attrs(
            next_hop, attrs.local_pref if ibgp_out else 100, attrs.med, attrs.origin, as_path,
            originator if ibgp_out else None, clusters if ibgp_out else (), attrs.atomic_aggregate, attrs.aggregator,
        )

    # -- neighbour events ---------------------------------------------------------------------------------
    def neighbor_up(self, neighbor: Neighbor) -> None:
        """A session reached Established: send it the whole table (initial UPDATEs)."""
        self.established[neighbor.address] = neighbor
        for prefix in list(self.best):
            neighbor.offer(prefix, self.out_attrs(prefix, neighbor))

    def neighbor_down(self, neighbor: Neighbor) -> None:
        """A session left Established: withdraw every path learnt from it and forget what it was sent."""
        if self.established.get(neighbor.address) is neighbor:
            del self.established[neighbor.address]
        for prefix in list(neighbor.adj_in):
            del neighbor.adj_in[prefix]
            self.node.truth("prefix-withdrawn", neighbor.address, prefix=str(prefix), peer_node=neighbor.peer_node)
            self._set_path(prefix, neighbor.address, None)
        neighbor.adj_out.clear()

    def remove_dynamic(self, neighbor: Neighbor, was_up: bool) -> None:
        """Forget a listen-range neighbour whose session ended (IOS deletes dynamic peers, logging it if it was up)."""
        if self.neighbors.get(neighbor.address) is neighbor:
            del self.neighbors[neighbor.address]
            if was_up:
                neighbor._log(syslog.bgp_neighbor_deleted(neighbor.display))

    def process_update(self, neighbor: Neighbor, entries: tuple[tuple[IPv4Network, Attrs | None], ...]) -> None:
        """Apply one UPDATE: store or withdraw each prefix in the Adj-RIB-In (looped paths count as withdrawn)."""
        now = self.node.now()
        for prefix, attrs in entries:
            old = neighbor.adj_in.get(prefix)
            if attrs is not None and self._looped(neighbor, attrs):
                attrs = None
            if attrs is None:
                if old is not None:
                    del neighbor.adj_in[prefix]
                    self.node.truth(
                        "prefix-withdrawn", neighbor.address, prefix=str(prefix), peer_node=neighbor.peer_node
                    )
                    self._set_path(prefix, neighbor.address, None)
                continue
            received = old.received if old is not None and old.attrs == attrs else now
            path = Path(prefix, attrs, "peer", 0, neighbor.address, neighbor.peer_router_id, neighbor.ibgp,
                        neighbor.view.rr_client, received)
            neighbor.adj_in[prefix] = path
            if old is None or old.attrs != attrs:
                self.node.truth("prefix-received", neighbor.address, prefix=str(prefix),
                                next_hop=str(attrs.next_hop), peer_node=neighbor.peer_node)
            self._set_path(prefix, neighbor.address, path)

    def _looped(self, neighbor: Neighbor, attrs: Attrs) -> bool:
        if attrs.originator_id == self.router_id or self.cluster_id in attrs.cluster_list:
            return True
        return not neighbor.ibgp and self.asn in attrs.as_path

    def interfaces_changed(self, removed: set[str]) -> None:
        """Reset sessions whose egress interface was deleted or whose local address is gone."""
        if self.view is None:
            return
        addresses = {i.address.ip for i in self.node.interfaces if i.address is not None}
        for neighbor in list(self.neighbors.values()):
            if neighbor.conn is None:
                continue
            if neighbor.egress in removed or neighbor.local_addr not in addresses:
                neighbor.reset("Interface flap")

    # -- packets ------------------------------------------------------------------------------------------
    def receive(self, packet: Packet) -> None:
        """Hand a TCP segment to port 179: a SYN opens a session, others go to their neighbour, strays get a RST."""
        seg: Segment = packet.payload
        if self.view is None:
            if seg.kind != "rst":
                self._rst(packet, seg)
            return
        neighbor = self.neighbors.get(packet.src)
        if seg.kind == "syn":
            self._on_syn(packet, seg, neighbor)
        elif neighbor is not None and neighbor.conn == seg.conn:
            neighbor.handle(seg)
        elif seg.kind != "rst":
            self._rst(packet, seg)

    def _rst(self, packet: Packet, seg: Segment) -> None:
        self.node.send(Packet(packet.dst, packet.src, "tcp", Segment("rst", seg.conn), 40))

    def _on_syn(self, packet: Packet, seg: Segment, neighbor: Neighbor | None) -> None:
        assert self.view is not None
        if neighbor is not None and neighbor.established:
            neighbor.reset("Peer closed the session")
            neighbor = self.neighbors.get(packet.src)
        if neighbor is None:
            group = self.view.listen_group_for(packet.src)
            dynamic = sum(1 for n in self.neighbors.values() if n.dynamic)
            if group is None or dynamic >= self.view.listen_limit:
                self._rst(packet, seg)
                return
            neighbor = Neighbor(self, packet.src, self.view.dynamic_view(packet.src, group), dynamic=True)
            self.neighbors[packet.src] = neighbor
        if neighbor.view.shutdown:
            self._rst(packet, seg)
            return
        if neighbor.state in ("Connect", "OpenSent", "OpenConfirm") and neighbor.initiator:
            if int(packet.dst) > int(packet.src):
                self._rst(packet, seg)   # collision: the higher address keeps its own connection
                return
            neighbor.reset("collision", quiet=True)
        neighbor.accept(seg.conn, packet.dst)

    # -- exec commands -----------------------------------------------------------------------------------
    def clear(self, target: str) -> int:
        """`clear ip bgp {*|A}`: hard reset (NOTIFICATION 6/4, "User reset")."""
        count = 0
        for neighbor in list(self.neighbors.values()):
            if (target == "*" or str(neighbor.address) == target) and neighbor.established:
                neighbor.admin_reset("6/4", "Administrative Reset", "User reset")
                count += 1
        return count
