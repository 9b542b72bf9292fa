"""src/flexlab/job/flexvpn_failover.py run in-process, as the job runs it for one failed hub,
on recorded outputs: which testcases pass, fail or are blocked, and what the run file says."""

from __future__ import annotations

from pathlib import Path

import pytest
from verdictkit import TIME_SCALE, playback, recorded_text, run_testscript

from flexlab.labs.base import LabError

ALL = ("Baseline", "HubFailure", "Failover", "BgpConvergence", "Recovery")
#: A recording holds CLI answers, no packets: the lab cannot capture, so the schedule check
#: is reported as not run (never as passed).
NO_CAPTURE = {"DpdSchedule": "not run"}
#: These recordings hold no `show ip sla statistics`: the outage is reported as not run
#: (tests/harness/test_outage.py uses the recording that has them).
NO_PROBES = {"DataPlane": "not run"}


@pytest.mark.parametrize(("scenario", "result", "testcases", "lab_events"), [
    ("iol-17.12", "passed", {**dict.fromkeys(ALL, "passed"), **NO_CAPTURE, **NO_PROBES},
     ["fail hub1", "restore hub1", "clear"]),
    # a failing baseline blocks the failure: failing a hub would prove nothing
    ("spoke1-peer1-silent", "failed", {"Baseline": "failed", "HubFailure": "blocked", "Failover": "blocked",
                                       "DpdSchedule": "blocked", "BgpConvergence": "blocked", "DataPlane": "blocked",
                                       "Recovery": "blocked"}, []),
    ("iol-17.12-dpd-bug", "failed", {"Baseline": "passed", "HubFailure": "passed", "Failover": "failed", **NO_CAPTURE,
                                     "BgpConvergence": "blocked", **NO_PROBES, "Recovery": "passed"},
     ["fail hub1", "restore hub1"]),
    ("iol-17.12-slow-dpd", "failed", {**dict.fromkeys(ALL, "passed"), "Failover": "failed", **NO_CAPTURE, **NO_PROBES},
     ["fail hub1", "restore hub1", "clear"]),
])
def test_testscript_verdicts(tmp_path: Path, scenario: str, result: str, testcases: dict[str, str],
                             lab_events: list[str]) -> None:
    testbed, lab = playback(scenario, time_scale=TIME_SCALE)
    found, written = run_testscript(testbed, lab, tmp_path)
    assert found == result
    assert written["run"]["testcases"] == testcases
    assert lab.world.events == lab_events
    assert written["run"]["hub"] == "hub1" and written["lab"]["type"] == "embedded"


def test_blocked_hub_failure_is_recorded_with_its_cause(tmp_path: Path) -> None:
    testbed, lab = playback("spoke1-peer1-silent", time_scale=TIME_SCALE)
    _, written = run_testscript(testbed, lab, tmp_path)
    assert written["run"]["problems"]["HubFailure"] == ["baseline did not converge"]
    assert written["run"]["failed_at"] is None and written["run"]["spokes"] == []


def test_setup_failure_skips_every_testcase_and_still_writes_the_run(tmp_path: Path) -> None:
    testbed, lab = playback("iol-17.12", time_scale=TIME_SCALE)
    lab.world.overrides[("spoke2", "show running-config")] = recorded_text(
        "iol-17.12", "baseline", "hub1", "show running-config"
    )
    found, written = run_testscript(testbed, lab, tmp_path)
    assert found == "failed"
    assert written["run"]["testcases"] == {"CommonSetup": "failed"}
    assert written["run"]["problems"]["CommonSetup"] == ["spoke2: no `peer N <address>` in its FlexVPN client block"]
    # the checks made up to the failing subsection (configs: skipped, as this job run says)
    assert written["run"]["checks"]["CommonSetup"] == [
        "every device answers on its CLI", "every hub's WAN interface and address are learnt",
        "every spoke's FlexVPN peers are learnt",
        "the checks' expectations are learnt (from the design or the running configs)"]
    assert lab.world.events == []


def test_a_refused_failure_fails_hub_failure_with_its_check_and_blocks_the_rest(tmp_path: Path) -> None:
    testbed, lab = playback("iol-17.12", time_scale=TIME_SCALE)

    def refuse(node: str, mode: str) -> None:
        raise LabError("docker pause flexlab-hub1: no such container")
    lab.fail = refuse  # type: ignore[method-assign]
    found, written = run_testscript(testbed, lab, tmp_path, failure_mode="freeze")
    assert found == "failed"
    run = written["run"]
    assert (run["testcases"]["HubFailure"], run["testcases"]["Failover"]) == ("failed", "blocked")
    assert run["checks"]["HubFailure"] == ["the lab fails hub1 when asked (the instant: the harness clock at the call)"]
    assert run["problems"]["HubFailure"] == ["hub1: cannot fail it by freeze: docker pause flexlab-hub1: no such container"]
    assert run["failed_at"] is None


@pytest.mark.parametrize("mode", ["interface-shutdown", "node-stop", "freeze", "blackhole"])
def test_every_failure_mode_runs_through_the_testscript(tmp_path: Path, mode: str) -> None:
    testbed, lab = playback("iol-17.12", time_scale=TIME_SCALE)
    found, written = run_testscript(testbed, lab, tmp_path, failure_mode=mode)
    assert (found, written["run"]["failure_mode"]) == ("passed", mode)
    assert written["run"]["testcases"] == {**dict.fromkeys(ALL, "passed"), **NO_CAPTURE, **NO_PROBES}
    assert written["run"]["checks"]["HubFailure"] == [
        "hub1's WAN interface is shut and its own log gives the failure instant" if mode == "interface-shutdown"
        else "the lab fails hub1 when asked (the instant: the harness clock at the call)"]
    (spoke,) = written["run"]["spokes"]
    assert (spoke["spoke"], spoke["to_hub"], spoke["bound"]["value_s"]) == ("spoke1", "hub2", 70.0)
    assert spoke["schedule_result"] == "not run" and "no packets" in spoke["schedule_note"]
    lab_made = mode != "interface-shutdown"
    assert written["run"]["failure_source"].startswith("harness clock" if lab_made else "hub1's own log")
    if lab_made:
        assert lab.failed == {} and "restore hub1" in lab.world.events
    else:
        assert testbed.devices["hub1"].configured[-1] == ["interface Ethernet0/1", "no shutdown"]
