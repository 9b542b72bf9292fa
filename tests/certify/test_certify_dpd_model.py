"""The matrix declares a DPD model per row; the row's job gets --dpd-model; summary.json,
report.md and report.html carry the declared model, whether it was measured, and the
schedule observed on the wire."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from certify_testkit import StandInJob, StandInLab

from flexlab.certify import runner
from flexlab.certify.job import JobOutcome, JobRequest, job_command
from flexlab.certify.matrix import MatrixError, load_matrix
from flexlab.certify.outputs import write_outputs
from flexlab.certify.progress import Progress
from flexlab.dpd_model import model_file_text, parse_model
from flexlab.harness.report import FailoverReport

OBSERVED = "probe at +18.2 s, retransmitted at +5, +10, +20 s (3 retransmissions), next peer 100.64.0.6 at +76.0 s"


def _matrix(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "matrix.yaml"
    path.write_text(yaml.safe_dump({"name": "dpd", "defaults": {"lab": "embedded", "image": "iol-17.12",
                                                               "hubs": ["hub1"]}, "rows": rows}))
    return path


def test_rows_declare_models_by_name_inline_or_file(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    measured = parse_model("name=cal,retransmits=3,backoff=exponential,measured=true,source=calibrate run")
    (tmp_path / "models" / "iol.yaml").write_text(model_file_text(measured))
    matrix = load_matrix(_matrix(tmp_path, [
        {"name": "default"}, {"name": "named", "dpd_model": "ios-fixed-3"},
        {"name": "inline", "dpd_model": {"retransmits": 4, "backoff": "exponential", "factor": 1.5}},
        {"name": "file", "dpd_model": "models/iol.yaml"},
    ]))
    rows = {row.name: row for row in matrix.rows}
    assert rows["default"].dpd_model_arg(tmp_path) == ""
    assert rows["named"].dpd_model_arg(tmp_path) == "ios-fixed-3"
    assert parse_model(rows["inline"].dpd_model_arg(tmp_path)).waits_s(4) == [4, 6, 9, 13.5, 20.25]
    assert rows["file"].dpd_model_arg(tmp_path) == str(tmp_path / "models" / "iol.yaml")
    assert rows["file"].declared_dpd_model(tmp_path) == measured


def test_bad_models_are_named_with_their_row(tmp_path: Path) -> None:
    path = _matrix(tmp_path, [{"name": "a", "dpd_model": "retransmits=many"},
                              {"name": "b", "dpd_model": {"backoff": "linear"}},
                              {"name": "c", "dpd_model": "missing.yaml"}])
    with pytest.raises(MatrixError) as caught:
        load_matrix(path)
    text = str(caught.value)
    assert "row 'a': dpd_model: retransmits='many' is not a number" in text
    assert "row 'b': dpd_model: backoff='linear' must be one of fixed, exponential" in text
    assert f"row 'c': dpd_model: model file {tmp_path / 'missing.yaml'} not found" in text


def test_job_command_carries_the_declared_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEXLAB_PYATS", "pyats")
    request = JobRequest(testbed=tmp_path / "tb.yaml", report_dir=tmp_path, archive_dir=tmp_path, log_path=tmp_path / "l",
                         failure_mode="interface-shutdown", iterations=1, timeout_s=10, dpd_model="retransmits=3")
    command = job_command(request)
    assert command[command.index("--dpd-model") + 1] == "retransmits=3"


class ScheduleJob(StandInJob):
    """The stand-in job's report (the real testscript on a recording, which has no capture),
    with the schedule the real job would have observed on the wire and found different."""

    def __call__(self, request: JobRequest, progress: Progress) -> JobOutcome:
        outcome = super().__call__(request, progress)
        path = request.report_dir / "failover_report.json"
        report = FailoverReport.from_dict(json.loads(path.read_text()))
        assert report.dpd_model == parse_model(request.dpd_model).to_record()  # the job declared the row's model
        for run in report.runs:
            run.testcases["DpdSchedule"] = "failed"
            for spoke in run.spokes:
                spoke.schedule, spoke.schedule_result = {"text": OBSERVED}, "failed"
                spoke.schedule_note = "spoke1: observed DPD schedule does not match the declared model"
        report.write(request.report_dir)
        return JobOutcome(exit_code=1, duration_s=outcome.duration_s, command=outcome.command)


def test_outputs_carry_declared_model_measurement_and_observed_schedule(tmp_path: Path, monkeypatch) -> None:
    matrix = load_matrix(_matrix(tmp_path, [{"name": "r1", "dpd_model": "ios-fixed-3"}]))
    monkeypatch.setattr(runner, "make_row_lab", lambda m, i, row, options: StandInLab(
        row.image, runner.rows_dir(options.out_dir) / row.name, ""))
    job = ScheduleJob()
    run = runner.certify(matrix, runner.RunnerOptions(out_dir=tmp_path / "out", job_runner=job,
                                                      progress=Progress(stream=io.StringIO())))
    assert [r.dpd_model for r in job.requests] == ["ios-fixed-3"]
    paths = write_outputs(run, tmp_path / "report")
    [row] = json.loads(paths.summary.read_text())["rows"]
    assert row["verdict"] == "FAIL", json.dumps(row)
    assert row["dpd_model"]["declared"]["retransmits"] == 3
    assert row["dpd_model"]["declared_from"] == "assumed, not measured on this image"
    assert row["dpd_model"]["observed"] == [OBSERVED] and row["dpd_model"]["differed"] == 1
    assert row["dpd_model"]["measured"] is False
    for path in (paths.report_md, paths.report_html):
        text = path.read_text()
        assert "ios-fixed-3: N=3, fixed, periodic=idle" in text and OBSERVED in text
        assert "DIFFERS on 1 spoke(s)" in text


def test_row_states_the_clock_method_of_each_failure_mode(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "modes.yaml"
    path.write_text(yaml.safe_dump({"name": "m", "defaults": {"lab": "embedded", "image": "iol-17.12", "hubs": ["hub1"]},
                                    "rows": [{"name": "r", "failure_modes": ["interface-shutdown", "node-stop"]}]}))
    monkeypatch.setattr(runner, "make_row_lab", lambda m, i, row, options: StandInLab(
        row.image, runner.rows_dir(options.out_dir) / row.name, ""))
    run = runner.certify(load_matrix(path), runner.RunnerOptions(out_dir=tmp_path / "out", job_runner=StandInJob(),
                                                                 progress=Progress(stream=io.StringIO())))
    # the hub logs its own interface shutdown (NTP-synchronised logs); a stopped hub cannot,
    # so node-stop is timed from the harness clock carried over with `show clock` offsets
    interface_shutdown, node_stop = run.rows[0].clock_method.split("; ")
    assert interface_shutdown.startswith("interface-shutdown: NTP-synchronised device clocks")
    assert node_stop.startswith("node-stop: offset-corrected: the harness clock at the lab's failure call")
