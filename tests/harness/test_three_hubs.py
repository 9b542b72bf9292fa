"""Three hubs: the job's steps and its testscript on the three-hub user topology, in-process.

The lab is the simulator engine running src/flexlab/topologies/examples/flexvpn-3hubs.clab.yml on the
wall clock (time scale 200), reached only through the routers' CLI (livelabkit). Expected
values are read by hand from the topology's configs: spoke1 peers hub1, hub2, hub3;
spoke2 peers hub2, hub1, hub3; dpd 30 5 on-demand with an IP SLA probe every 5 s, so the
bound is T + I + (N+1)*R + S = 5 + 30 + 30 + 5 = 70 s, and 70 + 1*(30+2) = 102 s for a
move that may try one dead peer first (docs/timing.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from livelabkit import HUB_WAN, THREE_HUBS, live, run_testscript, topology_configs
from verdictkit import Staged, open_steps, staged

from flexlab.harness import reads
from flexlab.harness.report import DEFERRED, FailoverReport
from flexlab.harness.steps import measure as failover_measure
from flexlab.harness.steps.baseline import read_baseline
from flexlab.harness.steps.learn import learn
from flexlab.results.job import HubRun

BOUND_S, BOUND_ONE_DEAD_S = 70.0, 102.0


def _context(testbed, lab, hub: str, dead_hubs: list[str] | None = None) -> Staged:
    return staged(testbed, lab, hub, dead_hubs=dead_hubs or [], expect_from="configs")


def test_cumulative_runs_move_spoke1_hub1_hub2_hub3_and_pass(tmp_path: Path) -> None:
    testbed, lab = live()
    first, run1 = run_testscript(testbed, lab, tmp_path, hub="hub1", keep_failed=True)
    assert lab.is_failed("hub1") is False   # interface-shutdown is CLI: the lab itself has no failure
    assert "shutdown" in testbed.devices["hub1"].execute("show running-config | section Ethernet0/1")
    second, run2 = run_testscript(testbed, lab, tmp_path, hub="hub2", dead_hubs=["hub1"])
    assert (first, second) == ("passed", "passed")
    assert run1["run"]["testcases"]["Recovery"] == DEFERRED
    moves = {(r["hub"], s["spoke"]): s for r in (run1["run"], run2["run"]) for s in r["spokes"]}
    assert sorted(moves) == [("hub1", "spoke1"), ("hub2", "spoke1"), ("hub2", "spoke2")]
    assert moves[("hub1", "spoke1")]["to_hub"] == "hub2" and moves[("hub1", "spoke1")]["bound"]["value_s"] == BOUND_S
    assert moves[("hub2", "spoke1")]["to_hub"] == "hub3"
    spoke2 = moves[("hub2", "spoke2")]
    assert spoke2["to_hub"] == "hub3" and spoke2["dead_peers_tried"] == [HUB_WAN["hub1"]]
    assert spoke2["bound"]["value_s"] == BOUND_ONE_DEAD_S and BOUND_S < spoke2["failover_s"] <= BOUND_ONE_DEAD_S
    report = FailoverReport(lab={}, images={}, clock_method="", runs=[
        HubRun(**{**r["run"], "spokes": []}) for r in (run1, run2)])
    assert report.passed
    # the last run restored both hubs (their WAN interface is up again) and sent the spokes home
    for hub in ("hub1", "hub2"):
        wan = testbed.devices[hub].execute("show running-config | section Ethernet0/1")
        assert "interface Ethernet0/1" in wan and not re.search(r"^ shutdown$", wan, re.M)
    assert reads.flex_clients(testbed.devices["spoke1"])[0].peer.compressed == HUB_WAN["hub1"]


@pytest.mark.parametrize("mode", ["node-stop", "freeze", "blackhole"])
def test_cumulative_runs_with_a_lab_made_failure_leave_the_down_hub_alone(tmp_path: Path, mode: str) -> None:
    """hub1 stays stopped/frozen/isolated while hub2 is failed: the second run must not read
    it (a stopped router answers nothing) and takes its WAN address from the first run."""
    testbed, lab = live()
    first, run1 = run_testscript(testbed, lab, tmp_path, hub="hub1", keep_failed=True, failure_mode=mode)
    assert lab.is_failed("hub1") and run1["hub_wan"]["hub1"] == HUB_WAN["hub1"]
    second, run2 = run_testscript(testbed, lab, tmp_path, hub="hub2", dead_hubs=["hub1"], failure_mode=mode,
                                  known_hub_wan=run1["hub_wan"])
    assert (first, second) == ("passed", "passed"), run2["run"]["problems"]
    assert {s["spoke"]: s["to_hub"] for s in run2["run"]["spokes"]} == {"spoke1": "hub3", "spoke2": "hub3"}
    assert run2["run"]["testcases"]["Recovery"] == "passed" and not lab.lab.failures


def test_a_hub_kept_down_without_a_recorded_address_is_named(tmp_path: Path) -> None:
    testbed, lab = live()
    lab.fail("hub1", "node-stop")
    learned = learn(*open_steps(testbed, lab, "hub2", "node-stop", dead_hubs=["hub1"], expect_from="configs"))
    assert learned.problems == ("hub1: kept failed by an earlier run that did not record its WAN address",)


def test_report_shows_the_path_of_each_spoke(tmp_path: Path) -> None:
    runs = [HubRun(hub="hub1", failure_mode="interface-shutdown", kept_failed=True, testcases={"Recovery": DEFERRED}),
            HubRun(hub="hub2", failure_mode="interface-shutdown", dead_hubs=["hub1"], testcases={"Recovery": "passed"})]
    from flexlab.harness.report import SpokeFailover
    runs[0].spokes.append(SpokeFailover(hub="hub1", spoke="spoke1", from_peer=HUB_WAN["hub1"], to_hub="hub2"))
    runs[1].spokes.append(SpokeFailover(hub="hub2", spoke="spoke1", from_peer=HUB_WAN["hub2"], to_hub="hub3"))
    runs[1].spokes.append(SpokeFailover(hub="hub2", spoke="spoke2", from_peer=HUB_WAN["hub2"], to_hub="hub3"))
    report = FailoverReport(lab={}, images={}, clock_method="", runs=runs)
    assert report.spoke_paths() == ["spoke1 (iteration 1): hub1 -> hub2 -> hub3", "spoke2 (iteration 1): hub2 -> hub3"]
    assert "- spoke1 (iteration 1): hub1 -> hub2 -> hub3" in report.to_markdown()


@pytest.mark.parametrize(("later_recovery", "later_dead", "passed"), [
    ("passed", ["hub1"], True),        # the last run restored hub1 and its Recovery passed
    ("failed", ["hub1"], False),       # ... but its Recovery failed
    ("passed", [], False),             # a later run that did not restore hub1
])
def test_a_deferred_recovery_counts_only_when_a_later_run_restored_the_hub(
        later_recovery: str, later_dead: list[str], passed: bool) -> None:
    required = {name: "passed" for name in ("Baseline", "HubFailure", "Failover", "BgpConvergence")}
    runs = [HubRun(hub="hub1", failure_mode="interface-shutdown", kept_failed=True, testcases={**required, "Recovery": DEFERRED}),
            HubRun(hub="hub2", failure_mode="interface-shutdown", dead_hubs=later_dead,
                   testcases={**required, "Recovery": later_recovery})]
    assert FailoverReport(lab={}, images={}, clock_method="", runs=runs).passed is passed


def test_a_deferred_recovery_of_a_run_that_was_not_kept_failed_fails() -> None:
    required = {name: "passed" for name in ("Baseline", "HubFailure", "Failover", "BgpConvergence")}
    runs = [HubRun(hub="hub1", failure_mode="interface-shutdown", testcases={**required, "Recovery": DEFERRED}),
            HubRun(hub="hub2", failure_mode="interface-shutdown", dead_hubs=["hub1"], testcases={**required, "Recovery": "passed"})]
    assert FailoverReport(lab={}, images={}, clock_method="", runs=runs).passed is False


def _swap_peers_2_and_3(config: str) -> str:
    swapped = config.replace(" peer 2 100.64.0.6\n", " peer 2 100.64.0.10\n", 1)
    return swapped.replace(" peer 3 100.64.0.10\n", " peer 3 100.64.0.6\n", 1)


def test_a_spoke_that_goes_to_another_hub_than_its_next_live_peer_fails() -> None:
    """The job believes spoke1's peer 2 is hub3 (its config read, swapped here); the spoke
    follows the config it runs and goes to hub2: the check must name both."""
    testbed, lab = live()
    steps = _context(testbed, lab, "hub1")
    steps.learned = steps.learned.with_spoke_configs(
        {"spoke1": _swap_peers_2_and_3(steps.learned.spoke_configs["spoke1"])})
    assert steps.wait_baseline().ok
    steps.fail()
    (record,) = steps.measure().records
    assert not record.passed and record.to_hub == "hub2" and record.failover_s is not None
    assert record.reason == (f"spoke1: moved to {HUB_WAN['hub2']} (hub2), expected {HUB_WAN['hub3']} (hub3): "
                             "the next live peer of its client block")


def test_a_spoke_that_does_not_move_fails() -> None:
    configs = topology_configs(THREE_HUBS)
    configs["spoke1"] = configs["spoke1"].replace("crypto ikev2 dpd 30 5 on-demand\n", "")
    testbed, lab = live(configs=configs)
    steps = _context(testbed, lab, "hub1")
    assert steps.wait_baseline().ok
    steps.fail()
    (record,) = steps.measure().records
    assert not record.passed and record.to_peer is None
    assert record.reason.startswith("spoke1 did not reach another hub within 600 device s")


def test_baseline_with_a_hub_kept_failed_expects_each_spoke_on_its_first_live_peer() -> None:
    """The job is told hub1 stays failed but it is up: spoke1 is on hub1, not on hub2."""
    testbed, lab = live()
    steps = _context(testbed, lab, "hub2", dead_hubs=["hub1"])
    problems = read_baseline(steps.resources, steps.learned, steps.inputs.dead_hubs).checks
    assert problems["spokes ACTIVE on their first live peer"] == [
        f"spoke1: FlexVPN client peer is {HUB_WAN['hub1']}, expected {HUB_WAN['hub2']}"]
    assert problems["IKEv2 SA READY to that peer"][0].startswith(f"spoke1: no IKEv2 SA READY to {HUB_WAN['hub2']}")


def test_next_spoke_of_a_cumulative_run_must_skip_every_failed_hub() -> None:
    """Expected peers after hub1 and hub2 are down, from the configs (hand-derived)."""
    testbed, lab = live()
    steps = _context(testbed, lab, "hub2", dead_hubs=["hub1"])
    spoke1 = failover_measure.expected_next(steps.learned, steps.inputs, "spoke1", "hub2")
    spoke2 = failover_measure.expected_next(steps.learned, steps.inputs, "spoke2", "hub2")
    assert (str(spoke1.peer), spoke1.dead_tried, spoke1.worst_dead_tried) == (HUB_WAN["hub3"], (), 1)
    assert (str(spoke2.peer), [str(p) for p in spoke2.dead_tried]) == (HUB_WAN["hub3"], [HUB_WAN["hub1"]])
