"""`flexlab init DIR`: the starter project a user edits (design, matrix, testbed, README),
its refusals, and `flexlab paths` (where the shipped job is)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from flexlab.certify.matrix import load_matrix
from flexlab.cli import main

STARTER = {"design.yaml", "matrix.yaml", "testbed.yaml", "README.md"}
#: The embedded lab's documented fallback PSK: never written into a project file.
LAB_PSK = "flexlab-lab-psk"


@pytest.fixture
def strict_umask():
    """Modes must come from flexlab, not from the umask (0077 would give 0600)."""
    old = os.umask(0o077)
    yield
    os.umask(old)


def test_init_writes_the_starter_files_world_readable_without_secrets(tmp_path: Path, strict_umask, capsys) -> None:
    project = tmp_path / "new" / "proj"
    assert main(["init", str(project)]) == 0
    assert {p.name for p in project.iterdir()} == STARTER
    for path in project.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
        assert LAB_PSK not in path.read_text(), path
    assert "FLEXLAB_PSK" in (project / "design.yaml").read_text()   # the secret is named, not written
    readme = (project / "README.md").read_text()
    for command in ("flexlab demo", "flexlab render --design design.yaml", "flexlab certify --matrix matrix.yaml"):
        assert command in readme
    assert "next: cd" in capsys.readouterr().out


def test_the_starter_matrix_certifies_against_the_project_design(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "proj")]) == 0
    matrix = load_matrix(tmp_path / "proj" / "matrix.yaml")
    assert matrix.design == (tmp_path / "proj" / "design.yaml").resolve()
    assert [row.name for row in matrix.rows] == ["iol-17.12", "iosv-15.9", "iol-17.12-dpd-bug", "csr-17.3"]
    assert {row.lab for row in matrix.rows} == {"embedded"}


def test_an_edited_starter_design_drives_the_rendered_configs(tmp_path: Path, monkeypatch) -> None:
    project = tmp_path / "proj"
    assert main(["init", str(project)]) == 0
    design = project / "design.yaml"
    text = design.read_text()
    assert "  interval: 30\n" in text
    design.write_text(text.replace("  interval: 30\n", "  interval: 20\n"))   # the user's edit
    monkeypatch.chdir(project)
    assert main(["render", "--design", "design.yaml", "--kind", "cisco_iol", "--out", "configs/cisco_iol",
                 "--secrets", "redacted"]) == 0
    rendered = project / "configs" / "cisco_iol"
    assert sorted(p.name for p in rendered.iterdir()) == ["hub1.cfg", "hub2.cfg", "isp.cfg", "spoke1.cfg", "spoke2.cfg"]
    assert "crypto ikev2 dpd 20 5 on-demand" in (rendered / "spoke1.cfg").read_text()


def test_a_non_empty_directory_is_refused_in_one_line_and_left_alone(tmp_path: Path, capsys) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "design.yaml").write_text("mine\n")
    assert main(["init", str(project)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(project) in err and "--force" in err
    assert [p.name for p in project.iterdir()] == ["design.yaml"]
    assert (project / "design.yaml").read_text() == "mine\n"


def test_force_overwrites_the_starter_files_and_keeps_the_others(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "design.yaml").write_text("mine\n")
    (project / "notes.txt").write_text("keep\n")
    assert main(["init", "--force", str(project)]) == 0
    assert {p.name for p in project.iterdir()} == STARTER | {"notes.txt"}
    assert (project / "notes.txt").read_text() == "keep\n"
    assert "bgp_as: 65001" in (project / "design.yaml").read_text()


def test_a_file_in_place_of_the_directory_is_refused(tmp_path: Path, capsys) -> None:
    target = tmp_path / "proj"
    target.write_text("x")
    assert main(["init", "--force", str(target)]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_paths_names_the_shipped_job(capsys) -> None:
    assert main(["paths", "job"]) == 0
    job = Path(capsys.readouterr().out.strip())
    assert job.name == "flexvpn_failover_job.py" and job.is_file()
    assert (job.parent / "flexvpn_failover.py").is_file()   # the job runs its testscript from beside it
