"""The embedded-lab path of the runner with a real embedded lab and a stand-in job."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from certify_testkit import StandInJob

from flexlab.certify.job import JobOutcome, JobRequest
from flexlab.certify.matrix import load_matrix
from flexlab.certify.progress import Progress
from flexlab.certify.runner import RunnerOptions, certify
from flexlab.labs.embedded import EmbeddedLab

pytestmark = pytest.mark.slow  # starts real embedded labs (docs/mutation.md)


def embedded_matrix(tmp_path: Path) -> Path:
    path = tmp_path / "matrix.yaml"
    path.write_text(yaml.safe_dump({"rows": [
        {"name": "first", "lab": "embedded", "image": "iosv-15.9", "time_scale": 50},
        {"name": "second", "lab": "embedded", "image": "iol-17.12", "time_scale": 50},
    ]}))
    return path


@dataclass
class RecordingJob(StandInJob):
    """Notes which embedded lab each job ran on (and checks it was up)."""

    labs_seen: list[str] = field(default_factory=list)

    def __call__(self, request: JobRequest, progress: Progress) -> JobOutcome:
        settings = yaml.safe_load(request.testbed.read_text())["testbed"]["custom"]["flexlab"]
        self.labs_seen.append(settings["name"])
        assert EmbeddedLab(settings["name"]).is_up()
        assert settings["image"] == {"first": "iosv-15.9", "second": "iol-17.12"}[request.testbed.parent.name]
        return super().__call__(request, progress)


def test_each_row_gets_its_own_lab_which_is_down_afterwards(tmp_path: Path) -> None:
    job = RecordingJob()
    run = certify(load_matrix(embedded_matrix(tmp_path)),
                  RunnerOptions(out_dir=tmp_path / "out", job_runner=job, progress=Progress(stream=io.StringIO())))
    assert [row.verdict for row in run.rows] == ["PASS", "PASS"]
    assert len(set(job.labs_seen)) == 2
    assert not any(EmbeddedLab(name).is_up() for name in job.labs_seen)
    assert (tmp_path / "out" / "rows" / "first" / "embedded-lab.log").exists()
    state = tmp_path / "state"
    assert not state.exists() or list(state.iterdir()) == []


def test_ctrl_c_during_the_job_stops_the_embedded_lab(tmp_path: Path) -> None:
    job = RecordingJob(raise_on_call=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        certify(load_matrix(embedded_matrix(tmp_path)),
                RunnerOptions(out_dir=tmp_path / "out", job_runner=job, progress=Progress(stream=io.StringIO())))
    assert len(job.labs_seen) == 1  # the second row never started
    assert not EmbeddedLab(job.labs_seen[0]).is_up()
    state = tmp_path / "state"
    assert not state.exists() or list(state.iterdir()) == []
