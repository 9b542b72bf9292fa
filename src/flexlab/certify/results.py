"""Results of a certification run: checks per matrix row, the row's figures, the verdict.

A row's checks are the lab coming up, every job that ran (one per failure mode), every
testcase of every job run (testcase x failed hub x iteration), and the lab going down.
The verdict follows from the checks alone, so every output that lists checks agrees
with the verdict: FAIL when a check failed (the image misbehaved), ERROR when only the
infrastructure did (lab, job crash, timeout), PASS when every check passed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from flexlab.harness.report import summarize

CheckStatus = Literal["passed", "failed", "errored", "skipped"]
CheckCategory = Literal["lab", "job", "testcase"]
Verdict = Literal["PASS", "FAIL", "ERROR"]
VERDICTS: tuple[Verdict, ...] = ("PASS", "FAIL", "ERROR")

#: aetest results -> check status. blocked/skipped testcases did not run: they are reported
#: as skipped (the testcase that blocked them carries the failure).
_AETEST_STATUS: dict[str, CheckStatus] = {
    "passed": "passed", "passx": "passed",
    "failed": "failed",
    "errored": "errored", "aborted": "errored",
    "blocked": "skipped", "skipped": "skipped",
    "not run": "skipped",            # DpdSchedule without a capture: reported, never passed
}

SUMMARY_SCHEMA = "flexlab.certify.summary/1"


@dataclass
class Check:
    name: str
    status: CheckStatus
    message: str = ""
    duration_s: float = 0.0
    category: CheckCategory = "testcase"


@dataclass
class SpokeMeasurement:
    """One spoke leaving one failed hub (from the job's failover report)."""

    failure_mode: str
    hub: str
    iteration: int
    spoke: str
    failover_s: float | None
    dpd_bound_s: float | None
    bgp_converged_s: float | None
    passed: bool
    reason: str = ""
    outage_s: float | None = None        # longest data-plane loss window over the spoke's probe targets


@dataclass
class ModeRun:
    """What one job run (one failure mode) left behind."""

    failure_mode: str
    report: dict[str, Any] | None = None     # failover_report.json as written by the job
    report_path: str | None = None
    archive: str | None = None
    job_log: str | None = None
    exit_code: int | None = None
    duration_s: float = 0.0


@dataclass
class RowResult:
    name: str
    lab: str
    kind: str | None
    image: str
    failure_modes: list[str]
    iterations: int
    checks: list[Check] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)        # distinct `show version` strings
    images_by_device: dict[str, str] = field(default_factory=dict)
    measurements: list[SpokeMeasurement] = field(default_factory=list)
    bound_formulas: list[str] = field(default_factory=list)
    clock_method: str = ""
    modes: list[ModeRun] = field(default_factory=list)
    started_at: str = ""
    duration_s: float = 0.0
    dpd_model: dict[str, Any] = field(default_factory=dict)        # declared (DpdModel.to_dict)
    dpd_observed: list[str] = field(default_factory=list)          # schedules seen on the wire
    dpd_matched: int = 0
    dpd_differed: int = 0
    dpd_not_run: list[str] = field(default_factory=list)           # why a spoke had no capture

    def add_dpd_schedule(self, summary: dict[str, Any]) -> None:
        """Fold in one job report's ``dpd_schedule`` summary."""
        self.dpd_observed += [str(text) for text in summary.get("observed") or []]
        self.dpd_matched += int(summary.get("matched") or 0)
        self.dpd_differed += int(summary.get("differed") or 0)
        self.dpd_not_run += [str(note) for note in summary.get("not_run") or []]

    @property
    def dpd_declared_from(self) -> str:
        if self.dpd_model.get("measured"):
            return f"measured: {self.dpd_model.get('source')}"
        return str(self.dpd_model.get("source") or "assumed, not measured on this image")

    @property
    def dpd_check(self) -> str:
        """What the wire said about the declared model in this row."""
        if self.dpd_differed:
            return f"DIFFERS on {self.dpd_differed} spoke(s), matches on {self.dpd_matched}"
        if self.dpd_matched:
            return f"confirmed on the wire ({self.dpd_matched} spoke(s))"
        if self.dpd_not_run:
            return f"not checked: {sorted(set(self.dpd_not_run))[0]}"
        return "not checked"

    def dpd_model_text(self) -> str:
        model = self.dpd_model
        if not model:
            return "-"
        spacing = "fixed" if model.get("backoff") == "fixed" else f"exponential x{model.get('factor'):g}"
        return f"{model.get('name')}: N={model.get('retransmits')}, {spacing}, periodic={model.get('periodic')}"

    @property
    def verdict(self) -> Verdict:
        statuses = {check.status for check in self.checks}
        if "failed" in statuses:
            return "FAIL"
        if "errored" in statuses or not self.checks:
            return "ERROR"
        return "PASS"

    @property
    def failed_checks(self) -> list[str]:
        return [check.name for check in self.checks if check.status in ("failed", "errored")]

    def stats(self, attribute: str) -> dict[str, float] | None:
        """count/min/median/p95/max of one figure over every measured spoke."""
        values = [getattr(m, attribute) for m in self.measurements if getattr(m, attribute) is not None]
        return summarize(values)

    @property
    def archives(self) -> list[str]:
        return [mode.archive for mode in self.modes if mode.archive]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "lab": self.lab, "kind": self.kind, "image": self.image,
            "version": "; ".join(self.versions) or None, "versions": self.versions,
            "images_by_device": self.images_by_device,
            "failure_modes": self.failure_modes, "iterations": self.iterations,
            "verdict": self.verdict, "failed_checks": self.failed_checks,
            "testcases": testcase_results(self.checks),
            "failover_s": self.stats("failover_s"), "dpd_bound_s": self.stats("dpd_bound_s"),
            "bgp_converged_s": self.stats("bgp_converged_s"), "outage_s": self.stats("outage_s"),
            "bound_formulas": self.bound_formulas, "clock_method": self.clock_method,
            "dpd_model": {
                "declared": self.dpd_model, "declared_from": self.dpd_declared_from,
                "measured": bool(self.dpd_model.get("measured")) or self.dpd_matched > 0,
                "check": self.dpd_check, "observed": self.dpd_observed,
                "matched": self.dpd_matched, "differed": self.dpd_differed, "not_run": self.dpd_not_run,
            },
            "archives": self.archives,
            "checks": [asdict(check) for check in self.checks],
            "measurements": [asdict(m) for m in self.measurements],
            "jobs": [
                {k: v for k, v in asdict(mode).items() if k != "report"} for mode in self.modes
            ],
            "started_at": self.started_at, "duration_s": round(self.duration_s, 3),
        }


