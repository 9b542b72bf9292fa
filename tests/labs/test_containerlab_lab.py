"""The containerlab side of the lab facade (flexlab.labs.containerlab), exercised against the
stand-in `containerlab` and `docker` executables in tests/fixtures/bin: both record their
arguments in one file, so a test sees the whole command sequence in order."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from flexlab.failure import FailureMode
from flexlab.labs import clab
from flexlab.labs.base import LabError
from flexlab.labs.containerlab import DOCKER_ENV, ContainerLab, Endpoint, parse_topology
from flexlab.labs.containerlab_backend import ContainerlabBackend
from flexlab.labs.session import open_lab

FAKE_BIN = Path(__file__).parents[1] / "fixtures" / "bin"
IOL_TOPOLOGY = clab.topology_path("cisco_iol", Path(__file__).resolve().parents[2] / clab.TOPOLOGY_DIR)  # the committed topologies/flexvpn-cisco_iol.clab.yml
FAKE_ENV = [f"FAKE_{tool}_{what}" for tool in ("CLAB", "DOCKER") for what in ("STDOUT", "STDERR", "EXIT", "SLEEP")]


@pytest.fixture
def argv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Both stand-ins first on PATH, logging to the same file; returns that file."""
    log = tmp_path / "calls.argv"
    monkeypatch.setenv("PATH", f"{FAKE_BIN}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CLAB_ARGV_FILE", str(log))
    monkeypatch.setenv("FLEXLAB_STATE_DIR", str(tmp_path / "state"))  # the job lab's lock lives there
    monkeypatch.setenv("FAKE_DOCKER_ARGV_FILE", str(log))
    for name in [clab.CONTAINERLAB_ENV, DOCKER_ENV, *FAKE_ENV]:
        monkeypatch.delenv(name, raising=False)
    return log


def calls(argv_file: Path) -> list[list[str]]:
    return [line.split("\t") for line in argv_file.read_text().splitlines()] if argv_file.exists() else []


def netem(container: str, interface: str, loss: int) -> list[str]:
    return ["tools", "netem", "set", "-n", container, "-i", interface, "--loss", str(loss)]


@pytest.fixture
def lab() -> ContainerLab:
    return ContainerLab(IOL_TOPOLOGY)


TOPO = str(IOL_TOPOLOGY)
HUB1 = "clab-flexvpn-iol-hub1"


# --- argv sequences per mode ------------------------------------------------------------

@pytest.mark.parametrize(
    ("mode", "fail_calls", "restore_calls"),
    [
        ("node-stop", [["stop", "-t", TOPO, "--node", "hub1"]], [["start", "-t", TOPO, "--node", "hub1"]]),
        ("freeze", [["pause", HUB1]], [["unpause", HUB1]]),
        (
            "blackhole",
            [netem(HUB1, "eth1", 100), netem("clab-flexvpn-iol-isp", "eth1", 100),
             netem(HUB1, "eth2", 100), netem("clab-flexvpn-iol-hub2", "eth2", 100)],
            [netem(HUB1, "eth1", 0), netem("clab-flexvpn-iol-isp", "eth1", 0),
             netem(HUB1, "eth2", 0), netem("clab-flexvpn-iol-hub2", "eth2", 0)],
        ),
    ],
)
def test_fail_then_restore_runs_exactly_these_commands(
    mode: str, fail_calls: list[list[str]], restore_calls: list[list[str]], lab: ContainerLab, argv_file: Path
) -> None:
    lab.fail("hub1", mode)
    assert calls(argv_file) == fail_calls
    assert lab.failed == {"hub1": mode}
    lab.restore("hub1")
    assert calls(argv_file) == fail_calls + restore_calls
    assert lab.failed == {}


