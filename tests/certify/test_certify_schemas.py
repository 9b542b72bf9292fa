"""What `flexlab certify` writes validates against the committed schemas: summary.json, and
each row's job outputs (failover_report.json, runs/*.json), written by the real failover
testscript running in-process on the embedded images' recordings (certify_testkit.StandInJob)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jsonschema
import pytest
from certify_testkit import StandInJob, StandInLab

from flexlab.certify import runner
from flexlab.cli import certify_cmd, main
from flexlab.packaged import EMBEDDED_MATRIX
from flexlab.results.schema import committed


def test_certify_outputs_validate_against_the_committed_schemas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def make_lab(matrix, index, row, options):  # noqa: ANN001 - same signature as runner.make_row_lab
        return StandInLab(row.image, runner.rows_dir(options.out_dir) / row.name)

    monkeypatch.setattr(runner, "make_row_lab", make_lab)
    monkeypatch.setattr(certify_cmd, "RunnerOptions", functools.partial(runner.RunnerOptions, job_runner=StandInJob()))
    out = tmp_path / "out"
    # a passing image and the defective one (its Failover fails): both branches of the documents
    assert main(["certify", "--matrix", str(EMBEDDED_MATRIX), "--rows", "iosv-15.9,iol-17.12-dpd-bug",
                 "--out", str(out), "--no-history"]) == 1
    summary = json.loads((out / "summary.json").read_text())
    jsonschema.validate(summary, committed("summary.schema.json"))
    assert [row["verdict"] for row in summary["rows"]] == ["PASS", "FAIL"]
    reports = sorted(out.glob("rows/*/*/failover_report.json"))
    run_files = sorted(out.glob("rows/*/*/runs/*.json"))
    assert len(reports) == 2 and len(run_files) >= 2
    for path in reports:
        jsonschema.validate(json.loads(path.read_text()), committed("failover_report.schema.json"))
    for path in run_files:
        jsonschema.validate(json.loads(path.read_text()), committed("run_record.schema.json"))
    # the schema can fail: a row without its verdict is not a summary.json row
    del summary["rows"][0]["verdict"]
    with pytest.raises(jsonschema.ValidationError, match="'verdict' is a required property"):
        jsonschema.validate(summary, committed("summary.schema.json"))
