"""Helpers for the certify tests: a stand-in job runner that runs the real testscript on
recorded device outputs, a stand-in SSH server, and the stand-in containerlab's call log."""

from __future__ import annotations

import base64
import json
import socket
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from flexlab.certify.job import JobOutcome, JobRequest
from flexlab.certify.outputs import SUMMARY_COLUMNS
from flexlab.certify.progress import Progress
from flexlab.harness.job_report import merge_run_files
from flexlab.results.certify import CertifyRun

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
RECORDED = FIXTURES / "recorded"
CLAB_BIN = HERE / "bin"
FAKE_PYATS = HERE / "fake_pyats.py"
INSPECT_SAMPLE = FIXTURES / "inspect-0.68-flexvpn-iol.json"
TESTCASES = ("Baseline", "HubFailure", "Failover", "BgpConvergence", "Recovery")
#: The stand_in_certify fixture: certify() with stand-in labs and job (see conftest.py).
StandInCertify = Callable[..., CertifyRun]
for _helpers in (RECORDED, FIXTURES):
    if str(_helpers) not in sys.path:
        sys.path.insert(0, str(_helpers))

from recorded_lab import playback, run_testscript, scenarios  # noqa: E402
from sshbanner import BannerServer  # noqa: E402,F401 - tests/fixtures

#: What a row's lab does when neither its image nor the test names a recording.
DEFAULT_BEHAVIOUR = "iol-17.12"
#: Device seconds per wall second of the playback: a spoke that never moves is given up
#: after 2 x the 70 s bound = 0.14 wall seconds.
PLAYBACK_TIME_SCALE = 1000.0
_TESTSCRIPT_RUNS: dict[tuple[str, str, str, int, str], tuple[str, dict[str, Any]]] = {}
_TESTSCRIPT_LOCK = threading.Lock()


def recorded_testscript_run(scenario: str, hub: str, failure_mode: str, iteration: int,
                            image: str, dpd_model: str = "") -> tuple[str, dict[str, Any]]:
    """The failover testscript, run in-process on one recording (flexlab's own job code
    decides every verdict): (aetest result, run file). Memoised: the same inputs give
    the same verdicts, and each run costs about a second."""
    key = (scenario, hub, failure_mode, iteration, image, dpd_model)
    with _TESTSCRIPT_LOCK:   # rows certified in parallel threads: aetest's in-process testscript is one module
        if key in _TESTSCRIPT_RUNS:
            return _TESTSCRIPT_RUNS[key]
        with tempfile.TemporaryDirectory() as scratch:
            testbed, lab = playback(scenario, time_scale=PLAYBACK_TIME_SCALE, image=image)
            _TESTSCRIPT_RUNS[key] = run_testscript(testbed, lab, Path(scratch), hub=hub, failure_mode=failure_mode,
                                                   iteration=iteration, dpd_model=dpd_model)
    return _TESTSCRIPT_RUNS[key]


def run_recorded_job(scenario: str, image: str, report_dir: Path, failure_mode: str,
                     hubs: tuple[str, ...], iterations: int, dpd_model: str = "") -> bool:
    """What src/flexlab/job/flexvpn_failover_job.py does, on a recording: one testscript
    run per iteration and hub, then the merged failover report. True when every run passed."""
    runs = report_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    passed = True
    for iteration in range(1, iterations + 1):
        for hub in hubs:
            result, payload = recorded_testscript_run(scenario, hub, failure_mode, iteration, image, dpd_model)
            (runs / f"{hub}-{iteration}.json").write_text(json.dumps(payload))
            passed = passed and result == "passed"
    merge_run_files(report_dir)
    return passed


def testbed_image(testbed: Path) -> str:
    return str(yaml.safe_load(testbed.read_text())["testbed"]["custom"]["flexlab"]["image"])


