"""The five outputs exist, agree with each other, and the JUnit file has the structure
CI readers (Jenkins, GitLab, GitHub, Azure) expect."""

from __future__ import annotations

import base64
import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from certify_testkit import (
    PNG_SIGNATURE,
    StandInCertify,
    SummaryTable,
    assert_outputs_agree,
    assert_valid_junit,
    markdown_summary,
)

from flexlab.certify.outputs import junit_classnames, write_outputs
from flexlab.results.certify import RowResult


@pytest.fixture
def outputs(stand_in_certify: StandInCertify, tmp_path: Path) -> dict[str, Any]:
    run = stand_in_certify(
        rows=("iol-17.12", "iosv-15.9", "iol-17.12-dpd-bug", "csr-17.3"), broken=frozenset({"csr-17.3"}),
    )
    paths = write_outputs(run, tmp_path / "report")
    return {"run": run, "paths": paths, "summary": json.loads(paths.summary.read_text())}


def test_all_five_outputs_exist(outputs: dict[str, Any]) -> None:
    names = sorted(path.name for path in outputs["paths"].all())
    assert names == ["failover.png", "junit.xml", "report.html", "report.md", "summary.json"]
    assert all(path.stat().st_size > 0 for path in outputs["paths"].all())


def test_summary_json_holds_verdicts_figures_versions_and_archives(outputs: dict[str, Any]) -> None:
    summary = outputs["summary"]
    rows = {row["name"]: row for row in summary["rows"]}
    assert summary["schema_version"] == "1.0"
    assert summary["passed"] is False and summary["counts"] == {"PASS": 2, "FAIL": 1, "ERROR": 1}
    good = rows["iol-17.12"]
    assert good["verdict"] == "PASS" and good["failed_checks"] == []
    assert good["version"] == "17.12.1"   # recorded `show version`: "..., Version 17.12.1, RELEASE SOFTWARE (fc5)"
    assert set(good["failover_s"]) == {"count", "min", "median", "p95", "max"}
    assert good["dpd_bound_s"]["min"] == 70.0 and good["bgp_converged_s"]["count"] == 1
    assert good["testcases"] == {
        **{f"{tc} (interface-shutdown, hub1, iteration 1)": "passed"
           for tc in ("Baseline", "HubFailure", "Failover", "BgpConvergence", "Recovery")},
        # the recordings carry no packets: the schedule check is skipped, never passed
        "DpdSchedule (interface-shutdown, hub1, iteration 1)": "skipped",
        # nor `show ip sla statistics`: the data-plane outage is not measured
        "DataPlane (interface-shutdown, hub1, iteration 1)": "skipped",
    }
    assert len(good["archives"]) == 1 and good["archives"][0].endswith(".zip")
    bad = rows["iol-17.12-dpd-bug"]
    assert bad["verdict"] == "FAIL" and bad["failed_checks"] == ["Failover (interface-shutdown, hub1, iteration 1)"]
    assert bad["failover_s"] is None and bad["testcases"]["Failover (interface-shutdown, hub1, iteration 1)"] == "failed"
    broken = rows["csr-17.3"]
    assert broken["verdict"] == "ERROR" and broken["failed_checks"] == ["lab up"]
    assert "failed to start" in broken["checks"][0]["message"]


def test_markdown_and_html_agree_with_summary_json(outputs: dict[str, Any]) -> None:
    """Same verdicts, figures and failed checks in the summary tables of report.md and
    report.html (and the JUnit properties), and every check in the HTML check tables."""
    assert assert_outputs_agree(outputs["paths"].summary.parent) == outputs["summary"]
    md = outputs["paths"].report_md.read_text()
    assert "| Failover (interface-shutdown, hub1, iteration 1) | failed | spoke1 did not reach another hub" in md
    assert "**FAIL** (2 PASS, 1 FAIL, 1 ERROR)" in md
    cells = markdown_summary(md)["iol-17.12"]
    # recorded: hub1 down 12:03:19.081, spoke1 up on hub2 12:04:20.169; the reference bound 70 s
    assert (cells["verdict"], cells["failover_median"], cells["bound"]) == ("PASS", "61.088", "70.000")


def test_html_is_self_contained_with_the_chart_embedded(outputs: dict[str, Any]) -> None:
    html = SummaryTable()
    html.feed(outputs["paths"].report_html.read_text())
    assert html.links == []  # no stylesheet, script or link to fetch
    assert len(html.sources) == 1 and html.sources[0].startswith("data:image/png;base64,")
    embedded = base64.b64decode(html.sources[0].split(",", 1)[1])
    assert embedded == outputs["paths"].failover_png.read_bytes()


def test_failover_png_is_a_png_image(outputs: dict[str, Any]) -> None:
    data = outputs["paths"].failover_png.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 600 and height >= 400


def test_junit_is_valid_and_agrees_with_summary_json(outputs: dict[str, Any]) -> None:
    assert_valid_junit(outputs["paths"].junit, outputs["summary"])


def test_junit_failure_names_the_cause(outputs: dict[str, Any]) -> None:
    root = ET.parse(outputs["paths"].junit).getroot()
    suite = next(s for s in root.findall("testsuite") if s.get("name") == "iol-17.12-dpd-bug")
    case = next(c for c in suite.findall("testcase") if (c.get("name") or "").startswith("Failover"))
    failure = case.find("failure")
    assert failure is not None and "spoke1 did not reach another hub" in (failure.get("message") or "")
    error = next(s for s in root.findall("testsuite") if s.get("name") == "csr-17.3").find("testcase/error")
    assert error is not None and "failed to start" in (error.text or "")


def test_junit_classnames_keep_row_names_whole_for_ci_readers(outputs: dict[str, Any]) -> None:
    root = ET.parse(outputs["paths"].junit).getroot()
    classnames = {case.get("classname") for case in root.iter("testcase")}
    assert "flexlab.certify.iol-17_12-dpd-bug" in classnames
    assert all((name or "").count(".") == 2 for name in classnames)  # package flexlab.certify, class = row


def test_junit_classnames_stay_unique() -> None:
    rows = [synthetic_row(name) for name in ("a.b", "a_b", "a.b-2")]
    assert junit_classnames(rows) == ["flexlab.certify.a_b", "flexlab.certify.a_b-2", "flexlab.certify.a_b-2-2"]


def synthetic_row(name: str) -> RowResult:
    return RowResult(name=name, lab="embedded", kind=None, image=name, failure_modes=["freeze"], iterations=1)
