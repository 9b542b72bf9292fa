"""The job's steps as tables (ANTA style): one table per testcase, each case a step run on
fake devices and the problems every check it makes must report.

A case names a recorded scenario (tests/fixtures/recorded: the embedded lab's real IOS
texts), the device outputs it replaces (other recorded texts, or real IOS samples), and
the expected problems per check ({} for a check that holds). The devices answer through
the Genie parsers the job uses (verdictkit.PlaybackDevice); the verdicts come from the
steps in flexlab.harness.steps. Expected problems are read off the recorded texts by hand
(tests/fixtures/recorded/README.md; test_job_steps.py spells out the figures).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from capturekit import StandInLab, five_fixed, run_schedule, stage
from verdictkit import TIME_SCALE, Staged, playback, recorded_text, sample, staged

from flexlab.harness import outage
from flexlab.harness.steps import learn, recovery, setup
from flexlab.harness.steps.converge import converge
from flexlab.harness.steps.failure import LAB_FAILED, SHUT_LOGGED, attempt_failure
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.measure import OTHERS_STAY, unexpected_moves
from flexlab.harness.steps.resources import JobResources
from flexlab.harness.steps.setup import apply_configs, connect_all
from flexlab.labs.base import LabError

Overrides = dict[tuple[str, str], str]
CLIENTS, RUNNING, SLA = "show crypto ikev2 client flexvpn", "show running-config", "show ip sla statistics"


@dataclass(frozen=True)
class StepCase:
    """One row of a step's table."""

    id: str
    scenario: str
    expected: dict[str, list[str]]
    """Every check the step makes -> the problems it must report ([]: the check holds)."""
    before: Overrides = field(default_factory=dict)
    """Device outputs replaced from the start: (node, command) -> text."""
    after_baseline: Overrides = field(default_factory=dict)
    """Device outputs replaced once the baseline was read."""
    after_failure: Overrides = field(default_factory=dict)
    """Device outputs replaced once the hub was failed."""
    sequence: dict[tuple[str, str], str | None] = field(default_factory=dict)
    """The recorded phase a lab event leads to, replacing the recording's (None: stay)."""
    after_failover: dict[tuple[str, str], str] = field(default_factory=dict)
    """Recorded phases lab events lead to once the Failover step measured (the recovery's path)."""
    parameters: dict[str, Any] = field(default_factory=dict)
    """Job parameters beyond the hub (hub1) and failure mode (interface-shutdown)."""
    start_phase: str = ""
    """Start from this recorded phase of hub1's failure (a lab met mid-way)."""
    refused: dict[tuple[str, str], str] = field(default_factory=dict)
    """(node, "connect" | "fail" | a config line) -> the error the device or the lab answers with."""


def _refuse(testbed: Any, lab: Any, refused: dict[tuple[str, str], str]) -> None:
    """Devices that refuse a connection or a config line; a lab that refuses to fail a node."""
    for (node, what), error in refused.items():
        if what == "connect":
            testbed.devices[node].refuse_connect = error
        elif what == "fail":
            def refuse(name: str, mode: str, error: str = error) -> None:
                raise LabError(error)
            lab.fail = refuse
        else:
            testbed.devices[node].refused_lines[what] = error


def _staged(case: StepCase) -> Staged:
    testbed, lab = playback(case.scenario, time_scale=TIME_SCALE)
    _refuse(testbed, lab, case.refused)
    world = lab.world
    if case.start_phase:
        world.failed_hub, world.phase = "hub1", case.start_phase
    world.overrides.update(case.before)
    steps = staged(testbed, lab, **case.parameters)
    for key, phase in case.sequence.items():
        if phase is None:
            world.sequence.pop(key, None)
        else:
            world.sequence[key] = phase
    return steps


def _failed(case: StepCase) -> Staged:
    steps = _staged(case)
    steps.wait_baseline()
    steps.lab.world.overrides.update(case.after_baseline)
    steps.fail()
    steps.lab.world.overrides.update(case.after_failure)
    return steps


