"""Every field certification writes for a row and a run, from a hand-written job report.

The report below is what a job for three hubs would write (failover_report.json, typed);
every expected value is read off it by hand, never taken from the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flexlab.certify.results import bound_formulas, job_check, measurements, read_report, report_checks
from flexlab.results import certify as certify_model
from flexlab.results.certify import (
    CertifyRun,
    Check,
    DpdCheck,
    MatrixRef,
    ModeRun,
    RowResult,
    SpokeMeasurement,
)
from flexlab.results.job import JobReportDocument, ScheduleSummary
from flexlab.results.versioning import ResultFileError

FORMULA = "T + I + (N+1)*R + S: 5 + 30 + (5+1)*5 + 5 = 70 s"
TOO_LATE = "spoke1: failover took 111.088 s, more than the DPD bound 70 s"

def spoke(name: str, **fields: object) -> dict[str, object]:
    """A spoke record as failover_report.json holds it (the bound nested)."""
    return {"hub": "hub1", "spoke": name, "from_peer": "192.0.2.1", **fields}


def document(runs: list[dict[str, object]], passed: bool = False) -> JobReportDocument:
    return JobReportDocument.model_validate(
        {"schema_version": "1.0", "lab": {}, "images": {}, "clock_method": "ntp", "passed": passed, "runs": runs})


def target_outage(target: str, outage_s: float | None) -> dict[str, object]:
    """One probe target's outage entry with every key the job writes (loss counts not read when None)."""
    lost = None if outage_s is None else int(outage_s)
    return {"target": target, "address": "10.0.2.1", "operation": 9901, "frequency_s": 1, "flowing_again": True,
            "method": "probes lost x frequency", "probes_lost": lost, "probes_sent": None if lost is None else lost + 3,
            "outage_s": outage_s}


REPORT_RUNS: list[dict[str, object]] = [
    {"hub": "hub1", "failure_mode": "freeze", "iteration": 2, "testcases": {"Baseline": "passed", "Failover": "failed"},
     "spokes": [
        spoke("spoke1", failover_s=111.088, bound={"value_s": 70, "formula": FORMULA}, bgp_converged_s=None,
              passed=False, reason=TOO_LATE),
        spoke("spoke2", failover_s=61, bound={"value_s": 70.0, "formula": FORMULA}, bgp_converged_s=66.213,
              passed=True, reason="",
              outage=[target_outage("hub LAN of hub2", 66.0), target_outage("spoke LAN of spoke1", 67),
                      target_outage("spoke LAN of spoke3", None)]),
    ]},
    {"hub": "hub2", "failure_mode": "freeze", "testcases": {}},     # a run that recorded no spoke
    {"hub": "hub3", "failure_mode": "freeze", "testcases": {"Recovery": "passx"}, "spokes": [
        spoke("spoke3", hub="hub3", passed=False,
              bound={"formula": "T + I + (N+1)*R + S: 1 + 2 + (3+1)*4 + 5 = 24 s"}),
    ]},
]
REPORT = document(REPORT_RUNS)


def test_measurements_carry_every_field() -> None:
    found = measurements(REPORT, "freeze")
    assert [m.model_dump() for m in found] == [
        dict(failure_mode="freeze", hub="hub1", iteration=2, spoke="spoke1", failover_s=111.088, dpd_bound_s=70.0,
             bgp_converged_s=None, passed=False, reason=TOO_LATE, outage_s=None),
        dict(failure_mode="freeze", hub="hub1", iteration=2, spoke="spoke2", failover_s=61.0, dpd_bound_s=70.0,
             bgp_converged_s=66.213, passed=True, reason="", outage_s=67.0),
        dict(failure_mode="freeze", hub="hub3", iteration=1, spoke="spoke3", failover_s=None, dpd_bound_s=None,
             bgp_converged_s=None, passed=False, reason="", outage_s=None),
    ]
    assert isinstance(found[1].failover_s, float)


def test_bound_formulas_are_distinct_sorted_and_skip_empty_ones() -> None:
    assert bound_formulas(REPORT) == ["T + I + (N+1)*R + S: 1 + 2 + (3+1)*4 + 5 = 24 s", FORMULA]
    assert bound_formulas(document([{"hub": "hub1", "failure_mode": "freeze"}])) == []


