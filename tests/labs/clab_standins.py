"""The containerlab, docker, ip and tcpdump stand-ins (tests/fixtures/bin) set up for a whole
containerlab run through the Lab interface: one argv log for containerlab and docker, an
inspect answer whose management addresses are 127.0.0.1, and an SSH banner server there."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.utils import PcapWriter

from flexlab.labs import clab
from flexlab.labs.containerlab import DOCKER_ENV

FIXTURES = Path(__file__).parents[1] / "fixtures"
if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))

from sshbanner import BannerServer  # noqa: E402 - tests/fixtures

FAKE_BIN = FIXTURES / "bin"
#: A captured `containerlab inspect --format json` of the IOL lab (containerlab 0.68+ layout).
INSPECT_SAMPLE = FIXTURES / "inspect-0.68-flexvpn-iol.json"
#: The committed topology the sample was taken from: lab flexvpn-iol, prefix clab.
IOL_TOPOLOGY = clab.topology_path("cisco_iol", Path(__file__).resolve().parents[2] / clab.TOPOLOGY_DIR)
NODES = ("isp", "hub1", "hub2", "spoke1", "spoke2")
#: Variables of the stand-ins a test must not inherit.
STAND_IN_ENV = [f"FAKE_{tool}_{what}" for tool in ("CLAB", "DOCKER") for what in ("STDOUT", "STDERR", "EXIT", "SLEEP")]


@dataclass
class StandIns:
    argv_file: Path      # containerlab and docker calls, in order
    inspect_file: Path   # what `containerlab inspect` answers once answer_inspect() is called
    banner: BannerServer
    monkeypatch: pytest.MonkeyPatch

    def calls(self) -> list[list[str]]:
        text = self.argv_file.read_text() if self.argv_file.exists() else ""
        return [line.split("\t") for line in text.splitlines()]

    def answer_inspect(self) -> None:
        """From now on containerlab prints the inspect sample (version --json no longer parses)."""
        self.monkeypatch.setenv("FAKE_CLAB_STDOUT", str(self.inspect_file))

    def answer_nothing(self) -> None:
        self.monkeypatch.delenv("FAKE_CLAB_STDOUT", raising=False)


def inspect_at_localhost(path: Path) -> Path:
    """The captured sample, every management address replaced by 127.0.0.1."""
    data = json.loads(INSPECT_SAMPLE.read_text())
    for containers in data.values():
        for container in containers:
            container["ipv4_address"] = "127.0.0.1/24"
    path.write_text(json.dumps(data))
    return path


def set_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, banner: BannerServer) -> StandIns:
    """Stand-ins first on PATH (the venv's python3 runs the Python ones), acting as root
    (containerlab's SUID binary), the routers' login set for the testbed's %ENV."""
    log = tmp_path / "calls.argv"
    monkeypatch.setenv("PATH", os.pathsep.join([str(FAKE_BIN), str(Path(sys.executable).parent), os.environ["PATH"]]))
    for name in [clab.CONTAINERLAB_ENV, DOCKER_ENV, *STAND_IN_ENV]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FAKE_CLAB_ARGV_FILE", str(log))
    monkeypatch.setenv("FAKE_DOCKER_ARGV_FILE", str(log))
    monkeypatch.setenv("FAKE_CLAB_EUID", "0")
    monkeypatch.setenv("FLEXLAB_USERNAME", "standin-user")
    monkeypatch.setenv("FLEXLAB_PASSWORD", "standin-password")
    monkeypatch.setenv("FLEXLAB_STATE_DIR", str(tmp_path / "state"))
    return StandIns(log, inspect_at_localhost(tmp_path / "inspect.json"), banner, monkeypatch)


def netem(container: str, interface: str, loss: int) -> list[str]:
    return ["tools", "netem", "set", "-n", container, "-i", interface, "--loss", str(loss)]


def capture_stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, namespaces: list[str]) -> None:
    """`ip netns exec` knows ``namespaces``; tcpdump replays one UDP frame per capture."""
    replay = tmp_path / "replay.pcap"
    writer = PcapWriter(str(replay), linktype=1)
    writer.write(Ether() / IP(src="100.64.0.10", dst="100.64.0.2") / UDP(sport=500, dport=500))
    writer.close()
    monkeypatch.setenv("FAKE_NETNS", ",".join(namespaces))
    monkeypatch.setenv("FAKE_TCPDUMP_IFACES", "eth1,eth2")
    monkeypatch.setenv("FAKE_TCPDUMP_REPLAY", str(replay))