def run_setup(case: StepCase, _: Path) -> dict[str, list[str]]:
    """The CommonSetup testcase's checks, subsection by subsection until one fails (as the job
    goes to its cleanup then): connect, apply the rendered configs, learn the lab."""
    testbed, lab = playback(case.scenario, time_scale=TIME_SCALE)
    lab.world.overrides.update(case.before)
    _refuse(testbed, lab, case.refused)
    inputs = JobInputs.from_parameters({"hub": "hub1", "failure_mode": "interface-shutdown", **case.parameters})
    resources = JobResources.open(testbed, lab, inputs)
    results = {setup.CONNECTED: connect_all(resources, inputs)}
    if not results[setup.CONNECTED]:
        results[setup.CONFIG_ACCEPTED] = apply_configs(resources, inputs, None)
    if not any(results.values()):
        results.update(learn.learn(resources, inputs).checks)
    return results


def run_failure(case: StepCase, _: Path) -> dict[str, list[str]]:
    """The HubFailure testcase's check: the hub failed and the instant taken, after a baseline that held."""
    steps = _staged(case)
    assert steps.wait_baseline().ok
    steps.lab.world.overrides.update(case.after_baseline)
    attempt = attempt_failure(steps.resources, steps.learned, "hub1", steps.inputs.failure_mode)
    assert (attempt.record is None) == bool(attempt.problems)
    assert steps.resources.ledger.pending() == {"hub1": steps.inputs.failure_mode}   # the entry came first
    return dict(attempt.checks)


def run_baseline(case: StepCase, _: Path) -> dict[str, list[str]]:
    """The Baseline testcase's checks."""
    return dict(_staged(case).wait_baseline().checks)


def run_failover(case: StepCase, _: Path) -> dict[str, list[str]]:
    """The Failover testcase's checks: each moved spoke within its bound, the others stay."""
    steps = _failed(case)
    results = steps.measure().checks("hub1")
    assert steps.baseline is not None
    results[OTHERS_STAY] = unexpected_moves(steps.resources, steps.baseline, steps.learned.hub_wan["hub1"])
    return results


def run_convergence(case: StepCase, _: Path) -> dict[str, list[str]]:
    """The BgpConvergence testcase's checks."""
    steps = _failed(case)
    assert steps.failure is not None
    return converge(steps.resources, steps.learned, steps.failure, dict(steps.measure().moved)).checks()


def run_data_plane(case: StepCase, _: Path) -> dict[str, list[str]]:
    """The DataPlane testcase's checks: probes started before the failure, read after."""
    steps = _staged(case)
    baseline = steps.wait_baseline()
    probes = outage.start_probes(steps.resources, steps.learned, baseline, "hub1")
    assert probes.not_run == ""
    steps.lab.world.overrides.update(case.after_baseline)
    steps.fail()
    steps.lab.world.overrides.update(case.after_failure)
    moved = dict(steps.measure().moved)
    assert steps.failure is not None
    return outage.measure(steps.resources, steps.learned, steps.failure, probes, moved).checks()


def run_recovery(case: StepCase, _: Path) -> dict[str, list[str]]:
    """The Recovery testcase's checks."""
    steps = _failed(case)
    moved = dict(steps.measure().moved)
    for key, phase in case.after_failover.items():
        steps.lab.world.sequence[key] = phase
    assert steps.failure is not None
    return dict(recovery.recover(steps.resources, steps.learned, steps.inputs, steps.failure, moved).checks)


def run_schedule_case(case: StepCase, tmp_path: Path) -> dict[str, list[str]]:
    """The DpdSchedule testcase's checks: the spoke's rendered config (``dpd`` line
    replaced by ``before``), a wire schedule written by hand (pcapkit), a declared model."""
    frames = five_fixed() if case.scenario == "five fixed retransmissions" else None
    lab = StandInLab(frames, refuse="" if frames else "tcpdump not found on this host")
    return run_schedule(stage(tmp_path, lab, case.parameters["dpd_model"], case.before.get(("spoke1", "dpd"), "")))


