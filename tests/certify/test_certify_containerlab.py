"""The containerlab path of `flexlab certify`, against a stand-in containerlab executable
(records its calls, answers `inspect` with a captured sample) and a stand-in job runner."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from certify_testkit import (
    BannerServer,
    StandInJob,
    clab_calls,
    inspect_sample_at,
    subcommands,
    unused_port,
)

from flexlab.certify.matrix import load_matrix
from flexlab.certify.progress import Progress
from flexlab.certify.runner import PreflightError, RunnerOptions, certify
from flexlab.design import load_design

PROJECT = Path(__file__).resolve().parents[2]
NODES = [node.name for node in load_design().plan().nodes]


def matrix_file(tmp_path: Path, rows: list[dict], **defaults: object) -> Path:
    path = tmp_path / "matrix.yaml"
    path.write_text(yaml.safe_dump({
        "name": "clab-test",
        "defaults": {"lab": "containerlab", "kind": "cisco_iol", "ready_timeout_s": 5, **defaults},
        "rows": rows,
    }))
    return path


def options(tmp_path: Path, job: StandInJob, port: int, stream: io.StringIO | None = None) -> RunnerOptions:
    return RunnerOptions(out_dir=tmp_path / "out", job_runner=job, progress=Progress(stream=stream or io.StringIO()),
                         ssh_port=port, ssh_interval_s=0.1)


@pytest.fixture
def inspect_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_clab: Path) -> Path:
    """`inspect` answers the captured sample, management addresses on 127.0.0.1."""
    sample = inspect_sample_at("127.0.0.1", tmp_path / "inspect.json")
    monkeypatch.setenv("FAKE_CLAB_INSPECT", str(sample))
    return sample


def test_each_row_is_deployed_inspected_tested_and_destroyed_in_order(
    tmp_path: Path, fake_clab: Path, inspect_local: Path, lab_secrets: None, banner_server: BannerServer
) -> None:
    rows = [{"name": "iol-a", "image": "registry.example/iol:17.12.01"},
            {"name": "iol-b", "image": "registry.example/iol:17.15.01", "failure_modes": ["interface-shutdown", "freeze"]}]
    job = StandInJob()
    run = certify(load_matrix(matrix_file(tmp_path, rows)), options(tmp_path, job, banner_server.port))

    topologies = [tmp_path / "out" / "rows" / name / "topology.clab.yml" for name in ("iol-a", "iol-b")]
    expected = [["version", "--json"]] * 2   # preflight: each row's lab checks the release
    for topology in topologies:
        expected += [
            ["deploy", "-t", str(topology), "--reconfigure"],
            ["inspect", "-t", str(topology), "--format", "json"],
            ["destroy", "-t", str(topology), "--cleanup"],
        ]
    assert clab_calls(fake_clab) == expected
    assert banner_server.connections >= len(NODES) * 2  # every node probed, for each row

    # Each row's topology pins its image; the job ran once per failure mode, on that row's testbed.
    for topology, row in zip(topologies, rows, strict=True):
        doc = yaml.safe_load(topology.read_text())
        assert doc["topology"]["defaults"]["image"] == row["image"]
        assert doc["name"] == f"flexlab-cert-{row['name']}"
        configs = topology.parent / "configs" / "cisco_iol"
        assert sorted(p.name for p in configs.iterdir()) == sorted(f"{n}.partial.cfg" for n in NODES)
    assert [(r.testbed.parent.name, r.failure_mode) for r in job.requests] == [
        ("iol-a", "interface-shutdown"), ("iol-b", "interface-shutdown"), ("iol-b", "freeze"),
    ]
    testbed = yaml.safe_load(job.requests[0].testbed.read_text())  # as `flexlab testbed` writes it
    settings = testbed["testbed"]["custom"]["flexlab"]
    assert (settings["lab"], settings["kind"], settings["topology"]) == ("containerlab", "cisco_iol", str(topologies[0]))
    assert {name: d["custom"]["role"] for name, d in testbed["devices"].items()} == {
        "isp": "isp", "hub1": "hub", "hub2": "hub", "spoke1": "spoke", "spoke2": "spoke",
    }
    assert testbed["devices"]["hub1"]["connections"]["cli"]["ip"] == "127.0.0.1"

    assert [row.verdict for row in run.rows] == ["PASS", "PASS"]
    assert [c.name for c in run.rows[0].checks][:2] == ["lab up", "job (interface-shutdown)"]
    assert run.rows[0].checks[-1].name == "lab down"
    assert run.rows[1].archives and all(Path(a).exists() for a in run.rows[1].archives)


def test_ssh_wait_times_out_naming_the_nodes_and_the_lab_is_destroyed(
    tmp_path: Path, fake_clab: Path, inspect_local: Path, lab_secrets: None, banner_server: BannerServer
) -> None:
    """Nothing listens on the SSH port: the row errors naming every node, its lab is
    destroyed and no job runs for it."""
    silent_port = unused_port()
    rows = [{"name": "silent", "image": "img:1", "ready_timeout_s": 0.6}, {"name": "next", "image": "img:2"}]
    job = StandInJob()
    matrix = load_matrix(matrix_file(tmp_path, rows))
    run = certify(matrix.select(["silent"]), options(tmp_path, job, silent_port))
    silent = run.rows[0]
    assert silent.verdict == "ERROR"
    lab_up = silent.checks[0]
    assert (lab_up.name, lab_up.status) == ("lab up", "errored")
    assert "did not answer SSH within 0.6 s" in lab_up.message
    for node in NODES:
        assert f"{node} (127.0.0.1:{silent_port})" in lab_up.message
    assert subcommands(fake_clab) == ["version", "deploy", "inspect", "destroy"]
    assert job.requests == []
    assert silent.checks[-1].name == "lab down" and silent.checks[-1].status == "passed"


def test_a_failing_row_does_not_stop_the_matrix(
    tmp_path: Path, fake_clab: Path, inspect_local: Path, lab_secrets: None, banner_server: BannerServer
) -> None:
    rows = [{"name": "slow", "image": "img:slow", "ready_timeout_s": 0.5}, {"name": "fine", "image": "img:fine"}]
    matrix = load_matrix(matrix_file(tmp_path, rows))
    job = StandInJob()
    # Row "slow" probes a silent port, row "fine" the banner server: swap the port between rows.
    opts = options(tmp_path, job, unused_port())
    labs_up: list[str] = []
    from flexlab.labs.containerlab_backend import ContainerlabBackend

    real_up = ContainerlabBackend.up

    def up(self: ContainerlabBackend, progress: Progress) -> Path:
        row = self.name.removeprefix("flexlab-cert-")
        labs_up.append(row)
        if row == "fine":
            self.ssh_port = banner_server.port
        return real_up(self, progress)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ContainerlabBackend, "up", up)
        run = certify(matrix, opts)
    assert labs_up == ["slow", "fine"]
    assert [row.verdict for row in run.rows] == ["ERROR", "PASS"]
    # preflight: each row's lab checks the release; then row by row
    assert subcommands(fake_clab) == ["version"] * 2 + ["deploy", "inspect", "destroy"] * 2


def test_failed_deploy_is_cleaned_up(
    tmp_path: Path, fake_clab: Path, inspect_local: Path, lab_secrets: None, monkeypatch: pytest.MonkeyPatch,
    banner_server: BannerServer,
) -> None:
    monkeypatch.setenv("FAKE_CLAB_FAIL", "deploy")
    job = StandInJob()
    run = certify(load_matrix(matrix_file(tmp_path, [{"name": "r", "image": "img:1"}])),
                  options(tmp_path, job, banner_server.port))
    row = run.rows[0]
    assert row.verdict == "ERROR"
    assert row.checks[0].status == "errored" and "simulated deploy failure" in row.checks[0].message
    # containerlab may have created some containers before failing: destroy anyway.
    assert subcommands(fake_clab) == ["version", "deploy", "destroy"]
    assert job.requests == []


def test_failing_destroy_is_reported(
    tmp_path: Path, fake_clab: Path, inspect_local: Path, lab_secrets: None, monkeypatch: pytest.MonkeyPatch,
    banner_server: BannerServer,
) -> None:
    monkeypatch.setenv("FAKE_CLAB_FAIL", "destroy")
    run = certify(load_matrix(matrix_file(tmp_path, [{"name": "r", "image": "img:1"}])),
                  options(tmp_path, StandInJob(), banner_server.port))
    down = run.rows[0].checks[-1]
    assert (down.name, down.status) == ("lab down", "errored")
    assert "simulated destroy failure" in down.message
    assert run.rows[0].verdict == "ERROR"  # the tests passed, but the lab is left behind


def test_job_failures_make_the_row_fail_with_the_check_named(
    tmp_path: Path, fake_clab: Path, inspect_local: Path, lab_secrets: None, banner_server: BannerServer
) -> None:
    rows = [{"name": "good", "image": "img:good"}, {"name": "bad", "image": "img:bad"}]
    job = StandInJob(behaves_like={"bad": "iol-17.12-dpd-bug"})
    run = certify(load_matrix(matrix_file(tmp_path, rows, hubs=["hub1"])), options(tmp_path, job, banner_server.port))
    good, bad = run.rows
    assert good.verdict == "PASS" and good.failed_checks == []
    assert bad.verdict == "FAIL"
    assert bad.failed_checks == ["Failover (interface-shutdown, hub1, iteration 1)"]
    failover = next(c for c in bad.checks if c.name.startswith("Failover"))
    assert "spoke1 did not reach another hub" in failover.message
    blocked = next(c for c in bad.checks if c.name.startswith("BgpConvergence"))
    assert blocked.status == "skipped"
    assert job.requests[0].hubs == ("hub1",)
    assert subcommands(fake_clab).count("destroy") == 2


def test_ctrl_c_during_the_job_destroys_the_lab_and_stops(
    tmp_path: Path, fake_clab: Path, inspect_local: Path, lab_secrets: None, banner_server: BannerServer
) -> None:
    rows = [{"name": "first", "image": "img:1"}, {"name": "second", "image": "img:2"}]
    job = StandInJob(raise_on_call=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        certify(load_matrix(matrix_file(tmp_path, rows)), options(tmp_path, job, banner_server.port))
    assert subcommands(fake_clab) == ["version", "version", "deploy", "inspect", "destroy"]
    assert len(job.requests) == 1  # the second row never started


@pytest.mark.slow  # a real `flexlab certify` process (docs/mutation.md)
def test_sigint_to_flexlab_certify_during_deploy_destroys_the_lab(
    tmp_path: Path, fake_clab: Path, inspect_local: Path, lab_secrets: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real Ctrl-C (SIGINT) to a running `flexlab certify` while containerlab deploys."""
    monkeypatch.setenv("FAKE_CLAB_HANG", "deploy")
    path = matrix_file(tmp_path, [{"name": "r", "image": "img:1"}, {"name": "s", "image": "img:2"}])
    command = [str(Path(sys.executable).with_name("flexlab")), "certify", "--matrix", str(path), "--out", str(tmp_path / "out"),
               "--no-history"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT)
    try:
        deadline = time.monotonic() + 30
        while "deploy" not in subcommands(fake_clab):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "certify never reached the deploy"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert "interrupted" in err
    topology = tmp_path / "out" / "rows" / "r" / "topology.clab.yml"
    assert clab_calls(fake_clab)[-1] == ["destroy", "-t", str(topology), "--cleanup"]
    assert subcommands(fake_clab) == ["version", "version", "deploy", "destroy"]  # row "s" never deployed


