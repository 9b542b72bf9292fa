"""Read-model pieces about a node's cabled neighbours and BGP session detail.

Kept apart from :mod:`snapshot` so the show commands added for the standard tools (CDP,
ARP, `show ip bgp neighbors`) extend the read model without growing the core builder.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from flexlab.sim.engine.bgp_paths import Attrs
from flexlab.sim.engine.ikev2 import ESP_OVERHEAD
from flexlab.sim.state import BgpPathState, LinkNeighborState

if TYPE_CHECKING:
    from flexlab.sim.engine.bgp_session import Neighbor
    from flexlab.sim.engine.ikev2 import IkeSa
    from flexlab.sim.engine.node import Node

IPv4Network = ipaddress.IPv4Network
BGP_PORT = 179
_EPHEMERAL_FIRST, _EPHEMERAL_COUNT = 10000, 50000


def interface_mac(node_index: int, interface_index: int) -> str:
    """The burnt-in MAC of a node's interface: IOL's ``aabb.cc00.NNII`` scheme."""
    return f"aabb.cc00.{node_index % 256:02x}{interface_index % 256:02x}"


def _mac_of(node: Node, ifname: str) -> str:
    names = [i.name for i in node.interfaces]
    index = names.index(ifname) if ifname in names else 0
    return interface_mac(list(node.lab.nodes).index(node.name), index)


def links(node: Node) -> tuple[LinkNeighborState, ...]:
    """Cabled neighbours whose link is up at both ends (what CDP and ARP can learn)."""
    found = []
    for iface in node.interfaces:
        if iface.kind != "ethernet" or not iface.line_up:
            continue
        far = node.lab.fabric.peer(node.name, iface.name)
        if far is None or not far[0].running:
            continue
        other, other_if = far
        other_iface = other.interfaces.get(other_if)
        if other_iface is None or not other_iface.line_up:
            continue
        address = other_iface.address.ip if other_iface.address is not None else None
        version = other.lab.image_profile.version_for(other.serial)
        found.append(LinkNeighborState(
            local_interface=iface.name, device_id=other.hostname, remote_interface=other_if,
            platform=version.chassis, version_line=version.platform_line, address=address,
            mac=_mac_of(other, other_if), since=max(iface.last_change, other_iface.last_change),
            local_mac=_mac_of(node, iface.name),
        ))
    return tuple(found)


def _advertised(prefix: IPv4Network, attrs: Attrs) -> BgpPathState:
    return BgpPathState(
        prefix=prefix, next_hop=attrs.next_hop, metric=attrs.med, local_pref=attrs.local_pref, weight=0,
        as_path=" ".join(str(a) for a in attrs.as_path), origin=attrs.origin,  # type: ignore[arg-type]
        best=True, atomic_aggregate=attrs.atomic_aggregate,
    )


def neighbor_detail(neighbor: Neighbor) -> dict[str, object]:
    """The session-detail fields of :class:`~flexlab.sim.state.BgpNeighborState`."""
    keepalive, hold = neighbor.speaker.timers_for(neighbor)
    conn = neighbor.conn
    local_port = remote_port = None
    if conn is not None and neighbor.state in ("OpenSent", "OpenConfirm", "Established"):
        ephemeral = _EPHEMERAL_FIRST + conn[2] % _EPHEMERAL_COUNT
        local_port, remote_port = (ephemeral, BGP_PORT) if neighbor.initiator else (BGP_PORT, ephemeral)
    view = neighbor.view
    return {
        "remote_router_id": neighbor.peer_router_id if neighbor.established else None,
        "local_address": neighbor.local_addr if local_port is not None else None,
        "local_port": local_port, "remote_port": remote_port,
        "hold_time": neighbor.hold_time, "keepalive": neighbor.keepalive,
        "configured_hold": hold, "configured_keepalive": keepalive,
        "rr_client": view.rr_client, "next_hop_self": view.next_hop_self, "update_source": view.update_source,
        "sent_by_type": tuple(sorted(neighbor.sent_by_type.items())),
        "rcvd_by_type": tuple(sorted(neighbor.rcvd_by_type.items())),
        "established_count": neighbor.established_count, "dropped_count": neighbor.dropped_count,
        "last_reset": neighbor.last_reset,
        "last_read": neighbor.last_rx if neighbor.msg_rcvd else None, "last_write": neighbor.last_tx,
        "advertised": tuple(
            _advertised(p, a)
            for p, a in sorted(neighbor.adj_out.items(), key=lambda i: (int(i[0].network_address), i[0].prefixlen))
        ) if neighbor.established else (),
    }


def _transform(node: Node) -> tuple[str, str]:
    """(transforms, mode) of the first `crypto ipsec transform-set` (IOS's default set
    ``esp-aes esp-sha-hmac`` in tunnel mode when none is configured)."""
    for line in node.config.find("crypto", "ipsec", "transform-set"):
        transforms = " ".join(line.words[4:])
        mode = "Tunnel"
        for sub in line.children:
            if sub.starts_with("mode") and len(sub.words) >= 2:
                mode = sub.words[1].capitalize()
        return transforms or "esp-aes esp-sha-hmac", mode
    return "esp-aes esp-sha-hmac", "Tunnel"


def esp_spi(ike_spi: str) -> int:
    """The lab carries one SPI per direction (the IKE SA's); IOS shows a 32-bit ESP SPI, so
    the lab shows the first 32 bits of it."""
    try:
        return int(ike_spi[:8], 16)
    except ValueError:
        return 0


def ipsec_detail(sa: IkeSa) -> dict[str, object]:
    """Child-SA fields of :class:`~flexlab.sim.state.IpsecFlow`."""
    node = sa.node
    transform, mode = _transform(node)
    timer = sa._rekey_timer
    remaining = float(sa.child_lifetime)
    if timer is not None and timer.pending:
        remaining = timer.time - node.now()
        if sa.initiator:
            remaining += sa.child_lifetime * (1 - node.timing.ipsec_rekey_fraction)
    return {
        "inbound_spi": esp_spi(sa.local_spi), "outbound_spi": esp_spi(sa.remote_spi),
        "transform": transform, "mode": mode, "remaining_s": max(0, int(remaining)), "esp_overhead": ESP_OVERHEAD,
    }
