"""From a job's failover report to a certification row's checks and figures.

The row, its checks and the run are the typed models of :mod:`flexlab.results.certify`
(summary.json), imported from there; the job's report is :class:`flexlab.results.job.JobReportDocument`, read
with validation (:func:`read_report`).
"""

from __future__ import annotations

from pathlib import Path

from flexlab.results.certify import Check, CheckStatus, SpokeMeasurement
from flexlab.results.job import HubRun, JobReportDocument, TestcaseStatus
from flexlab.results.versioning import load_document

#: aetest results -> check status. blocked/skipped testcases did not run: they are reported
#: as skipped (the testcase that blocked them carries the failure).
_AETEST_STATUS: dict[TestcaseStatus, CheckStatus] = {
    TestcaseStatus.PASSED: "passed", TestcaseStatus.PASSX: "passed",
    TestcaseStatus.FAILED: "failed",
    TestcaseStatus.ERRORED: "errored", TestcaseStatus.ABORTED: "errored",
    TestcaseStatus.BLOCKED: "skipped", TestcaseStatus.SKIPPED: "skipped",
    TestcaseStatus.NOT_RUN: "skipped",            # DpdSchedule without a capture: reported, never passed
}


# ---------------------------------------------------------------------------------------
# From a job's failover report to checks and figures
# ---------------------------------------------------------------------------------------

def testcase_check_name(testcase: str, mode: str, hub: str, iteration: int) -> str:
    """A testcase's check name in the summary: one per failure mode, hub and iteration."""
    return f"{testcase} ({mode}, {hub}, iteration {iteration})"


def job_check_name(mode: str) -> str:
    """The check that the job of ``mode`` ran to its end (exit code, timeout)."""
    return f"job ({mode})"


def read_report(path: Path) -> JobReportDocument:
    """The job's failover_report.json, validated; ResultFileError (one line: file, field, cause) otherwise."""
    return load_document(path, JobReportDocument)


def _spoke_reasons(run: HubRun) -> str:
    return "; ".join(s.reason for s in run.spokes if not s.passed and s.reason)


def report_checks(report: JobReportDocument, mode: str) -> list[Check]:
    """One check per testcase per job run in the report (hub x iteration)."""
    checks = []
    for run in report.runs:
        for testcase, result in run.testcases.items():
            status = _AETEST_STATUS.get(TestcaseStatus(result), "errored")
            message = "" if status == "passed" else f"{testcase}: {result}"
            if status == "failed" and testcase == "Failover" and (reasons := _spoke_reasons(run)):
                message = reasons
            checks.append(Check(name=testcase_check_name(testcase, mode, run.hub, run.iteration), status=status,
                                message=message))
    return checks


def measurements(report: JobReportDocument, mode: str) -> list[SpokeMeasurement]:
    """The figures of every spoke record in the report."""
    return [SpokeMeasurement.of(spoke, mode, run.iteration) for run in report.runs for spoke in run.spokes]


def bound_formulas(report: JobReportDocument) -> list[str]:
    """The distinct bound formulas of the report's spokes."""
    return sorted({spoke.bound.formula for run in report.runs for spoke in run.spokes if spoke.bound.formula})


def job_check(mode: str, exit_code: int | None, timed_out: bool, timeout_s: float, report: JobReportDocument | None,
              testcases: list[Check], log_path: str, error: str = "", log_problems: list[str] | None = None) -> Check:
    """Did the job run to its end and leave a report that explains its exit code?
    ``log_problems`` (failed aetest sections read from the log) name the cause otherwise."""
    def result(status: CheckStatus, message: str = "") -> Check:
        return Check(name=job_check_name(mode), status=status, message=message, category="job")

    seen = "; ".join(log_problems or [])
    where = f"{seen} (log: {log_path})" if seen else f"see {log_path}"
    if error:
        return result("errored", error)
    if timed_out:
        return result("errored", f"the job did not finish within {timeout_s:g} s and was stopped; {where}")
    if report is None:
        return result("errored", f"the job exited with code {exit_code} without writing failover_report.json; {where}")
    if any(check.status in ("failed", "errored") for check in testcases):
        return result("passed")  # the job ran; the failing testcases carry the verdict
    if not testcases:
        return result("failed", f"no testcase ran (CommonSetup failed?); {where}")
    if exit_code != 0:
        return result("failed", f"pyATS exited with code {exit_code} although no testcase failed; {where}")
    if not report.passed:
        return result("failed", f"the report's verdict is FAIL although no testcase failed; {where}")
    return result("passed")
