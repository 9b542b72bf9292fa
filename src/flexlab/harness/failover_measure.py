"""Failover and BGP-convergence measurement of one spoke, from its own logs.

Failover time = the spoke's `%FLEXVPN-6-FLEXVPN_CONNECTION_UP` towards another hub minus
the failure instant, both in device time. Polling `show crypto ikev2 client flexvpn`
decides when to read the log and gives a coarse cross-check.
"""

from __future__ import annotations

import time

from flexlab import timing
from flexlab.harness import checks, reads
from flexlab.harness.flow import POLL_INTERVAL_S, Context, parallel
from flexlab.harness.report import SpokeFailover

#: Extra device seconds the poller waits beyond the bound, to tell "slow" from "never".
OVERRUN_FACTOR = 2.0


def _bound(ctx: Context, spoke: str) -> timing.Bound | None:
    config = ctx.spoke_configs[spoke]
    dpd = timing.dpd_from_config(config)
    if dpd is None:
        return None
    return timing.dpd_bound(dpd, timing.traffic_period_from_config(config))


def measure_spoke(ctx: Context, spoke: str, hub: str) -> SpokeFailover:
    assert ctx.failed_at is not None
    failed_peer = ctx.hub_wan[hub]
    record = SpokeFailover(hub=hub, spoke=spoke, from_peer=str(failed_peer), timing_method=ctx.clock_method)
    bound = _bound(ctx, spoke)
    if bound is not None:
        record.dpd_bound_s, record.bound_formula, record.bound_terms = bound.total_s, bound.formula, dict(bound.terms)
    wait_device_s = (bound.total_s if bound else 300.0) * OVERRUN_FACTOR
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
    seen_at = time.time()
    if not outcome.ok:
        record.reason = (
            f"{spoke} did not reach another hub within {wait_device_s:.0f} device s "
            f"({'DPD is not configured' if bound is None else f'bound {bound.total_s:.1f} s'}): {outcome.problems[-1]}"
        )
        return record
    new_peer = moved_to[0].peer
    record.to_peer, record.to_hub = str(new_peer), ctx.hub_by_address(new_peer)
    record.failover_polled_s = (ctx.offsets[spoke].device_time_at(seen_at) - ctx.failed_at).total_seconds()
    events = timing.parse_log(reads.logging_lines(device), reference=ctx.offsets[spoke].device_now())
    up = timing.first_connection_up(events, after=ctx.failed_at, server=str(new_peer))
    if up is None:
        record.reason = f"{spoke}: moved to {new_peer} but logged no %FLEXVPN-6-FLEXVPN_CONNECTION_UP for it"
        return record
    record.failover_s = round((up.device_time - ctx.failed_at).total_seconds(), 3)
    if bound is None:
        record.reason = f"{spoke}: failed over in {record.failover_s:.3f} s without DPD configured"
    elif record.failover_s > bound.total_s:
        record.reason = f"{spoke}: failover took {record.failover_s:.3f} s, more than the DPD bound {bound.total_s:.3f} s ({bound.formula})"
    else:
        record.passed = True
    return record


def measure_failover(ctx: Context, hub: str) -> list[SpokeFailover]:
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
    failed_peer = ctx.hub_wan[hub]
    others = [s for s, peer in ctx.baseline_peer.items() if peer != failed_peer]
    now = parallel(lambda s: reads.flex_clients(ctx.devices[s]), others)
    problems = []
    for spoke, clients in now.items():
        problems += checks.client_on_peer(spoke, clients, ctx.baseline_peer[spoke])
    assert ctx.run is not None
    ctx.run.unmoved_ok = not problems
    return problems



def wait_bgp_convergence(ctx: Context, hub: str) -> dict[str, list[str]]:
    """Per moved spoke: BGP up on the surviving hub, routes as designed; records the time."""
    overlay = ctx.design.model.overlay.hub_address
    summary = ctx.design.model.summary
    plan = ctx.design.plan()
    results: dict[str, list[str]] = {}
    for spoke, record in ctx.moved.items():
        survivor = record.to_hub
        lan = plan.node(spoke).lan
        others = [s for s in ctx.spokes if s != spoke]
        latest: list[str] = []

        def converged() -> list[str]:
            clients = reads.flex_clients(ctx.devices[spoke])
            assigned = clients[0].assigned if clients else None
            problems = checks.bgp_established(spoke, reads.bgp_neighbors(ctx.devices[spoke]), overlay)
            problems += checks.only_summary(spoke, reads.bgp_routes(ctx.devices[spoke]), summary)
            if survivor is None or assigned is None:
                problems.append(f"{spoke}: no surviving hub / assigned address known")
            else:
                problems += checks.holds_prefixes(survivor, reads.bgp_routes(ctx.devices[survivor]), {lan: assigned})
            for other, routes in parallel(lambda s: reads.bgp_routes(ctx.devices[s]), others).items():
                problems += checks.covered_by_summary(other, routes, lan)
            latest[:] = problems
            return problems

        checks.poll(converged, ctx.wall(120.0), POLL_INTERVAL_S)
        results[spoke] = list(latest)
        events = timing.parse_log(reads.logging_lines(ctx.devices[spoke]), reference=ctx.offsets[spoke].device_now())
        bgp_up = timing.first_bgp_up(events, after=ctx.failed_at, neighbor=str(overlay))
        if bgp_up is not None and ctx.failed_at is not None:
            record.bgp_converged_s = round((bgp_up.device_time - ctx.failed_at).total_seconds(), 3)
        elif not latest:
            results[spoke].append(f"{spoke}: BGP converged but no %BGP-5-ADJCHANGE Up for {overlay} was logged")
    return results
