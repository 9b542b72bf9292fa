"""Packet capture in the embedded lab: pcap frames decoded by scapy and by tshark.

The expected values come from RFC 7296 (message IDs 0 = IKE_SA_INIT, 1 = IKE_AUTH, 2 = the
initiator's next request; I = 0x08, R = 0x20; exchange types 34/35/37) and from the
declared schedule (dpd 10 2, 3 retransmissions, exponential from 2 s capped at 8 s:
spacing 2, 4, 8 s), not from the code under test.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from scapy.contrib.ikev2 import IKEv2
from scapy.layers.inet import IP
from scapy.layers.ipsec import ESP
from scapy.layers.l2 import Ether
from scapy.utils import rdpcap

from flexlab.sim.engine.capture import CaptureError
from flexlab.sim.engine.lab import Lab
from flexlab.sim.pcap import write_pcap

HUB1_WAN, HUB2_WAN, SPOKE1_WAN = "100.64.0.2", "100.64.0.6", "100.64.0.10"
SCHEDULE = {"dpd_retransmits": "3", "dpd_backoff": "exponential", "dpd_backoff_cap_s": "8"}


def capture_failover(make_lab: Callable[..., Lab], set_dpd: Any, path: Path) -> tuple[Lab, float]:
    """spoke1's WAN link captured from before hub1 fails until it is on hub2; returns (lab, t_fail)."""
    dpd = set_dpd(10, 2, "periodic")
    lab = make_lab(edits={n: dpd for n in ("spoke1", "spoke2", "hub1", "hub2")}, image_params=SCHEDULE)
    capture = lab.capture_start("spoke1")
    assert capture.interfaces == ("Ethernet0/1",)
    lab.run_for(5)
    t_fail = lab.now()
    lab.fail("hub1", "interface-shutdown")
    lab.run_for(60)
    write_pcap(lab.capture_stop(capture.capture_id).frames, path)
    return lab, t_fail


def test_dpd_schedule_and_reconnect_are_on_the_wire_with_rfc7296_headers(
    make_lab: Callable[..., Lab], set_dpd: Any, tmp_path: Path,
) -> None:
    lab, t_fail = capture_failover(make_lab, set_dpd, tmp_path / "spoke1.pcap")
    frames = rdpcap(str(tmp_path / "spoke1.pcap"))
    ike = [f for f in frames if f.haslayer(IKEv2)]
    probes = [f for f in ike if f[IP].dst == HUB1_WAN and f[IKEv2].exch_type == 37]
    assert len(probes) == 4
    assert {(p[IKEv2].flags, p[IKEv2].id, p[IKEv2].next_payload) for p in probes} == {(0x08, 2, 46)}
    assert len({(bytes(p[IKEv2].init_SPI), bytes(p[IKEv2].resp_SPI)) for p in probes}) == 1
    assert [round(float(b.time - a.time), 3) for a, b in pairwise(probes)] == [2.0, 4.0, 8.0]
    # the timestamps are spoke1's device clock: what its truth events (and `show clock`) say
    sent = [e for e in lab.truth() if e.kind == "dpd-r-u-there" and e.node == "spoke1" and e.time >= t_fail]
    stamps = [e.device_time.replace(tzinfo=e.device_time.tzinfo or dt.UTC).timestamp() for e in sent]
    assert [float(p.time) for p in probes] == pytest.approx(stamps, abs=1e-3)

    after = [f for f in ike if float(f.time) > float(probes[-1].time)]
    header = [(f[IP].dst, f[IKEv2].exch_type, int(f[IKEv2].flags), f[IKEv2].id) for f in after[:4]]
    assert header == [
        (HUB2_WAN, 34, 0x08, 0),
        (SPOKE1_WAN, 34, 0x20, 0),
        (HUB2_WAN, 35, 0x08, 1),
        (SPOKE1_WAN, 35, 0x20, 1),
    ]
    init_req, init_resp = after[0][IKEv2], after[1][IKEv2]
    assert bytes(init_req.resp_SPI) == bytes(8) and bytes(init_resp.resp_SPI) != bytes(8)
    assert bytes(init_req.init_SPI) == bytes(init_resp.init_SPI)


def test_esp_sequence_numbers_grow_per_spi_and_macs_are_stable(
    make_lab: Callable[..., Lab], set_dpd: Any, tmp_path: Path,
) -> None:
    capture_failover(make_lab, set_dpd, tmp_path / "spoke1.pcap")
    frames = rdpcap(str(tmp_path / "spoke1.pcap"))
    by_spi: dict[int, list[int]] = {}
    for frame in frames:
        if frame.haslayer(ESP):
            by_spi.setdefault(frame[ESP].spi, []).append(frame[ESP].seq)
    assert len(by_spi) >= 2
    assert all(seqs == sorted(set(seqs)) and seqs[0] >= 1 for seqs in by_spi.values())
    pairs = {(f[Ether].src, f[Ether].dst) for f in frames}
    macs = {mac for pair in pairs for mac in pair}
    assert len(macs) == 2 and len(pairs) == 2     # spoke1 Ethernet0/1 <-> isp, both ways


def test_capture_interfaces_by_ios_or_eth_name_and_clean_stop(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(settle=10)
    assert lab.captures.taps == {}
    capture = lab.capture_start("spoke1", "eth1")
    assert capture.interfaces == ("Ethernet0/1",)
    assert lab.capture_start("hub1").interfaces == ("Ethernet0/1", "Ethernet0/2")
    lab.run_for(30)
    assert capture.frames and all(f.interface == "Ethernet0/1" for f in capture.frames)
    lab.capture_stop(capture.capture_id)
    assert ("spoke1", "Ethernet0/1") not in lab.captures.taps
    with pytest.raises(CaptureError, match="no running capture 1"):
        lab.capture_stop(capture.capture_id)
    no_such_interface = r"spoke1 has no data interface 'Ethernet0/3'; choose one of Ethernet0/1 \(eth1\)"
    with pytest.raises(CaptureError, match=no_such_interface):
        lab.capture_start("spoke1", "Ethernet0/3")


def test_tshark_decodes_exchange_types_flags_and_message_ids(
    make_lab: Callable[..., Lab], set_dpd: Any, tmp_path: Path,
) -> None:
    tshark = shutil.which("tshark")
    if tshark is None:
        pytest.skip("tshark is not installed (`make test` installs it when run as root: apt-get install tshark)")
    capture_failover(make_lab, set_dpd, tmp_path / "spoke1.pcap")
    fields = ["ip.dst", "isakmp.exchangetype", "isakmp.flags", "isakmp.messageid", "isakmp.version"]
    result = subprocess.run(
        [tshark, "-r", str(tmp_path / "spoke1.pcap"), "-Y", "isakmp", "-T", "fields",
         *[arg for field in fields for arg in ("-e", field)]],
        capture_output=True, text=True, timeout=120, check=True,
    )
    rows = [tuple(line.split("\t")) for line in result.stdout.splitlines()]
    probe = (HUB1_WAN, "37", "0x08", "0x00000002", "0x20")
    first_probe = rows.index(probe)
    assert rows[first_probe:first_probe + 8] == [probe] * 4 + [
        (HUB2_WAN, "34", "0x08", "0x00000000", "0x20"), (SPOKE1_WAN, "34", "0x20", "0x00000000", "0x20"),
        (HUB2_WAN, "35", "0x08", "0x00000001", "0x20"), (SPOKE1_WAN, "35", "0x20", "0x00000001", "0x20"),
    ]
