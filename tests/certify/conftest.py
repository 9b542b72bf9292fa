"""Fixtures for the flexlab.certify tests."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from certify_testkit import CLAB_BIN, BannerServer, StandInCertify, StandInJob, StandInLab

from flexlab.certify import runner
from flexlab.certify.matrix import load_matrix
from flexlab.certify.progress import Progress
from flexlab.labs import clab
from flexlab.results.certify import CertifyRun

#: The embedded matrix's images; the stand-ins decide what happens to each.
EMBEDDED_ROWS = ("iol-17.12", "iosv-15.9", "iol-17.12-dpd-bug", "csr-17.3")


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """History and embedded-lab state never touch the user's directories."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("FLEXLAB_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def fake_clab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The stand-in containerlab first on PATH; returns the file its calls are logged to."""
    argv_file = tmp_path / "containerlab.argv"
    monkeypatch.setenv("PATH", f"{CLAB_BIN}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CLAB_ARGV_FILE", str(argv_file))
    monkeypatch.delenv(clab.CONTAINERLAB_ENV, raising=False)
    for name in ("FAKE_CLAB_INSPECT", "FAKE_CLAB_FAIL", "FAKE_CLAB_HANG"):
        monkeypatch.delenv(name, raising=False)
    return argv_file


@pytest.fixture
def lab_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test-only values for the secrets a containerlab row needs (never a real key)."""
    monkeypatch.setenv("FLEXLAB_PSK", "certify-test-psk")
    monkeypatch.setenv("FLEXLAB_USERNAME", "certify-test-user")
    monkeypatch.setenv("FLEXLAB_PASSWORD", "certify-test-password")


@pytest.fixture
def banner_server() -> Iterator[BannerServer]:
    server = BannerServer()
    yield server
    server.close()



@pytest.fixture
def stand_in_certify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StandInCertify:
    """certify() over embedded-image rows with stand-in labs and job: each row's job runs the
    real testscript on its image's recording (iol-17.12-dpd-bug fails its Failover check),
    ``broken`` images fail to come up, ``stuck`` images fail to go down."""
    counter = iter(range(1, 1000))

    def run(rows: tuple[str, ...] = EMBEDDED_ROWS, broken: frozenset[str] = frozenset(),
            stuck: frozenset[str] = frozenset(), matrix_name: str = "embedded", hubs: tuple[str, ...] = ("hub1",)) -> CertifyRun:
        number = next(counter)
        path = tmp_path / f"matrix-{number}.yaml"
        path.write_text(yaml.safe_dump({
            "name": matrix_name, "defaults": {"lab": "embedded", "hubs": list(hubs)},
            "rows": [{"name": image, "image": image} for image in rows],
        }))
        matrix = load_matrix(path)
        out_dir = tmp_path / f"out-{number}"

        def make_lab(matrix, index, row, options):  # noqa: ANN001 - same signature as runner.make_row_lab
            fail_up = f"embedded lab {row.image!r} failed to start" if row.image in broken else ""
            fail_down = f"embedded lab {row.image!r} did not stop" if row.image in stuck else ""
            return StandInLab(row.image, runner.rows_dir(options.out_dir) / row.name, fail_up, fail_down)

        monkeypatch.setattr(runner, "make_row_lab", make_lab)
        options = runner.RunnerOptions(out_dir=out_dir, job_runner=StandInJob(),
                                       progress=Progress(stream=io.StringIO()))
        return runner.certify(matrix, options)

    return run
