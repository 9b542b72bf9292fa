"""flexlab.harness.calibrate: a DPD model from observed schedules as the report holds them
(hand-written records; the expected models are the ones the schedules were written from)."""

from __future__ import annotations

import pytest

from flexlab.dpd_model import DpdModelError
from flexlab.harness.calibrate import infer_model
from flexlab.results.job import SpokeFailover


def record(spacings: list[float], *, spoke: str = "spoke1", retry: float = 5, mode: str = "on-demand",
           early: list[float] | None = None, quiet_early: list[float] | None = None,
           window_before: float = 2.0) -> SpokeFailover:
    return SpokeFailover(
        hub="hub1", spoke=spoke, from_peer="192.0.2.1", bound_terms={"I": 30.0, "R": retry},
        declared_schedule={"mode": mode},
        schedule={"probe_s": 20.0, "spacings_s": spacings, "final_wait_s": None,
                  "probes_before_failure_s": early or [], "quiet_before_early_probes_s": quiet_early or [],
                  "window_s": [-window_before, 150.0]},
    )


def test_fixed_spacing() -> None:
    model, notes = infer_model([record([5, 5.1, 4.9, 5, 5]), record([5] * 5, spoke="spoke2")], "cal", "test")
    assert (model.retransmits, model.backoff, model.measured) == (5, "fixed", True)
    assert model.source.startswith("test; periodic reading not observed (the spokes run on-demand DPD)")
    assert notes[0] == "5 retransmissions on 2 spoke(s)"


def test_exponential_spacing_and_a_cap() -> None:
    model, _ = infer_model([record([4, 7.2, 12.96, 23.33], retry=4)], "cal", "test")
    assert (model.retransmits, model.backoff, model.factor, model.cap_s) == (4, "exponential", 1.8, None)
    capped, _ = infer_model([record([5, 10, 20, 30, 30])], "cal", "test")
    assert (capped.factor, capped.cap_s) == (2.0, 30)


def test_periodic_readings_when_the_capture_shows_them() -> None:
    always, _ = infer_model([record([5, 5, 5], mode="periodic", early=[-20.0], quiet_early=[3.0], window_before=40)],
                            "cal", "test")
    assert always.periodic == "always"
    idle, _ = infer_model([record([5, 5, 5], mode="periodic", window_before=40)], "cal", "test")
    assert idle.periodic == "idle"
    unknown, notes = infer_model([record([5, 5, 5], mode="periodic", window_before=10)], "cal", "test")
    assert unknown.periodic == "idle" and "not observable" in notes[2]


@pytest.mark.parametrize(("records", "fragment"), [
    ([], "no moved spoke"),
    ([record([5, 5]), record([5, 5, 5], spoke="spoke2")], "disagree on the retransmission count: spoke1 2, spoke2 3"),
    ([record([5])], "too few waits"),
    ([record([5, 3, 2])], "neither fixed at R=5 s nor growing"),
    ([record([4, 8, 16])], "the first wait 4 s is not the retry interval R=5 s"),
    ([SpokeFailover(hub="hub1", spoke="spoke1", from_peer="192.0.2.1", schedule_note="no capture: tcpdump missing")],
     "spoke1: no capture: tcpdump missing"),
])
def test_what_cannot_be_calibrated_is_named(records: list[SpokeFailover], fragment: str) -> None:
    with pytest.raises(DpdModelError, match=fragment):
        infer_model(records, "cal", "test")
