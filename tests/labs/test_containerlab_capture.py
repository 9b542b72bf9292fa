"""Captures on a containerlab lab (`ip netns exec <container> tcpdump -i ethN -U -w FILE`),
run against the stand-in `ip` and `tcpdump` executables in tests/fixtures/bin."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from scapy.contrib.ikev2 import IKEv2, IKEv2_Encrypted
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.utils import PcapWriter, rdpcap

from flexlab.labs import clab
from flexlab.labs.base import CaptureUnavailable, LabError
from flexlab.labs.clab_capture import eth_name
from flexlab.labs.containerlab import ContainerLab
from flexlab.labs.unmanaged import UnmanagedLab

FAKE_BIN = Path(__file__).parents[1] / "fixtures" / "bin"
IOL_TOPOLOGY = clab.topology_path("cisco_iol", Path(__file__).resolve().parents[2] / clab.TOPOLOGY_DIR)
SPOKE1, HUB1 = "clab-flexvpn-iol-spoke1", "clab-flexvpn-iol-hub1"


def allowed() -> bool:
    return True


def probe(msg_id: int) -> Ether:
    """An IKEv2 INFORMATIONAL request (DPD probe) from spoke1's WAN address to hub1's."""
    return (Ether() / IP(src="100.64.0.10", dst="100.64.0.2") / UDP(sport=500, dport=500)
            / IKEv2(init_SPI=b"\x11" * 8, resp_SPI=b"\x22" * 8, exch_type=37, flags=0x08, id=msg_id)
            / IKEv2_Encrypted(load=b"\x00" * 48))


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ip/tcpdump stand-ins first on PATH (the venv's python3 runs them); returns their argv log."""
    replay = tmp_path / "replay.pcap"
    writer = PcapWriter(str(replay), linktype=1)
    for msg_id in (7, 7, 7):
        writer.write(probe(msg_id))
    writer.close()
    monkeypatch.setenv("PATH", os.pathsep.join([str(FAKE_BIN), str(Path(sys.executable).parent), os.environ["PATH"]]))
    monkeypatch.setenv("FAKE_NETNS", f"{SPOKE1},{HUB1}")
    monkeypatch.setenv("FAKE_TCPDUMP_IFACES", "eth1,eth2")
    monkeypatch.setenv("FAKE_TCPDUMP_REPLAY", str(replay))
    log = tmp_path / "ip.argv"
    monkeypatch.setenv("FAKE_IP_ARGV_FILE", str(log))
    return log


