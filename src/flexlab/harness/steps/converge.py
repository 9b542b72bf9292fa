"""BgpConvergence: each moved spoke's BGP re-forms on the surviving hub, routes as designed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from flexlab import failover_timing
from flexlab.harness import checks, reads
from flexlab.harness.steps.failure import FailureRecord
from flexlab.harness.steps.learn import LearnedLab, device_events
from flexlab.harness.steps.resources import POLL_INTERVAL_S, JobResources, parallel
from flexlab.results.job import SpokeFailover

#: Device seconds allowed for BGP to converge after the tunnel is up.
BGP_ALLOWANCE_S = 120.0

CONVERGED = "{spoke}: BGP converged on the surviving hub"
#: Every check the BgpConvergence testcase makes (the template takes the spoke).
CHECKS = (CONVERGED,)

SpokeState = tuple[list[reads.FlexClient], dict[IPv4Address, reads.BgpNeighbor]]
RouteTable = dict[IPv4Network, reads.Route]


@dataclass(frozen=True)
class Convergence:
    """Per moved spoke: what still kept BGP from converging, and when it converged."""

    problems: Mapping[str, list[str]]
    """Spoke -> problems (empty: converged as designed)."""
    bgp_converged_s: Mapping[str, float]
    """Spoke -> device seconds from the failure to its `%BGP-5-ADJCHANGE ... Up` (when logged)."""

    def checks(self) -> dict[str, list[str]]:
        """One check per moved spoke."""
        return {CONVERGED.format(spoke=spoke): problems for spoke, problems in self.problems.items()}


def _convergence_problems(learned: LearnedLab, spokes: tuple[str, ...], record: SpokeFailover, lan: IPv4Network,
                          state: SpokeState, routes: dict[str, RouteTable],
                          hub_routes: dict[str, RouteTable]) -> list[str]:
    """One moved spoke: BGP up, only the summary, the survivor holds its LAN, others reach it."""
    spoke, survivor = record.spoke, record.to_hub
    overlay, summary = learned.expected().overlay_hub_address, learned.expected().summary
    clients, neighbors = state
    assigned = clients[0].assigned if clients else None
    problems = checks.bgp_established(spoke, neighbors, overlay)
    problems += checks.only_summary(spoke, routes[spoke], summary)
    if survivor is None or assigned is None:
        problems.append(f"{spoke}: no surviving hub / assigned address known")
    else:
        problems += checks.holds_prefixes(survivor, hub_routes[survivor], {lan: assigned})
    for other in spokes:
        if other != spoke:
            problems += checks.covered_by_summary(other, routes[other], lan)
    return problems


def converge(resources: JobResources, learned: LearnedLab, failure: FailureRecord,
             moved: Mapping[str, SpokeFailover]) -> Convergence:
    """Per moved spoke: BGP up on the surviving hub, routes as designed, and the time it took.

    All moved spokes are polled together: each round reads every spoke's and every
    surviving hub's BGP routes once (not once per moved spoke), and a spoke whose checks
    held is not read again, as when each spoke was polled on its own.
    """
    devices = resources.devices
    overlay = learned.expected().overlay_hub_address
    lans = {spoke: learned.expected().spoke_lans[spoke] for spoke in moved}
    latest: dict[str, list[str]] = {spoke: [] for spoke in moved}
    pending = set(moved)

    def converged() -> list[str]:
        polled = sorted(pending)
        states = parallel(lambda s: (reads.flex_clients(devices[s]), reads.bgp_neighbors(devices[s])), polled)
        routes = parallel(lambda s: reads.bgp_routes(devices[s]), list(resources.spokes))
        survivors = sorted({h for s in polled if (h := moved[s].to_hub) is not None})
        hub_routes = parallel(lambda h: reads.bgp_routes(devices[h]), survivors)
        for spoke in polled:
            latest[spoke] = _convergence_problems(learned, resources.spokes, moved[spoke], lans[spoke], states[spoke],
                                                  routes, hub_routes)
            if not latest[spoke]:
                pending.discard(spoke)
        return [p for spoke in polled for p in latest[spoke]]

    checks.poll(converged, resources.wall(BGP_ALLOWANCE_S), POLL_INTERVAL_S)
    measurements = parallel(lambda s: failover_timing.measure_failover(
        failure.instant_for(learned, s), device_events(resources, learned, s), moved[s].from_peer,
        bgp_neighbor=str(overlay)), list(moved))
    problems: dict[str, list[str]] = {}
    converged_s: dict[str, float] = {}
    for spoke in moved:
        problems[spoke] = list(latest[spoke])
        measurement = measurements[spoke]
        if measurement.bgp_converged_s is not None:
            converged_s[spoke] = round(measurement.bgp_converged_s, 3)
        elif not latest[spoke]:
            problems[spoke].append(f"{spoke}: BGP converged but no %BGP-5-ADJCHANGE Up for {overlay} was logged")
    return Convergence(problems, converged_s)