@dataclass
class StandInJob:
    """Runs the real failover testscript in-process on the embedded lab's recorded outputs
    instead of `pyats run job`. The row's lab shows the recording of its image (the embedded
    images were recorded), or the one ``behaves_like`` names for the row (a containerlab
    row's image never was), else DEFAULT_BEHAVIOUR. Verdicts come from the job's code."""

    behaves_like: dict[str, str] = field(default_factory=dict)     # row name -> recording
    raise_on_call: BaseException | None = None
    requests: list[JobRequest] = field(default_factory=list)

    def __call__(self, request: JobRequest, progress: Progress) -> JobOutcome:
        self.requests.append(request)
        if self.raise_on_call is not None:
            raise self.raise_on_call
        image = testbed_image(request.testbed)
        row = request.testbed.parent.name
        scenario = self.behaves_like.get(row) or (image if image in scenarios() else DEFAULT_BEHAVIOUR)
        passed = run_recorded_job(scenario, image, request.report_dir, request.failure_mode,
                                  request.hubs or ("hub1", "hub2"), request.iterations, request.dpd_model)
        request.archive_dir.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(request.archive_dir / "flexvpn_failover_job.2025Jan01_00:00:00.000000.zip", "w") as archive:
            archive.writestr("results.json", json.dumps({"passed": passed}))
        request.log_path.write_text(f"stand-in job: testscript on the recording {scenario}\n")
        return JobOutcome(exit_code=0 if passed else 1, duration_s=0.5, command=["stand-in"])


def clab_calls(argv_file: Path) -> list[list[str]]:
    if not argv_file.exists():
        return []
    return [line.split("\t") for line in argv_file.read_text().splitlines()]


def subcommands(argv_file: Path) -> list[str]:
    return [call[0] for call in clab_calls(argv_file)]


def inspect_sample_at(host: str, path: Path) -> Path:
    """The captured inspect sample with every management address replaced by ``host``."""
    data = json.loads(INSPECT_SAMPLE.read_text())
    for containers in data.values():
        for container in containers:
            container["ipv4_address"] = f"{host}/24"
    path.write_text(json.dumps(data))
    return path


def unused_port() -> int:
    """A port nothing listens on (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class StandInLab:
    """A row lab that deploys nothing: writes a testbed naming the row's image."""

    image: str
    work_dir: Path
    fail_up: str = ""
    fail_down: str = ""
    events: list[str] = field(default_factory=list)

    def prepare(self) -> None:
        self.events.append("prepare")

    def up(self, progress: Progress) -> Path:
        self.events.append("up")
        if self.fail_up:
            raise RuntimeError(self.fail_up)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        path = self.work_dir / "testbed.yaml"
        path.write_text(yaml.safe_dump({"testbed": {"custom": {"flexlab": {"image": self.image}}}, "devices": {}}))
        return path

    def down(self) -> None:
        self.events.append("down")
        if self.fail_down:
            raise RuntimeError(self.fail_down)


# --- reading the outputs back ------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JUNIT_CASE_CHILDREN = {"failure", "error", "skipped", "system-out", "system-err", "properties"}


