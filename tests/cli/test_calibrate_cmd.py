"""`flexlab calibrate` with a stand-in pyats: the job it runs, the model file it writes,
and one-line errors for what cannot be calibrated."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from flexlab.cli import main
from flexlab.dpd_model import parse_model

STAND_IN = Path(__file__).resolve().parent / "calibrate_pyats.py"


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLEXLAB_PYATS", f"{sys.executable} {STAND_IN}")
    monkeypatch.setenv("STAND_IN_ARGV_FILE", str(tmp_path / "argv.json"))
    testbed = tmp_path / "testbed.yaml"
    testbed.write_text("testbed: {name: t}\n")
    return testbed


def test_writes_the_observed_model_as_a_file_the_job_accepts(
    stand_in: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("STAND_IN_SPACINGS", "5,10,20")
    out = tmp_path / "models" / "iol.yaml"
    assert main(["calibrate", "--testbed-file", str(stand_in), "-o", str(out), "--hub", "hub2"]) == 0
    argv = json.loads((tmp_path / "argv.json").read_text())
    assert argv[argv.index("--hubs") + 1] == "hub2" and argv[argv.index("--testbed-file") + 1] == str(stand_in)
    model = parse_model(str(out))
    assert (model.retransmits, model.backoff, model.factor, model.measured) == (3, "exponential", 2.0, True)
    assert model.name == "calibrated-cisco_iol-17.12.01"
    assert "on the containerlab lab" in yaml.safe_load(out.read_text())["dpd_model"]["source"]
    printed = capsys.readouterr().out
    assert "spoke1 (from hub1): probe at +12.5 s, retransmitted at +5, +10, +20 s" in printed


def test_a_lab_without_capture_is_one_line_and_exit_2(stand_in: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("STAND_IN_SPACINGS", "")
    assert main(["calibrate", "--testbed-file", str(stand_in), "-o", str(tmp_path / "m.yaml")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.endswith("spoke1: no capture: spoke1: tcpdump not found") and "\n" not in error
    assert not (tmp_path / "m.yaml").exists()


def test_a_report_of_another_major_version_is_one_line_and_exit_2(
        stand_in: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("STAND_IN_SPACINGS", "5,10,20")
    monkeypatch.setenv("STAND_IN_SCHEMA_VERSION", "2.0")
    assert main(["calibrate", "--testbed-file", str(stand_in), "-o", str(tmp_path / "m.yaml")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.endswith("failover_report.json: field schema_version: found '2.0', supported 1.x (1.0)"), error
    assert "\n" not in error and not (tmp_path / "m.yaml").exists()


def test_missing_testbed(tmp_path: Path, capsys) -> None:
    assert main(["calibrate", "--testbed-file", str(tmp_path / "no.yaml"), "-o", str(tmp_path / "m.yaml")]) == 2
    assert "testbed file" in capsys.readouterr().err
