"""Baseline: the lab converged as designed before any hub is failed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from ipaddress import IPv4Address

from flexlab.harness import checks, reads
from flexlab.harness.checks import problems_of
from flexlab.harness.steps.learn import LearnedLab
from flexlab.harness.steps.resources import POLL_INTERVAL_S, JobResources, parallel

#: Device seconds allowed for the lab to converge before the baseline is judged.
BASELINE_ALLOWANCE_S = 240.0

#: Baseline check names: peer 1, or with hubs kept failed (--cumulative) the first live peer.
PEER_CHECKS = {False: ("spokes ACTIVE on their designed peer 1", "IKEv2 SA READY to peer 1"),
               True: ("spokes ACTIVE on their first live peer", "IKEv2 SA READY to that peer")}
BGP_UP = "BGP to the hub overlay Established"
ONLY_SUMMARY = "spokes hold only the summary"
HUBS_HOLD_LANS = "hubs hold every spoke LAN"
UNIQUE_ADDRESSES = "assigned overlay addresses are unique"
#: Every check the Baseline testcase makes.
CHECKS = (*PEER_CHECKS[False], *PEER_CHECKS[True], BGP_UP, ONLY_SUMMARY, HUBS_HOLD_LANS, UNIQUE_ADDRESSES)


@dataclass(frozen=True)
class Baseline:
    """The baseline checks' last problems and the peer each spoke was on."""

    checks: Mapping[str, list[str]]
    """Check name -> the problems the last read found (empty: it holds)."""
    peers: Mapping[str, IPv4Address]
    """Spoke -> the peer its FlexVPN client was on at the last read."""

    @property
    def ok(self) -> bool:
        """Whether every check held."""
        return not any(self.checks.values())

    @property
    def problems(self) -> list[str]:
        """Every check's problems, in check order."""
        return problems_of(self.checks)

    def spokes_on(self, peer: IPv4Address | None) -> list[str]:
        """The spokes that were on ``peer``, sorted."""
        return sorted(s for s, on in self.peers.items() if on == peer)


def read_baseline(resources: JobResources, learned: LearnedLab, down: Iterable[str] = ()) -> Baseline:
    """The baseline checks, read from every device now; ``down`` are hubs known to be failed."""
    down = list(down)
    expect = learned.expected()
    overlay, summary = expect.overlay_hub_address, expect.summary
    on_peer, sa_up = PEER_CHECKS[bool(down)]
    devices = resources.devices
    spoke_reads = parallel(lambda s: (
        reads.flex_clients(devices[s]), reads.ike_sas(devices[s]), reads.bgp_neighbors(devices[s]),
        reads.bgp_routes(devices[s]),
    ), list(resources.spokes))
    hub_routes = parallel(lambda h: reads.bgp_routes(devices[h]), [h for h in resources.hubs if h not in down])
    result: dict[str, list[str]] = {k: [] for k in (on_peer, sa_up, BGP_UP, ONLY_SUMMARY, HUBS_HOLD_LANS,
                                                     UNIQUE_ADDRESSES)}
    assigned: dict[str, IPv4Address | None] = {}
    peers: dict[str, IPv4Address] = {}
    for spoke, (clients, sas, neighbors, routes) in spoke_reads.items():
        home = learned.live_peer(spoke, down)
        if home is None:
            result[on_peer].append(f"{spoke}: every peer of its client block is on a failed hub")
        else:
            result[on_peer] += checks.client_on_peer(spoke, clients, home)
            result[sa_up] += checks.sa_ready(spoke, sas, home)
        result[BGP_UP] += checks.bgp_established(spoke, neighbors, overlay)
        result[ONLY_SUMMARY] += checks.only_summary(spoke, routes, summary)
        assigned[spoke] = clients[0].assigned if clients else None
        if clients and clients[0].peer is not None:
            peers[spoke] = clients[0].peer
    lans = {lan: None for lan in expect.spoke_lans.values()}
    for hub, routes in hub_routes.items():
        result[HUBS_HOLD_LANS] += checks.holds_prefixes(hub, routes, lans)
    result[UNIQUE_ADDRESSES] += checks.unique_addresses(assigned)
    return Baseline(result, peers)


def wait_baseline(resources: JobResources, learned: LearnedLab, down: Iterable[str] = ()) -> Baseline:
    """Poll the baseline checks until they all hold or the time runs out; the last reading."""
    down = list(down)
    latest: list[Baseline] = []

    def check() -> list[str]:
        latest[:] = [read_baseline(resources, learned, down)]
        return latest[0].problems
    checks.poll(check, resources.wall(BASELINE_ALLOWANCE_S), POLL_INTERVAL_S)
    return latest[0]
