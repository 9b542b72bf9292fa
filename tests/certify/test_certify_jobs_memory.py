"""`--jobs` with containerlab rows: two rows run at once only when their memory estimates
(5 nodes x 1024 MiB for cisco_iol, flexlab.certify.capacity) fit in the free memory."""

from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from certify_testkit import StandInJob, StandInLab

from flexlab.certify import runner
from flexlab.certify.matrix import load_matrix
from flexlab.certify.progress import Progress

#: One cisco_iol row of the default design: isp, 2 hubs, 2 spokes at 1024 MiB (by hand).
IOL_ROW_MIB = 5 * 1024.0


@dataclass
class Timeline:
    """When each row's lab was up: (row, up, down) in monotonic seconds."""

    spans: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def overlapped(self) -> bool:
        (a_up, a_down), (b_up, b_down) = self.spans.values()
        return a_up < b_down and b_up < a_down


@dataclass
class TimedLab(StandInLab):
    timeline: Timeline = field(default_factory=Timeline)

    def up(self, progress: Progress) -> Path:
        with self.timeline.lock:
            self.timeline.spans[self.image] = [time.monotonic(), 0.0]
        time.sleep(0.3)    # a deploy that takes a while, so a second row could start meanwhile
        return super().up(progress)

    def down(self) -> None:
        super().down()
        with self.timeline.lock:
            self.timeline.spans[self.image][1] = time.monotonic()


def certify_two_iol_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, free_mib: float) -> Timeline:
    path = tmp_path / "matrix.yaml"
    path.write_text(yaml.safe_dump({
        "name": "clab-jobs", "defaults": {"lab": "containerlab", "kind": "cisco_iol", "hubs": ["hub1"]},
        "rows": [{"name": "a", "image": "iol-17.12"}, {"name": "b", "image": "iosv-15.9"}],
    }))
    timeline = Timeline()
    monkeypatch.setattr(runner, "make_row_lab", lambda m, i, row, options: TimedLab(
        row.image, runner.rows_dir(options.out_dir) / row.name, timeline=timeline))
    monkeypatch.setattr(runner, "available_memory_mib", lambda: free_mib)
    options = runner.RunnerOptions(out_dir=tmp_path / f"out-{free_mib:g}", job_runner=StandInJob(), jobs=2,
                                   progress=Progress(stream=io.StringIO()))
    run = runner.certify(load_matrix(path), options)
    assert [row.name for row in run.rows] == ["a", "b"] and all(row.verdict == "PASS" for row in run.rows)
    return timeline


def test_rows_that_fit_together_overlap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_clab: Path,
                                        lab_secrets: None) -> None:
    assert certify_two_iol_rows(tmp_path, monkeypatch, free_mib=2 * IOL_ROW_MIB).overlapped()


def test_rows_that_do_not_fit_together_run_one_after_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_clab: Path, lab_secrets: None
) -> None:
    assert not certify_two_iol_rows(tmp_path, monkeypatch, free_mib=2 * IOL_ROW_MIB - 1).overlapped()


def test_containerlab_rows_get_management_addresses_of_their_own(tmp_path: Path, lab_secrets: None) -> None:
    path = tmp_path / "matrix.yaml"
    path.write_text(yaml.safe_dump({
        "name": "clab-addresses", "defaults": {"lab": "containerlab", "kind": "cisco_iol"},
        "rows": [{"name": "a", "image": "i:1"}, {"name": "e", "image": "iol-17.12", "lab": "embedded"},
                 {"name": "b", "image": "i:2", "spokes": 4}, {"name": "c", "image": "i:3"}],
    }))
    matrix = load_matrix(path)
    # By hand: a has 5 nodes from .11; the embedded row takes none; b (7 nodes) from .16; c from .23.
    assert [runner.mgmt_first_host(matrix, i) for i in (1, 3, 4)] == [11, 16, 23]
    options = runner.RunnerOptions(out_dir=tmp_path / "out")
    taken: list[set[str]] = []
    for index in (1, 3, 4):
        lab = runner.make_row_lab(matrix, index, matrix.rows[index - 1], options)
        topology = lab.rendered.write()   # type: ignore[attr-defined]  # what prepare() writes before its tool checks
        nodes = yaml.safe_load(topology.read_text())["topology"]["nodes"]
        taken.append({node["mgmt-ipv4"] for node in nodes.values()})
    assert [len(addresses) for addresses in taken] == [5, 7, 5]
    assert not (taken[0] & taken[1]) and not (taken[1] & taken[2]) and not (taken[0] & taken[2])
    assert "172.20.30.11" in taken[0] and "172.20.30.27" in taken[2]