def test_progress_of_the_ssh_wait_goes_to_stderr_stream(
    tmp_path: Path, fake_clab: Path, inspect_local: Path, lab_secrets: None, banner_server: BannerServer
) -> None:
    stream = io.StringIO()
    certify(load_matrix(matrix_file(tmp_path, [{"name": "r", "image": "img:1"}])),
            options(tmp_path, StandInJob(), banner_server.port, stream))
    text = stream.getvalue()
    assert f"waiting for SSH: {len(NODES)}/{len(NODES)} nodes answer" in text
    states = [line.split(": ", 1)[1].split()[0] for line in text.splitlines() if line.startswith("[1/1] r: ")]
    assert states == ["queued", "deploying", "running", "destroying", "done"]
    assert "[1/1] r: done" in text and text.rstrip().endswith("PASS")
    assert "\033[" not in text  # not a terminal: no colours, no cursor control


def test_too_old_containerlab_is_refused_before_anything_is_deployed(
    tmp_path: Path, fake_clab: Path, lab_secrets: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # cisco_vios needs containerlab >= 0.72 and node-stop needs >= 0.75 (facts.md section 6)
    monkeypatch.setenv("FAKE_CLAB_VERSION", "0.71.2")
    rows = [{"name": "vios", "kind": "cisco_vios", "image": "vios:1", "failure_modes": ["node-stop"]}]
    with pytest.raises(PreflightError) as caught:
        certify(load_matrix(matrix_file(tmp_path, rows)), options(tmp_path, StandInJob(), unused_port()))
    message = str(caught.value)
    assert "containerlab 0.71.2 is too old for cisco_vios: it needs >= 0.72" in message
    assert "has no `stop/start --node` (failure mode node-stop): it needs >= 0.75" in message
    assert subcommands(fake_clab) == ["version"]
