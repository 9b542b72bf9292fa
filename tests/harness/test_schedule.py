"""flexlab.harness.schedule / schedule_check: the DPD schedule read from pcaps built with
scapy from hand-written schedules, and compared with declared models."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from pcapkit import FAILURE, HUB1, HUB2, SPOKE, Capture

from flexlab.bound import DpdConfig
from flexlab.dpd_model import parse_model
from flexlab.harness.schedule import analyse_pcap, device_axis, host_axis
from flexlab.harness.schedule_check import declared_schedule, schedule_problems

ON_DEMAND = DpdConfig(30, 5, "on-demand")
PERIODIC = DpdConfig(30, 5, "periodic")


def observe(path: Path, window: tuple[float, float] | None = (-40.0, 120.0), axis=device_axis):
    span = None if window is None else (FAILURE + timedelta(seconds=window[0]), FAILURE + timedelta(seconds=window[1]))
    return analyse_pcap("spoke1", path, axis, IPv4Address(HUB1), FAILURE, IPv4Address(SPOKE), span)


def check(observed, model: str, dpd: DpdConfig = ON_DEMAND, traffic: float | None = 5.0) -> list[str]:
    return schedule_problems(observed, declared_schedule(parse_model(model), dpd, traffic))


def fixed_five(tmp_path: Path) -> Path:
    capture = Capture()
    capture.peer_traffic(-40, 0, 5)          # SLA through the tunnel until the hub dies
    capture.esp(10, SPOKE, HUB1)             # outbound traffic keeps going, nothing comes back
    capture.dpd(18.2, [5, 5, 5, 5, 5, 5], next_peer_after=0.1)
    return capture.write(tmp_path / "fixed.pcap")


def test_fixed_schedule_is_read_as_written(tmp_path: Path) -> None:
    observed = observe(fixed_five(tmp_path))
    assert observed.probe_s == pytest.approx(18.2)
    assert observed.spacings_s == pytest.approx([5, 5, 5, 5, 5])
    assert observed.retransmissions == 5 and observed.message_id == 7
    assert (observed.next_peer, observed.next_peer_s) == (HUB2, pytest.approx(30.1))
    assert observed.describe() == ("probe at +18.2 s, retransmitted at +5, +5, +5, +5, +5 s (5 retransmissions), "
                                   f"next peer {HUB2} at +30.1 s after the first probe")
    assert check(observed, "ios-fixed-5") == []


def test_a_model_with_another_count_fails_with_both_schedules(tmp_path: Path) -> None:
    [message] = check(observe(fixed_five(tmp_path)), "retransmits=3")
    assert "5 retransmissions, declared 3" in message
    assert "Observed: probe at +18.2 s, retransmitted at +5, +5, +5, +5, +5 s" in message
    assert "Declared: probe within +35 s, retransmitted at +5, +5, +5 s (3 retransmissions)" in message


def test_exponential_spacing_with_another_count(tmp_path: Path) -> None:
    capture = Capture()
    capture.peer_traffic(-40, 0, 5)
    capture.dpd(31.0, [5, 10, 20, 40], message_id=12, next_peer_after=0.05)
    observed = observe(capture.write(tmp_path / "exp.pcap"))
    assert observed.spacings_s == pytest.approx([5, 10, 20])
    assert observed.final_wait_s == pytest.approx(40.05)
    assert check(observed, "retransmits=3,backoff=exponential,factor=2", PERIODIC) == []
    [message] = check(observed, "ios-fixed-5", PERIODIC)
    assert "3 retransmissions, declared 5" in message
    assert "retransmission 2 came 10 s after the previous send, declared 5 s" in message


def test_spacing_off_by_more_than_the_tolerance_fails(tmp_path: Path) -> None:
    capture = Capture()
    capture.dpd(20, [5, 5, 6.2, 5, 5, 5], next_peer_after=0.1)
    [message] = check(observe(capture.write(tmp_path / "late.pcap")), "ios-fixed-5")
    assert "retransmission 3 came 6.2 s after the previous send, declared 5 s (tolerance 0.5 s)" in message


def test_no_probe_at_all(tmp_path: Path) -> None:
    capture = Capture()
    capture.peer_traffic(-40, 0, 5)
    capture.ike(12, SPOKE, HUB2, 34, 0)      # moved for another reason (e.g. a track object)
    observed = observe(capture.write(tmp_path / "none.pcap"))
    assert observed.probe_s is None and "no R-U-THERE" in observed.problem
    [message] = check(observed, "ios-fixed-5")
    assert "no R-U-THERE (INFORMATIONAL request) to 198.51.100.1 after the failure" in message


@pytest.mark.parametrize(("window", "text"), [
    ((3.0, 120.0), "the capture started 3.000 s after the failure"),
    ((-60.0, -1.0), "the capture stopped 1.000 s before the failure"),
])
def test_a_capture_that_misses_the_failure_says_so(tmp_path: Path, window, text) -> None:
    observed = observe(fixed_five(tmp_path), window=window)
    assert observed.probe_s is None and observed.problem == text


def test_probes_before_the_failure_and_other_message_ids(tmp_path: Path) -> None:
    capture = Capture()
    capture.ike(-25, SPOKE, HUB1, 37, 5)              # answered probe while the hub was alive
    capture.ike(-24.9, HUB1, SPOKE, 37, 5, flags=0x20)
    capture.dpd(3.0, [5, 5, 5, 5, 5, 5], message_id=6, next_peer_after=0.2)
    capture.ike(9.0, SPOKE, HUB1, 37, 99)             # another request: not a retransmission
    observed = observe(capture.write(tmp_path / "early.pcap"))
    assert observed.probes_before_failure_s == [-25.0]
    assert observed.probe_s == pytest.approx(3.0) and observed.retransmissions == 5


def test_nat_t_port_4500_with_the_non_esp_marker(tmp_path: Path) -> None:
    capture = Capture()
    capture.dpd(7.5, [4, 4, 4, 4], port=4500, next_peer_after=0.1)
    observed = observe(capture.write(tmp_path / "natt.pcap"))
    assert (observed.probe_s, observed.spacings_s) == (pytest.approx(7.5), pytest.approx([4, 4, 4]))


def test_idle_reading_rejects_probes_while_the_peer_talks(tmp_path: Path) -> None:
    capture = Capture()
    capture.peer_traffic(-70, 0, 5)
    capture.ike(-35, SPOKE, HUB1, 37, 4)              # the "always" reading: despite traffic 5 s ago
    capture.ike(-34.9, HUB1, SPOKE, 37, 4, flags=0x20)
    capture.dpd(-5 + 30, [5, 5, 5, 5, 5, 5], message_id=5, next_peer_after=0.1)
    observed = observe(capture.write(tmp_path / "always.pcap"), window=(-70, 120))
    assert check(observed, "periodic=always", PERIODIC) == []
    [message] = check(observed, "periodic=idle", PERIODIC)
    assert "an R-U-THERE went 4.99 s after the peer was last heard (idle reading" in message


def test_always_reading_expects_a_probe_in_a_long_enough_window(tmp_path: Path) -> None:
    capture = Capture()
    capture.peer_traffic(-70, 0, 5)
    capture.dpd(30 - 4.99, [5, 5, 5, 5, 5, 5], next_peer_after=0.1)   # idle: I after the last reply
    observed = observe(capture.write(tmp_path / "idle.pcap"), window=(-70, 120))
    assert check(observed, "periodic=idle", PERIODIC) == []
    [message] = check(observed, "periodic=always", PERIODIC)
    assert "no R-U-THERE in the 70 s captured before the failure (always reading" in message


def test_host_time_base_is_carried_to_the_spoke_clock(tmp_path: Path) -> None:
    # the host clock runs 100 s ahead of the spoke: pcap times are host UTC
    capture = Capture()
    capture.dpd(118.2, [5, 5, 5], next_peer_after=0.1)   # 100 s host offset + 18.2 s
    path = capture.write(tmp_path / "host.pcap")
    axis = host_axis(lambda host: host.replace(tzinfo=None) - timedelta(seconds=100))
    observed = observe(path, window=None, axis=axis)
    assert observed.probe_s == pytest.approx(18.2) and observed.spacings_s == pytest.approx([5, 5])
