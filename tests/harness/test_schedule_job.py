"""The job's capture step (harness.dpd_capture) against a stand-in lab that honours the
capture contract (Lab.start_capture -> Capture with stop() and time_base)."""

from __future__ import annotations

from pathlib import Path

from capturekit import HARNESS_FAILURE, StandInLab, five_fixed, run_schedule, stage
from pcapkit import FAILURE, Capture

from flexlab.harness import dpd_capture


def test_capture_on_the_tunnel_source_and_a_matching_model(tmp_path: Path) -> None:
    lab = StandInLab(five_fixed())
    ctx = stage(tmp_path, lab, "ios-fixed-5")
    results = run_schedule(ctx)
    assert lab.started == [("spoke1", "Ethernet0/1")]     # tunnel source of Tunnel1 in the rendered config
    assert results == {"spoke1: observed DPD schedule matches the declared model": []}
    record = ctx.records[0]
    assert record.schedule_result == "passed" and record.schedule.retransmissions == 5
    assert (tmp_path / "captures" / "hub1-1" / "spoke1.pcap").exists()


def test_a_model_the_wire_refutes_fails_with_both_schedules(tmp_path: Path) -> None:
    ctx = stage(tmp_path, StandInLab(five_fixed()), "retransmits=3,backoff=exponential")
    [problems] = run_schedule(ctx).values()
    assert len(problems) == 1 and "5 retransmissions, declared 3" in problems[0]
    assert "Declared: probe within +35 s, retransmitted at +5, +10, +20 s" in problems[0]
    assert ctx.records[0].schedule_result == "failed"


def test_a_lab_without_capture_is_reported_not_passed(tmp_path: Path) -> None:
    ctx = stage(tmp_path, StandInLab(None, refuse="tcpdump not found on this host"), "ios-fixed-5")
    assert run_schedule(ctx) == {}
    record = ctx.records[0]
    assert record.schedule_result == "not run"
    assert record.schedule_note == "no capture: spoke1: tcpdump not found on this host"


def test_periodic_dpd_captures_one_interval_before_the_failure(tmp_path: Path) -> None:
    frames = Capture()
    frames.peer_traffic(-40, 0, 5)
    frames.dpd(30 - 4.99, [5] * 6, next_peer_after=0.1)
    ctx = stage(tmp_path, StandInLab(frames), "periodic=always", "crypto ikev2 dpd 30 5 periodic")
    assert dpd_capture.capture_lead_s(ctx.learned, ["spoke1"]) == 30 + 2 * 3
    [problems] = run_schedule(ctx).values()
    assert "no R-U-THERE in the 40 s captured before the failure (always reading" in problems[0]


def test_host_stamped_capture_is_carried_to_the_spoke_clock(tmp_path: Path) -> None:
    # containerlab: tcpdump stamps host UTC; the spoke's clock runs 2 h behind the host here
    host_ahead_s = (HARNESS_FAILURE.replace(tzinfo=None) - FAILURE).total_seconds()
    frames = Capture()
    frames.peer_traffic(host_ahead_s - 40, host_ahead_s, 5)
    frames.dpd(host_ahead_s + 21.0, [5] * 6, next_peer_after=0.1)
    ctx = stage(tmp_path, StandInLab(frames, time_base="host"), "ios-fixed-5")
    assert run_schedule(ctx) == {"spoke1: observed DPD schedule matches the declared model": []}
    assert ctx.records[0].schedule.probe_s == 21.0