def test_report_checks_name_hub_iteration() -> None:
    checks = report_checks(REPORT, "freeze")
    assert [(c.name, c.status, c.message, c.category) for c in checks] == [
        ("Baseline (freeze, hub1, iteration 2)", "passed", "", "testcase"),
        ("Failover (freeze, hub1, iteration 2)", "failed", TOO_LATE, "testcase"),
        ("Recovery (freeze, hub3, iteration 1)", "passed", "", "testcase"),
    ]
    assert report_checks(document([{"hub": "hub1", "failure_mode": "freeze"}]), "freeze") == []


@pytest.mark.parametrize(("result", "status"), [
    ("passed", "passed"), ("passx", "passed"), ("failed", "failed"), ("errored", "errored"), ("aborted", "errored"),
    ("blocked", "skipped"), ("skipped", "skipped"), ("not run", "skipped"), ("deferred", "errored"),
])
def test_every_testcase_status_maps_to_a_check_status(result: str, status: str) -> None:
    (check,) = report_checks(document([{"hub": "hub1", "failure_mode": "x", "testcases": {"Recovery": result}}]), "x")
    assert check.status == status


def test_a_failed_failover_without_spoke_reasons_names_the_result() -> None:
    report = document([{"hub": "hub1", "failure_mode": "freeze",
                        "testcases": {"Failover": "failed", "Recovery": "failed"},
                        "spokes": [spoke("spoke1", passed=False, reason=""), spoke("spoke2", passed=True, reason="kept")]}])
    assert [c.message for c in report_checks(report, "freeze")] == ["Failover: failed", "Recovery: failed"]


def test_a_failed_failover_of_a_run_without_spokes_names_the_result() -> None:
    (check,) = report_checks(document([{"hub": "hub1", "failure_mode": "freeze", "testcases": {"Failover": "failed"}}]),
                             "freeze")
    assert (check.status, check.message) == ("failed", "Failover: failed")


def test_only_a_failed_failover_takes_the_spokes_reasons() -> None:
    spokes = [spoke("spoke1", passed=False, reason="a"), spoke("spoke2", passed=False, reason="b")]
    run: dict[str, object] = {"hub": "hub1", "failure_mode": "freeze",
                              "testcases": {"Failover": "errored", "Recovery": "failed"}, "spokes": spokes}
    assert [c.message for c in report_checks(document([run]), "freeze")] == ["Failover: errored", "Recovery: failed"]
    run["testcases"] = {"Failover": "failed"}
    assert [c.message for c in report_checks(document([run]), "freeze")] == ["a; b"]


def test_read_report_validates_and_names_file_and_field(tmp_path: Path) -> None:
    good = tmp_path / "failover_report.json"
    good.write_text(REPORT.model_dump_json())
    assert read_report(good) == REPORT
    cases = [
        ("list.json", [1], "field (document): Input should be an object"),
        ("no-runs.json", {"schema_version": "1.0", "lab": {}, "images": {}, "clock_method": "", "passed": True,
                          "runs": {}}, "field runs: Input should be a valid array"),
        ("bad-spoke.json", {**json.loads(REPORT.model_dump_json()), "runs": [{"hub": "hub1", "failure_mode": "x",
                            "spokes": [{"spoke": "s1", "hub": "hub1", "from_peer": "p", "failover_s": "soon"}]}]},
         "field runs.0.spokes.0.failover_s: Input should be a valid number, unable to parse string as a number"),
        ("status.json", {**json.loads(REPORT.model_dump_json()), "runs": [{"hub": "hub1", "failure_mode": "x",
                         "testcases": {"Failover": "fine"}}]}, "field runs.0.testcases.Failover: Input should be"),
        ("v2.json", {**json.loads(REPORT.model_dump_json()), "schema_version": "2.0", "runs": 3},
         "field schema_version: found '2.0', supported 1.x (1.0) (and 1 more problem(s))"),
    ]
    for name, data, message in cases:
        path = tmp_path / name
        path.write_text(json.dumps(data))
        with pytest.raises(ResultFileError) as raised:
            read_report(path)
        assert str(raised.value).startswith(f"{path}: {message}"), str(raised.value)
        assert "\n" not in str(raised.value)
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ResultFileError, match=r"broken.json: field \(document\): Invalid JSON"):
        read_report(tmp_path / "broken.json")


