"""Failover report: statistics and renderings agree with the data."""

import json

from flexlab.harness.report import FailoverReport, summarize
from flexlab.results.job import HubRun, SpokeFailover


def test_summary_statistics_use_nearest_rank_p95():
    values = [float(v) for v in range(1, 21)]
    assert summarize(values)["p95"] == 19.0
    assert summarize([5.0])["p95"] == 5.0
    assert summarize([]) is None
    assert summarize([3.0, 1.0, 2.0]) == {"count": 3, "min": 1.0, "median": 2.0, "p95": 3.0, "max": 3.0}


def _report(passed: bool) -> FailoverReport:
    spoke = SpokeFailover(hub="hub1", spoke="spoke1", from_peer="100.64.0.2", to_peer="100.64.0.6", to_hub="hub2",
                          failover_s=61.234, dpd_bound_s=70.0, bound_formula="T + I + (N+1)*R + S",
                          bgp_converged_s=63.5, passed=passed, reason="" if passed else "too slow")
    run = HubRun(hub="hub1", failure_mode="interface-shutdown", spokes=[spoke],
                 testcases={"Baseline": "passed", "HubFailure": "passed", "Failover": "passed" if passed else "failed",
                            "BgpConvergence": "passed", "Recovery": "passed"})
    return FailoverReport(lab={"type": "embedded"}, images={"spoke1": "17.12.1"}, clock_method="ntp", runs=[run])


def test_report_round_trip_and_renderings(tmp_path):
    report = _report(True)
    json_path, md_path = report.write(tmp_path)
    data = json.loads(json_path.read_text())
    assert data["passed"] is True and data["failover_s"]["median"] == 61.234
    assert FailoverReport.from_dict(data).to_dict() == data
    markdown = md_path.read_text()
    assert "**PASS**" in markdown and "61.234" in markdown and "T + I + (N+1)*R + S" in markdown


def test_failed_testcase_fails_report():
    report = _report(False)
    assert report.passed is False
    assert "FAIL: too slow" in report.to_markdown()


def test_missing_testcase_fails_report():
    report = _report(True)
    del report.runs[0].testcases["Recovery"]  # e.g. the testcase errored before recording
    assert report.passed is False


def test_the_lab_line_reads_as_settings_and_leaves_the_dpd_model_to_its_own_line() -> None:
    lab = {"type": "embedded", "name": "ci", "image_params": {"dpd_retransmits": "9"}, "dpd_model": {"name": "x"},
           "seed": 1}
    text = FailoverReport(lab=lab, images={}, clock_method="ntp", runs=[]).to_markdown()
    assert "- Lab: type=embedded, name=ci, image_params=(dpd_retransmits=9), seed=1\n" in text
    bare = FailoverReport(lab={"type": "containerlab", "image_params": {}}, images={}, clock_method="", runs=[])
    assert "- Lab: type=containerlab, image_params=(none)\n" in bare.to_markdown()