def test_blackhole_of_a_spoke_impairs_its_wan_link_and_the_isp_end(lab: ContainerLab, argv_file: Path) -> None:
    assert lab.blackhole_ends("spoke1") == [Endpoint("spoke1", "eth1"), Endpoint("isp", "eth3")]
    lab.fail("spoke1", "blackhole")
    assert calls(argv_file) == [
        netem("clab-flexvpn-iol-spoke1", "eth1", 100),
        netem("clab-flexvpn-iol-isp", "eth3", 100),
    ]


def test_blackhole_of_a_hub_covers_the_isp_link_and_the_dc_link(lab: ContainerLab) -> None:
    assert [str(end) for end in lab.blackhole_ends("hub1")] == ["hub1:eth1", "isp:eth1", "hub1:eth2", "hub2:eth2"]
    assert [str(end) for end in lab.blackhole_ends("hub2")] == ["hub2:eth1", "isp:eth2", "hub2:eth2", "hub1:eth2"]


def test_restore_with_an_explicit_mode_works_in_a_fresh_object(argv_file: Path) -> None:
    ContainerLab(IOL_TOPOLOGY).restore("hub2", "freeze")
    assert calls(argv_file) == [["unpause", "clab-flexvpn-iol-hub2"]]


def test_docker_command_override_from_the_environment(lab: ContainerLab, argv_file: Path, monkeypatch) -> None:
    monkeypatch.setenv(DOCKER_ENV, "docker --context lab")
    lab.fail("hub2", "freeze")
    assert calls(argv_file) == [["--context", "lab", "pause", "clab-flexvpn-iol-hub2"]]


# --- restore when the mode is unknown (a previous run died mid-failure) -------------------

@pytest.mark.parametrize(
    ("state", "first_calls"),
    [
        ("paused", [["unpause", HUB1]]),
        ("exited", [["start", "-t", TOPO, "--node", "hub1"]]),
        ("running", []),
    ],
)
def test_restore_without_a_known_mode_puts_back_what_any_mode_left(
    state: str, first_calls: list[list[str]], lab: ContainerLab, argv_file: Path, tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "state").write_text(state + "\n")
    monkeypatch.setenv("FAKE_DOCKER_STDOUT", str(tmp_path / "state"))
    lab.restore("hub1")
    resets = [netem(HUB1, "eth1", 0), netem("clab-flexvpn-iol-isp", "eth1", 0),
              netem(HUB1, "eth2", 0), netem("clab-flexvpn-iol-hub2", "eth2", 0)]
    assert calls(argv_file) == [["inspect", "--format", "{{.State.Status}}", HUB1], *first_calls, *resets]


def test_restore_refuses_a_container_in_an_odd_state(
    lab: ContainerLab, argv_file: Path, tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "state").write_text("restarting\n")
    monkeypatch.setenv("FAKE_DOCKER_STDOUT", str(tmp_path / "state"))
    with pytest.raises(LabError, match=r"cannot restore hub1: container clab-flexvpn-iol-hub1 is 'restarting'"):
        lab.restore("hub1")


# --- errors ------------------------------------------------------------------------------