# -- job_check: each way a job run can end ---------------------------------------------------------

PASSED = [Check(name="Baseline (freeze, hub1, iteration 1)", status="passed")]
LOG = "/out/row/freeze/job.log"


@pytest.mark.parametrize(("case", "kwargs", "status", "message"), [
    ("an error running the job", dict(error="FileNotFoundError: pyats", timed_out=True), "errored",
     "FileNotFoundError: pyats"),
    ("timed out", dict(timed_out=True), "errored",
     "the job did not finish within 900 s and was stopped; see /out/row/freeze/job.log"),
    ("timed out, log read", dict(timed_out=True, log_problems=["CommonSetup failed", "x errored"]), "errored",
     "the job did not finish within 900 s and was stopped; CommonSetup failed; x errored (log: /out/row/freeze/job.log)"),
    ("no report", dict(report=None, exit_code=1), "errored",
     "the job exited with code 1 without writing failover_report.json; see /out/row/freeze/job.log"),
    ("a testcase failed", dict(testcases=[*PASSED, Check(name="Failover", status="failed")], exit_code=1), "passed", ""),
    ("a testcase errored", dict(testcases=[Check(name="Failover", status="errored")], exit_code=1), "passed", ""),
    ("no testcase ran", dict(testcases=[]), "failed",
     "no testcase ran (CommonSetup failed?); see /out/row/freeze/job.log"),
    ("nonzero exit without a failed testcase", dict(exit_code=1), "failed",
     "pyATS exited with code 1 although no testcase failed; see /out/row/freeze/job.log"),
    ("the report says FAIL", dict(report=document([], passed=False)), "failed",
     "the report's verdict is FAIL although no testcase failed; see /out/row/freeze/job.log"),
    ("everything agrees", dict(), "passed", ""),
])
def test_job_check(case: str, kwargs: dict, status: str, message: str) -> None:
    arguments = dict(exit_code=0, timed_out=False, timeout_s=900.0, report=document([], passed=True),
                     testcases=PASSED, log_path=LOG)
    arguments.update(kwargs)
    check = job_check("freeze", **arguments)
    assert (check.name, check.status, check.message, check.category) == ("job (freeze)", status, message, "job"), case


# -- the row -------------------------------------------------------------------------------------

def declared(**fields: object) -> dict[str, object]:
    model = {"name": "ios-fixed-5", "retransmits": 5, "backoff": "fixed", "factor": 1.0, "cap_s": None,
             "periodic": "idle", "measured": False, "source": "assumed (facts.md)"}
    model.update(fields)
    return model


def row() -> RowResult:
    result = RowResult(name="iol", lab="embedded", kind="cisco_iol", image="iol-17.12",
                       failure_modes=["freeze", "blackhole"], iterations=2)
    result.checks = [Check(name="lab up", status="passed", category="lab"),
                     Check(name="job (freeze)", status="passed", category="job"),
                     Check(name="Baseline (freeze, hub1, iteration 1)", status="passed"),
                     Check(name="Failover (freeze, hub1, iteration 1)", status="failed", message="late"),
                     Check(name="DpdSchedule (freeze, hub1, iteration 1)", status="skipped"),
                     Check(name="lab down", status="errored", message="stuck", category="lab")]
    result.versions = ["17.12.1", "17.12.2"]
    result.images_by_device = {"hub1": "17.12.1"}
    result.measurements = [SpokeMeasurement(failure_mode="freeze", hub="hub1", iteration=1, spoke=f"spoke{i}",
                                            failover_s=value, dpd_bound_s=70.0, bgp_converged_s=bgp, passed=value < 70)
                           for i, (value, bgp) in enumerate([(61.0, 66.0), (111.0, None), (65.0, 70.0)], start=1)]
    result.bound_formulas = [FORMULA]
    result.clock_method = "ntp"
    result.jobs = [ModeRun(failure_mode="freeze", report=document([]), report_path="/r.json", archive="/a.zip",
                           job_log="/j.log", exit_code=1, duration_s=2.5), ModeRun(failure_mode="blackhole")]
    result.started_at = "2026-11-29T12:00:00+00:00"
    result.duration_s = 12.34567
    result.dpd_model = DpdCheck(declared=declared())
    return result


