"""A containerlab run end to end through the one Lab interface, against the stand-in
executables (tests/fixtures/bin): prepare (version), up (deploy, inspect, SSH banners,
testbed), fail and restore in each lab-made mode, down (destroy). The expected commands are
derived by hand from the committed IOL topology (container names clab-flexvpn-iol-<node>;
hub1's links: eth1 to isp:eth1, eth2 to hub2:eth2) and the captured inspect sample."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from clab_standins import IOL_TOPOLOGY, NODES, BannerServer, StandIns, netem, set_up

from flexlab.cli import main
from flexlab.failure import LAB_FAILURE_MODES, FailureMode
from flexlab.labs.base import LabError
from flexlab.labs.containerlab_backend import ContainerlabBackend
from flexlab.labs.interface import Lab
from flexlab.labs.session import open_lab

TOPO = str(IOL_TOPOLOGY)
HUB1, HUB2, ISP = (f"clab-flexvpn-iol-{node}" for node in ("hub1", "hub2", "isp"))

#: What each lab-made mode runs to fail hub1, then to restore it.
MODE_COMMANDS: dict[str, tuple[list[list[str]], list[list[str]]]] = {
    "node-stop": ([["stop", "-t", TOPO, "--node", "hub1"]], [["start", "-t", TOPO, "--node", "hub1"]]),
    "freeze": ([["pause", HUB1]], [["unpause", HUB1]]),
    "blackhole": ([netem(HUB1, "eth1", 100), netem(ISP, "eth1", 100),
                   netem(HUB1, "eth2", 100), netem(HUB2, "eth2", 100)],
                  [netem(HUB1, "eth1", 0), netem(ISP, "eth1", 0), netem(HUB1, "eth2", 0), netem(HUB2, "eth2", 0)]),
}


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIns]:
    banner = BannerServer()
    yield set_up(tmp_path, monkeypatch, banner)
    banner.close()


def backend(stand_ins: StandIns, tmp_path: Path) -> ContainerlabBackend:
    return ContainerlabBackend(IOL_TOPOLOGY, testbed_path=tmp_path / "testbed.yaml", failure_modes=LAB_FAILURE_MODES,
                               ssh_port=stand_ins.banner.port, ssh_interval_s=0.05, ready_timeout_s=20)


def test_a_containerlab_run_end_to_end_through_the_lab_interface(stand_ins: StandIns, tmp_path: Path) -> None:
    lab: Lab = backend(stand_ins, tmp_path)
    assert isinstance(lab, Lab)
    lab.prepare()                        # containerlab version --json: 0.79.0 does cisco_iol and node-stop
    stand_ins.answer_inspect()
    testbed_path = lab.up()
    stand_ins.answer_nothing()
    assert stand_ins.banner.connections >= len(NODES)   # every node's SSH banner was read

    testbed = yaml.safe_load(testbed_path.read_text())
    assert testbed_path.stat().st_mode & 0o777 == 0o600
    assert set(testbed["devices"]) == set(NODES)
    assert {d["connections"]["cli"]["ip"] for d in testbed["devices"].values()} == {"127.0.0.1"}
    assert testbed["devices"]["hub1"]["custom"]["container"] == HUB1
    assert testbed["testbed"]["custom"]["flexlab"] == {
        "lab": "containerlab", "name": "flexvpn-iol", "kind": "cisco_iol", "image": "vrnetlab/cisco_iol:17.12.01",
        "topology": TOPO}

    for mode in LAB_FAILURE_MODES:
        lab.fail("hub1", FailureMode(mode))
        assert lab.is_failed("hub1") is True
        lab.restore("hub1")              # the mode is the one this object failed it with
        assert lab.is_failed("hub1") is None
    assert lab.gone() is None and lab.truth() is None and lab.boot_errors() == {}
    lab.down()

    expected = [["version", "--json"], ["deploy", "-t", TOPO, "--reconfigure"],
                ["inspect", "-t", TOPO, "--format", "json"]]
    for mode in ("node-stop", "freeze", "blackhole"):
        expected += MODE_COMMANDS[mode][0] + MODE_COMMANDS[mode][1]
    expected.append(["destroy", "-t", TOPO, "--cleanup"])
    assert stand_ins.calls() == expected


def test_the_testbed_up_writes_leads_the_job_back_to_the_same_lab(stand_ins: StandIns, tmp_path: Path) -> None:
    """The job reads the written testbed (custom.flexlab) and fails and restores through it."""
    stand_ins.answer_inspect()
    written = yaml.safe_load(backend(stand_ins, tmp_path).up().read_text())
    stand_ins.answer_nothing()
    session = open_lab(SimpleNamespace(custom=written["testbed"]["custom"], devices={}))
    assert session.lab.describe()["instance"] == "containerlab-flexvpn-iol"
    session.lab.fail("hub2", FailureMode.NODE_STOP)
    session.lab.restore("hub2", FailureMode.NODE_STOP)
    session.close()                      # the job did not deploy it: no destroy
    assert stand_ins.calls()[-2:] == [["stop", "-t", TOPO, "--node", "hub2"], ["start", "-t", TOPO, "--node", "hub2"]]


@pytest.mark.parametrize("mode", LAB_FAILURE_MODES)
def test_a_refused_failure_leaves_nothing_failed(mode: str, stand_ins: StandIns, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Without root containerlab refuses (its own message); docker fails as told."""
    monkeypatch.setenv("FAKE_CLAB_EUID", "1000")
    monkeypatch.setenv("FAKE_DOCKER_EXIT", "1")
    monkeypatch.setenv("FAKE_DOCKER_STDERR", "Error response from daemon: No such container: " + HUB1)
    lab = backend(stand_ins, tmp_path)
    with pytest.raises(LabError, match=r"cannot fail hub1 by " + mode + r": .*(requires root|No such container)"):
        lab.fail("hub1", FailureMode(mode))
    assert lab.is_failed("hub1") is None