def wait_for_frames(path: Path, count: int, timeout_s: float = 20.0) -> None:
    """Until the running stand-in has written ``count`` frames (a condition, not a delay)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > 24 and len(rdpcap(str(path))) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never held {count} frames")


def test_spoke_capture_runs_tcpdump_in_its_namespace_and_stops_it_cleanly(stand_ins: Path, tmp_path: Path) -> None:
    out = tmp_path / "spoke1.pcap"
    started = time.time()
    capture = ContainerLab(IOL_TOPOLOGY).start_capture("spoke1", None, out, privileged=allowed)
    assert capture.time_base == "host" and capture.path == out
    wait_for_frames(out, 3)
    assert capture.stop() == out
    assert capture.stop() == out          # a second stop is harmless
    ended = time.time()
    (argv,) = [json.loads(line) for line in stand_ins.read_text().splitlines()]
    assert argv == ["ip", "netns", "exec", SPOKE1, shutil.which("tcpdump"), "-i", "eth1", "-U", "-w", str(out)]
    frames = rdpcap(str(out))
    assert [f[IKEv2].id for f in frames] == [7, 7, 7]
    assert all(f[IKEv2].exch_type == 37 and f[IKEv2].flags == 0x08 for f in frames)
    assert all(started - 1 <= float(f.time) <= ended + 1 for f in frames)   # host clock


def test_hub_capture_covers_both_data_links_merged_by_time(stand_ins: Path, tmp_path: Path) -> None:
    out = tmp_path / "hub1.pcap"
    capture = ContainerLab(IOL_TOPOLOGY).start_capture("hub1", None, out, privileged=allowed)
    for interface in ("eth1", "eth2"):
        wait_for_frames(out.with_name(f"hub1.{interface}.pcap"), 3)
    capture.stop()
    interfaces = [json.loads(line)[6] for line in stand_ins.read_text().splitlines()]
    assert interfaces == ["eth1", "eth2"]
    times = [float(f.time) for f in rdpcap(str(out))]
    assert len(times) == 6 and times == sorted(times)
    assert not list(tmp_path.glob("hub1.eth*.pcap"))


@pytest.mark.parametrize(("kind", "name", "eth"), [
    ("cisco_iol", "Ethernet0/1", "eth1"), ("cisco_iol", "ethernet0/2", "eth2"), ("cisco_iol", "Ethernet1/0", "eth4"),
    ("cisco_vios", "GigabitEthernet0/1", "eth1"), ("cisco_csr1000v", "GigabitEthernet2", "eth1"),
    ("cisco_c8000v", "GigabitEthernet3", "eth2"), ("cisco_iol", "eth3", "eth3"),
])
def test_ios_interface_names_map_to_containerlab_eth_names(kind: str, name: str, eth: str) -> None:
    assert eth_name(kind, name) == eth


def test_named_interface_is_captured_and_a_foreign_name_is_refused(stand_ins: Path, tmp_path: Path) -> None:
    lab = ContainerLab(IOL_TOPOLOGY)
    capture = lab.start_capture("hub1", "Ethernet0/2", tmp_path / "dc.pcap", privileged=allowed)
    capture.stop()
    assert json.loads(stand_ins.read_text().splitlines()[0])[6] == "eth2"
    with pytest.raises(LabError, match="'GigabitEthernet2' is not a data interface of a cisco_iol node"):
        lab.start_capture("hub1", "GigabitEthernet2", tmp_path / "x.pcap", privileged=allowed)


def test_tcpdump_failing_at_start_is_reported_with_its_message(stand_ins: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_TCPDUMP_IFACES", "eth9")
    with pytest.raises(LabError, match=r"tcpdump on clab-flexvpn-iol-spoke1 eth1 exited with code 1"):
        ContainerLab(IOL_TOPOLOGY).start_capture("spoke1", None, tmp_path / "s.pcap", privileged=allowed)
    monkeypatch.setenv("FAKE_NETNS", "")
    with pytest.raises(LabError, match='Cannot open network namespace "clab-flexvpn-iol-spoke1"'):
        ContainerLab(IOL_TOPOLOGY).start_capture("spoke1", None, tmp_path / "s.pcap", privileged=allowed)


def test_missing_tools_or_privileges_make_capture_unavailable(stand_ins: Path, tmp_path: Path, monkeypatch) -> None:
    lab = ContainerLab(IOL_TOPOLOGY)
    with pytest.raises(CaptureUnavailable, match="need root"):
        lab.start_capture("spoke1", None, tmp_path / "s.pcap", privileged=lambda: False)
    monkeypatch.setenv("PATH", str(tmp_path))   # neither tool anywhere
    with pytest.raises(CaptureUnavailable, match="ip and tcpdump not found on PATH"):
        lab.start_capture("spoke1", None, tmp_path / "s.pcap", privileged=allowed)
    with pytest.raises(CaptureUnavailable, match="no packet capture"):
        UnmanagedLab("real").start_capture("spoke1", None, tmp_path / "s.pcap")


def test_cli_capture_on_a_containerlab_lab_for_a_duration(stand_ins: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    from flexlab.cli import main
    from flexlab.labs import clab_capture

    monkeypatch.setattr(clab_capture, "is_root", allowed)
    out = tmp_path / "cli.pcap"
    code = main(["lab", "capture", "spoke1", "--lab", str(IOL_TOPOLOGY), "--interface", "Ethernet0/1",
                 "-w", str(out), "--duration", "1"])
    assert code == 0
    assert f"capture written to {out} (timestamps: host clock)" in capsys.readouterr().out
    (argv,) = [json.loads(line) for line in stand_ins.read_text().splitlines()]
    assert argv[3] == SPOKE1 and argv[5:7] == ["-i", "eth1"]
    assert all(f.haslayer(IKEv2) and f[IKEv2].id == 7 for f in rdpcap(str(out)))   # a readable pcap of the replay
    monkeypatch.setattr(clab_capture, "is_root", lambda: False)
    assert main(["lab", "capture", "spoke1", "--lab", str(IOL_TOPOLOGY), "-w", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        "flexlab: error: cannot capture on the containerlab lab: `ip netns exec` and tcpdump need root")
