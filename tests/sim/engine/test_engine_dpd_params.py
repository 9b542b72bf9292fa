"""Image DPD parameters: retransmission count, back-off and the two periodic readings."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest

from flexlab.sim.engine.image_params import parse_image_params
from flexlab.sim.engine.images import IMAGES, ImageError
from flexlab.sim.engine.lab import Lab

HUB1_WAN = "100.64.0.2"
DPD_NODES = ("spoke1", "spoke2", "hub1", "hub2")


def probes_to(track: Any, spoke: str, peer: str) -> list[Any]:
    return [e for e in track.after("dpd-r-u-there", spoke) if e.peer == peer]


def test_default_profiles_keep_five_fixed_retransmissions_and_the_idle_reading() -> None:
    for profile in IMAGES.values():
        timing = profile.timing
        assert (timing.dpd_retransmits, timing.dpd_backoff, timing.dpd_periodic) == (5, "fixed", "idle")
        assert timing.dpd_retry_waits(5) == [5, 5, 5, 5, 5, 5]


@pytest.mark.parametrize(("params", "offsets", "dead_after"), [
    # 3 retransmissions, fixed R = 2: probes at 0, 2, 4, 6; dead one R after the last
    ({"dpd_retransmits": "3"}, [0, 2, 4, 6], 8),
    # exponential from R = 2, factor 2, cap 8: waits 2, 4, 8, 8
    ({"dpd_retransmits": "3", "dpd_backoff": "exponential", "dpd_backoff_cap_s": "8"}, [0, 2, 6, 14], 22),
    # factor 1.5, no cap, 2 retransmissions: waits 2, 3, 4.5
    ({"dpd_retransmits": "2", "dpd_backoff": "exponential", "dpd_backoff_factor": "1.5"}, [0, 2, 5], 9.5),
])
def test_unanswered_r_u_there_follows_the_image_schedule(
    make_lab: Callable[..., Lab], set_dpd: Any, failover: Any,
    params: dict[str, str], offsets: list[float], dead_after: float,
) -> None:
    dpd = set_dpd(10, 2, "periodic")
    lab = make_lab(edits={name: dpd for name in DPD_NODES}, image_params=params)
    track = failover(lab, "hub1", "interface-shutdown")
    lab.run_for(60)
    probes = probes_to(track, "spoke1", HUB1_WAN)
    first = probes[0].time
    assert [e.detail["attempt"] for e in probes] == list(range(len(offsets)))
    assert [round(e.time - first, 6) for e in probes] == offsets
    (dead,) = track.after("dpd-peer-dead", "spoke1")
    assert dead.time - first == pytest.approx(dead_after)
    assert track.connected_to("spoke1", "100.64.0.6") is not None


@pytest.mark.parametrize(("reading", "expected_probes"), [("idle", 0), ("always", 10)])
def test_periodic_reading_decides_whether_received_traffic_suppresses_probes(
    make_lab: Callable[..., Lab], set_dpd: Any, failover: Any, reading: str, expected_probes: int,
) -> None:
    # hub1 probes its spokes every 10 s, so spoke1 hears from hub1 at least every ~10 s:
    # with the idle reading its own 30 s DPD never fires; with "always" it probes every 30 s.
    edits = {"hub1": set_dpd(10, 2, "periodic"), "spoke1": set_dpd(30, 5, "periodic")}
    lab = make_lab(edits=edits, image_params={"dpd_periodic": reading})
    start = lab.now()
    lab.run_for(300)
    probes = [e for e in lab.truth() if e.kind == "dpd-r-u-there" and e.node == "spoke1"
              and e.peer == HUB1_WAN and e.time >= start]
    assert len(probes) == expected_probes
    gaps = {round(b.time - a.time, 6) for a, b in pairwise(probes)}
    assert gaps <= {30.0}
    assert all(e.detail["attempt"] == 0 for e in probes)


@pytest.mark.parametrize(("params", "message"), [
    ({"dpd_retries": "3"}, "--image-param dpd_retries: unknown key"),
    ({"dpd_retransmits": "three"}, "--image-param dpd_retransmits=three: not a number"),
    ({"dpd_retransmits": "-1"}, "--image-param dpd_retransmits=-1: must be 0..20"),
    ({"dpd_backoff": "linear"}, "--image-param dpd_backoff=linear: must be one of fixed, exponential"),
    ({"dpd_periodic": "sometimes"}, "--image-param dpd_periodic=sometimes: must be one of idle, always"),
    ({"dpd_backoff_factor": "0.5"}, "--image-param dpd_backoff_factor=0.5: must be 1..10"),
])
def test_bad_image_params_name_key_value_and_cause(params: dict[str, str], message: str) -> None:
    with pytest.raises(ImageError) as caught:
        parse_image_params(params)
    assert str(caught.value).startswith(message)


def test_image_params_accept_key_value_texts_and_a_cap_of_none() -> None:
    parsed = parse_image_params(["dpd_backoff=exponential", "dpd_backoff_cap_s=none", "dpd_retransmits=4"])
    assert parsed == {"dpd_backoff": "exponential", "dpd_backoff_cap_s": None, "dpd_retransmits": 4}
    with pytest.raises(ImageError, match="expected KEY=VALUE"):
        parse_image_params(["dpd_backoff"])
