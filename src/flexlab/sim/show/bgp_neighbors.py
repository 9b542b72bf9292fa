"""`show ip bgp neighbors [ADDR [advertised-routes|routes|received-routes]]`,
`show bgp {ipv4 unicast|all} neighbors ...` and `show ip bgp PREFIX`, from the BGP state.

Layouts follow IOS 15.x/17.x; the TCP block below a session carries only what the lab
models (addresses, ports, state), not IOS's TCP internals (sequence numbers, RTT).
"""

from __future__ import annotations

import ipaddress

from flexlab.sim.show import bgp as bgp_table
from flexlab.sim.show.errors import UnknownShowCommand
from flexlab.sim.show.fmt import elapsed, join_lines
from flexlab.sim.state import BgpNeighborState, BgpPathState, BgpState, NodeSnapshot

ROUTE_VIEWS = ("advertised-routes", "routes", "received-routes")
_MESSAGE_ROWS = (("Opens", "OPEN"), ("Notifications", "NOTIFICATION"), ("Updates", "UPDATE"),
                 ("Keepalives", "KEEPALIVE"), ("Route Refresh", "REFRESH"))
_PATH_BYTES = 136


def render_neighbors(snap: NodeSnapshot, words: list[str], args: list[str], family_header: bool) -> str:
    """``args``: nothing, ``ADDR`` or ``ADDR <route view>``. ``family_header`` adds IOS's
    ``For address family: IPv4 Unicast`` line (`show bgp all neighbors`)."""
    first_arg = len(words) - len(args)
    if len(args) > 2:
        raise UnknownShowCommand(words, first_arg + 2)
    if snap.bgp is None:
        return "% BGP not active\n" if args else ""
    bgp = snap.bgp
    selected = list(sorted(bgp.neighbors, key=lambda n: int(n.address)))
    if args:
        address = _address(args[0])
        if address is None:
            raise UnknownShowCommand(words, first_arg)
        selected = [n for n in selected if n.address == address]
        if not selected:
            return "% No such neighbor or address family\n"
    if len(args) == 2:
        view = args[1].lower()
        if view not in ROUTE_VIEWS:
            raise UnknownShowCommand(words, first_arg + 1)
        return _route_view(snap, bgp, selected[0], view)
    lines: list[str] = []
    if family_header:
        lines.append("For address family: IPv4 Unicast")
    for neighbor in selected:
        lines += _neighbor_block(snap, bgp, neighbor)
    return join_lines(lines)


