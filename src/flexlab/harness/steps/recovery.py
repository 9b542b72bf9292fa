"""Recovery: restore the failed hubs, check they re-learn the cloud, put the lab back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Address

from flexlab.harness import checks, expectations, reads
from flexlab.harness.steps.baseline import wait_baseline
from flexlab.harness.steps.failure import FailureRecord, restore_hub, send_spokes_home
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.learn import LearnedLab
from flexlab.harness.steps.resources import POLL_INTERVAL_S, JobResources, parallel
from flexlab.harness.steps.setup import reconnect
from flexlab.results.job import SpokeFailover

RECOVERY_ALLOWANCE_S = 240.0

HUB_BACK = "{hub} re-forms BGP with {other} and learns every spoke LAN"
NO_PREEMPTION = "moved spokes stay on the surviving hub (no pre-emption)"
RETURNED = "spokes with `peer reactivate` return to their preferred hub"
BASELINE_AGAIN = "the lab ends as it began (baseline holds again)"
#: Every check the Recovery testcase makes (HUB_BACK takes the hub and "the other hub(s)").
CHECKS = (HUB_BACK, NO_PREEMPTION, RETURNED, BASELINE_AGAIN)


@dataclass(frozen=True)
class RecoveryResult:
    """The recovery checks and the hubs restored."""

    checks: Mapping[str, list[str]]
    """Check name -> problems (empty: it holds)."""
    restored: tuple[str, ...]
    """The hubs restored: this run's, then those earlier runs left failed (--cumulative)."""

    @property
    def verdict(self) -> str:
        """"ok" when every check held, else "problems" (the run record's ``recovery``)."""
        return "ok" if not any(self.checks.values()) else "problems"


def kept_failed(inputs: JobInputs) -> str:
    """--cumulative: the run's hub stays failed; the last run of the sequence restores it."""
    return f"{inputs.hub} stays failed for the next run (--cumulative); the last run restores every hub"


def _restore_all(resources: JobResources, learned: LearnedLab, inputs: JobInputs,
                 failure: FailureRecord) -> tuple[str, ...]:
    """Restore this run's hub, then the hubs earlier runs left failed (--cumulative)."""
    pending = resources.ledger.pending(known=resources.hubs)
    restore_hub(resources, failure.hub, failure.mode, learned.hub_wan_if.get(failure.hub))
    for dead in inputs.dead_hubs:
        restore_hub(resources, dead, pending.get(dead, failure.mode), learned.hub_wan_if.get(dead))
        if not resources.devices[dead].is_connected():
            reconnect(resources, dead)   # left alone while it was down (a lab-made failure)
    return (failure.hub, *inputs.dead_hubs)


def _hub_back(resources: JobResources, learned: LearnedLab, hub: str) -> tuple[str, list[str]]:
    """A restored hub re-forms BGP with the other hubs and learns every spoke LAN."""
    expect = learned.expected()
    peers = expect.hub_peers.get(hub)
    if peers is None:   # down since before this run (--cumulative): its config is readable now
        peers = tuple(expectations.bgp_neighbor_addresses(reads.running_config(resources.devices[hub])))
    lans = {lan: None for lan in expect.spoke_lans.values()}

    def back() -> list[str]:
        neighbors = reads.bgp_neighbors(resources.devices[hub])
        problems = [p for peer in peers for p in checks.bgp_established(hub, neighbors, peer)]
        return problems + checks.holds_prefixes(hub, reads.bgp_routes(resources.devices[hub]), lans)
    outcome = checks.poll(back, resources.wall(RECOVERY_ALLOWANCE_S), POLL_INTERVAL_S)
    other = "the other hub" if len(peers) == 1 else "the other hubs"
    return HUB_BACK.format(hub=hub, other=other), outcome.problems


def _clients_on(resources: JobResources, expected: Mapping[str, IPv4Address | None]) -> list[str]:
    """Problems for the spokes not ACTIVE on the peer ``expected`` gives them."""
    now = parallel(lambda s: reads.flex_clients(resources.devices[s]), sorted(expected))
    return [p for s, clients in now.items() for p in checks.client_on_peer(s, clients, expected[s])]  # type: ignore[arg-type]


def recover(resources: JobResources, learned: LearnedLab, inputs: JobInputs, failure: FailureRecord,
            moved: Mapping[str, SpokeFailover]) -> RecoveryResult:
    """Restore the hub (and the hubs --cumulative left failed), check they re-learn the
    cloud, then put the lab back as it began."""
    results: dict[str, list[str]] = {}
    restored = _restore_all(resources, learned, inputs, failure)
    for hub in restored:
        check, problems = _hub_back(resources, learned, hub)
        results[check] = problems
    reactivating = {s for s in moved if reads.has_peer_reactivate(learned.spoke_configs[s])}
    staying = {s: _address(r.to_peer) for s, r in moved.items() if s not in reactivating}
    results[NO_PREEMPTION] = _clients_on(resources, staying)
    if reactivating:
        home = {s: reads.configured_peers(learned.spoke_configs[s])[0] for s in reactivating}
        back = checks.poll(lambda: _clients_on(resources, home), resources.wall(RECOVERY_ALLOWANCE_S), POLL_INTERVAL_S)
        results[RETURNED] = back.problems
    # Put the lab back as it began: moved spokes reconnect from peer 1.
    send_spokes_home(resources, learned)
    results[BASELINE_AGAIN] = wait_baseline(resources, learned).problems
    return RecoveryResult(results, restored)


def _address(text: str | None) -> IPv4Address | None:
    return IPv4Address(text) if text else None
