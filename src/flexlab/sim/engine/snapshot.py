"""Build the read model (:class:`NodeSnapshot`) of a node from its live state."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from flexlab.sim.engine.bgp_paths import Path
from flexlab.sim.engine.ifaces import Iface
from flexlab.sim.engine.ikev2 import IkeSa
from flexlab.sim.engine.snapshot_links import interface_mac, ipsec_detail, links, neighbor_detail
from flexlab.sim.state import (
    BgpListenRange,
    BgpNeighborState,
    BgpPathState,
    BgpState,
    CryptoSessionState,
    FlexClientState,
    IkeSaState,
    InterfaceState,
    IpsecFlow,
    NodeSnapshot,
    PoolState,
    RouteState,
    SlaState,
)
from flexlab.sim.state_cpu import CpuState

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node

IPv4Network = ipaddress.IPv4Network
_BANDWIDTH = {"ethernet": 10000, "loopback": 8000000, "tunnel": 100, "virtual-access": 100,
              "virtual-template": 100, "null": 10000000}
_DELAY = {"ethernet": 1000, "loopback": 5000, "tunnel": 50000, "virtual-access": 50000,
          "virtual-template": 50000, "null": 0}
_MTU = {"ethernet": 1500, "loopback": 1514, "tunnel": 17916, "virtual-access": 17916,
        "virtual-template": 17916, "null": 1500}


def build_snapshot(node: Node) -> NodeSnapshot:
    """The node's read model now; a stopped node shows only its identity and clock."""
    lab = node.lab
    if not node.running:
        return NodeSnapshot(
            hostname=node.hostname, version=lab.image_profile.version_for(node.serial), now=node.now(),
            booted=node.booted, clock_offset=node.clock_offset, clock_synced=node.clock_synced, epoch=lab.clock.epoch,
        )
    return NodeSnapshot(
        hostname=node.hostname,
        version=lab.image_profile.version_for(node.serial),
        now=node.now(),
        booted=node.booted,
        clock_offset=node.clock_offset,
        clock_synced=node.clock_synced,
        epoch=lab.clock.epoch,
        interfaces=tuple(_interface(i, n, list(lab.nodes).index(node.name)) for n, i in enumerate(node.interfaces)),
        ike_sas=tuple(_ike_sa(sa) for sa in sorted(node.ike.sas.values(), key=lambda s: s.tunnel_id)),
        crypto_sessions=tuple(_session(sa) for sa in sorted(node.ike.sas.values(), key=lambda s: s.tunnel_id)),
        flex_clients=tuple(_flex(node, c) for c in node.flex.clients.values()),
        bgp=_bgp(node),
        routes=tuple(
            RouteState(r.prefix, r.code, None if r.source == "connected" else r.distance,
                       None if r.source == "connected" else r.metric, r.next_hop, r.interface, r.since)
            for r in node.rib.routes()
        ),
        log=node.logbuf.entries(),
        logging=node.views.logging,
        pools=tuple(
            PoolState(
                p.name,
                p.start,
                p.end,
                tuple(ipaddress.IPv4Address(a) for a in sorted(node.flex.server.in_use.get(p.name, ()))),
            )
            for p in node.ike.crypto.pools.values()
        ),
        slas=tuple(_sla(op) for _, op in sorted(node.sla.ops.items())),
        ntp=node.ntp.state(),
        links=links(node),
        cpu=CpuState(*node.cpu.report(node.now())),
    )


def _interface(iface: Iface, index: int, node_index: int) -> InterfaceState:
    view = iface.view
    address = iface.address
    if iface.negotiated is not None:
        method = "IPCP"
    elif view.address is not None:
        method = "manual" if iface.manual else "NVRAM"
    else:
        method = "unset"
    destination = view.tunnel_destination
    if iface.sa is not None and iface.kind in ("tunnel", "virtual-access"):
        destination = str(iface.sa.remote)
    return InterfaceState(
        name=iface.name, kind=iface.kind, admin_up=iface.admin_up, line_up=iface.line_up,
        address=address.ip if address is not None else None,
        prefixlen=address.network.prefixlen if address is not None else None,
        method=method,  # type: ignore[arg-type]
        description=view.description, unnumbered=view.unnumbered,
        mtu=_MTU[iface.kind], ip_mtu=view.ip_mtu,
        bandwidth_kbit=view.bandwidth_kbit or _BANDWIDTH[iface.kind],
        delay_usec=view.delay_tens_usec * 10 if view.delay_tens_usec else _DELAY[iface.kind],
        mac=interface_mac(node_index, index),
        tunnel_source=view.tunnel_source, tunnel_destination=destination, tunnel_protection=view.tunnel_protection,
        last_change=iface.last_change, packets_in=iface.packets_in, packets_out=iface.packets_out,
        bytes_in=iface.bytes_in, bytes_out=iface.bytes_out, link_up=iface.link_up,
        last_input=iface.last_input, last_output=iface.last_output,
    )