def _address(text: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


def _neighbor_block(snap: NodeSnapshot, bgp: BgpState, n: BgpNeighborState) -> list[str]:
    internal = n.remote_as == bgp.local_as
    up = n.state == "Established"
    lines = [f"BGP neighbor is {n.address},  remote AS {n.remote_as}, {'internal' if internal else 'external'} link"]
    if n.peer_group:
        lines.append(f" Member of peer-group {n.peer_group} for session parameters")
    lines.append(f"  BGP version 4, remote router ID {n.remote_router_id or '0.0.0.0'}")
    if n.admin_shutdown:
        lines.append("  Administratively shut down")
    state = f"  BGP state = {n.state}"
    if up and n.since is not None:
        state += f", up for {elapsed(snap.now - n.since)}"
    lines.append(state)
    hold, keepalive = (n.hold_time, n.keepalive) if up else (n.configured_hold, n.configured_keepalive)
    lines.append(
        f"  Last read {_ago(snap, n.last_read)}, last write {_ago(snap, n.last_write)}, "
        f"hold time is {hold}, keepalive interval is {keepalive} seconds"
    )
    if (n.configured_hold, n.configured_keepalive) != (180, 60):
        lines.append(
            f"  Configured hold time is {n.configured_hold}, keepalive interval is {n.configured_keepalive} seconds"
        )
    if up:
        lines += _capabilities()
    lines += _message_statistics(n)
    lines += [
        "  Do log neighbor state changes (via global configuration)",
        "  Default minimum time between advertisement runs is 0 seconds",
        "",
    ]
    lines += _family_block(bgp, n)
    lines += _connection_lines(snap, n)
    return lines


def _ago(snap: NodeSnapshot, when: float | None) -> str:
    return elapsed(None if when is None else snap.now - when)


def _capabilities() -> list[str]:
    return [
        "  Neighbor sessions:",
        "    1 active, is not multisession capable (disabled)",
        "  Neighbor capabilities:",
        "    Route refresh: advertised and received(new)",
        "    Four-octets ASN Capability: advertised and received",
        "    Address family IPv4 Unicast: advertised and received",
        "    Enhanced Refresh Capability: advertised and received",
        "    Multisession Capability: ",
        "    Stateful switchover support enabled: NO for session 1",
    ]


def _message_statistics(n: BgpNeighborState) -> list[str]:
    sent, rcvd = dict(n.sent_by_type), dict(n.rcvd_by_type)
    lines = [
        "  Message statistics:",
        f"    InQ depth is {n.inq}",
        f"    OutQ depth is {n.outq}",
        "    ",
        "                         Sent       Rcvd",
    ]
    for label, kind in _MESSAGE_ROWS:
        lines.append(f"    {label + ':':<20}{sent.get(kind, 0):>5}{rcvd.get(kind, 0):>11}")
    lines.append(f"    {'Total:':<20}{n.msg_sent:>5}{n.msg_rcvd:>11}")
    return lines


def _family_block(bgp: BgpState, n: BgpNeighborState) -> list[str]:
    received = [p for p in bgp.paths if p.from_neighbor == n.address]
    best = sum(1 for p in received if p.best)
    sent = len(n.advertised)
    lines = [
        " For address family: IPv4 Unicast",
        f"  Session: {n.address}",
        f"  BGP table version {bgp.table_version}, neighbor version {n.table_version}/0",
        f"  Output queue size : {n.outq}",
        "  Index 1, Advertise bit 0",
    ]
    if n.rr_client:
        lines.append("  Route-Reflector Client")
    lines += [
        "  1 update-group member",
        "  Slow-peer detection is disabled",
        "  Slow-peer split-update-group dynamic is disabled",
        "                                 Sent       Rcvd",
        "  Prefix activity:               ----       ----",
        f"    Prefixes Current:          {sent:>5}      {len(received):>5} "
        f"(Consumes {len(received) * _PATH_BYTES} bytes)",
        f"    Prefixes Total:            {sent:>5}      {len(received):>5}",
        f"    Implicit Withdraw:         {0:>5}      {0:>5}",
        f"    Explicit Withdraw:         {0:>5}      {0:>5}",
        f"    Used as bestpath:          {'n/a':>5}      {best:>5}",
        f"    Used as multipath:         {'n/a':>5}      {0:>5}",
        f"    Used as secondary:         {'n/a':>5}      {0:>5}",
        "",
        "                                   Outbound    Inbound",
        "  Local Policy Denied Prefixes:    --------    -------",
        f"    Total:                        {0:>8}   {0:>8}",
        f"  Number of NLRIs in the update sent: max {sent}, min 0",
        "  Last detected as dynamic slow peer: never",
        "  Dynamic slow peer recovered: never",
        "  Refresh Epoch: 1",
        "  Last Sent Refresh Start-of-rib: never",
        "  Last Sent Refresh End-of-rib: never",
        "  Last Received Refresh Start-of-rib: never",
        "  Last Received Refresh End-of-rib: never",
        "",
    ]
    return lines


def _connection_lines(snap: NodeSnapshot, n: BgpNeighborState) -> list[str]:
    lines = [
        f"  Connections established {n.established_count}; dropped {n.dropped_count}",
        f"  Last reset {'never' if n.last_reset is None else _reset_text(snap, n)}",
        "  Transport(tcp) path-mtu-discovery is enabled",
        "  Graceful-Restart is disabled",
        "  SSO is disabled",
    ]
    if n.local_port is None or n.local_address is None:
        return lines + ["  No active TCP connection", ""]
    return lines + [
        "Connection state is ESTAB, I/O status: 1, unread input bytes: 0            ",
        "Connection is ECN Disabled, Mininum incoming TTL 0, Outgoing TTL 255",
        f"Local host: {n.local_address}, Local port: {n.local_port}",
        f"Foreign host: {n.address}, Foreign port: {n.remote_port}",
        "Connection tableid (VRF): 0",
        "Maximum output segment queue size: 50",
        "",
    ]


def _reset_text(snap: NodeSnapshot, n: BgpNeighborState) -> str:
    return f"{_ago(snap, n.since)}, due to {n.last_reset}"


# ---------------------------------------------------------------- per-neighbour route views


def _route_view(snap: NodeSnapshot, bgp: BgpState, n: BgpNeighborState, view: str) -> str:
    if view == "advertised-routes":
        # IOS lists the local table's best path of each prefix sent, not the sent attributes
        sent = {a.prefix for a in n.advertised}
        paths = [p for p in bgp.paths if p.best and p.prefix in sent]
    elif view == "routes":
        paths = [p for p in bgp.paths if p.from_neighbor == n.address and p.valid]
    else:
        return (f"% Inbound soft reconfiguration not enabled on {n.address}\n")
    lines = bgp_table.table_header(snap)
    lines += bgp_table.table_rows(snap, paths)
    if paths:
        lines += ["", f"Total number of prefixes {len({p.prefix for p in paths})} "]
    return join_lines(lines)


# ---------------------------------------------------------------- show ip bgp PREFIX


def render_prefix(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    """`show ip bgp A.B.C.D[/len]`, `show ip bgp A.B.C.D M.M.M.M`: the longest match (an
    address) or the exact prefix, with every path in IOS's detail layout."""
    first_arg = len(words) - len(args)
    prefix = _prefix_argument(args)
    if prefix is None:
        raise UnknownShowCommand(words, first_arg + (1 if len(args) > 1 else 0))
    if snap.bgp is None:
        return "% BGP not active\n"
    bgp = snap.bgp
    exact = "/" in args[0] or len(args) == 2
    found = _lookup(bgp, prefix, exact)
    if found is None:
        return "% Network not in table\n"
    return join_lines(_entry_lines(bgp, found))


def render_all_detail(snap: NodeSnapshot) -> str:
    """`show bgp all detail`: every prefix's entry, under the address-family header."""
    if snap.bgp is None:
        return ""
    bgp = snap.bgp
    lines = ["For address family: IPv4 Unicast", ""]
    for prefix in sorted({p.prefix for p in bgp.paths}, key=lambda p: (int(p.network_address), p.prefixlen)):
        lines += _entry_lines(bgp, prefix)
    return join_lines(lines)


def _entry_lines(bgp: BgpState, found: ipaddress.IPv4Network) -> list[str]:
    paths = sorted((p for p in bgp.paths if p.prefix == found), key=lambda p: not p.best)
    best_index = next((i for i, p in enumerate(paths) if p.best), None)
    lines = [f"BGP routing table entry for {found}, version {bgp.table_version}"]
    best_text = f"best #{best_index + 1}" if best_index is not None else "no best path"
    rib_failure = ", RIB-failure(17)" if any(p.rib_failure for p in paths) else ""
    lines.append(f"Paths: ({len(paths)} available, {best_text}, table default{rib_failure})")
    advertised_to = [n for n in bgp.neighbors if any(a.prefix == found for a in n.advertised)]
    if advertised_to:
        lines.append("  Advertised to update-groups:")
        lines.append("     " + "          ".join(str(i + 1) for i in range(len(advertised_to))))
    elif paths and paths[0].best:
        lines.append("  Not advertised to any peer")
    for path in paths:
        lines += _path_detail(bgp, path)
    return lines


def _prefix_argument(args: list[str]) -> ipaddress.IPv4Network | None:
    try:
        if len(args) == 1:
            return ipaddress.IPv4Network(args[0], strict=False)
        if len(args) == 2:
            return ipaddress.IPv4Network(f"{args[0]}/{args[1]}", strict=False)
    except ValueError:
        return None
    return None


def _lookup(bgp: BgpState, wanted: ipaddress.IPv4Network, exact: bool) -> ipaddress.IPv4Network | None:
    prefixes = {p.prefix for p in bgp.paths}
    if exact:
        return wanted if wanted in prefixes else None
    covering = [p for p in prefixes if wanted.network_address in p]
    return max(covering, key=lambda p: p.prefixlen, default=None)


def _path_detail(bgp: BgpState, path: BgpPathState) -> list[str]:
    as_path = path.as_path or "Local"
    if path.aggregator is not None:
        as_path += f", (aggregated by {path.aggregator[0]} {path.aggregator[1]})"
    lines = ["  Refresh Epoch 1", f"  {as_path}"]
    if path.from_neighbor is None:
        lines.append(f"    {path.next_hop} from 0.0.0.0 ({bgp.router_id})")
    else:
        neighbor = next((n for n in bgp.neighbors if n.address == path.from_neighbor), None)
        router_id = (
            neighbor.remote_router_id if neighbor is not None and neighbor.remote_router_id else path.from_neighbor
        )
        lines.append(f"    {path.next_hop} from {path.from_neighbor} ({router_id})")
    origin = {"i": "IGP", "e": "EGP", "?": "incomplete"}[path.origin]
    attrs = [f"Origin {origin}"]
    if path.metric is not None:
        attrs.append(f"metric {path.metric}")
    attrs.append(f"localpref {path.local_pref if path.local_pref is not None else 100}")
    attrs.append(f"weight {path.weight}")
    if path.valid:
        attrs.append("valid")
    aggregate = path.from_neighbor is None and path.metric is None    # the engine gives aggregates no MED
    if aggregate:
        attrs.append("aggregated, local")
    else:
        attrs.append("internal" if path.internal else ("sourced" if path.from_neighbor is None else "external"))
    if path.atomic_aggregate:
        attrs.append("atomic-aggregate")
    if path.best:
        attrs.append("best")
    lines.append("      " + ", ".join(attrs))
    if path.suppressed:
        lines.append("      Suppressed due to aggregation")
    lines.append("      rx pathid: 0, tx pathid: 0x0" if path.best else "      rx pathid: 0, tx pathid: 0")
    return lines