# -- the tables ------------------------------------------------------------------------------------

CONNECTED, CONFIG_OK = setup.CONNECTED, setup.CONFIG_ACCEPTED
WAN, PEERS, EXPECT = learn.WAN_LEARNT, learn.PEERS_LEARNT, learn.EXPECTATIONS_LEARNT
SETUP_HOLDS = {CONNECTED: [], CONFIG_OK: [], WAN: [], PEERS: [], EXPECT: []}
SPOKE1_RUNNING, SPOKE2_RUNNING = (recorded_text("iol-17.12", "baseline", s, RUNNING) for s in ("spoke1", "spoke2"))
DPD_LINE = "crypto ikev2 dpd 30 5 on-demand"

COMMON_SETUP = [
    StepCase("as recorded: every device runs its rendered config", "iol-17.12", SETUP_HOLDS),
    StepCase("as recorded, expectations from the running configs", "iol-17.12", SETUP_HOLDS,
             parameters={"expect_from": "configs"}),
    StepCase("spoke2 refuses the SSH connection", "iol-17.12", {CONNECTED: [
        "spoke2: cannot connect: ConnectionRefusedError: Connection refused by 127.0.0.1:2203"]},
        refused={("spoke2", "connect"): "Connection refused by 127.0.0.1:2203"}),
    StepCase("spoke1 lacks its dpd line and refuses it", "iol-17.12", {CONNECTED: [], CONFIG_OK: [
        f"spoke1: {DPD_LINE}\n% Invalid input detected at '^' marker."]},
        before={("spoke1", RUNNING): SPOKE1_RUNNING.replace(DPD_LINE + "\n", "")},
        refused={("spoke1", DPD_LINE): "% Invalid input detected at '^' marker."}),
    StepCase("hub1 without the WAN interface its Virtual-Template sources (IOS XE golden interfaces)", "iol-17.12",
             {**SETUP_HOLDS, WAN: ["hub1: cannot find its WAN interface (tunnel source of the Virtual-Template)"]},
             before={("hub1", "show ip interface brief"): sample("iosxe/ShowIpInterfaceBrief/golden_output.txt")}),
    StepCase("hub2 runs the ISP's config: no Virtual-Template", "iol-17.12", {**SETUP_HOLDS, WAN: [
        "hub2: cannot find its WAN interface (tunnel source of the Virtual-Template)"]},
        before={("hub2", RUNNING): recorded_text("iol-17.12", "baseline", "isp", RUNNING)}),
    StepCase("hub1 kept frozen by an earlier run that did not record its WAN address", "iol-17.12", {
        **SETUP_HOLDS, WAN: ["hub1: kept failed by an earlier run that did not record its WAN address"]},
        parameters={"hub": "hub2", "failure_mode": "freeze", "dead_hubs": ["hub1"]}),
    StepCase("spoke2 runs hub1's config: no FlexVPN client block", "iol-17.12", {**SETUP_HOLDS, PEERS: [
        "spoke2: no `peer N <address>` in its FlexVPN client block"]},
        before={("spoke2", RUNNING): recorded_text("iol-17.12", "baseline", "hub1", RUNNING)}),
    StepCase("expectations from configs: spoke2 announces no LAN", "iol-17.12", {**SETUP_HOLDS, EXPECT: [
        "spoke2: expected one `network ... mask ...` (its LAN) under router bgp, found none"]},
        parameters={"expect_from": "configs"},
        before={("spoke2", RUNNING): SPOKE2_RUNNING.replace(" network 10.1.2.0 mask 255.255.255.0\n", "")}),
]

