"""The committed JSON schemas equal the models' ones; every field is documented; another
major schema version is refused with one line; the testcase statuses are aetest's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyats import results as aetest_results

from flexlab.results import schema
from flexlab.results.certify import CertifyRun
from flexlab.results.job import JobReportDocument, RunRecord, TestcaseStatus
from flexlab.results.versioning import ResultFileError, load_document

SCHEMAS = Path(schema.__file__).parent / "schemas"


@pytest.mark.parametrize("name", sorted(schema.DOCUMENTS))
def test_committed_schema_equals_the_generated_one(name: str) -> None:
    committed = json.loads((SCHEMAS / name).read_text())
    assert committed == schema.generated(schema.DOCUMENTS[name]), (
        f"{SCHEMAS / name} is stale: regenerate with python -m flexlab.results.schema (make schemas)")


def test_check_mode_names_a_stale_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert schema.main(["--dir", str(tmp_path)]) == 0
    assert schema.main(["--dir", str(tmp_path), "--check"]) == 0
    (tmp_path / "summary.schema.json").write_text("{}\n")
    capsys.readouterr()
    assert schema.main(["--dir", str(tmp_path), "--check"]) == 1
    assert "summary.schema.json; regenerate with python -m flexlab.results.schema" in capsys.readouterr().err


def _undocumented(node: Any, where: str) -> list[str]:
    """Properties without a description, anywhere in a schema."""
    found = []
    if isinstance(node, dict):
        for key, value in (node.get("properties") or {}).items():
            described = "description" in value or ("$ref" in value and len(value) == 1) or any(
                "$ref" in option for option in value.get("anyOf", []))
            if not described:
                found.append(f"{where}.{key}")
        for key, value in node.items():
            found += _undocumented(value, f"{where}.{key}" if key != "properties" else where)
    elif isinstance(node, list):
        for item in node:
            found += _undocumented(item, where)
    return found


@pytest.mark.parametrize("name", sorted(schema.DOCUMENTS))
def test_every_field_is_documented(name: str) -> None:
    assert _undocumented(schema.generated(schema.DOCUMENTS[name]), name) == []


@pytest.mark.parametrize(("model", "minimal"), [
    (JobReportDocument, {"lab": {}, "images": {}, "clock_method": "", "passed": True}),
    (RunRecord, {"run": {"hub": "hub1", "failure_mode": "node-stop"}, "lab": {}}),
    (CertifyRun, {"matrix": {"name": "m", "path": "/m.yaml"}, "out_dir": "/o", "started_at": "t"}),
])
def test_another_major_version_is_refused_with_one_line(tmp_path: Path, model: type, minimal: dict[str, Any]) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({**minimal, "schema_version": "1.7"}))
    assert load_document(path, model).schema_version == "1.7"          # a newer minor only adds fields
    path.write_text(json.dumps({**minimal, "schema_version": "2.0"}))
    with pytest.raises(ResultFileError) as raised:
        load_document(path, model)
    assert str(raised.value) == f"{path}: field schema_version: found '2.0', supported 1.x (1.0)"
    path.write_text(json.dumps(minimal))                                # no version: the current one is assumed
    assert load_document(path, model).schema_version == "1.0"


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ResultFileError, match=r"^.*nowhere.json: not found$"):
        load_document(tmp_path / "nowhere.json", CertifyRun)


def test_testcase_statuses_are_aetests_results_and_the_jobs_own() -> None:
    aetest = {str(getattr(aetest_results, name)) for name in
              ("Passed", "Failed", "Errored", "Skipped", "Blocked", "Aborted", "Passx")}
    assert {status.value for status in TestcaseStatus} == aetest | {"deferred", "not run"}
