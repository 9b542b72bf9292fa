"""Failover and BGP-convergence measurement of one spoke, from its own logs.

Failover time = the spoke's `%FLEXVPN-6-FLEXVPN_CONNECTION_UP` towards another hub minus
the failure instant, both in device time. Polling `show crypto ikev2 client flexvpn`
decides when to read the log and gives a coarse cross-check.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from flexlab import failover_timing
from flexlab.bound import (
    Bound,
    DpdConfig,
    dpd_bound,
    dpd_trigger_traffic,
    parse_dpd_config,
    traffic_period_s,
    with_dead_peers,
)
from flexlab.harness import checks, reads
from flexlab.harness.flow import POLL_INTERVAL_S, Context, now_utc, parallel
from flexlab.harness.peers import NextPeer, next_alive
from flexlab.harness.report import SpokeFailover

#: The poller waits this many times the bound, to tell "slow" from "never".
OVERRUN_FACTOR = 2.0
#: Device seconds to wait for a move when no DPD bound applies (DPD off).
NO_BOUND_WAIT_S = 300.0
#: Device seconds allowed for BGP to converge after the tunnel is up.
BGP_ALLOWANCE_S = 120.0


def dpd_inputs(ctx: Context, spoke: str) -> tuple[DpdConfig | None, float | None]:
    """The spoke's DPD configuration and the period of its DPD-triggering traffic, from the
    configuration it actually runs."""
    config = ctx.spoke_configs[spoke]
    overlay = str(ctx.expected().overlay_hub_address)
    sources = dpd_trigger_traffic(config, bgp_neighbor=overlay)
    return parse_dpd_config(config), traffic_period_s(sources)


def _bound(ctx: Context, spoke: str, dead_tried: int = 0) -> Bound:
    """The DPD bound from the configuration the spoke runs and the declared model, plus the
    dead peers it tries on its way to the next live one."""
    dpd, period = dpd_inputs(ctx, spoke)
    return with_dead_peers(dpd_bound(dpd, period, model=ctx.dpd_model), dead_tried)


def expected_next(ctx: Context, spoke: str, hub: str) -> NextPeer:
    """The next live peer of the spoke's client block after the failed hub's."""
    peers = reads.configured_peers(ctx.spoke_configs[spoke])
    return next_alive(peers, ctx.hub_wan[hub], ctx.dead_addresses(with_failed_hub=True))


def _wrong_peer(ctx: Context, spoke: str, new_peer: IPv4Address | None, expected: NextPeer) -> str:
    """Why the peer the spoke moved to is not the one its client block leads to ("" if it is)."""
    if new_peer == expected.peer:
        return ""
    skipped = f" after trying the failed {', '.join(map(str, expected.dead_tried))}" if expected.dead_tried else ""
    return (f"{spoke}: moved to {new_peer} ({ctx.hub_by_address(new_peer) or 'not a hub'}), expected "
            f"{expected.peer} ({ctx.hub_by_address(expected.peer)}): the next live peer of its client block"
            f"{skipped}")


def measure_spoke(ctx: Context, spoke: str, hub: str) -> SpokeFailover:
    """Measure one spoke's failover from ``hub``: when it left the failed peer and reached a live one."""
    failed_peer = ctx.hub_wan[hub]
    failure = ctx.failure_for(spoke)
    record = SpokeFailover(hub=hub, spoke=spoke, from_peer=str(failed_peer), timing_method=failure.method)
    expected = expected_next(ctx, spoke, hub)
    record.expected_peer = str(expected.peer) if expected.peer is not None else None
    record.expected_hub = ctx.hub_by_address(expected.peer)
    record.dead_peers_tried = [str(p) for p in expected.dead_tried]
    if expected.peer is None:
        record.reason = f"{spoke}: every other peer of its client block is on a failed hub; it cannot move"
        return record
    bound = _bound(ctx, spoke, expected.worst_dead_tried)
    record.dpd_bound_s, record.bound_formula = bound.total_s, f"{bound.formula}: {bound.expression}"
    record.bound_terms = {term.symbol: term.value_s for term in bound.terms}
    record.dpd_model = ctx.dpd_model.to_dict()
    wait_device_s = (bound.total_s or NO_BOUND_WAIT_S) * OVERRUN_FACTOR
    device = ctx.devices[spoke]
    moved_to: list[reads.FlexClient] = []

    def moved() -> list[str]:
        clients = reads.flex_clients(device)
        if clients and clients[0].state == "ACTIVE" and clients[0].peer not in (None, failed_peer):
            moved_to[:] = clients[:1]
            return []
        state = f"{clients[0].state} on {clients[0].peer}" if clients else "no client"
        return [f"{spoke}: still not ACTIVE on another hub ({state})"]

    outcome = checks.poll(moved, ctx.wall(wait_device_s), POLL_INTERVAL_S)
    seen_at = now_utc()
    if not outcome.ok:
        record.reason = (
            f"{spoke} did not reach another hub within {wait_device_s:.0f} device s "
            f"({bound.note if bound.total_s is None else f'DPD bound {bound.total_s:g} s'}): {outcome.problems[-1]}"
        )
        return record
    new_peer = moved_to[0].peer
    record.to_peer, record.to_hub = str(new_peer), ctx.hub_by_address(new_peer)
    record.failover_polled_s = round(
        (ctx.offsets[spoke].to_device(seen_at) - failure.spoke_time).total_seconds(), 3)
    measurement = failover_timing.measure_failover(failure, ctx.device_events(spoke), str(failed_peer))
    if measurement.failover_s is None:
        record.reason = f"{spoke}: moved to {new_peer} but its log shows no tunnel up: {measurement.reason}"
        return record
    record.failover_s = round(measurement.failover_s, 3)
    if wrong := _wrong_peer(ctx, spoke, new_peer, expected):
        record.reason = wrong
    elif bound.total_s is None:
        record.reason = f"{spoke}: failed over in {record.failover_s:.3f} s but no DPD bound applies ({bound.note})"
    elif not measurement.within(bound):
        record.reason = (f"{spoke}: failover took {record.failover_s:.3f} s, more than the DPD bound "
                         f"{bound.total_s:g} s ({bound.formula}: {bound.expression})")
    else:
        record.passed = True
    return record