HUB1_SHUT, HUB1_LAB = SHUT_LOGGED.format(hub="hub1"), LAB_FAILED.format(hub="hub1")
HUB_FAILURE = [
    StepCase("as recorded: hub1 logs %LINK-5-CHANGED after `shutdown`", "iol-17.12", {HUB1_SHUT: []}),
    StepCase("hub1's log unchanged by the shutdown", "iol-17.12", {HUB1_SHUT: [
        "hub1: no %LINK-5-CHANGED log for Ethernet0/1 after `shutdown`"]},
        after_baseline={("hub1", "show logging"): recorded_text("iol-17.12", "baseline", "hub1", "show logging")}),
    StepCase("hub1 refuses `shutdown`", "iol-17.12", {HUB1_SHUT: [
        "hub1: cannot fail it by interface-shutdown: shutdown\n% Invalid input detected at '^' marker."]},
        refused={("hub1", "shutdown"): "% Invalid input detected at '^' marker."}),
    StepCase("lab-made freeze", "iol-17.12", {HUB1_LAB: []}, parameters={"failure_mode": "freeze"}),
    StepCase("the lab cannot freeze hub1", "iol-17.12", {HUB1_LAB: [
        "hub1: cannot fail it by freeze: docker pause flexlab-hub1: no such container"]},
        parameters={"failure_mode": "freeze"}, refused={("hub1", "fail"): "docker pause flexlab-hub1: no such container"}),
]

ON_PEER_1, SA_PEER_1 = "spokes ACTIVE on their designed peer 1", "IKEv2 SA READY to peer 1"
ON_LIVE, SA_LIVE = "spokes ACTIVE on their first live peer", "IKEv2 SA READY to that peer"
BGP_UP, SUMMARY = "BGP to the hub overlay Established", "spokes hold only the summary"
LANS, UNIQUE = "hubs hold every spoke LAN", "assigned overlay addresses are unique"
BASELINE_HOLDS = {ON_PEER_1: [], SA_PEER_1: [], BGP_UP: [], SUMMARY: [], LANS: [], UNIQUE: []}
SILENT_CLIENT = recorded_text("spoke1-peer1-silent", "baseline", "spoke1", CLIENTS)

BASELINE = [
    StepCase("as recorded", "iol-17.12", BASELINE_HOLDS),
    StepCase("spoke1's peer 1 is silent", "spoke1-peer1-silent", {
        ON_PEER_1: ["spoke1: FlexVPN client Flex_Client is CONNECTING, expected ACTIVE"],
        SA_PEER_1: ["spoke1: no IKEv2 SA READY to 100.64.0.99 (SAs: none)"],
        BGP_UP: ["spoke1: BGP neighbour 172.16.0.1 is Connect, expected Established"],
        SUMMARY: ["spoke1: summary 10.0.0.0/8 missing from its BGP routes"],
        LANS: ["hub1: no BGP route to 10.1.1.0/24", "hub2: no BGP route to 10.1.1.0/24"],
        UNIQUE: ["spoke1: no overlay address assigned"],
    }),
    StepCase("hubs leak specifics", "hubs-no-summary-only", {**BASELINE_HOLDS, SUMMARY: [
        "spoke1: receives specific BGP routes 10.0.1.0/24, 10.0.2.0/24, 10.1.2.0/24 "
        "(expected only the summary 10.0.0.0/8)",
        "spoke2: receives specific BGP routes 10.0.1.0/24, 10.0.2.0/24, 10.1.1.0/24 "
        "(expected only the summary 10.0.0.0/8)"]}),
    StepCase("spoke2's client shows spoke1's overlay address", "iol-17.12", {**BASELINE_HOLDS, UNIQUE: [
        "overlay address 172.16.1.1 assigned to several spokes: spoke1, spoke2"]},
        before={("spoke2", CLIENTS): recorded_text("iol-17.12", "baseline", "spoke2", CLIENTS).replace(
            "Assigned IP address: 172.16.2.1", "Assigned IP address: 172.16.1.1")}),
    StepCase("hub1 kept failed (--cumulative): both spokes on hub2, their first live peer", "iol-17.12",
             {ON_LIVE: [], SA_LIVE: [], BGP_UP: [], SUMMARY: [], LANS: [], UNIQUE: []},
             parameters={"hub": "hub2", "dead_hubs": ["hub1"]}, start_phase="failed"),
    StepCase("hub1 said kept failed but up: spoke1 still on it", "iol-17.12", {
        ON_LIVE: ["spoke1: FlexVPN client peer is 100.64.0.2, expected 100.64.0.6"],
        SA_LIVE: ["spoke1: no IKEv2 SA READY to 100.64.0.6 (SAs: 100.64.0.2 READY)"],
        BGP_UP: [], SUMMARY: [], LANS: [], UNIQUE: []}, parameters={"hub": "hub2", "dead_hubs": ["hub1"]}),
]