def test_row_to_dict_lists_every_field() -> None:
    data = row().to_dict()
    assert data == {
        "name": "iol", "lab": "embedded", "kind": "cisco_iol", "image": "iol-17.12",
        "version": "17.12.1; 17.12.2", "versions": ["17.12.1", "17.12.2"], "images_by_device": {"hub1": "17.12.1"},
        "failure_modes": ["freeze", "blackhole"], "iterations": 2,
        "verdict": "FAIL",
        "failed_checks": ["Failover (freeze, hub1, iteration 1)", "lab down"],
        "testcases": {"Baseline (freeze, hub1, iteration 1)": "passed",
                      "Failover (freeze, hub1, iteration 1)": "failed",
                      "DpdSchedule (freeze, hub1, iteration 1)": "skipped"},
        "failover_s": {"count": 3, "min": 61.0, "median": 65.0, "p95": 111.0, "max": 111.0},
        "dpd_bound_s": {"count": 3, "min": 70.0, "median": 70.0, "p95": 70.0, "max": 70.0},
        "bgp_converged_s": {"count": 2, "min": 66.0, "median": 68.0, "p95": 70.0, "max": 70.0},
        "outage_s": None,
        "bound_formulas": [FORMULA], "clock_method": "ntp",
        "dpd_model": {"declared": declared(), "declared_from": "assumed (facts.md)", "measured": False,
                      "check": "not checked", "observed": [], "matched": 0, "differed": 0, "not_run": []},
        "archives": ["/a.zip"],
        "checks": [
            {"name": "lab up", "status": "passed", "message": "", "duration_s": 0.0, "category": "lab"},
            {"name": "job (freeze)", "status": "passed", "message": "", "duration_s": 0.0, "category": "job"},
            {"name": "Baseline (freeze, hub1, iteration 1)", "status": "passed", "message": "", "duration_s": 0.0,
             "category": "testcase"},
            {"name": "Failover (freeze, hub1, iteration 1)", "status": "failed", "message": "late", "duration_s": 0.0,
             "category": "testcase"},
            {"name": "DpdSchedule (freeze, hub1, iteration 1)", "status": "skipped", "message": "",
             "duration_s": 0.0, "category": "testcase"},
            {"name": "lab down", "status": "errored", "message": "stuck", "duration_s": 0.0, "category": "lab"},
        ],
        "measurements": [
            {"failure_mode": "freeze", "hub": "hub1", "iteration": 1, "spoke": "spoke1", "failover_s": 61.0,
             "dpd_bound_s": 70.0, "bgp_converged_s": 66.0, "passed": True, "reason": "", "outage_s": None},
            {"failure_mode": "freeze", "hub": "hub1", "iteration": 1, "spoke": "spoke2", "failover_s": 111.0,
             "dpd_bound_s": 70.0, "bgp_converged_s": None, "passed": False, "reason": "", "outage_s": None},
            {"failure_mode": "freeze", "hub": "hub1", "iteration": 1, "spoke": "spoke3", "failover_s": 65.0,
             "dpd_bound_s": 70.0, "bgp_converged_s": 70.0, "passed": True, "reason": "", "outage_s": None},
        ],
        "jobs": [
            {"failure_mode": "freeze", "report_path": "/r.json", "archive": "/a.zip", "job_log": "/j.log",
             "exit_code": 1, "duration_s": 2.5},
            {"failure_mode": "blackhole", "report_path": None, "archive": None, "job_log": None,
             "exit_code": None, "duration_s": 0.0},
        ],
        "started_at": "2026-11-29T12:00:00+00:00", "duration_s": 12.346,
    }


def test_a_row_without_versions_or_measurements() -> None:
    empty = RowResult(name="r", lab="embedded", kind=None, image="i", failure_modes=[], iterations=1)
    data = empty.to_dict()
    assert (data["version"], data["failover_s"], data["archives"], data["verdict"]) == (None, None, [], "ERROR")
    assert empty.dpd_model.model_text() == "-"