def testcase_results(checks: list[Check]) -> dict[str, CheckStatus]:
    """testcase check name -> status: the pass/fail per testcase that summary.json lists."""
    return {check.name: check.status for check in checks if check.category == "testcase"}


@dataclass
class CertifyRun:
    """Every row of one `flexlab certify` invocation."""

    matrix_name: str
    matrix_path: str
    out_dir: str
    started_at: str
    finished_at: str = ""
    rows: list[RowResult] = field(default_factory=list)
    flexlab_version: str = ""
    matrix_digest: str = ""                                   # flexlab.certify.shard.matrix_digest
    matrix_rows: list[str] = field(default_factory=list)      # every row of the matrix, in order
    shard: dict[str, Any] | None = None                       # which part of the matrix this run is

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(row.verdict == "PASS" for row in self.rows)

    def counts(self) -> dict[str, int]:
        return {verdict: sum(row.verdict == verdict for row in self.rows) for verdict in VERDICTS}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SUMMARY_SCHEMA,
            "matrix": {"name": self.matrix_name, "path": self.matrix_path, "digest": self.matrix_digest,
                       "rows": self.matrix_rows},
            "shard": self.shard,
            "out_dir": self.out_dir, "started_at": self.started_at, "finished_at": self.finished_at,
            "flexlab_version": self.flexlab_version,
            "passed": self.passed, "counts": self.counts(),
            "rows": [row.to_dict() for row in self.rows],
        }


# ---------------------------------------------------------------------------------------
# From a job's failover report to checks and figures
# ---------------------------------------------------------------------------------------

def testcase_check_name(testcase: str, mode: str, hub: str, iteration: int) -> str:
    return f"{testcase} ({mode}, {hub}, iteration {iteration})"


def job_check_name(mode: str) -> str:
    return f"job ({mode})"


def read_report(path: Path) -> dict[str, Any]:
    """The job's failover_report.json; ValueError when it is not one."""
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
        raise ValueError(f"{path} is not a failover report (no 'runs' list)")
    return data


def _spoke_reasons(run: dict[str, Any]) -> str:
    return "; ".join(str(s.get("reason")) for s in run.get("spokes", []) if not s.get("passed") and s.get("reason"))


def report_checks(report: dict[str, Any], mode: str) -> list[Check]:
    """One check per testcase per job run in the report (hub x iteration)."""
    checks = []
    for run in report["runs"]:
        hub, iteration = str(run.get("hub", "?")), int(run.get("iteration", 1))
        for testcase, result in (run.get("testcases") or {}).items():
            status = _AETEST_STATUS.get(str(result), "errored")
            message = "" if status == "passed" else f"{testcase}: {result}"
            if status == "failed" and testcase == "Failover" and (reasons := _spoke_reasons(run)):
                message = reasons
            checks.append(Check(testcase_check_name(testcase, mode, hub, iteration), status, message))
    return checks


def measurements(report: dict[str, Any], mode: str) -> list[SpokeMeasurement]:
    found = []
    for run in report["runs"]:
        for spoke in run.get("spokes", []):
            found.append(SpokeMeasurement(
                failure_mode=mode, hub=str(run.get("hub", "?")), iteration=int(run.get("iteration", 1)),
                spoke=str(spoke.get("spoke", "?")), failover_s=_number(spoke.get("failover_s")),
                dpd_bound_s=_number(spoke.get("dpd_bound_s")), bgp_converged_s=_number(spoke.get("bgp_converged_s")),
                passed=bool(spoke.get("passed")), reason=str(spoke.get("reason") or ""),
                outage_s=_longest_outage(spoke.get("outage") or []),
            ))
    return found


def _longest_outage(outage: list[dict[str, Any]]) -> float | None:
    values = [value for o in outage if (value := _number(o.get("outage_s"))) is not None]
    return max(values) if values else None


def bound_formulas(report: dict[str, Any]) -> list[str]:
    spokes = [spoke for run in report["runs"] for spoke in run.get("spokes", [])]
    return sorted({str(spoke["bound_formula"]) for spoke in spokes if spoke.get("bound_formula")})


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def job_check(mode: str, exit_code: int | None, timed_out: bool, timeout_s: float, report: dict[str, Any] | None,
              testcases: list[Check], log_path: str, error: str = "", log_problems: list[str] | None = None) -> Check:
    """Did the job run to its end and leave a report that explains its exit code?
    ``log_problems`` (failed aetest sections read from the log) name the cause otherwise."""
    def result(status: CheckStatus, message: str = "") -> Check:
        return Check(job_check_name(mode), status, message, category="job")

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
    if not report.get("passed"):
        return result("failed", f"the report's verdict is FAIL although no testcase failed; {where}")
    return result("passed")
