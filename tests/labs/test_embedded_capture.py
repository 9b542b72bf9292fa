"""Captures of the running embedded lab: through the Lab interface (control socket) and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest
from scapy.contrib.ikev2 import IKEv2
from scapy.layers.inet import IP
from scapy.utils import rdpcap

from flexlab.failure import FailureMode
from flexlab.labs.embedded import EmbeddedLab, UpOptions
from flexlab.labs.embedded_backend import EmbeddedBackend

BIN = Path(sys.executable).parent
HUB1_WAN, HUB2_WAN = "100.64.0.2", "100.64.0.6"
pytestmark = pytest.mark.slow  # starts a lab process (docs/mutation.md)


@pytest.fixture
def lab(tmp_path: Path):
    embedded = EmbeddedLab("cap", root=tmp_path / "state")
    embedded.up(UpOptions(time_scale=50.0, image_params={"dpd_retransmits": "2"}))
    yield embedded
    embedded.down()


def wait_until(condition, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def test_job_capture_shows_the_probes_of_the_lab_schedule_then_the_next_peer(lab: EmbeddedLab, tmp_path: Path) -> None:
    job = EmbeddedBackend("cap", root=lab.state_dir.parent)
    capture = job.start_capture("spoke1", None, tmp_path / "spoke1.pcap")
    assert capture.time_base == "device"
    job.fail("hub1", FailureMode.FREEZE)
    wait_until(lambda: any(e["node"] == "spoke1" and e["kind"] == "flexvpn-up" and e["peer"] == HUB2_WAN
                           for e in lab.truth()))
    path = capture.stop()
    assert path == tmp_path / "spoke1.pcap"
    ike = [f for f in rdpcap(str(path)) if f.haslayer(IKEv2)]
    probes = [f for f in ike if f[IP].dst == HUB1_WAN and f[IKEv2].exch_type == 37 and f[IKEv2].flags == 0x08]
    last_ids = [p[IKEv2].id for p in probes[-3:]]
    assert len(probes) >= 3 and len(set(last_ids)) == 1        # first send + 2 retransmissions, one message ID
    assert [round(float(b.time - a.time), 2) for a, b in pairwise(probes[-3:])] == [5.0, 5.0]  # dpd 30 5
    nxt = [
        f for f in ike if f[IP].dst == HUB2_WAN and f[IKEv2].exch_type == 34 and float(f.time) > float(probes[-1].time)
    ]
    assert nxt and nxt[0][IKEv2].id == 0


def test_cli_capture_for_a_duration_writes_device_time_and_bad_names_exit_2(lab: EmbeddedLab, tmp_path: Path) -> None:
    env = {**os.environ, "FLEXLAB_STATE_DIR": str(tmp_path / "state")}
    out = tmp_path / "cli.pcap"

    def flexlab(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "flexlab"), "lab", *args, "--name", "cap"], env=env,
                              capture_output=True, text=True, timeout=120)

    result = flexlab("capture", "spoke1", "--interface", "eth1", "-w", str(out), "--duration", "2")
    assert result.returncode == 0, result.stderr
    assert f"capture written to {out} (timestamps: device clock)" in result.stdout
    stamps = [float(f.time) for f in rdpcap(str(out))]
    # 2 wall seconds at time scale 50 span ~100 s of device time (a host clock would span ~2 s)
    assert stamps and stamps[-1] - stamps[0] > 20
    bad = flexlab("capture", "spoke1", "--interface", "Serial0/0", "-w", str(out))
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "flexlab: error: spoke1 has no data interface 'Serial0/0'; choose one of Ethernet0/1 (eth1)")
    unknown = flexlab("capture", "spoke9", "-w", str(out))
    assert unknown.returncode == 2 and "spoke9" in unknown.stderr and "Traceback" not in unknown.stderr
