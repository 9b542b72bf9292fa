"""A row's verdict from its checks, and the checks read from the job's failover report."""

from __future__ import annotations

import pytest
from certify_testkit import StandInCertify
from pydantic import ValidationError

from flexlab.certify.results import report_checks
from flexlab.results.certify import Check, RowResult
from flexlab.results.job import JobReportDocument


def report_of(runs: list[dict[str, object]]) -> JobReportDocument:
    """failover_report.json with these runs, validated as certify reads it."""
    return JobReportDocument.model_validate({"lab": {}, "images": {}, "clock_method": "", "passed": False, "runs": runs})


def row_with(*statuses: str) -> RowResult:
    row = RowResult(name="r", lab="embedded", kind=None, image="iol-17.12", failure_modes=["freeze"], iterations=1)
    row.checks = [Check(name=f"check {i}", status=status, category="testcase")  # type: ignore[arg-type]
                  for i, status in enumerate(statuses)]
    return row


@pytest.mark.parametrize(("case", "statuses", "verdict"), [
    ("every check passed", ("passed", "passed"), "PASS"),
    ("skipped checks do not fail a row", ("passed", "skipped"), "PASS"),
    ("a check failed: the image misbehaved", ("passed", "failed"), "FAIL"),
    ("only the infrastructure failed", ("passed", "errored"), "ERROR"),
    ("a failure wins over a later infrastructure error", ("failed", "errored"), "FAIL"),
    ("a failure wins over an earlier infrastructure error", ("errored", "failed"), "FAIL"),
    ("no check at all proves nothing", (), "ERROR"),
])
def test_verdict_precedence(case: str, statuses: tuple[str, ...], verdict: str) -> None:
    assert row_with(*statuses).verdict == verdict, case


@pytest.mark.parametrize(("result", "status"), [
    ("passed", "passed"), ("passx", "passed"), ("failed", "failed"), ("errored", "errored"), ("aborted", "errored"),
    ("blocked", "skipped"), ("skipped", "skipped"), ("not run", "skipped"),
    # a recovery left to a later run is not a pass of this one
    ("deferred", "errored"),
])
def test_aetest_results_map_to_check_statuses(result: str, status: str) -> None:
    report = report_of([{"hub": "hub2", "failure_mode": "blackhole", "iteration": 3, "testcases": {"Recovery": result}}])
    (check,) = report_checks(report, "blackhole")
    assert (check.name, check.status) == ("Recovery (blackhole, hub2, iteration 3)", status)
    assert check.message == ("" if status == "passed" else f"Recovery: {result}")


@pytest.mark.parametrize("result", ["interrupted", "PASSED", "", "None"])
def test_a_result_aetest_does_not_name_is_refused_by_the_model(result: str) -> None:
    """Anything else a broken report might say never reaches a verdict: the report does not load."""
    with pytest.raises(ValidationError, match=r"runs\.0\.testcases\.Recovery"):
        report_of([{"hub": "hub2", "failure_mode": "blackhole", "testcases": {"Recovery": result}}])


def test_a_failed_failover_check_carries_the_spokes_reasons() -> None:
    reason = "spoke1: failover took 111.088 s, more than the DPD bound 70 s"
    spokes = [{"hub": "hub1", "spoke": "spoke1", "from_peer": "192.0.2.1", "passed": False, "reason": reason},
              {"hub": "hub1", "spoke": "spoke3", "from_peer": "192.0.2.1", "passed": True, "reason": ""}]
    report = report_of([{"hub": "hub1", "failure_mode": "freeze", "testcases": {"Failover": "failed"}, "spokes": spokes}])
    (check,) = report_checks(report, "freeze")
    assert (check.status, check.message) == ("failed", reason)


def test_a_defective_image_whose_lab_does_not_go_down_is_a_fail(stand_in_certify: StandInCertify) -> None:
    run = stand_in_certify(rows=("iol-17.12", "iol-17.12-dpd-bug"), stuck=frozenset({"iol-17.12", "iol-17.12-dpd-bug"}))
    good, bad = run.rows
    assert (good.verdict, good.failed_checks) == ("ERROR", ["lab down"])
    assert bad.verdict == "FAIL"
    assert bad.failed_checks == ["Failover (interface-shutdown, hub1, iteration 1)", "lab down"]
    lab_down = bad.checks[-1]
    assert (lab_down.status, lab_down.message) == ("errored", "RuntimeError: embedded lab 'iol-17.12-dpd-bug' did not stop")
