"""flexlab.harness.schedule_check on hand-written observed schedules: the declared schedule,
every tolerance at its edge and the exact message a mismatch gives.

Figures are derived by hand: the spacing tolerance is max(0.5 s, 10 % of the wait), so
0.5 s for R = 5 s and 3.5 s for an on-demand window T + I = 5 + 30 = 35 s.
"""

from __future__ import annotations

import pytest

from flexlab.bound import DpdConfig
from flexlab.dpd_model import DpdModel
from flexlab.harness.schedule import ObservedSchedule
from flexlab.harness.schedule_check import declared_schedule, schedule_problems, tolerance_s, tolerance_text

FIXED_5 = DpdModel()                                     # ios-fixed-5: 5 retransmissions every R
IDLE = DpdModel(name="idle-3", retransmits=3, periodic="idle")
ALWAYS = DpdModel(name="always-3", retransmits=3, periodic="always")
ON_DEMAND = DpdConfig(30, 5, "on-demand")
PERIODIC = DpdConfig(30, 5, "periodic")
HUB1 = "100.64.0.2"


def observed(probe_s: float | None = 20.0, spacings: tuple[float, ...] = (5.0,) * 5, next_peer_s: float | None = None,
             **fields: object) -> ObservedSchedule:
    return ObservedSchedule("spoke1", HUB1, probe_s=probe_s, message_id=7, spacings_s=list(spacings),
                            next_peer="100.64.0.6" if next_peer_s is not None else None, next_peer_s=next_peer_s,
                            **fields)  # type: ignore[arg-type]


def problems(seen: ObservedSchedule, model: DpdModel = FIXED_5, dpd: DpdConfig = ON_DEMAND,
             traffic: float | None = 5.0) -> list[str]:
    return schedule_problems(seen, declared_schedule(model, dpd, traffic))


def found(seen: ObservedSchedule, **kwargs: object) -> str:
    """The part of the one message that lists what differed."""
    (message,) = problems(seen, **kwargs)  # type: ignore[arg-type]
    head = "spoke1: observed DPD schedule does not match the declared model: "
    assert message.startswith(head)
    return message[len(head):message.index(". Observed: ")]


@pytest.mark.parametrize(("wait_s", "tolerance"), [(5.0, 0.5), (2.0, 0.5), (10.0, 1.0), (35.0, 3.5), (0.0, 0.5)])
def test_tolerance_is_the_larger_of_half_a_second_and_ten_percent(wait_s: float, tolerance: float) -> None:
    assert tolerance_s(wait_s) == pytest.approx(tolerance, abs=1e-12)
    assert tolerance_text() == "max(0.5 s, 10%)"


def test_declared_schedule_of_each_mode() -> None:
    on_demand = declared_schedule(FIXED_5, ON_DEMAND, 5.0)
    assert (on_demand.mode, on_demand.interval_s, on_demand.first_probe_within_s) == ("on-demand", 30.0, 35.0)
    assert on_demand.waits_s == (5.0, 5.0, 5.0, 5.0, 5.0, 5.0)
    assert declared_schedule(FIXED_5, ON_DEMAND, None).first_probe_within_s is None
    assert declared_schedule(FIXED_5, PERIODIC, None).first_probe_within_s == 30.0
    assert declared_schedule(FIXED_5, PERIODIC, 5.0).first_probe_within_s == 30.0
    exponential = DpdModel(name="exp", retransmits=2, backoff="exponential", factor=2.0)
    assert declared_schedule(exponential, DpdConfig(10, 2, "periodic"), None).waits_s == (2.0, 4.0, 8.0)


def test_declared_schedule_describes_itself() -> None:
    on_demand = declared_schedule(FIXED_5, ON_DEMAND, 5.0)
    assert on_demand.describe() == ("probe within +35 s, retransmitted at +5, +5, +5, +5, +5 s (5 retransmissions), "
                                    "dead 5 s after the last (ios-fixed-5)")
    never = declared_schedule(DpdModel(name="none", retransmits=0), ON_DEMAND, None)
    assert never.describe() == "probe when there is traffic, not retransmitted, dead 5 s after the last (none)"
    assert on_demand.to_record().model_dump(mode="json") == {
        "model": FIXED_5.to_dict(), "mode": "on-demand", "interval_s": 30.0, "first_probe_within_s": 35.0,
        "waits_s": [5.0] * 6, "text": on_demand.describe()}


def test_a_matching_schedule_gives_no_problem() -> None:
    assert problems(observed(next_peer_s=30.0)) == []
    assert problems(observed(next_peer_s=None)) == []


def test_the_whole_message_names_both_schedules_and_the_source() -> None:
    seen = observed(spacings=(5.0,) * 3)
    assert problems(seen) == [
        "spoke1: observed DPD schedule does not match the declared model: 3 retransmissions, declared 5. "
        "Observed: probe at +20.0 s, retransmitted at +5, +5, +5 s (3 retransmissions), no IKE_SA_INIT to another "
        "peer in the capture. Declared: probe within +35 s, retransmitted at +5, +5, +5, +5, +5 s (5 "
        "retransmissions), dead 5 s after the last (ios-fixed-5) "
        "[assumed, not measured on this image; spacing tolerance max(0.5 s, 10%)]"]