def fmt3(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def expected_cells(row: dict[str, Any]) -> dict[str, str]:
    """The summary-table cells, computed from summary.json alone."""
    failover, bound, bgp = row["failover_s"] or {}, row["dpd_bound_s"] or {}, row["bgp_converged_s"] or {}
    outage = row["outage_s"] or {}
    return {
        "name": row["name"], "image": row["image"], "version": row["version"] or "-", "verdict": row["verdict"],
        "failover_median": fmt3(failover.get("median")), "failover_p95": fmt3(failover.get("p95")),
        "failover_max": fmt3(failover.get("max")), "bound": fmt3(bound.get("min")),
        "bgp_median": fmt3(bgp.get("median")), "outage_max": fmt3(outage.get("max")), "failed_checks": "; ".join(row["failed_checks"]) or "-",
    }


class SummaryTable(HTMLParser):
    """Cells of <tr data-row> / <td data-field>, the summary table of report.html; images' src."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self.checks: dict[str, dict[str, str]] = {}
        self.sources: list[str] = []
        self.links: list[str] = []
        self._row: str | None = None
        self._field: str | None = None
        self._table_row: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._table_row = a.get("data-row")
        if tag == "tr" and "data-row" in a:
            self._row = a["data-row"]
            self.rows[self._row or ""] = {}
        if tag == "tr" and "data-check" in a and self._table_row:
            self.checks.setdefault(self._table_row, {})[a["data-check"] or ""] = a["data-status"] or ""
        if tag == "td" and self._row and "data-field" in a:
            self._field = a["data-field"]
            self.rows[self._row][self._field or ""] = ""
        if tag == "img":
            self.sources.append(a.get("src") or "")
        if tag in ("link", "script") or (tag == "a" and a.get("href")):
            self.links.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._field = None
        if tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row and self._field:
            self.rows[self._row][self._field] += data


def markdown_summary(text: str) -> dict[str, dict[str, str]]:
    """The first table after '## Summary' (contiguous '|' lines)."""
    lines = text.split("## Summary", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    keys = {v: k for k, v in SUMMARY_COLUMNS.items()}
    rows = {}
    for line in table[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        row = {keys[h]: c for h, c in zip(header, cells, strict=True)}
        rows[row["name"]] = row
    return rows


def assert_valid_junit(path: Path, summary: dict[str, Any]) -> None:
    """The JUnit structure CI readers expect, and the same checks and verdicts as summary.json."""
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == [row["name"] for row in summary["rows"]]
    seen: set[tuple[str, str]] = set()
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite, row in zip(suites, summary["rows"], strict=True):
        cases = suite.findall("testcase")
        assert set(child.tag for child in suite) <= {"properties", "testcase", "system-out", "system-err"}
        counts = {
            "tests": len(cases),
            "failures": sum(case.find("failure") is not None for case in cases),
            "errors": sum(case.find("error") is not None for case in cases),
            "skipped": sum(case.find("skipped") is not None for case in cases),
        }
        for key, value in counts.items():
            assert int(suite.get(key, "-1")) == value, key
            totals[key] += value
        float(suite.get("time", "x"))
        assert suite.get("timestamp") and "+" not in suite.get("timestamp", "")
        properties = {p.get("name"): p.get("value") for p in suite.find("properties") or []}
        assert properties["verdict"] == row["verdict"]
        assert properties == expected_cells(row)
        for case in cases:
            key = (case.get("classname") or "", case.get("name") or "")
            assert all(key) and key not in seen, key
            seen.add(key)
            assert float(case.get("time", "x")) >= 0
            assert len(case) <= 1 and set(child.tag for child in case) <= JUNIT_CASE_CHILDREN
            for child in case:
                assert child.get("message")
        assert [case.get("name") for case in cases] == [c["name"] for c in row["checks"]]
        failing = [case.get("name") for case in cases if case.find("failure") is not None or case.find("error") is not None]
        assert failing == row["failed_checks"]
    for key, value in totals.items():
        assert int(root.get(key, "-1")) == value, key
    assert float(root.get("time", "x")) >= 0


def assert_outputs_agree(out_dir: Path) -> dict[str, Any]:
    """All five outputs exist and show the same verdicts and figures; returns summary.json."""
    names = ("summary.json", "report.md", "report.html", "junit.xml", "failover.png")
    for name in names:
        assert (out_dir / name).stat().st_size > 0, name
    summary = json.loads((out_dir / "summary.json").read_text())
    expected = {row["name"]: expected_cells(row) for row in summary["rows"]}
    assert markdown_summary((out_dir / "report.md").read_text()) == expected
    html = SummaryTable()
    html.feed((out_dir / "report.html").read_text())
    assert html.rows == expected
    for row in summary["rows"]:
        assert html.checks[row["name"]] == {c["name"]: c["status"] for c in row["checks"]}
    assert html.links == [] and len(html.sources) == 1
    assert base64.b64decode(html.sources[0].split(",", 1)[1]) == (out_dir / "failover.png").read_bytes()
    assert (out_dir / "failover.png").read_bytes().startswith(PNG_SIGNATURE)
    assert_valid_junit(out_dir / "junit.xml", summary)
    return summary
