"""Matrix files: the shipped ones load; broken ones fail with a clear message before
anything is deployed (the stand-in containerlab records no deploy)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml
from certify_testkit import subcommands

from flexlab.certify.matrix import MatrixError, embedded_images, load_matrix
from flexlab.cli import main
from flexlab.failure import FAILURE_MODES
from flexlab.packaged import CONTAINERLAB_MATRIX, EMBEDDED_MATRIX

PROJECT = Path(__file__).resolve().parents[2]
GOOD_ROW = "{name: ok, lab: containerlab, kind: cisco_iol, image: vrnetlab/cisco_iol:17.12.01}"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "matrix.yaml"
    path.write_text(text)
    return path


def test_shipped_containerlab_matrix_covers_the_real_images() -> None:
    matrix = load_matrix(CONTAINERLAB_MATRIX)
    assert {row.lab for row in matrix.rows} == {"containerlab"}
    assert {row.kind for row in matrix.rows} == {"cisco_iol", "cisco_vios", "cisco_csr1000v"}
    assert all(row.image.startswith("vrnetlab/") for row in matrix.rows)


def test_shipped_embedded_matrix_is_small_and_holds_the_defective_image() -> None:
    matrix = load_matrix(EMBEDDED_MATRIX)
    images = [row.image for row in matrix.rows]
    assert "iol-17.12-dpd-bug" in images and len(images) >= 2
    # the project's three target platforms, as the embedded lab plays them
    assert {row.kind for row in matrix.rows} == {"cisco_iol", "cisco_vios", "cisco_csr1000v"}
    assert {"iol-17.12", "iosv-15.9", "csr-17.3"} <= set(images)
    for row in matrix.rows:
        assert row.lab == "embedded" and row.time_scale == 50 and row.iterations == 1
        assert row.failure_modes == ("interface-shutdown",) and row.hubs == ("hub1",)
        assert row.image in embedded_images()


def test_defaults_fill_rows_and_rows_override_them(tmp_path: Path) -> None:
    matrix = load_matrix(write(tmp_path, """
defaults: {lab: containerlab, kind: cisco_iol, iterations: 3, failure_modes: [interface-shutdown, freeze]}
rows:
  - {name: a, image: img-a}
  - {name: b, image: img-b, kind: cisco_csr1000v, iterations: 1}
"""))
    a, b = matrix.rows
    assert (a.kind, a.iterations, a.failure_modes) == ("cisco_iol", 3, ("interface-shutdown", "freeze"))
    assert (b.kind, b.iterations) == ("cisco_csr1000v", 1)
    assert a.ready_timeout == 900.0  # the containerlab default
    assert matrix.name == "matrix"  # the file name when the matrix has none


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("{name: x, lab: containerlab, kind: cisco_foo, image: i}", "unknown kind 'cisco_foo'; supported kinds: cisco_iol"),
        ("{name: x, lab: containerlab, kind: cisco_iol}", "row 2 ('x'): missing required field 'image'"),
        ("{name: x, lab: containerlab, kind: cisco_iol, image: '  '}", "image must not be blank"),
        ("{name: x, lab: containerlab, image: i}", "a containerlab row needs 'kind'"),
        ("{name: x, lab: embedded, image: iol-99}", "unknown embedded-lab image 'iol-99'; available: iol-17.12"),
        ("{name: x, lab: docker, image: i}", "unknown lab type 'docker'; use one of containerlab, embedded"),
        ("{name: x, lab: containerlab, kind: cisco_iol, image: i, failure_modes: [meteor]}",
         "unknown failure mode 'meteor'; known modes: " + ", ".join(FAILURE_MODES)),
        ("{name: x, lab: containerlab, kind: cisco_iol, image: i, iterations: 0}", "iterations"),
        ("{name: x, lab: containerlab, kind: cisco_iol, image: i, imgae: j}", "unknown field 'imgae'"),
        ("{name: x, lab: containerlab, kind: cisco_iol, image: i, time_scale: 5}", "time_scale applies to the embedded lab only"),
        ("{name: x, lab: containerlab, kind: cisco_iol, image: i, hubs: [hub9]}", "row 'x': unknown hub(s) hub9"),
        ("{name: 'a/b', lab: containerlab, kind: cisco_iol, image: i}", "row name 'a/b' must be"),
    ],
)
def test_bad_row_is_named_with_its_problem(tmp_path: Path, row: str, expected: str) -> None:
    path = write(tmp_path, f"rows:\n  - {GOOD_ROW}\n  - {row}\n")
    with pytest.raises(MatrixError) as caught:
        load_matrix(path)
    message = str(caught.value)
    assert f"matrix {path} is invalid" in message
    assert expected in message
    assert "row 1" not in message  # the good row is not blamed


def test_duplicate_names_and_every_problem_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, f"""
rows:
  - {GOOD_ROW}
  - {{name: ok, lab: containerlab, kind: cisco_iol, image: other}}
  - {{name: y, lab: containerlab, kind: cisco_nope, image: i}}
