"""Failover: each spoke that was on the failed hub, measured from its own logs.

Failover time = the spoke's `%FLEXVPN-6-FLEXVPN_CONNECTION_UP` towards another hub minus
the failure instant, both in device time. Polling `show crypto ikev2 client flexvpn`
decides when to read the log and gives a coarse cross-check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Address

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
from flexlab.harness.peers import NextPeer, next_alive
from flexlab.harness.steps.baseline import Baseline
from flexlab.harness.steps.failure import FailureRecord
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.learn import LearnedLab, device_events
from flexlab.harness.steps.resources import POLL_INTERVAL_S, JobResources, now_utc, parallel
from flexlab.results.job import SpokeFailover

#: The poller waits this many times the bound, to tell "slow" from "never".
OVERRUN_FACTOR = 2.0
#: Device seconds to wait for a move when no DPD bound applies (DPD off).
NO_BOUND_WAIT_S = 300.0

LEAVES_WITHIN_BOUND = "{spoke} leaves {hub} within the DPD bound"
OTHERS_STAY = "spokes on the other hub stay where they are"
#: Every check the Failover testcase makes (templates take the spoke and hub).
CHECKS = (LEAVES_WITHIN_BOUND, OTHERS_STAY)


@dataclass(frozen=True)
class Measurements:
    """The failover of every spoke that was on the failed hub."""

    records: tuple[SpokeFailover, ...]
    """One record per measured spoke (moved or not)."""

    @property
    def moved(self) -> Mapping[str, SpokeFailover]:
        """Spoke -> its record, for the spokes that reached another peer."""
        return {r.spoke: r for r in self.records if r.to_peer is not None}

    def checks(self, hub: str) -> dict[str, list[str]]:
        """One check per measured spoke: it left ``hub`` within the DPD bound."""
        return {LEAVES_WITHIN_BOUND.format(spoke=r.spoke, hub=hub): [] if r.passed else [r.reason]
                for r in self.records}


def dpd_inputs(learned: LearnedLab, spoke: str) -> tuple[DpdConfig | None, float | None]:
    """The spoke's DPD configuration and the period of its DPD-triggering traffic, from the
    configuration it actually runs."""
    config = learned.spoke_configs[spoke]
    sources = dpd_trigger_traffic(config, bgp_neighbor=str(learned.expected().overlay_hub_address))
    return parse_dpd_config(config), traffic_period_s(sources)


def spoke_bound(learned: LearnedLab, inputs: JobInputs, spoke: str, dead_tried: int = 0) -> Bound:
    """The DPD bound from the configuration the spoke runs and the declared model, plus the
    dead peers it tries on its way to the next live one."""
    dpd, period = dpd_inputs(learned, spoke)
    return with_dead_peers(dpd_bound(dpd, period, model=inputs.dpd_model), dead_tried)


def expected_next(learned: LearnedLab, inputs: JobInputs, spoke: str, hub: str) -> NextPeer:
    """The next live peer of the spoke's client block after the failed hub's."""
    peers = reads.configured_peers(learned.spoke_configs[spoke])
    return next_alive(peers, learned.hub_wan[hub], learned.dead_addresses([*inputs.dead_hubs, hub]))


def _wrong_peer(learned: LearnedLab, spoke: str, new_peer: IPv4Address | None, expected: NextPeer) -> str:
    """Why the peer the spoke moved to is not the one its client block leads to ("" if it is)."""
    if new_peer == expected.peer:
        return ""
    skipped = f" after trying the failed {', '.join(map(str, expected.dead_tried))}" if expected.dead_tried else ""
    return (f"{spoke}: moved to {new_peer} ({learned.hub_by_address(new_peer) or 'not a hub'}), expected "
            f"{expected.peer} ({learned.hub_by_address(expected.peer)}): the next live peer of its client block"
            f"{skipped}")


def measure_spoke(resources: JobResources, learned: LearnedLab, inputs: JobInputs, failure: FailureRecord,
                  spoke: str) -> SpokeFailover:
    """Measure one spoke's failover: when it left the failed peer and reached a live one."""
    hub = failure.hub
    failed_peer = learned.hub_wan[hub]
    instant = failure.instant_for(learned, spoke)
    record = SpokeFailover(hub=hub, spoke=spoke, from_peer=str(failed_peer), timing_method=instant.method)
    expected = expected_next(learned, inputs, spoke, hub)
    record.expected_peer = str(expected.peer) if expected.peer is not None else None
    record.expected_hub = learned.hub_by_address(expected.peer)
    record.dead_peers_tried = [str(p) for p in expected.dead_tried]
    if expected.peer is None:
        record.reason = f"{spoke}: every other peer of its client block is on a failed hub; it cannot move"
        return record
    bound = spoke_bound(learned, inputs, spoke, expected.worst_dead_tried)
    record.dpd_bound_s, record.bound_formula = bound.total_s, f"{bound.formula}: {bound.expression}"
    record.bound_terms = {term.symbol: term.value_s for term in bound.terms}
    record.dpd_model = inputs.dpd_model.to_record()
    wait_device_s = (bound.total_s or NO_BOUND_WAIT_S) * OVERRUN_FACTOR
    device = resources.devices[spoke]
    moved_to: list[reads.FlexClient] = []

    def moved() -> list[str]:
        clients = reads.flex_clients(device)
        if clients and clients[0].state == "ACTIVE" and clients[0].peer not in (None, failed_peer):
            moved_to[:] = clients[:1]
            return []
        state = f"{clients[0].state} on {clients[0].peer}" if clients else "no client"
        return [f"{spoke}: still not ACTIVE on another hub ({state})"]

    outcome = checks.poll(moved, resources.wall(wait_device_s), POLL_INTERVAL_S)
    seen_at = now_utc()
    if not outcome.ok:
        record.reason = (
            f"{spoke} did not reach another hub within {wait_device_s:.0f} device s "
            f"({bound.note if bound.total_s is None else f'DPD bound {bound.total_s:g} s'}): {outcome.problems[-1]}"
        )
        return record
    new_peer = moved_to[0].peer
    record.to_peer, record.to_hub = str(new_peer), learned.hub_by_address(new_peer)
    record.failover_polled_s = round(
        (learned.offsets[spoke].to_device(seen_at) - instant.spoke_time).total_seconds(), 3)
    measurement = failover_timing.measure_failover(
        instant, device_events(resources, learned, spoke), str(failed_peer))
    if measurement.failover_s is None:
        record.reason = f"{spoke}: moved to {new_peer} but its log shows no tunnel up: {measurement.reason}"
        return record
    record.failover_s = round(measurement.failover_s, 3)
    if wrong := _wrong_peer(learned, spoke, new_peer, expected):
        record.reason = wrong
    elif bound.total_s is None:
        record.reason = f"{spoke}: failed over in {record.failover_s:.3f} s but no DPD bound applies ({bound.note})"
    elif not measurement.within(bound):
        record.reason = (f"{spoke}: failover took {record.failover_s:.3f} s, more than the DPD bound "
                         f"{bound.total_s:g} s ({bound.formula}: {bound.expression})")
    else:
        record.passed = True
    return record


def measure(resources: JobResources, learned: LearnedLab, inputs: JobInputs, baseline: Baseline,
            failure: FailureRecord) -> Measurements:
    """Measure every spoke that was on the failed hub at the baseline."""
    on_hub = baseline.spokes_on(learned.hub_wan[failure.hub])
    records = parallel(lambda s: measure_spoke(resources, learned, inputs, failure, s), on_hub)
    return Measurements(tuple(records.values()))


def unexpected_moves(resources: JobResources, baseline: Baseline, failed_peer: IPv4Address) -> list[str]:
    """Problems for spokes not on ``failed_peer`` at the baseline that moved anyway."""
    others = sorted(s for s, peer in baseline.peers.items() if peer != failed_peer)
    now = parallel(lambda s: reads.flex_clients(resources.devices[s]), others)
    return [p for spoke, clients in now.items() for p in checks.client_on_peer(spoke, clients, baseline.peers[spoke])]
