"""Recovery after a hub failure, and the cleanup that always runs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flexlab.failure import FailureMode
from flexlab.harness import checks, expectations, reads
from flexlab.harness.flow import (
    POLL_INTERVAL_S,
    Context,
    parallel,
    reconnect,
    restore_hub,
    send_spokes_home,
    wait_baseline,
    write_run,
)
from flexlab.harness.session_errors import SESSION_ERRORS
from flexlab.labs.interface import Lab

log = logging.getLogger(__name__)

RECOVERY_ALLOWANCE_S = 240.0


def kept_failed(ctx: Context) -> str:
    """--cumulative: the run's hub stays failed; the last run of the sequence restores it."""
    return f"{ctx.hub} stays failed for the next run (--cumulative); the last run restores every hub"


def _restore_all(ctx: Context, hub: str) -> list[str]:
    """Restore this run's hub, then the hubs earlier runs left failed (--cumulative)."""
    assert ctx.ledger is not None
    pending = ctx.ledger.pending(known=ctx.hubs)
    restore_hub(ctx, hub, ctx.failure_mode)
    for dead in ctx.dead_hubs:
        restore_hub(ctx, dead, pending.get(dead, ctx.failure_mode))
        if not ctx.devices[dead].is_connected():
            reconnect(ctx, dead)   # left alone while it was down (a lab-made failure)
    restored = [hub] + ctx.dead_hubs
    ctx.hub_failed, ctx.dead_hubs = False, []
    return restored


def _hub_back(ctx: Context, hub: str) -> tuple[str, list[str]]:
    """A restored hub re-forms BGP with the other hubs and learns every spoke LAN."""
    expect = ctx.expected()
    peers = expect.hub_peers.get(hub)
    if peers is None:   # down since before this run (--cumulative): its config is readable now
        peers = tuple(expectations.bgp_neighbor_addresses(reads.running_config(ctx.devices[hub])))
    lans = {lan: None for lan in expect.spoke_lans.values()}

    def back() -> list[str]:
        neighbors = reads.bgp_neighbors(ctx.devices[hub])
        problems = [p for peer in peers for p in checks.bgp_established(hub, neighbors, peer)]
        return problems + checks.holds_prefixes(hub, reads.bgp_routes(ctx.devices[hub]), lans)
    outcome = checks.poll(back, ctx.wall(RECOVERY_ALLOWANCE_S), POLL_INTERVAL_S)
    other = "the other hub" if len(peers) == 1 else "the other hubs"
    return f"{hub} re-forms BGP with {other} and learns every spoke LAN", outcome.problems


def recover(ctx: Context, hub: str) -> dict[str, list[str]]:
    """Restore the hub (and the hubs --cumulative left failed), check they re-learn the
    cloud, then put the lab back as it began."""
    results: dict[str, list[str]] = {}
    for restored in _restore_all(ctx, hub):
        check, problems = _hub_back(ctx, restored)
        results[check] = problems

    reactivating = {s for s in ctx.moved if reads.has_peer_reactivate(ctx.spoke_configs[s])}
    staying = [s for s in ctx.moved if s not in reactivating]
    now = parallel(lambda s: reads.flex_clients(ctx.devices[s]), staying)
    results["moved spokes stay on the surviving hub (no pre-emption)"] = [
        p for s, clients in now.items() for p in checks.client_on_peer(s, clients, _peer(ctx.moved[s].to_peer))
    ]
    if reactivating:
        def returned() -> list[str]:
            clients = parallel(lambda s: reads.flex_clients(ctx.devices[s]), sorted(reactivating))
            return [p for s, found in clients.items() for p in checks.client_on_peer(s, found, _peer1(ctx, s))]
        back = checks.poll(returned, ctx.wall(RECOVERY_ALLOWANCE_S), POLL_INTERVAL_S)
        results["spokes with `peer reactivate` return to their preferred hub"] = back.problems
    # Put the lab back as it began: moved spokes reconnect from peer 1.
    send_spokes_home(ctx)
    baseline = wait_baseline(ctx)
    results["the lab ends as it began (baseline holds again)"] = [p for ps in baseline.values() for p in ps]
    if ctx.run is not None:
        ctx.run.recovery = "ok" if not any(results.values()) else "problems"
    return results


def _peer1(ctx: Context, spoke: str) -> Any:
    """The spoke's most preferred peer (all hubs are back when this is asked)."""
    return reads.configured_peers(ctx.spoke_configs[spoke])[0]


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
        kept = (set(ctx.dead_hubs) | {ctx.hub}) if ctx.keep_failed else set()
        for hub, mode in ctx.ledger.pending(known=ctx.hubs).items():
            if hub in kept:
                continue   # --cumulative: the next run expects it failed; the last one restores it
            if mode != FailureMode.INTERFACE_SHUTDOWN and lab.is_failed(hub) is False:
                ctx.ledger.remove(hub)   # restored by someone else meanwhile
                continue
            try:
                restore_hub(ctx, hub, mode)
            except Exception as exc:  # noqa: BLE001 - cleanup: the other hubs must be restored whatever this one raised
                problems.append(f"could not restore {hub} ({mode}): {exc}")
    if ctx is not None:
        write_run(ctx, report_dir, run_tag)
    for name, device in testbed.devices.items():
        try:
            if device.is_connected():
                device.disconnect()
        except SESSION_ERRORS as exc:
            log.warning("disconnecting %s: %s", name, exc)
    return problems
