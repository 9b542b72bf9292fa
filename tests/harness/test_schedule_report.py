"""The failover report's DPD model, observed schedules and per-case clock methods."""

from __future__ import annotations

from flexlab.dpd_model import parse_model
from flexlab.harness.report import FailoverReport
from flexlab.results.job import HubRun, SpokeFailover

PASSED = {"Baseline": "passed", "HubFailure": "passed", "Failover": "passed", "BgpConvergence": "passed",
          "Recovery": "passed"}
OBSERVED = "probe at +18.2 s, retransmitted at +5, +5 s (2 retransmissions), next peer 1.1.1.2 at +15.1 s"


def _run(hub: str, mode: str, clock: str, schedule_result: str, schedule: str = "passed") -> HubRun:
    spoke = SpokeFailover(hub=hub, spoke="spoke1", from_peer="1.1.1.1", failover_s=40.0, passed=True,
                          schedule={"text": OBSERVED} if schedule_result != "not run" else None,
                          schedule_result=schedule_result,
                          schedule_note="no capture: tcpdump missing" if schedule_result == "not run" else "x")
    return HubRun(hub=hub, failure_mode=mode, clock_method=clock, spokes=[spoke],
                  testcases={**PASSED, "DpdSchedule": schedule})


def test_each_case_states_its_own_clock_method() -> None:
    report = FailoverReport(lab={}, images={}, clock_method="NTP-synchronised at setup", runs=[
        _run("hub1", "interface-shutdown", "NTP-synchronised device clocks", "passed"),
        _run("hub2", "node-stop", "offset-corrected: the harness clock", "passed")])
    data = report.to_dict()
    assert data["clock_methods"] == {"hub1 interface-shutdown (iteration 1)": "NTP-synchronised device clocks",
                                     "hub2 node-stop (iteration 1)": "offset-corrected: the harness clock"}
    assert data["clock_method"].startswith("per case: ")
    assert "hub2 node-stop (iteration 1): offset-corrected" in report.to_markdown()


def test_declared_model_and_observed_schedule_in_both_renderings() -> None:
    model = parse_model("retransmits=2")
    report = FailoverReport(lab={}, images={}, clock_method="ntp", dpd_model=model.to_dict(),
                            runs=[_run("hub1", "interface-shutdown", "ntp", "passed")])
    data = report.to_dict()
    assert data["dpd_schedule"]["declared_from"] == "assumed, not measured on this image"
    assert data["dpd_schedule"]["observed"] == [OBSERVED] and data["dpd_schedule"]["matched"] == 1
    markdown = report.to_markdown()
    assert "declared: 2 retransmissions, fixed at R" in markdown
    assert f"hub1 -> spoke1: {OBSERVED} (matches the declared model)" in markdown
    assert report.passed


def test_no_capture_is_not_a_pass_of_the_schedule_nor_a_failover_failure() -> None:
    report = FailoverReport(lab={}, images={}, clock_method="ntp",
                            runs=[_run("hub1", "interface-shutdown", "ntp", "not run", schedule="not run")])
    assert report.passed
    summary = report.to_dict()["dpd_schedule"]
    assert (summary["checked"], summary["matched"], summary["not_run"]) == (0, 0, ["no capture: tcpdump missing"])
    assert "(not checked)" in report.to_markdown()
    assert "- DPD schedule on the wire: not checked (no capture: tcpdump missing)" in report.to_markdown()


def test_a_schedule_that_differs_fails_the_report() -> None:
    report = FailoverReport(lab={}, images={}, clock_method="ntp",
                            runs=[_run("hub1", "interface-shutdown", "ntp", "failed", schedule="failed")])
    assert not report.passed
    assert "DIFFERS from the declared model" in report.to_markdown()
    assert "checked on 1 spoke(s): 0 match the declared model, 1 differ" in report.to_markdown()
