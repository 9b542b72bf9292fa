"""Recovery after a hub failure, and the cleanup that always runs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flexlab.harness import checks, reads
from flexlab.harness.flow import (
    POLL_INTERVAL_S, Context, restore_hub, parallel, send_spokes_home, wait_baseline, write_run,
)
from flexlab.labs.interface import Lab

log = logging.getLogger(__name__)

RECOVERY_ALLOWANCE_S = 240.0


def recover(ctx: Context, hub: str) -> dict[str, list[str]]:
    """Restore the hub, check it re-learns the cloud, then put the lab back as it began."""
    restore_hub(ctx, hub, ctx.failure_mode)
    ctx.hub_failed = False
    plan = ctx.design.plan()
    other_hub_address = plan.node(hub).other_hub_address
    lans = {plan.node(s).lan: None for s in ctx.spokes}
    results: dict[str, list[str]] = {}

    def hub_back() -> list[str]:
        problems = checks.bgp_established(hub, reads.bgp_neighbors(ctx.devices[hub]), other_hub_address)
        return problems + checks.holds_prefixes(hub, reads.bgp_routes(ctx.devices[hub]), lans)
    outcome = checks.poll(hub_back, ctx.wall(RECOVERY_ALLOWANCE_S), POLL_INTERVAL_S)
    results[f"{hub} re-forms BGP with the other hub and learns every spoke LAN"] = outcome.problems

    reactivating = {s for s in ctx.moved if reads.has_peer_reactivate(ctx.spoke_configs[s])}
    staying = [s for s in ctx.moved if s not in reactivating]
    now = parallel(lambda s: reads.flex_clients(ctx.devices[s]), staying)
    results["moved spokes stay on the surviving hub (no pre-emption)"] = [
        p for s, clients in now.items() for p in checks.client_on_peer(s, clients, _peer(ctx.moved[s].to_peer))
    ]
    if reactivating:
        def returned() -> list[str]:
            clients = parallel(lambda s: reads.flex_clients(ctx.devices[s]), sorted(reactivating))
            return [p for s, found in clients.items() for p in checks.client_on_peer(s, found, ctx.baseline_peer[s])]
        back = checks.poll(returned, ctx.wall(RECOVERY_ALLOWANCE_S), POLL_INTERVAL_S)
        results["spokes with `peer reactivate` return to their preferred hub"] = back.problems
    # Put the lab back as it began: moved spokes reconnect from peer 1.
    send_spokes_home(ctx)
    baseline = wait_baseline(ctx)
    results["the lab ends as it began (baseline holds again)"] = [p for ps in baseline.values() for p in ps]
    if ctx.run is not None:
        ctx.run.recovery = "ok" if not any(results.values()) else "problems"
    return results


def _peer(text: str | None) -> Any:
    import ipaddress
    return ipaddress.IPv4Address(text) if text else None


def cleanup(ctx: Context | None, testbed: Any, lab: Lab, report_dir: Path, run_tag: str) -> list[str]:
    """Always runs: restore every hub this or an earlier run failed, write results, disconnect."""
    problems: list[str] = []
    why = lab.gone()
    if why:
        problems.append(why)   # nothing left to restore: say so once, not per device
    if ctx is not None and ctx.ledger is not None and not why:
        for hub, mode in ctx.ledger.pending(known=ctx.hubs).items():
            if mode != "interface-shutdown" and lab.is_failed(hub) is False:
                ctx.ledger.remove(hub)   # restored by someone else meanwhile
                continue
            try:
                restore_hub(ctx, hub, mode)
            except Exception as exc:  # keep going: the other hubs must be restored too
                problems.append(f"could not restore {hub} ({mode}): {exc}")
    if ctx is not None:
        write_run(ctx, report_dir, run_tag)
    for name, device in testbed.devices.items():
        try:
            if device.is_connected():
                device.disconnect()
        except Exception as exc:
            log.warning("disconnecting %s: %s", name, exc)
    return problems