def measure_failover(ctx: Context, hub: str) -> list[SpokeFailover]:
    """Measure every spoke that was on ``hub`` at the baseline."""
    assert ctx.run is not None
    failed_peer = ctx.hub_wan[hub]
    on_hub = [s for s, peer in ctx.baseline_peer.items() if peer == failed_peer]
    records = parallel(lambda s: measure_spoke(ctx, s, hub), on_hub)
    for spoke, record in records.items():
        ctx.run.spokes.append(record)
        if record.to_peer is not None:
            ctx.moved[spoke] = record
    return list(records.values())


def unexpected_moves(ctx: Context, hub: str) -> list[str]:
    """Problems for spokes not on ``hub`` at the baseline that moved anyway."""
    failed_peer = ctx.hub_wan[hub]
    others = [s for s, peer in ctx.baseline_peer.items() if peer != failed_peer]
    now = parallel(lambda s: reads.flex_clients(ctx.devices[s]), others)
    problems = []
    for spoke, clients in now.items():
        problems += checks.client_on_peer(spoke, clients, ctx.baseline_peer[spoke])
    assert ctx.run is not None
    ctx.run.unmoved_ok = not problems
    return problems



SpokeState = tuple[list[reads.FlexClient], dict[IPv4Address, reads.BgpNeighbor]]
RouteTable = dict[IPv4Network, reads.Route]


def _convergence_problems(ctx: Context, spoke: str, lan: IPv4Network, state: SpokeState,
                          routes: dict[str, RouteTable], hub_routes: dict[str, RouteTable]) -> list[str]:
    """One moved spoke: BGP up, only the summary, the survivor holds its LAN, others reach it."""
    overlay, summary = ctx.expected().overlay_hub_address, ctx.expected().summary
    survivor = ctx.moved[spoke].to_hub
    clients, neighbors = state
    assigned = clients[0].assigned if clients else None
    problems = checks.bgp_established(spoke, neighbors, overlay)
    problems += checks.only_summary(spoke, routes[spoke], summary)
    if survivor is None or assigned is None:
        problems.append(f"{spoke}: no surviving hub / assigned address known")
    else:
        problems += checks.holds_prefixes(survivor, hub_routes[survivor], {lan: assigned})
    for other in ctx.spokes:
        if other != spoke:
            problems += checks.covered_by_summary(other, routes[other], lan)
    return problems


def wait_bgp_convergence(ctx: Context, hub: str) -> dict[str, list[str]]:
    """Per moved spoke: BGP up on the surviving hub, routes as designed; records the time.

    All moved spokes are polled together: each round reads every spoke's and every
    surviving hub's BGP routes once (not once per moved spoke), and a spoke whose checks
    held is not read again, as when each spoke was polled on its own.
    """
    overlay = ctx.expected().overlay_hub_address
    lans = {spoke: ctx.expected().spoke_lans[spoke] for spoke in ctx.moved}
    latest: dict[str, list[str]] = {spoke: [] for spoke in ctx.moved}
    pending = set(ctx.moved)

    def converged() -> list[str]:
        polled = sorted(pending)
        states = parallel(lambda s: (reads.flex_clients(ctx.devices[s]), reads.bgp_neighbors(ctx.devices[s])), polled)
        routes = parallel(lambda s: reads.bgp_routes(ctx.devices[s]), ctx.spokes)
        survivors = sorted({h for s in polled if (h := ctx.moved[s].to_hub) is not None})
        hub_routes = parallel(lambda h: reads.bgp_routes(ctx.devices[h]), survivors)
        for spoke in polled:
            latest[spoke] = _convergence_problems(ctx, spoke, lans[spoke], states[spoke], routes, hub_routes)
            if not latest[spoke]:
                pending.discard(spoke)
        return [p for spoke in polled for p in latest[spoke]]

    checks.poll(converged, ctx.wall(BGP_ALLOWANCE_S), POLL_INTERVAL_S)
    measurements = parallel(lambda s: failover_timing.measure_failover(
        ctx.failure_for(s), ctx.device_events(s), ctx.moved[s].from_peer, bgp_neighbor=str(overlay)), list(ctx.moved))
    results: dict[str, list[str]] = {}
    for spoke, record in ctx.moved.items():
        results[spoke] = list(latest[spoke])
        measurement = measurements[spoke]
        if measurement.bgp_converged_s is not None:
            record.bgp_converged_s = round(measurement.bgp_converged_s, 3)
        elif not latest[spoke]:
            results[spoke].append(f"{spoke}: BGP converged but no %BGP-5-ADJCHANGE Up for {overlay} was logged")
    return results