LEAVES = "spoke1 leaves hub1 within the DPD bound"
FAILOVER = [
    StepCase("as recorded: 61.088 s within the 70 s bound", "iol-17.12", {LEAVES: [], OTHERS_STAY: []}),
    StepCase("15 retransmissions: 111.088 s", "iol-17.12-slow-dpd", {LEAVES: [
        "spoke1: failover took 111.088 s, more than the DPD bound 70 s "
        "(T + I + (N+1)*R + S: 5 + 30 + (5+1)*5 + 5 = 70 s)"], OTHERS_STAY: []}),
    StepCase("DPD never declares hub1 dead", "iol-17.12-dpd-bug", {LEAVES: [
        "spoke1 did not reach another hub within 140 device s (DPD bound 70 s): "
        "spoke1: still not ACTIVE on another hub (ACTIVE on 100.64.0.2)"], OTHERS_STAY: []}),
    StepCase("spoke2 (on hub2) shows spoke1's silent client after the failure", "iol-17.12", {LEAVES: [],
             OTHERS_STAY: ["spoke2: FlexVPN client Flex_Client is CONNECTING, expected ACTIVE",
                           "spoke2: FlexVPN client peer is 100.64.0.99, expected 100.64.0.6"]},
             after_failure={("spoke2", CLIENTS): SILENT_CLIENT}),
]

CONVERGED = "spoke1: BGP converged on the surviving hub"
CONVERGENCE = [
    StepCase("as recorded", "iol-17.12", {CONVERGED: []}),
    StepCase("read 63 s after the failure, before BGP came up", "iol-17.12", {CONVERGED: [
        "spoke1: BGP neighbour 172.16.0.1 is Idle, expected Established",
        "spoke1: summary 10.0.0.0/8 missing from its BGP routes",
        "hub2: no BGP route to 10.1.1.0/24"]}, sequence={("baseline", "fail"): "moving"}),
    StepCase("spoke2 shows an empty BGP table", "iol-17.12", {CONVERGED: ["spoke2: no BGP route covers 10.1.1.0/24"]},
             after_baseline={("spoke2", "show ip route bgp"): recorded_text(
                 "spoke1-peer1-silent", "baseline", "spoke1", "show ip route bgp")}),
    StepCase("BGP up but not logged", "spoke1-no-bgp-log", {CONVERGED: [
        "spoke1: BGP converged but no %BGP-5-ADJCHANGE Up for 172.16.0.1 was logged"]}),
]

FLOWS = "spoke1: traffic flows again after failover"
OUTAGE = "iol-17.12-outage"
DATA_PLANE = [
    StepCase("as recorded: 66 and 67 probes lost, then flowing", OUTAGE, {FLOWS: []}),
    StepCase("spoke1's probes still time out (its statistics 63 s after the failure)", OUTAGE, {FLOWS: [
        "spoke1: traffic to hub LAN of hub2 (10.0.2.1) still lost (62 probes lost since the failure)",
        "spoke1: traffic to spoke LAN of spoke2 (10.1.2.1) still lost (63 probes lost since the failure)"]},
        after_failure={("spoke1", SLA): recorded_text(OUTAGE, "moving", "spoke1", SLA)}),
]

