"""The job's setup and cleanup beyond its checks' verdicts (the CommonSetup table in
steptables.py has those): what is learnt, configs left alone, the failure ledger, restoring
hubs, writing and merging the run files. Devices answer from recorded outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from verdictkit import HUB1_WAN, TIME_SCALE, context, open_steps, playback, recorded_text

from flexlab.failure import FailureMode
from flexlab.harness.job_report import merge_run_files
from flexlab.harness.ledger import FailureLedger
from flexlab.harness.steps.failure import fail_hub, restore_cli_shutdowns, restore_lab_made
from flexlab.harness.steps.learn import LearnedLab, learn
from flexlab.harness.steps.setup import apply_configs


def _learn(scenario: str, overrides: dict[tuple[str, str], str]) -> tuple[list[str], LearnedLab]:
    testbed, lab = playback(scenario, time_scale=TIME_SCALE)
    lab.world.overrides.update(overrides)
    learned = learn(*open_steps(testbed, lab))
    return list(learned.problems), learned


def test_learn_topology_reads_wan_addresses_peers_clocks_and_versions() -> None:
    problems, learned = _learn("iol-17.12", {})
    assert problems == []
    assert {h: (learned.hub_wan_if[h], str(learned.hub_wan[h])) for h in ("hub1", "hub2")} == {
        "hub1": ("Ethernet0/1", HUB1_WAN), "hub2": ("Ethernet0/1", "100.64.0.6")}
    assert sorted(learned.spoke_configs) == ["spoke1", "spoke2"]
    assert learned.clock_method == "NTP-synchronised device clocks: failover = spoke log time - hub log time"
    assert set(learned.images.values()) == {"17.12.1"}  # recorded `show version`: "Version 17.12.1"


def test_unsynchronised_clocks_are_named_in_the_clock_method() -> None:
    unsynced = "*" + recorded_text("iol-17.12", "baseline", "spoke1", "show clock").lstrip("\n")
    problems, learned = _learn("iol-17.12", {("spoke1", "show clock"): unsynced})
    assert problems == [] and not learned.offsets["spoke1"].device_synced
    assert learned.clock_method == "unsynchronised clocks: times corrected by offsets measured with `show clock`"


def test_apply_configs_leaves_devices_that_run_every_line_and_reports_refused_lines(tmp_path: Path) -> None:
    steps = context("iol-17.12")
    testbed = steps.testbed
    assert apply_configs(steps.resources, steps.inputs, None) == []
    assert all(device.configured == [] for device in testbed.devices.values())
    config_dir = tmp_path / "configs"
    config_dir.mkdir()
    for name in testbed.devices:
        (config_dir / f"{name}.cfg").write_text(recorded_text("iol-17.12", "baseline", name, "show running-config"))
    changed = (
        (config_dir / "spoke1.cfg")
        .read_text()
        .replace("crypto ikev2 dpd 30 5 on-demand", "crypto ikev2 dpd 10 2 periodic")
    )
    (config_dir / "spoke1.cfg").write_text(changed)
    testbed.devices["spoke1"].refused_lines["crypto ikev2 dpd 10 2 periodic"] = (
        "% Invalid input detected at '^' marker."
    )
    problems = apply_configs(steps.resources, steps.inputs, config_dir)
    assert len(problems) == 1 and problems[0].startswith("spoke1: crypto ikev2 dpd 10 2 periodic")
    assert [name for name, device in testbed.devices.items() if device.configured] == ["spoke1"]


# -- failure ledger and cleanup -----------------------------------------------------------------

def test_ledger_keeps_failed_hubs_until_restored(tmp_path: Path) -> None:
    ledger = FailureLedger(tmp_path / "ledger" / "failed-hubs-x.json", instance="x")
    assert ledger.pending() == {}
    ledger.add("hub1", "freeze")
    ledger.add("hub2", "interface-shutdown")
    assert ledger.path.stat().st_mode & 0o777 == 0o600   # lab state: owner-only
    assert FailureLedger(ledger.path, instance="x").pending() == {"hub1": "freeze", "hub2": "interface-shutdown"}
    # another lab instance (the lab restarted under the same name) does not inherit the entries
    assert FailureLedger(ledger.path, instance="y").pending() == {}
    ledger.remove("hub1")
    assert ledger.pending() == {"hub2": "interface-shutdown"}
    ledger.remove("hub2")
    assert not ledger.path.exists()
    ledger.path.parent.mkdir(exist_ok=True)
    ledger.path.write_text("{not json")
    assert ledger.pending() == {}


def test_the_ledger_is_per_lab_instance_and_has_the_hub_before_the_lab_fails_it() -> None:
    steps = context("iol-17.12")
    lab, ledger = steps.lab, steps.resources.ledger
    assert ledger.path.name == f"failed-hubs-{lab.instance}.json"
    seen: list[dict[str, str]] = []

    def fail(node: str, mode: str) -> None:
        seen.append(ledger.pending())
        raise RuntimeError("docker pause flexlab-hub1: no such container")
    lab.fail = fail  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        fail_hub(steps.resources, steps.learned, "hub1", FailureMode.FREEZE)
    assert seen == [{"hub1": "freeze"}] and ledger.pending() == {"hub1": "freeze"}


def test_restore_pending_undoes_what_a_killed_run_left(tmp_path: Path) -> None:
    steps = context("iol-17.12")
    testbed, lab, ledger = steps.testbed, steps.lab, steps.resources.ledger
    ledger.add("hub1", "interface-shutdown")
    ledger.add("hub2", "freeze")
    lab.failed["hub2"] = "freeze"   # the killed run's freeze still holds in the lab
    assert restore_lab_made(steps.resources, steps.inputs) == ["hub2 (freeze)"]
    assert restore_cli_shutdowns(steps.resources, steps.inputs, steps.learned) == ["hub1 (interface-shutdown)"]
    assert testbed.devices["hub1"].configured == [["interface Ethernet0/1", "no shutdown"]]
    assert ledger.pending() == {} and lab.failed == {}


def test_a_ledger_entry_the_lab_no_longer_reports_failed_is_cleared_not_restored() -> None:
    # e.g. the lab was restarted: its hub runs, and undoing a freeze would be wrong
    steps = context("iol-17.12")
    steps.resources.ledger.add("hub2", "freeze")
    assert restore_lab_made(steps.resources, steps.inputs) == []
    assert steps.resources.ledger.pending() == {} and steps.lab.world.events == []


def test_cleanup_reports_a_hub_it_could_not_restore_and_still_writes_the_run(tmp_path: Path) -> None:
    steps = context("iol-17.12", failure_mode="freeze")
    testbed = steps.testbed
    steps.fail()
    steps.lab.restore_error = "docker unpause flexlab-hub1: container not found"
    problems = steps.cleanup(tmp_path)
    assert problems == ["could not restore hub1 (freeze): docker unpause flexlab-hub1: container not found"]
    assert steps.resources.ledger.pending() == {"hub1": "freeze"}   # the next run restores it
    written = json.loads((tmp_path / "runs" / "hub1-1.json").read_text())
    assert written["run"]["hub"] == "hub1" and written["run"]["failure_mode"] == "freeze"
    assert not any(device.is_connected() for device in testbed.devices.values())


def test_cleanup_restores_every_pending_hub(tmp_path: Path) -> None:
    steps = context("iol-17.12")
    steps.fail()
    assert steps.cleanup(tmp_path) == []
    assert steps.testbed.devices["hub1"].configured[-1] == ["interface Ethernet0/1", "no shutdown"]
    assert steps.resources.ledger.pending() == {}


# -- merging run files into the report ------------------------------------------------------------

def _run_file(report_dir: Path, tag: str, testcases: dict[str, str], images: dict[str, str]) -> None:
    runs = report_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    hub, iteration = tag.split("-")
    payload = {"run": {"hub": hub, "failure_mode": "freeze", "iteration": int(iteration), "testcases": testcases,
                       "spokes": [{"hub": hub, "spoke": "spoke1", "from_peer": HUB1_WAN, "failover_s": 61.088}]},
               "lab": {"type": "embedded"}, "images": images, "clock_method": "ntp"}
    (runs / f"{tag}.json").write_text(json.dumps(payload))


PASSED = dict.fromkeys(("Baseline", "HubFailure", "Failover", "BgpConvergence", "Recovery"), "passed")


@pytest.mark.parametrize(("case", "second", "verdict"), [
    ("every testcase of every run passed", PASSED, True),
    ("one run's Failover failed", {**PASSED, "Failover": "failed"}, False),
    ("one run never reached Recovery", {k: v for k, v in PASSED.items() if k != "Recovery"}, False),
    ("one run errored in CommonSetup", {"CommonSetup": "failed"}, False),
    ("the five passed, another testcase did not", {**PASSED, "CommonSetup": "failed"}, False),
])
def test_merge_run_files(tmp_path: Path, case: str, second: dict[str, str], verdict: bool) -> None:
    _run_file(tmp_path, "hub1-1", PASSED, {"hub1": "17.12.1"})
    _run_file(tmp_path, "hub2-1", second, {"spoke1": "15.9(3)M9"})
    extra = tmp_path / "archive"
    written = merge_run_files(tmp_path, extra_dirs=[extra])
    assert sorted(p.name for p in written) == ["failover_report.json", "failover_report.json",
                                               "failover_report.md", "failover_report.md"]
    report = json.loads((extra / "failover_report.json").read_text())
    assert report["passed"] is verdict, case
    assert report["images"] == {"hub1": "17.12.1", "spoke1": "15.9(3)M9"}
    assert [run["hub"] for run in report["runs"]] == ["hub1", "hub2"]
    assert ("**PASS**" if verdict else "**FAIL**") in (tmp_path / "failover_report.md").read_text()


def test_merge_without_run_files_writes_nothing(tmp_path: Path) -> None:
    assert merge_run_files(tmp_path) == []
    assert not (tmp_path / "failover_report.json").exists()