def test_failing_docker_names_the_command_and_its_stderr(lab: ContainerLab, argv_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_DOCKER_EXIT", "1")
    monkeypatch.setenv("FAKE_DOCKER_STDERR", "Error response from daemon: No such container: clab-flexvpn-iol-hub1")
    with pytest.raises(LabError, match=(
        r"cannot fail hub1 by freeze: 'docker pause clab-flexvpn-iol-hub1' failed with exit code 1: "
        r"Error response from daemon: No such container"
    )):
        lab.fail("hub1", "freeze")
    assert lab.failed == {}


def test_failing_containerlab_names_the_command_and_its_stderr(lab: ContainerLab, argv_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_CLAB_EXIT", "1")
    monkeypatch.setenv("FAKE_CLAB_STDERR", "Error: unknown command \"stop\" for \"containerlab\"")
    with pytest.raises(LabError, match=(
        rf"cannot fail hub1 by node-stop: 'containerlab stop -t {TOPO} --node hub1' failed with exit code 1: "
        r"Error: unknown command \"stop\""
    )):
        lab.fail("hub1", "node-stop")


def test_a_blackhole_failing_halfway_resets_the_ends_already_impaired(
    lab: ContainerLab, argv_file: Path, tmp_path: Path, monkeypatch
) -> None:
    """A containerlab that refuses the ISP end: the hub end set before it is reset again."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "containerlab"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"case \"$*\" in *clab-flexvpn-iol-isp*100*) FAKE_CLAB_EXIT=1 FAKE_CLAB_STDERR='netem: no such device' "
        f"exec '{FAKE_BIN / 'containerlab'}' \"$@\";; esac\n"
        f"exec '{FAKE_BIN / 'containerlab'}' \"$@\"\n"
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(LabError, match=r"'containerlab tools netem set -n clab-flexvpn-iol-isp -i eth1 --loss 100' "
                                       r"failed with exit code 1: netem: no such device \(ends reset: hub1:eth1\)"):
        lab.fail("hub1", "blackhole")
    assert calls(argv_file) == [netem(HUB1, "eth1", 100), netem("clab-flexvpn-iol-isp", "eth1", 100),
                                netem(HUB1, "eth1", 0)]
    assert lab.failed == {}


def test_restore_of_a_blackhole_tries_every_end_and_reports_each_failure(
    lab: ContainerLab, argv_file: Path, monkeypatch
) -> None:
    lab.fail("spoke1", "blackhole")
    monkeypatch.setenv("FAKE_CLAB_EXIT", "1")
    monkeypatch.setenv("FAKE_CLAB_STDERR", "cannot find netns")
    with pytest.raises(LabError, match=r"resetting spoke1:eth1 failed: .*cannot find netns; resetting isp:eth3 failed"):
        lab.restore("spoke1")
    assert calls(argv_file)[2:] == [
        netem("clab-flexvpn-iol-spoke1", "eth1", 0),
        netem("clab-flexvpn-iol-isp", "eth3", 0),
    ]
    assert lab.failed == {"spoke1": "blackhole"}  # still failed: the cleanup must try again


@pytest.mark.parametrize(
    ("mode", "tool"), [("freeze", "docker"), ("node-stop", "containerlab"), ("blackhole", "containerlab")]
)
def test_missing_executable_is_a_clear_error(
    mode: str, tool: str, lab: ContainerLab, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: neither tool anywhere
    monkeypatch.delenv(clab.CONTAINERLAB_ENV, raising=False)
    monkeypatch.delenv(DOCKER_ENV, raising=False)
    with pytest.raises(LabError, match=rf"cannot fail hub1 by {mode}: '{tool}' executable not found on PATH"):
        lab.fail("hub1", mode)


def test_docker_timeout_is_reported(argv_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_DOCKER_SLEEP", "30")
    with pytest.raises(LabError, match=r"'docker pause clab-flexvpn-iol-hub1' timed out after 0.5 s"):
        ContainerLab(IOL_TOPOLOGY, command_timeout_s=0.5).fail("hub1", "freeze")


@pytest.mark.parametrize(
    ("node", "mode", "message"),
    [
        ("hub9", "freeze", r"'hub9' is not a container node of .*flexvpn-cisco_iol.clab.yml \(nodes: isp, hub1, hub2"),
        ("hub1", "interface-shutdown", r"failure mode 'interface-shutdown' is not one a containerlab lab does"),
    ],
)
def test_unknown_node_or_mode_runs_nothing(
    node: str, mode: str, message: str, lab: ContainerLab, argv_file: Path
) -> None:
    with pytest.raises(LabError, match=message):
        lab.fail(node, mode)
    assert calls(argv_file) == []


def test_missing_topology_is_named(tmp_path: Path, argv_file: Path) -> None:
    with pytest.raises(LabError, match=r"cannot read containerlab topology .*gone.clab.yml"):
        ContainerLab(tmp_path / "gone.clab.yml").fail("hub1", "freeze")
    with pytest.raises(LabError, match=r"testbed.custom.flexlab.topology"):
        ContainerlabBackend.from_settings({"lab": "containerlab", "name": "flexvpn-iol"}).fail(
            "hub1", FailureMode.FREEZE
        )
    assert calls(argv_file) == []


# --- container names and links from the topology ----------------------------------------

@pytest.mark.parametrize(
    ("prefix_line", "container"),
    [("", "clab-lab1-r1"), ("prefix: ''\n", "r1"), ("prefix: __lab-name\n", "lab1-r1"),
     ("prefix: acme\n", "acme-lab1-r1")],
)
def test_container_names_follow_containerlab_prefix_rules(prefix_line: str, container: str) -> None:
    text = f"name: lab1\n{prefix_line}topology:\n  nodes:\n    r1: {{kind: cisco_iol}}\n"
    assert parse_topology(text, Path("t.clab.yml")).container("r1") == container


def test_env_substitution_extended_links_and_peers_without_a_container(monkeypatch) -> None:
    monkeypatch.setenv("LAB", "")
    monkeypatch.delenv("UNSET_LAB", raising=False)
    text = (
        "name: ${LAB:=dflt}\n"
        "prefix: ${UNSET_LAB-p}\n"
        "topology:\n"
        "  nodes:\n"
        "    r1: {kind: cisco_iol}\n"
        "    r2: {kind: cisco_iol}\n"
        "    br: {kind: bridge}\n"
        "  links:\n"
        "  - type: veth\n"
        "    endpoints: [{node: r1, interface: eth1}, {node: r2, interface: eth3}]\n"
        "  - endpoints: ['r1:eth2', 'br:r1p']\n"
        "  - endpoints: ['r1:eth3', 'host:r1eth3']\n"
        "  - type: dummy\n"
        "    endpoint: {node: r1, interface: eth4}\n"
    )
    topology = parse_topology(text, Path("t.clab.yml"))
    assert topology.container("r1") == "p-dflt-r1"
    assert [str(end) for end in topology.link_ends("r1")] == ["r1:eth1", "r2:eth3", "r1:eth2", "r1:eth3", "r1:eth4"]


# --- the job's view: open_lab hands it the containerlab backend of the Lab interface ----

def containerlab_testbed(topology: Path | None) -> SimpleNamespace:
    flexlab = {
        "lab": "containerlab",
        "name": "flexvpn-iol",
        "kind": "cisco_iol",
        "image": "vrnetlab/cisco_iol:17.12.01",
    }
    if topology is not None:
        flexlab["topology"] = str(topology)
    return SimpleNamespace(custom={"flexlab": flexlab}, devices={})


def test_job_lab_fails_and_restores_through_containerlab(argv_file: Path) -> None:
    session = open_lab(containerlab_testbed(IOL_TOPOLOGY))
    job_lab = session.lab
    assert job_lab.describe() == {"type": "containerlab", "name": "flexvpn-iol", "image": "vrnetlab/cisco_iol:17.12.01",
                                  "time_scale": 1.0, "instance": "containerlab-flexvpn-iol"}
    job_lab.fail("hub2", FailureMode.FREEZE)
    assert job_lab.is_failed("hub2") is True
    job_lab.restore("hub2")   # the mode this object used
    assert job_lab.is_failed("hub2") is None
    assert calls(argv_file) == [["pause", "clab-flexvpn-iol-hub2"], ["unpause", "clab-flexvpn-iol-hub2"]]
    session.close()   # a lab the job did not start is left up: no destroy
    assert calls(argv_file)[-1] == ["unpause", "clab-flexvpn-iol-hub2"]


def test_job_lab_without_a_topology_says_what_is_missing(argv_file: Path) -> None:
    session = open_lab(containerlab_testbed(None))  # opening works: CLI-only modes need no topology
    with pytest.raises(LabError, match=r"regenerate it with `flexlab testbed --lab FILE.clab.yml`"):
        session.lab.fail("hub1", FailureMode.NODE_STOP)
    assert session.lab.is_failed("hub1") is None and calls(argv_file) == []
    session.close()