MATCHES = "spoke1: observed DPD schedule matches the declared model"
SCHEDULE = [
    StepCase("five fixed retransmissions, declared ios-fixed-5", "five fixed retransmissions", {MATCHES: []},
             parameters={"dpd_model": "ios-fixed-5"}),
    StepCase("five fixed retransmissions, declared 3 exponential", "five fixed retransmissions", {MATCHES: [
        "5 retransmissions, declared 3"]}, parameters={"dpd_model": "retransmits=3,backoff=exponential"}),
    StepCase("a lab that cannot capture: no check made (reported not run)", "no capture", {},
             parameters={"dpd_model": "ios-fixed-5"}),
]

HUB_BACK = "hub1 re-forms BGP with the other hub and learns every spoke LAN"
REACTIVATE_RUNNING = recorded_text("iol-17.12", "baseline", "spoke1", RUNNING).replace(
    " peer 2 100.64.0.6\n client connect Tunnel1\n", " peer 2 100.64.0.6\n peer reactivate\n client connect Tunnel1\n")
RECOVERED = {HUB_BACK: [], recovery.NO_PREEMPTION: [], recovery.BASELINE_AGAIN: []}
RECOVERY = [
    StepCase("as recorded", "iol-17.12", RECOVERED),
    StepCase("hub1 just booted: BGP to hub2 Idle, no spoke LAN", "iol-17.12-node-stop", {**RECOVERED, HUB_BACK: [
        "hub1: BGP neighbour 10.255.0.2 is Idle, expected Established",
        "hub1: no BGP route to 10.1.1.0/24", "hub1: no BGP route to 10.1.2.0/24"]},
        parameters={"failure_mode": "node-stop"},
        after_failover={("failed", "restore"): "rebooting", ("rebooting", "clear"): "recovered"}),
    StepCase("spoke1 pre-empted back to hub1 without `peer reactivate`", "iol-17.12", {**RECOVERED, recovery.NO_PREEMPTION: [
        "spoke1: FlexVPN client peer is 100.64.0.2, expected 100.64.0.6"]},
        after_failover={("failed", "restore"): "recovered"}),
    StepCase("spoke1 never sent home", "iol-17.12", {**RECOVERED, recovery.BASELINE_AGAIN: [
        "spoke1: FlexVPN client peer is 100.64.0.6, expected 100.64.0.2",
        "spoke1: no IKEv2 SA READY to 100.64.0.2 (SAs: 100.64.0.6 READY)"]},
        sequence={("restored", "clear"): None}),
    StepCase("spoke1 with `peer reactivate` back on hub1", "iol-17.12", {
        HUB_BACK: [], recovery.NO_PREEMPTION: [], recovery.RETURNED: [], recovery.BASELINE_AGAIN: []},
        before={("spoke1", RUNNING): REACTIVATE_RUNNING},
        after_failover={("failed", "restore"): "recovered"}),
    StepCase("spoke1 with `peer reactivate` still on hub2", "iol-17.12", {
        HUB_BACK: [], recovery.NO_PREEMPTION: [],
        recovery.RETURNED: ["spoke1: FlexVPN client peer is 100.64.0.6, expected 100.64.0.2"],
        recovery.BASELINE_AGAIN: []},
        before={("spoke1", RUNNING): REACTIVATE_RUNNING}),
]

Runner = Callable[[StepCase, Path], dict[str, list[str]]]
#: Testcase -> (the step's runner, its table).
TABLES: dict[str, tuple[Runner, list[StepCase]]] = {
    "CommonSetup": (run_setup, COMMON_SETUP),
    "HubFailure": (run_failure, HUB_FAILURE),
    "Baseline": (run_baseline, BASELINE),
    "Failover": (run_failover, FAILOVER),
    "DpdSchedule": (run_schedule_case, SCHEDULE),
    "BgpConvergence": (run_convergence, CONVERGENCE),
    "DataPlane": (run_data_plane, DATA_PLANE),
    "Recovery": (run_recovery, RECOVERY),
}
