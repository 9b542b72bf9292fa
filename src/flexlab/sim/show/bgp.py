"""`show ip bgp summary`, `show bgp all summary` and `show ip bgp`."""

from __future__ import annotations

import ipaddress
from collections import defaultdict

from flexlab.sim.show.fmt import elapsed, join_lines, modern
from flexlab.sim.state import BgpNeighborState, BgpPathState, BgpState, NodeSnapshot

# Bytes per table entry as printed by `show ip bgp summary`: 32-bit classic images (IOSv
# 15.x) and 64-bit ones (IOS XE, IOL 17.x). Values read off real outputs.
_ENTRY_BYTES_CLASSIC = {"network": 144, "path": 80, "attribute": 136}
_ENTRY_BYTES_64BIT = {"network": 248, "path": 136, "attribute": 296}

_STATUS_LEGEND_CLASSIC = [
    "Status codes: s suppressed, d damped, h history, * valid, > best, i - internal, ",
    "              r RIB-failure, S Stale, m multipath, b backup-path, f RT-Filter, ",
    "              x best-external, a additional-path, c RIB-compressed, ",
]
_STATUS_LEGEND_MODERN = _STATUS_LEGEND_CLASSIC + ["              t secondary path, L long-lived-stale,"]


# ---------------------------------------------------------------- summaries


def render_ip_bgp_summary(snap: NodeSnapshot) -> str:
    """`show ip bgp summary`; empty without `router bgp` (as IOS prints nothing)."""
    if snap.bgp is None:
        return ""
    return join_lines(_summary_body(snap, snap.bgp))


def render_bgp_all_summary(snap: NodeSnapshot) -> str:
    """`show bgp all summary`: the summary under its `For address family: IPv4 Unicast` heading."""
    if snap.bgp is None:
        return ""
    return join_lines(["For address family: IPv4 Unicast", *_summary_body(snap, snap.bgp)])


def _summary_body(snap: NodeSnapshot, bgp: BgpState) -> list[str]:
    sizes = _ENTRY_BYTES_64BIT if modern(snap.version) else _ENTRY_BYTES_CLASSIC
    networks = len({p.prefix for p in bgp.paths})
    paths = len(bgp.paths)
    attributes = len({_attribute_key(p) for p in bgp.paths})
    best_attributes = len({_attribute_key(p) for p in bgp.paths if p.best})
    network_bytes = networks * sizes["network"]
    path_bytes = paths * sizes["path"]
    attribute_bytes = attributes * sizes["attribute"]
    lines = [
        f"BGP router identifier {bgp.router_id}, local AS number {bgp.local_as}",
        f"BGP table version is {bgp.table_version}, main routing table version {bgp.table_version}",
    ]
    if networks:
        lines += [
            f"{networks} network entries using {network_bytes} bytes of memory",
            f"{paths} path entries using {path_bytes} bytes of memory",
            f"{attributes}/{best_attributes} BGP path/bestpath attribute entries "
            f"using {attribute_bytes} bytes of memory",
            "0 BGP route-map cache entries using 0 bytes of memory",
            "0 BGP filter-list cache entries using 0 bytes of memory",
            f"BGP using {network_bytes + path_bytes + attribute_bytes} total bytes of memory",
            f"BGP activity {networks}/0 prefixes, {paths}/0 paths, scan interval 60 secs",
        ]
    lines += ["", "Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd"]
    for neighbor in sorted(bgp.neighbors, key=lambda n: int(n.address)):
        lines += _neighbor_row(snap, neighbor)
    lines += _listen_range_footer(bgp)
    return lines


def _attribute_key(path: BgpPathState) -> tuple[object, ...]:
    return (path.next_hop, path.metric, path.local_pref, path.weight, path.as_path, path.origin)


def _neighbor_row(snap: NodeSnapshot, neighbor: BgpNeighborState) -> list[str]:
    name = f"{'*' if neighbor.dynamic else ''}{neighbor.address}"
    up_down = elapsed(None if neighbor.since is None else snap.now - neighbor.since)
    if neighbor.admin_shutdown:
        state = "Idle (Admin)"
    elif neighbor.state == "Established":
        state = f"{neighbor.prefixes_received:>8}"
    else:
        state = neighbor.state
    counters = (
        f"4 {neighbor.remote_as:>12} {neighbor.msg_rcvd:>7} {neighbor.msg_sent:>7} "
        f"{neighbor.table_version:>8} {neighbor.inq:>4} {neighbor.outq:>4} {up_down:<8} {state}"
    )
    if len(name) > 15:
        return [name, f"{'':16}{counters}"]
    return [f"{name:<15} {counters}"]