def test_dpd_schedule_summaries_add_up_and_decide_the_dpd_check() -> None:
    result = row()
    dpd = result.dpd_model
    assert dpd.check == "not checked"
    dpd.add(ScheduleSummary(not_run=["spoke1: no capture (lab cannot capture)"]))
    dpd.add(ScheduleSummary(not_run=["spoke2: a"]))
    assert dpd.not_run == ["spoke1: no capture (lab cannot capture)", "spoke2: a"]
    assert dpd.check == "not checked: spoke1: no capture (lab cannot capture)"
    dpd.add(ScheduleSummary(observed=["probe +10 s"], matched=1))
    assert (dpd.matched, dpd.differed, dpd.observed) == (1, 0, ["probe +10 s"])
    assert dpd.check == "confirmed on the wire (1 spoke(s))"
    assert result.to_dict()["dpd_model"]["measured"] is True     # one spoke on the wire is a measurement
    dpd.add(ScheduleSummary(observed=["probe +40 s"], matched=2, differed=1))
    dpd.add(ScheduleSummary(differed=1))
    assert (dpd.matched, dpd.differed) == (3, 2)
    assert dpd.observed == ["probe +10 s", "probe +40 s"]
    assert dpd.check == "DIFFERS on 2 spoke(s), matches on 3"


def test_dpd_declared_from_and_model_text() -> None:
    result = row()
    assert result.dpd_model.model_text() == "ios-fixed-5: N=5, fixed, periodic=idle"
    result.dpd_model = DpdCheck(declared=declared(name="calibrated", backoff="exponential", factor=2.0,
                                                  periodic="always", measured=True, source="capture 2026-11-29"))
    assert result.dpd_model.declared_from == "measured: capture 2026-11-29"
    assert result.dpd_model.model_text() == "calibrated: N=5, exponential x2, periodic=always"
    assert result.to_dict()["dpd_model"]["measured"] is True
    result.dpd_model = DpdCheck(declared=declared(source=""))
    assert result.dpd_model.declared_from == "assumed, not measured on this image"


def test_testcase_results_keep_only_testcases() -> None:
    assert certify_model.testcase_results([Check(name="lab up", status="passed", category="lab"),
                                     Check(name="job (x)", status="failed", category="job"),
                                     Check(name="Failover (x, hub1, iteration 1)", status="skipped")]) == {
        "Failover (x, hub1, iteration 1)": "skipped"}


# -- the run -------------------------------------------------------------------------------------

def named(name: str, *statuses: str) -> RowResult:
    result = RowResult(name=name, lab="embedded", kind=None, image=name, failure_modes=["freeze"], iterations=1)
    result.checks = [Check(name=f"c{i}", status=status) for i, status in enumerate(statuses)]  # type: ignore[arg-type]
    return result


def test_run_counts_and_passes_only_when_every_row_passes() -> None:
    run = CertifyRun(matrix=MatrixRef(name="m", path="/m.yaml"), out_dir="/out", started_at="2026-11-29T12:00:00+00:00",
                     finished_at="2026-11-29T12:10:00+00:00", rows=[named("a", "passed"), named("b", "failed", "errored"), named("c", "errored"),
                           named("d", "passed", "skipped")], flexlab_version="0.9")
    assert run.counts == {"PASS": 2, "FAIL": 1, "ERROR": 1}
    assert run.passed is False
    data = run.to_dict()
    assert {k: v for k, v in data.items() if k != "rows"} == {
        "schema_version": "1.0", "matrix": {"name": "m", "path": "/m.yaml", "digest": "", "rows": []},
        "shard": None, "out_dir": "/out",
        "started_at": "2026-11-29T12:00:00+00:00", "finished_at": "2026-11-29T12:10:00+00:00",
        "flexlab_version": "0.9", "passed": False, "counts": {"PASS": 2, "FAIL": 1, "ERROR": 1}}
    assert [r["name"] for r in data["rows"]] == ["a", "b", "c", "d"]
    def empty(*rows: RowResult) -> CertifyRun:
        return CertifyRun(matrix=MatrixRef(name="m", path="/m"), out_dir="/o", started_at="t", rows=list(rows))
    assert empty(named("a", "passed"), named("d", "skipped")).passed is True
    assert empty().passed is False
    assert empty().counts == {"PASS": 0, "FAIL": 0, "ERROR": 0}
    assert CertifyRun.model_validate(data).to_dict() == data     # read back, the same summary