@pytest.mark.parametrize(("spacings", "text"), [
    ((5.5, 4.5, 5.0, 5.0, 5.0), ""),
    ((5.0, 5.51, 5.0, 5.0, 5.0),
     "retransmission 2 came 5.51 s after the previous send, declared 5 s (tolerance 0.5 s)"),
    ((5.0, 5.0, 5.0, 5.0, 4.49),
     "retransmission 5 came 4.49 s after the previous send, declared 5 s (tolerance 0.5 s)"),
    ((6.0, 5.0, 5.0, 5.0, 5.0, 5.0),
     "6 retransmissions, declared 5; "
     "retransmission 1 came 6 s after the previous send, declared 5 s (tolerance 0.5 s)"),
])
def test_each_spacing_is_held_to_its_tolerance(spacings: tuple[float, ...], text: str) -> None:
    seen = observed(spacings=spacings)
    assert (found(seen) if text else problems(seen)) == (text or [])


@pytest.mark.parametrize(("next_peer_s", "ok"), [
    (25.0 + 4.5, True),              # dead 5 s - 0.5 s tolerance
    (25.0 + 4.49, False),
    (25.0 + 10.0, True),             # dead 5 s + up to 5 s to the next peer
    (25.0 + 10.01, False),
])
def test_the_next_peer_follows_the_dead_declaration(next_peer_s: float, ok: bool) -> None:
    seen = observed(next_peer_s=next_peer_s)
    if ok:
        assert problems(seen) == []
    else:
        final = round(next_peer_s - 25.0, 6)
        assert found(seen) == (f"the IKE_SA_INIT to the next peer came {final:g} s after the last send, declared "
                               f"5 s (dead) + up to 5 s")


def test_the_next_peer_is_not_judged_when_the_count_already_differs() -> None:
    seen = observed(spacings=(5.0,) * 4, next_peer_s=20.0 + 100.0)
    assert found(seen) == "4 retransmissions, declared 5"


@pytest.mark.parametrize(("probe_s", "traffic", "text"), [
    (38.5, 5.0, ""),                 # T + I = 35 s, tolerance 3.5 s
    (38.6, 5.0, "the first probe came 38.6 s after the failure, declared within 35 s"),
    (300.0, None, ""),               # on-demand without traffic: no bound on the first probe
])
def test_the_first_probe_within_t_plus_i(probe_s: float, traffic: float | None, text: str) -> None:
    seen = observed(probe_s=probe_s)
    assert (found(seen, traffic=traffic) if text else problems(seen, traffic=traffic)) == (text or [])


def test_no_probe_gives_the_reason_the_schedule_could_not_be_read() -> None:
    seen = observed(probe_s=None, spacings=(), problem="no R-U-THERE to 100.64.0.2 after the failure")
    assert problems(seen) == [
        "spoke1: observed DPD schedule does not match the declared model: no R-U-THERE to 100.64.0.2 after the "
        "failure. Observed: no schedule: no R-U-THERE to 100.64.0.2 after the failure. Declared: probe within "
        "+35 s, retransmitted at +5, +5, +5, +5, +5 s (5 retransmissions), dead 5 s after the last (ios-fixed-5) "
        "[assumed, not measured on this image; spacing tolerance max(0.5 s, 10%)]"]


# -- periodic DPD: the two readings (I = 30 s: silence means 30 - 3 = 27 s at least) ------------------

def periodic(**fields: object) -> ObservedSchedule:
    return observed(probe_s=10.0, spacings=(5.0,) * 3, **fields)


@pytest.mark.parametrize(("early", "quiet", "text"), [
    ([27.0, 40.0], 27.0, ""),
    ([26.9, 27.0], None, "an R-U-THERE went 26.9 s after the peer was last heard (idle reading: only after 30 s of "
                         "silence)"),
    ([], 26.9, "the first probe went 26.9 s after the peer was last heard (idle reading: 30 s)"),
    ([1.0, 2.0], 3.0, "an R-U-THERE went 1 s after the peer was last heard (idle reading: only after 30 s of silence); "
                      "an R-U-THERE went 2 s after the peer was last heard (idle reading: only after 30 s of silence); "
                      "the first probe went 3 s after the peer was last heard (idle reading: 30 s)"),
])
def test_idle_reading_probes_only_after_an_interval_of_silence(early: list[float], quiet: float | None,
                                                               text: str) -> None:
    seen = periodic(quiet_before_early_probes_s=early, quiet_before_probe_s=quiet)
    result = problems(seen, model=IDLE, dpd=PERIODIC, traffic=None)
    assert (found(seen, model=IDLE, dpd=PERIODIC, traffic=None) if text else result) == (text or [])


@pytest.mark.parametrize(("window", "before_probes", "text"), [
    ((-33.0, 60.0), [], "no R-U-THERE in the 33 s captured before the failure (always reading: one every 30 s "
                        "whatever the peer sends)"),
    ((-32.9, 60.0), [], ""),         # shorter than I + tolerance: the capture cannot show it
    ((-60.0, 60.0), [-20.0], ""),
    (None, [], ""),
])
def test_always_reading_needs_a_probe_before_the_failure(window: tuple[float, float] | None,
                                                         before_probes: list[float], text: str) -> None:
    seen = periodic(window_s=window, probes_before_failure_s=before_probes, quiet_before_probe_s=1.0,
                    quiet_before_early_probes_s=[1.0])
    result = problems(seen, model=ALWAYS, dpd=PERIODIC, traffic=None)
    assert (found(seen, model=ALWAYS, dpd=PERIODIC, traffic=None) if text else result) == (text or [])


def test_on_demand_dpd_is_not_held_to_a_periodic_reading() -> None:
    seen = periodic(window_s=(-60.0, 60.0), quiet_before_probe_s=1.0, quiet_before_early_probes_s=[1.0])
    assert problems(seen, model=ALWAYS, dpd=DpdConfig(30, 5, "on-demand"), traffic=None) == []
    assert problems(seen, model=IDLE, dpd=DpdConfig(30, 5, "on-demand"), traffic=None) == []