def _listen_range_footer(bgp: BgpState) -> list[str]:
    """The block IOS appends when `bgp listen range` is configured."""
    if not bgp.listen_ranges:
        return []
    dynamic_total = sum(1 for n in bgp.neighbors if n.dynamic)
    by_group: dict[str, list] = defaultdict(list)
    for listen_range in bgp.listen_ranges:
        by_group[listen_range.peer_group].append(listen_range)
    lines = ["* Dynamically created based on a listen range command"] if dynamic_total else []
    for group, ranges in by_group.items():
        members = sum(len(r.members) for r in ranges)
        lines += [
            f"Dynamically created neighbors: {members}, Subnet ranges: {len(ranges)}",
            "",
            f"BGP peergroup {group} listen range group members: ",
        ]
        lines += [f"  {r.prefix} " for r in ranges]
        lines.append("")
    lines += [
        f"Total dynamically created neighbors: {dynamic_total}/({bgp.dynamic_limit} max), "
        f"Subnet ranges: {len(bgp.listen_ranges)}",
        "",
    ]
    return lines


# ---------------------------------------------------------------- show ip bgp


def render_ip_bgp(snap: NodeSnapshot) -> str:
    """`show ip bgp`: the BGP table, or `% BGP not active` without `router bgp`."""
    if snap.bgp is None:
        return "% BGP not active\n"
    return join_lines(table_header(snap) + table_rows(snap, list(snap.bgp.paths)))


def table_header(snap: NodeSnapshot) -> list[str]:
    """The lines above the BGP table's rows (also used by the per-neighbour route views)."""
    assert snap.bgp is not None
    bgp = snap.bgp
    lines = [f"BGP table version is {bgp.table_version}, local router ID is {bgp.router_id}"]
    lines += _STATUS_LEGEND_MODERN if modern(snap.version) else _STATUS_LEGEND_CLASSIC
    lines += [
        "Origin codes: i - IGP, e - EGP, ? - incomplete",
        "RPKI validation codes: V valid, I invalid, N Not found",
        "",
        "     Network          Next Hop            Metric LocPrf Weight Path",
    ]
    return lines


def table_rows(snap: NodeSnapshot, paths: list[BgpPathState]) -> list[str]:
    """BGP table rows by prefix, best path first, the prefix printed once (classful form, as IOS)."""
    is_modern = modern(snap.version)
    lines = []
    previous: ipaddress.IPv4Network | None = None
    for path in sorted(paths, key=lambda p: (int(p.prefix.network_address), p.prefix.prefixlen, not p.best)):
        shown = "" if path.prefix == previous else classful_text(path.prefix)
        lines.append(_path_row(path, shown, is_modern))
        previous = path.prefix
    return lines


def classful_text(prefix: ipaddress.IPv4Network) -> str:
    """IOS leaves the length off a prefix whose mask is its classful mask (``10.0.0.0``)."""
    if prefix.prefixlen == classful_length(prefix):
        return str(prefix.network_address)
    return str(prefix)


def classful_length(prefix: ipaddress.IPv4Network) -> int:
    """8, 16 or 24 for class A, B or C addresses (32 for class D/E)."""
    first_octet = int(prefix.network_address) >> 24
    if first_octet < 128:
        return 8
    if first_octet < 192:
        return 16
    if first_octet < 224:
        return 24
    return 32


def _path_row(path: BgpPathState, network: str, is_modern: bool) -> str:
    if path.suppressed:
        validity = "s"
    elif path.rib_failure:
        validity = "r"
    else:
        validity = "*" if path.valid else " "
    status = f" {validity}{'>' if path.best else ' '}{'i' if path.internal else ' '}"
    status = status.ljust(6 if is_modern else 5)
    metric = "" if path.metric is None else str(path.metric)
    local_pref = "" if path.local_pref is None else str(path.local_pref)
    as_path = f"{path.as_path} " if path.as_path else ""
    return (
        f"{status}{network:<16} {str(path.next_hop):<19} {metric:>6} {local_pref:>6} {path.weight:>6} "
        f"{as_path}{path.origin}"
    )