def test_interface_shutdown_is_not_a_containerlab_failure(stand_ins: StandIns, tmp_path: Path) -> None:
    with pytest.raises(LabError, match="not one a containerlab lab does"):
        backend(stand_ins, tmp_path).fail("hub1", FailureMode.INTERFACE_SHUTDOWN)
    assert stand_ins.calls() == []


def test_prepare_names_an_old_release_and_a_missing_login(stand_ins: StandIns, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_CLAB_VERSION", "0.74.1")
    monkeypatch.delenv("FLEXLAB_PASSWORD")
    with pytest.raises(LabError) as raised:
        backend(stand_ins, tmp_path).prepare()
    assert "containerlab 0.74.1 has no `stop/start --node`" in str(raised.value)
    assert "set FLEXLAB_PASSWORD" in str(raised.value)
    assert stand_ins.calls() == [["version", "--json"]]   # nothing deployed


def test_up_refuses_an_inspect_that_misses_a_node(stand_ins: StandIns, tmp_path: Path) -> None:
    stand_ins.answer_inspect()
    sample = json.loads(stand_ins.inspect_file.read_text())
    sample["flexvpn-iol"] = [c for c in sample["flexvpn-iol"] if not c["name"].endswith("-spoke2")]
    stand_ins.inspect_file.write_text(json.dumps(sample))
    with pytest.raises(LabError, match="does not list node.s. spoke2 of lab flexvpn-iol"):
        backend(stand_ins, tmp_path).up()


def test_cli_fails_and_restores_a_containerlab_node(stand_ins: StandIns, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "fail", "hub1", "--mode", "freeze", "--lab", TOPO]) == 0
    assert main(["lab", "restore", "hub1", "--mode", "freeze", "--lab", TOPO]) == 0
    out = capsys.readouterr().out
    assert "hub1 failed (freeze)" in out and "hub1 restored" in out
    assert stand_ins.calls() == MODE_COMMANDS["freeze"][0] + MODE_COMMANDS["freeze"][1]


def test_cli_names_a_missing_topology_in_one_line(stand_ins: StandIns, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "fail", "hub1", "--mode", "node-stop", "--lab", str(tmp_path / "gone.clab.yml")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cannot read containerlab topology" in err and "gone.clab.yml" in err
    assert stand_ins.calls() == []
