"""A row's verdict from its checks, and the checks read from the job's failover report."""

from __future__ import annotations

import pytest
from certify_testkit import StandInCertify

from flexlab.certify.results import Check, RowResult, report_checks


def row_with(*statuses: str) -> RowResult:
    row = RowResult(name="r", lab="embedded", kind=None, image="iol-17.12", failure_modes=["freeze"], iterations=1)
    row.checks = [Check(f"check {i}", status, category="testcase") for i, status in enumerate(statuses)]  # type: ignore[arg-type]
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
    ("blocked", "skipped"), ("skipped", "skipped"),
    # anything else aetest or a broken report might say never counts as passed
    ("interrupted", "errored"), ("PASSED", "errored"), ("", "errored"), ("None", "errored"),
])
def test_aetest_results_map_to_check_statuses(result: str, status: str) -> None:
    report = {"runs": [{"hub": "hub2", "iteration": 3, "testcases": {"Recovery": result}, "spokes": []}]}
    (check,) = report_checks(report, "blackhole")
    assert (check.name, check.status) == ("Recovery (blackhole, hub2, iteration 3)", status)
    assert check.message == ("" if status == "passed" else f"Recovery: {result}")


def test_a_failed_failover_check_carries_the_spokes_reasons() -> None:
    reason = "spoke1: failover took 111.088 s, more than the DPD bound 70 s"
    report = {"runs": [{"hub": "hub1", "testcases": {"Failover": "failed"}, "spokes": [
        {"spoke": "spoke1", "passed": False, "reason": reason}, {"spoke": "spoke3", "passed": True, "reason": ""}]}]}
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
