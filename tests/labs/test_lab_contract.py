"""Both backends keep the one Lab contract (flexlab.labs.interface): the same calls in the
same order give a testbed of the lab's nodes, a failed and restored hub, a pcap and a lab
that is gone after down. The embedded lab is one real lab process (slow); containerlab
runs against the stand-ins (tests/fixtures/bin)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from clab_standins import IOL_TOPOLOGY, NODES, BannerServer, StandIns, capture_stand_ins, set_up
from scapy.utils import rdpcap

from flexlab.failure import FailureMode
from flexlab.labs import clab_capture
from flexlab.labs.containerlab_backend import ContainerlabBackend
from flexlab.labs.embedded import UpOptions
from flexlab.labs.embedded_backend import EmbeddedBackend
from flexlab.labs.interface import Lab


class Statuses:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def update(self, text: str) -> None:
        self.texts.append(text)


def embedded_lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Lab, StandIns | None]]:
    monkeypatch.setenv("FLEXLAB_STATE_DIR", str(tmp_path / "state"))
    lab = EmbeddedBackend("contract", UpOptions(time_scale=50.0), testbed_path=tmp_path / "testbed.yaml")
    try:
        yield lab, None
    finally:
        lab.down()   # a lab the test left running (a failed assertion) does not outlive it


def containerlab_lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Lab, StandIns | None]]:
    banner = BannerServer()
    stand_ins = set_up(tmp_path, monkeypatch, banner)
    capture_stand_ins(tmp_path, monkeypatch, ["clab-flexvpn-iol-spoke1"])
    monkeypatch.setattr(clab_capture, "is_root", lambda: True)   # ip netns exec needs root
    try:
        yield ContainerlabBackend(IOL_TOPOLOGY, testbed_path=tmp_path / "testbed.yaml", ssh_port=banner.port,
                                  ssh_interval_s=0.05, ready_timeout_s=20), stand_ins
    finally:
        banner.close()


@pytest.fixture(params=[pytest.param(containerlab_lab, id="containerlab"),
                        pytest.param(embedded_lab, id="embedded", marks=pytest.mark.slow)])
def backend(request: pytest.FixtureRequest, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Lab, StandIns | None]]:
    yield from request.param(tmp_path, monkeypatch)


def test_every_backend_keeps_the_lab_contract(backend: tuple[Lab, StandIns | None], tmp_path: Path) -> None:
    lab, stand_ins = backend
    assert isinstance(lab, Lab)
    lab.prepare()
    if stand_ins is not None:
        stand_ins.answer_inspect()
    statuses = Statuses()
    testbed_path = lab.up(statuses)
    if stand_ins is not None:
        stand_ins.answer_nothing()
    assert statuses.texts   # a long wait says what it waits for

    testbed = yaml.safe_load(testbed_path.read_text())
    assert testbed_path.stat().st_mode & 0o777 == 0o600
    assert set(testbed["devices"]) == set(NODES)   # the design's nodes (src/flexlab/data/design.yaml)
    assert testbed["testbed"]["custom"]["flexlab"]["lab"] == lab.kind
    described = lab.describe()
    assert (described["type"], described["instance"], described["time_scale"]) == (
        lab.kind,
        lab.instance,
        lab.time_scale,
    )
    assert described["name"] == lab.name and described["image"]
    assert lab.gone() is None

    capture = lab.start_capture("spoke1", None, tmp_path / "spoke1.pcap")
    lab.fail("hub1", FailureMode.FREEZE)
    assert lab.is_failed("hub1") is True
    lab.restore("hub1")
    assert lab.is_failed("hub1") is not True
    pcap = capture.stop()
    assert pcap == (tmp_path / "spoke1.pcap").resolve()
    rdpcap(str(pcap))   # a complete pcap file (header and whole records)
    assert capture.time_base == ("device" if lab.kind == "embedded" else "host")

    truth = lab.truth()
    assert truth is None or [e["mode"] for e in truth if e["node"] == "hub1" and e["kind"] == "node-restored"] == [
        "freeze"
    ]

    lab.down()
    if stand_ins is None:
        assert lab.gone() is not None   # the process ended
    else:
        assert stand_ins.calls()[-1] == ["destroy", "-t", str(IOL_TOPOLOGY), "--cleanup"]