""")
    with pytest.raises(MatrixError) as caught:
        load_matrix(path)
    message = str(caught.value)
    assert "duplicate row name 'ok' (rows 1 and 2)" in message
    assert "row 3 ('y'): kind: unknown kind 'cisco_nope'" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rows: [", "is not valid YAML at line"),
        ("- a\n- b\n", "must be a YAML mapping with 'rows'"),
        ("name: x\n", "'rows' must be a non-empty list"),
        (f"rows: [{GOOD_ROW}]\nrow: []\n", "unknown top-level key(s) row"),
        (f"defaults: {{name: d}}\nrows: [{GOOD_ROW}]\n", "'defaults' cannot set 'name'"),
        ("rows: [3]\n", "row 1: must be a mapping of fields, got int"),
    ],
)
def test_malformed_file(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(MatrixError, match=None) as caught:
        load_matrix(write(tmp_path, text))
    assert expected in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MatrixError, match="cannot read matrix .*nope.yaml"):
        load_matrix(tmp_path / "nope.yaml")


def test_select_rows(tmp_path: Path) -> None:
    matrix = load_matrix(write(tmp_path, f"rows:\n  - {GOOD_ROW}\n  - {{name: two, lab: embedded, image: iol-17.12}}\n"))
    assert [row.name for row in matrix.select(["two"]).rows] == ["two"]
    with pytest.raises(MatrixError, match="no row named 'three'"):
        matrix.select(["three"])


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("{name: b, lab: containerlab, kind: cisco_bogus, image: i}", "unknown kind 'cisco_bogus'"),
        ("{name: b, lab: containerlab, kind: cisco_iol}", "missing required field 'image'"),
        ("{name: ok, lab: containerlab, kind: cisco_iol, image: again}", "duplicate row name 'ok'"),
    ],
)
def test_certify_refuses_a_bad_matrix_before_deploying(
    tmp_path: Path, fake_clab: Path, lab_secrets: None, capsys: pytest.CaptureFixture[str], row: str, expected: str
) -> None:
    """The first row is valid and would be deployed; the bad second row stops everything."""
    path = write(tmp_path, f"rows:\n  - {GOOD_ROW}\n  - {row}\n")
    code = main(["certify", "--matrix", str(path), "--out", str(tmp_path / "out"), "--history", str(tmp_path / "h.db")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("flexlab: error: matrix") and expected in err
    assert "Traceback" not in err
    assert "deploy" not in subcommands(fake_clab)
    assert not (tmp_path / "out").exists() and not (tmp_path / "h.db").exists()


def test_certify_refuses_to_start_without_the_secrets_and_deploys_nothing(
    tmp_path: Path, fake_clab: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("FLEXLAB_PSK", "FLEXLAB_USERNAME", "FLEXLAB_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    path = write(tmp_path, f"rows:\n  - {GOOD_ROW}\n")
    code = main(["certify", "--matrix", str(path), "--out", str(tmp_path / "out"), "--no-history"])
    assert code == 2
    err = capsys.readouterr().err
    assert "nothing was deployed" in err
    assert "FLEXLAB_PSK" in err and "FLEXLAB_USERNAME and FLEXLAB_PASSWORD" in err
    assert "deploy" not in subcommands(fake_clab)


def test_certify_refuses_to_start_without_containerlab(
    tmp_path: Path, lab_secrets: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLEXLAB_CONTAINERLAB", str(tmp_path / "no-such-containerlab"))
    path = write(tmp_path, f"rows:\n  - {GOOD_ROW}\n")
    assert main(["certify", "--matrix", str(path), "--out", str(tmp_path / "out"), "--no-history"]) == 2
    assert "executable not found on PATH" in capsys.readouterr().err


def _flexlab_command(workflow: dict, job: str, subcommand: str) -> list[str]:
    """The words of the workflow job's `flexlab <subcommand>` line (continuations joined)."""
    scripts = [step.get("run", "") for step in workflow["jobs"][job]["steps"]]
    joined = [script.replace("\\\n", " ") for script in scripts]
    line = next(line for script in joined for line in script.splitlines() if f"flexlab {subcommand}" in line)
    for variable, value in {'"$MATRIX"': "src/flexlab/data/matrices/matrix.yaml", '"$SHARD"': "2/3",
                            '"$OUT"': "reports/shard-2"}.items():
        line = line.replace(variable, value)
    words = shlex.split(line.split("||")[0])
    return words[words.index("flexlab") + 1 if "flexlab" in words else 1:]


def test_example_workflow_calls_certify_and_merge_with_options_the_cli_accepts() -> None:
    """The scheduled workflow is not run by CI: at least keep its command lines valid."""
    from flexlab.cli import build_parser

    workflow = yaml.safe_load((PROJECT / ".github" / "workflows" / "nightly.yml").read_text())
    certify = build_parser().parse_args(_flexlab_command(workflow, "certify", "certify"))
    assert certify.func.__name__ == "run_certify" and certify.shard == "2/3"
    assert load_matrix(PROJECT / certify.matrix).name == "containerlab"
    merge = build_parser().parse_args(_flexlab_command(workflow, "merge", "certify merge"))
    assert merge.func.__name__ == "run_merge" and merge.trend and merge.history
    assert workflow["jobs"]["merge"]["needs"] == "certify"
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as a boolean
    assert triggers["schedule"][0]["cron"]
