"""merge_run_files reads each run record through the model: a malformed one is one line
naming the file and the field, and no report is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flexlab.harness.job_report import merge_run_files
from flexlab.results.versioning import ResultFileError

RUN = {"schema_version": "1.0", "lab": {"type": "embedded"}, "images": {"hub1": "17.12.1"}, "clock_method": "ntp",
       "run": {"hub": "hub1", "failure_mode": "interface-shutdown", "testcases": {"Baseline": "passed"},
               "spokes": [{"hub": "hub1", "spoke": "spoke1", "from_peer": "192.0.2.1", "failover_s": 61.088,
                           "bound": {"value_s": 70.0, "formula": "T + I + (N+1)*R + S", "terms": {"R": 5.0}}}]}}


def write_run(report_dir: Path, name: str, data: object) -> Path:
    runs = report_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    path = runs / name
    path.write_text(json.dumps(data))
    return path


def test_a_valid_run_record_becomes_the_report(tmp_path: Path) -> None:
    write_run(tmp_path, "hub1-1.json", RUN)
    merge_run_files(tmp_path)
    report = json.loads((tmp_path / "failover_report.json").read_text())
    assert report["schema_version"] == "1.0"
    assert report["runs"][0]["spokes"][0]["bound"] == {"value_s": 70.0, "formula": "T + I + (N+1)*R + S",
                                                       "terms": {"R": 5.0}}
    assert report["failover_s"]["max"] == 61.088


@pytest.mark.parametrize(("change", "message"), [
    ({"schema_version": "3.1"}, "field schema_version: found '3.1', supported 1.x (1.0)"),
    ({"run": {**RUN["run"], "testcases": {"Baseline": "great"}}},  # type: ignore[dict-item]
     "field run.testcases.Baseline: Input should be 'passed', 'failed'"),
    ({"run": {"hub": "hub1"}}, "field run.failure_mode: Field required"),
])
def test_a_malformed_run_record_is_one_line(tmp_path: Path, change: dict[str, object], message: str) -> None:
    path = write_run(tmp_path, "hub1-1.json", {**RUN, **change})
    with pytest.raises(ResultFileError) as raised:
        merge_run_files(tmp_path)
    assert str(raised.value).startswith(f"{path}: {message}") and "\n" not in str(raised.value), str(raised.value)
    assert not (tmp_path / "failover_report.json").exists()