def _ike_sa(sa: IkeSa) -> IkeSaState:
    remote_subnets: tuple[IPv4Network, ...] = sa.pushed
    if not sa.initiator and sa.assigned is not None:
        remote_subnets = (IPv4Network(f"{sa.assigned}/32"),)
    return IkeSaState(
        tunnel_id=sa.tunnel_id, local=sa.local, local_port=500, remote=sa.remote, remote_port=500,
        status="READY", is_initiator=sa.initiator, created=sa.created, lifetime=sa.lifetime,
        dpd_interval=sa.dpd.interval if sa.dpd else 0, dpd_retry=sa.dpd.retry if sa.dpd else 0,
        local_spi=sa.local_spi, remote_spi=sa.remote_spi, local_id=str(sa.local), remote_id=str(sa.remote),
        session_id=sa.tunnel_id, assigned_address=sa.assigned, remote_subnets=remote_subnets,
    )


def _session(sa: IkeSa) -> CryptoSessionState:
    flow = IpsecFlow(
        local_ident=f"{sa.local}/255.255.255.255/47/0", remote_ident=f"{sa.remote}/255.255.255.255/47/0",
        packets_encrypted=sa.encrypted, packets_decrypted=sa.decrypted, **ipsec_detail(sa),  # type: ignore[arg-type]
    )
    return CryptoSessionState(
        interface=sa.interface or "unknown", profile=sa.profile, status="UP-ACTIVE", peer=sa.remote, peer_port=500,
        since=sa.created, phase1_id=str(sa.remote), ike_sa=_ike_sa(sa), flows=(flow,),
    )


def _flex(node: Node, client: object) -> FlexClientState:
    from flexlab.sim.engine.flexvpn import FlexClient

    assert isinstance(client, FlexClient)
    sa = client.sa
    return FlexClientState(
        name=client.view.name, state=client.state,  # type: ignore[arg-type]
        peer=client.peer, source=client.source_interface() or "", tunnel_interface=client.view.tunnel or "",
        assigned_address=sa.assigned if sa is not None else None,
        backup_group="Default" if node.lab.image_profile.version.version.startswith("15.2") else "None",
        peers=tuple((p.sequence, p.address) for p in client.view.peers),
    )


def _bgp(node: Node) -> BgpState | None:
    speaker = node.bgp
    view = speaker.view
    if view is None:
        return None
    neighbors = tuple(
        BgpNeighborState(
            address=n.address, remote_as=n.remote_as, dynamic=n.dynamic, state=n.state,  # type: ignore[arg-type]
            since=n.since, msg_rcvd=n.msg_rcvd, msg_sent=n.msg_sent, table_version=n.table_version,
            prefixes_received=len(n.adj_in), admin_shutdown=n.view.shutdown, peer_group=n.view.peer_group,
            outq=len(n.outq), **neighbor_detail(n),  # type: ignore[arg-type]
        )
        for n in sorted(speaker.neighbors.values(), key=lambda n: int(n.address))
    )
    ranges = tuple(
        BgpListenRange(group, prefix, tuple(sorted(
            (n.address for n in speaker.neighbors.values()
             if n.dynamic and n.address in prefix and n.view.peer_group == group),
            key=int,
        )))
        for prefix, group in view.listen_ranges
    )
    paths: list[BgpPathState] = []
    for prefix in sorted(speaker.paths, key=lambda p: (int(p.network_address), p.prefixlen)):
        best = speaker.best.get(prefix)
        suppressed = speaker.suppressed(prefix)
        installed = node.rib.get(prefix)
        for path in sorted(speaker.paths[prefix].values(), key=lambda p: p is not best):
            paths.append(_path(path, path is best, suppressed, installed is not None and installed.source != "bgp"))
    return BgpState(
        router_id=speaker.router_id, local_as=speaker.asn, table_version=speaker.table_version,
        neighbors=neighbors, listen_ranges=ranges, paths=tuple(paths), dynamic_limit=view.listen_limit,
    )


def _path(path: Path, best: bool, suppressed: bool, rib_has_other: bool) -> BgpPathState:
    attrs = path.attrs
    return BgpPathState(
        prefix=path.prefix, next_hop=attrs.next_hop,
        metric=None if path.source == "aggregate" else attrs.med,
        local_pref=None if path.local else attrs.local_pref,
        weight=path.weight, as_path=" ".join(str(a) for a in attrs.as_path), origin=attrs.origin,  # type: ignore[arg-type]
        best=best, valid=path.valid, suppressed=suppressed and path.source != "aggregate",
        internal=path.source == "peer" and path.ibgp,
        rib_failure=best and path.source == "peer" and rib_has_other,
        atomic_aggregate=attrs.atomic_aggregate, from_neighbor=path.peer, aggregator=attrs.aggregator,
    )


def _sla(op: object) -> SlaState:
    from flexlab.sim.engine.sla import SlaOperation

    assert isinstance(op, SlaOperation)
    view = op.view
    return SlaState(
        operation=view.operation, kind="icmp-echo", target=view.target,  # type: ignore[arg-type]
        source=view.source_interface or (str(view.source_ip) if view.source_ip else None),
        frequency=view.frequency, started=op.started, latest_start=op.latest_start,
        latest_rtt_ms=op.latest_rtt_ms, latest_ok=op.latest_ok, successes=op.successes, failures=op.failures,
    )
