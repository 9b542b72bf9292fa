"""The data-plane outage a hub failure causes, measured with IP SLA icmp-echo probes.

Before the hub fails, each spoke that runs on it gets two probes (IOS CLI, config mode),
sourced from its LAN interface: one to a surviving hub's LAN, one to another spoke's LAN.
They send an ICMP echo every :data:`PROBE_FREQUENCY_S` s. `show ip sla statistics`
(Genie ``ShowIpSlaStatistics``) is read right before the failure and again once traffic
flows: the probes lost in between, times the frequency, is the loss window; its
resolution is the probe frequency. A real router counts them the same way.

The probes are traffic through the tunnel, which on-demand DPD reacts to. The DPD bound
stays computed from the configuration the spoke ran before them (read at setup): with an
echo every second on-demand DPD can only start sooner, so that bound still holds
(:data:`PROBE_TRAFFIC_NOTE`, stated in the report).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flexlab.harness import checks, reads
from flexlab.harness.session_errors import READ_ERRORS, SESSION_ERRORS
from flexlab.harness.steps.baseline import Baseline
from flexlab.harness.steps.failure import FailureRecord
from flexlab.harness.steps.learn import LearnedLab
from flexlab.harness.steps.resources import POLL_INTERVAL_S, JobResources, parallel
from flexlab.results.job import SpokeFailover
from flexlab.results.records import TargetOutage

IPv4Address = ipaddress.IPv4Address

#: Seconds between two echoes of a probe: the loss window's resolution.
PROBE_FREQUENCY_S = 1
#: A reply later than this counts as lost (IOS wants timeout <= frequency).
PROBE_TIMEOUT_MS = 800
#: IP SLA operation numbers the job owns on a spoke (one per target).
FIRST_OPERATION = 9901
#: Device seconds allowed for new probes to succeed before the hub is failed.
PROBE_START_ALLOWANCE_S = 30.0
#: Device seconds allowed, after BGP converged, for traffic to flow again.
FLOW_ALLOWANCE_S = 60.0
#: Device seconds between the two reads that confirm traffic flows again (no new loss).
FLOW_CONFIRM_S = 3.0 * PROBE_FREQUENCY_S
PROBE_TRAFFIC_NOTE = ("the probes send an echo through the tunnel every "
                      f"{PROBE_FREQUENCY_S} s while the hub is failed: on-demand DPD may start sooner than with the "
                      "design's own traffic; the DPD bound is computed without them, so it still holds")
RESOLUTION_NOTE = (f"IP SLA icmp-echo every {PROBE_FREQUENCY_S} s from the spoke's LAN: loss window = probes lost "
                   f"x {PROBE_FREQUENCY_S} s (resolution {PROBE_FREQUENCY_S} s); assumed one contiguous window "
                   "starting at the first probe after the failure")


@dataclass(frozen=True)
class Probe:
    """One IP SLA icmp-echo operation the job runs on a spoke."""

    spoke: str
    operation: int
    target: str                # "hub LAN of hub2" / "spoke LAN of spoke2"
    address: IPv4Address
    source_interface: str

    def config_lines(self) -> list[str]:
        """The IOS lines that configure and start this probe."""
        return [f"ip sla {self.operation}", f"icmp-echo {self.address} source-interface {self.source_interface}",
                f"timeout {PROBE_TIMEOUT_MS}", f"threshold {PROBE_TIMEOUT_MS}", f"frequency {PROBE_FREQUENCY_S}",
                f"ip sla schedule {self.operation} life forever start-time now"]


@dataclass(frozen=True)
class SlaReading:
    """One IP SLA operation in `show ip sla statistics`."""

    successes: int
    failures: int
    latest_ok: bool
    latest_start: dt.datetime | None


@dataclass
class OutageRun:
    """The probes of one hub failure and what they read."""

    probes: dict[str, list[Probe]] = field(default_factory=dict)      # spoke -> its probes
    before: dict[str, dict[int, SlaReading]] = field(default_factory=dict)
    not_run: str = ""                                                  # why nothing was measured

    @property
    def spokes(self) -> list[str]:
        """The spokes that carry probes."""
        return sorted(self.probes)


_SLA_TIME = re.compile(r"(?P<time>\d{1,2}:\d\d:\d\d)(?P<fraction>\.\d+)? \S+ \w{3} "
                       r"(?P<month>\w{3}) +(?P<day>\d{1,2}) (?P<year>\d{4})")


def parse_sla_time(text: str) -> dt.datetime | None:
    """`12:03:58 UTC Sun Mar 1 2026` (16.x/17.x) or the `show clock` form of 15.x
    (`*12:03:58.933 UTC Sun Mar 1 2026`, milliseconds kept)."""
    found = _SLA_TIME.search(text or "")
    if found is None:
        return None
    stamp = dt.datetime.strptime(
        f"{found['time']} {found['month']} {found['day']} {found['year']}", "%H:%M:%S %b %d %Y"
    )
    return stamp + dt.timedelta(seconds=float(found["fraction"] or 0))


def sla_statistics(device: Any) -> dict[int, SlaReading]:
    """`show ip sla statistics` (Genie ShowIpSlaStatistics): operation -> latest figures."""
    parsed = device.parse("show ip sla statistics")
    readings = {}
    for operation, facts in parsed.get("ids", {}).items():
        readings[int(operation)] = SlaReading(
            successes=int(facts.get("no_of_success", 0)), failures=int(facts.get("no_of_failures", 0)),
            latest_ok=str(facts.get("return_code", "")).upper() == "OK",
            latest_start=parse_sla_time(str(facts.get("start_time", ""))))
    return readings


# -- which probes --------------------------------------------------------------------------
def _address_in(
    addresses: dict[str, IPv4Address], network: ipaddress.IPv4Network | None
) -> tuple[str, IPv4Address] | None:
    if network is None:
        return None
    return next(((name, addr) for name, addr in sorted(addresses.items()) if addr in network), None)


def plan_probes(resources: JobResources, learned: LearnedLab, baseline: Baseline,
                hub: str) -> tuple[dict[str, list[Probe]], list[str]]:
    """Probes for every spoke on ``hub`` at the baseline, and what stopped planning one.

    Targets: the first other hub's LAN, and the LAN of another spoke (one that stays on its
    hub when there is one). Interfaces and addresses are read from the devices, inside the
    LANs the design gives.
    """
    plan = resources.design.plan()
    moving = baseline.spokes_on(learned.hub_wan.get(hub))
    survivors = sorted(h for h in resources.hubs if h != hub)[:1]
    staying = sorted(s for s in resources.spokes if s not in moving)
    other_spoke = {s: next((o for o in staying + moving if o != s), None) for s in moving}
    nodes = sorted(set(moving) | set(survivors) | {o for o in other_spoke.values() if o})
    addresses = parallel(lambda n: reads.interface_addresses(resources.devices[n]), nodes)
    lan_of = {name: _address_in(addresses[name], plan.node(name).lan) for name in nodes}
    problems: list[str] = []
    probes: dict[str, list[Probe]] = {}
    for spoke in moving:
        source = lan_of.get(spoke)
        if source is None:
            problems.append(f"{spoke}: no interface address inside its LAN {plan.node(spoke).lan}")
            continue
        other = other_spoke[spoke]
        targets = [(f"hub LAN of {h}", h) for h in survivors] + ([(f"spoke LAN of {other}", other)] if other else [])
        probes[spoke] = []
        for number, (label, node) in enumerate(targets):
            found = lan_of.get(node)
            if found is None:
                problems.append(f"{node}: no interface address inside its LAN {plan.node(node).lan}")
                continue
            probes[spoke].append(Probe(spoke, FIRST_OPERATION + number, label, found[1], source[0]))
    return probes, problems


# -- set up, read, remove ----------------------------------------------------------------------
def _owned_operations(config: str) -> list[int]:
    return sorted({int(n) for n in re.findall(r"^ip sla (\d+)$", config, re.M) if int(n) >= FIRST_OPERATION})


def remove_leftover_probes(resources: JobResources, learned: LearnedLab) -> tuple[list[str], LearnedLab]:
    """Remove the probes a killed earlier run left on spokes (seen in the configs read at
    setup); the spokes cleaned, and the lab with their configs read again (the DPD bound
    must not count the probes)."""
    def clean(spoke: str) -> str | None:
        stale = _owned_operations(learned.spoke_configs.get(spoke, ""))
        if not stale:
            return None
        resources.devices[spoke].configure([f"no ip sla {n}" for n in stale])
        return reads.running_config(resources.devices[spoke])
    cleaned = {spoke: config for spoke, config in parallel(clean, list(resources.spokes)).items() if config is not None}
    return sorted(cleaned), learned.with_spoke_configs(cleaned) if cleaned else learned


def start_probes(resources: JobResources, learned: LearnedLab, baseline: Baseline, hub: str) -> OutageRun:
    """Configure the probes, wait until every one succeeds, read the counters before the failure."""
    run = OutageRun()
    try:
        probes, problems = plan_probes(resources, learned, baseline, hub)
    except READ_ERRORS as exc:   # a read failed: the outage is not measured, the failover still is
        probes, problems = {}, [f"cannot plan the outage probes: {type(exc).__name__}: {exc}"]
    if problems or not probes:
        run.not_run = "; ".join(problems) or f"no spoke runs on {hub}"
        return run
    run.probes = probes

    def configure(spoke: str) -> str | None:
        device = resources.devices[spoke]
        try:
            stale = _owned_operations(reads.running_config(device))
            device.configure([f"no ip sla {n}" for n in stale]
                             + [line for probe in probes[spoke] for line in probe.config_lines()])
        except SESSION_ERRORS as exc:   # an image without IP SLA refuses the lines
            return f"{spoke}: cannot configure the outage probes: {exc}"
        return None
    refused = [p for p in parallel(configure, run.spokes).values() if p]
    if refused:
        run.not_run = "; ".join(refused)
        return run
    latest: dict[str, dict[int, SlaReading]] = {}

    def all_succeed() -> list[str]:
        try:
            latest.update(parallel(lambda s: sla_statistics(resources.devices[s]), run.spokes))
        except READ_ERRORS as exc:
            return [f"cannot read `show ip sla statistics`: {type(exc).__name__}: {exc}"]
        return [f"{p.spoke}: probe {p.operation} to {p.target} ({p.address}) does not succeed before the failure"
                for s in run.spokes for p in run.probes[s] if not _ok(latest.get(s, {}).get(p.operation))]
    outcome = checks.poll(all_succeed, resources.wall(PROBE_START_ALLOWANCE_S), POLL_INTERVAL_S)
    if not outcome.ok:
        run.not_run = "; ".join(outcome.problems)
        return run
    run.before = {s: dict(latest[s]) for s in run.spokes}
    return run


def _ok(reading: SlaReading | None) -> bool:
    return reading is not None and reading.latest_ok


def remove_probes(resources: JobResources, run: OutageRun | None) -> list[str]:
    """`no ip sla N` for every probe the job configured (cleanup: always runs). A lab that is
    gone has nothing left to clean (the cleanup says so once)."""
    if run is None or not run.probes or resources.lab.gone():
        return []

    def remove(spoke: str) -> str | None:
        try:
            resources.devices[spoke].configure([f"no ip sla {p.operation}" for p in run.probes[spoke]])
        except SESSION_ERRORS as exc:
            return f"{spoke}: cannot remove the outage probes: {exc}"
        return None
    problems = [p for p in parallel(remove, run.spokes).values() if p]
    run.probes = {}
    return problems


# -- after the failover ---------------------------------------------------------------------------
@dataclass
class _Confirm:
    """A spoke whose probes all succeed again, waiting for the confirming read."""

    reading: dict[int, SlaReading]
    wall: float


def _flow_problems(learned: LearnedLab, failure: FailureRecord, run: OutageRun, spoke: str,
                   now: dict[int, SlaReading]) -> list[str]:
    failed_at = failure.instant_for(learned, spoke).spoke_time.replace(tzinfo=None)
    problems = []
    for probe in run.probes[spoke]:
        reading, before = now.get(probe.operation), run.before[spoke][probe.operation]
        problems += checks.traffic_flows(
            spoke, f"{probe.target} ({probe.address})", reading.latest_ok if reading else None,
            reading.latest_start if reading else None, reading.failures - before.failures if reading else None,
            failed_at)
    return problems


def wait_flowing(
    resources: JobResources, learned: LearnedLab, failure: FailureRecord, run: OutageRun, spokes: list[str]
) -> tuple[dict[str, dict[int, SlaReading]], dict[str, list[str]]]:
    """Poll until every spoke's probes succeed again, confirmed by a second read
    :data:`FLOW_CONFIRM_S` device seconds later that shows no new loss."""
    latest: dict[str, dict[int, SlaReading]] = {}
    problems: dict[str, list[str]] = {spoke: [] for spoke in spokes}
    pending = set(spokes)
    confirming: dict[str, _Confirm] = {}

    def flowing() -> list[str]:
        polled = sorted(pending)
        readings = parallel(lambda s: sla_statistics(resources.devices[s]), polled)
        for spoke in polled:
            latest[spoke] = readings[spoke]
            problems[spoke] = _flow_problems(learned, failure, run, spoke, readings[spoke])
            if problems[spoke]:
                confirming.pop(spoke, None)
                continue
            first = confirming.get(spoke)
            if first is None or _failures(first.reading) != _failures(readings[spoke]):
                confirming[spoke] = _Confirm(readings[spoke], time.monotonic())
                problems[spoke] = [f"{spoke}: probes succeed again, not yet confirmed by a second read"]
            elif time.monotonic() - first.wall < resources.wall(FLOW_CONFIRM_S):
                problems[spoke] = [f"{spoke}: probes succeed again, not yet confirmed by a second read"]
            else:
                pending.discard(spoke)
        return [p for spoke in polled for p in problems[spoke]]
    checks.poll(flowing, resources.wall(FLOW_ALLOWANCE_S), POLL_INTERVAL_S)
    return latest, problems


def _failures(reading: dict[int, SlaReading]) -> dict[int, int]:
    return {operation: r.failures for operation, r in reading.items()}


def target_outage(
    learned: LearnedLab, failure: FailureRecord, run: OutageRun, probe: Probe, after: SlaReading | None, flowing: bool
) -> TargetOutage:
    """One probe's loss window: probes lost between the reads before and after the failure."""
    before = run.before[probe.spoke][probe.operation]
    probe_fields = {"target": probe.target, "address": str(probe.address), "operation": probe.operation,
                    "frequency_s": PROBE_FREQUENCY_S, "flowing_again": flowing,
                    "method": f"{RESOLUTION_NOTE}; {PROBE_TRAFFIC_NOTE}"}
    if after is None:
        return TargetOutage.model_validate({**probe_fields, "probes_lost": None, "probes_sent": None,
                                            "outage_s": None})
    lost = after.failures - before.failures
    start = failure.instant_for(learned, probe.spoke).spoke_time
    return TargetOutage.model_validate({
        **probe_fields, "probes_lost": lost,
        "probes_sent": after.failures + after.successes - before.failures - before.successes,
        "outage_s": float(lost * PROBE_FREQUENCY_S),
        "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(seconds=lost * PROBE_FREQUENCY_S)).isoformat()})


FLOWS_AGAIN = "{spoke}: traffic flows again after failover"
#: Every check the DataPlane testcase makes (the template takes the spoke).
CHECKS = (FLOWS_AGAIN,)


@dataclass(frozen=True)
class DataPlane:
    """Per moved spoke with probes: whether traffic flows again, and each target's loss window."""

    problems: Mapping[str, list[str]]
    """Spoke -> what keeps its traffic from flowing (empty: it flows)."""
    outages: Mapping[str, list[TargetOutage]]
    """Spoke -> one loss-window record per probe target (the report's ``outage``)."""

    def checks(self) -> dict[str, list[str]]:
        """One check per spoke."""
        return {FLOWS_AGAIN.format(spoke=spoke): problems for spoke, problems in self.problems.items()}


def measure(resources: JobResources, learned: LearnedLab, failure: FailureRecord, run: OutageRun,
            moved: Mapping[str, SpokeFailover]) -> DataPlane:
    """Per moved spoke: traffic flows again to every target, and the loss windows."""
    spokes = [s for s in run.spokes if s in moved]
    latest, problems = wait_flowing(resources, learned, failure, run, spokes)
    outages = {spoke: [target_outage(learned, failure, run, p, latest.get(spoke, {}).get(p.operation),
                                     not problems[spoke]) for p in run.probes[spoke]] for spoke in spokes}
    return DataPlane({spoke: problems[spoke] for spoke in spokes}, outages)
