"""flexlab.bound.dpd_bound: every field of the bound a report and a failure reason print,
for each DPD mode and for a fixed and an exponential model.

Figures are hand-derived from docs/timing.md: on-demand T + I + W + S, periodic I + W + S,
W = (N+1)*R for a fixed model and R + 2R + ... + 2^N R for an exponential one with factor 2.
"""

from __future__ import annotations

from flexlab.bound import DpdConfig, dpd_bound
from flexlab.dpd_model import DpdModel

FIXED_5 = DpdModel()
EXPONENTIAL = DpdModel(name="ios-exponential-5", backoff="exponential", factor=2.0)
FIXED_DESCRIBED = "ios-fixed-5: 5 retransmissions, fixed at R, periodic=idle (assumed, not measured on this image)"
EXPONENTIAL_DESCRIBED = ("ios-exponential-5: 5 retransmissions, exponential from R, factor 2, periodic=idle "
                         "(assumed, not measured on this image)")


def term_rows(bound) -> list[tuple[str, str, float]]:
    return [(t.symbol, t.name, t.value_s) for t in bound.terms]


def dpd_terms(model_name: str, retransmits: float, waits: float, spacing: str) -> list[tuple[str, str, float]]:
    return [
        ("I", "DPD interval: idle time before the first R-U-THERE", 30.0),
        ("N", f"R-U-THERE retransmissions before the peer is declared dead ({model_name})", retransmits),
        ("R", "DPD retry interval: the first wait between retransmissions", 5.0),
        ("W", f"sum of the waits, {spacing}", waits),
        ("S", "set-up allowance: IKE_SA_INIT + IKE_AUTH to the next peer, tunnel up", 5.0),
    ]


def test_on_demand_with_traffic() -> None:
    bound = dpd_bound(DpdConfig(30, 5, "on-demand"), 5.0)
    assert (bound.mode, bound.detection_s, bound.total_s) == ("on-demand", 65.0, 70.0)
    assert (bound.formula, bound.expression) == ("T + I + (N+1)*R + S", "5 + 30 + (5+1)*5 + 5 = 70 s")
    assert term_rows(bound) == [("T", "longest gap until the next outbound packet (traffic period)", 5.0),
                                *dpd_terms("ios-fixed-5", 5.0, 30.0, "(N+1)*R (fixed)")]
    assert bound.note == ("on-demand DPD: the first R-U-THERE goes with the first outbound packet after I s "
                          "without traffic from the peer")
    assert bound.model == FIXED_DESCRIBED


def test_on_demand_exponential() -> None:
    # W = 5 + 10 + 20 + 40 + 80 + 160 = 315; 5 + 30 + 315 + 5 = 355
    bound = dpd_bound(DpdConfig(30, 5, "on-demand"), 5.0, model=EXPONENTIAL)
    assert (bound.detection_s, bound.total_s) == (350.0, 355.0)
    assert (bound.formula, bound.expression) == ("T + I + sum(R*2^k, k=0..N) + S",
                                                 "5 + 30 + (5+10+20+40+80+160) + 5 = 355 s")
    assert term_rows(bound)[1:] == dpd_terms("ios-exponential-5", 5.0, 315.0, "sum(R*2^k, k=0..N) (exponential)")
    assert bound.model == EXPONENTIAL_DESCRIBED


def test_periodic() -> None:
    # 30 + (3+1)*5 = 50 s to detect, + 5 s set-up
    model = DpdModel(name="ios-fixed-3", retransmits=3, periodic="always")
    bound = dpd_bound(DpdConfig(30, 5, "periodic"), 5.0, model=model)
    assert (bound.mode, bound.detection_s, bound.total_s) == ("periodic", 50.0, 55.0)
    assert (bound.formula, bound.expression) == ("I + (N+1)*R + S", "30 + (3+1)*5 + 5 = 55 s")
    assert term_rows(bound) == dpd_terms("ios-fixed-3", 3.0, 20.0, "(N+1)*R (fixed)")
    assert bound.note == "periodic DPD (always reading): an R-U-THERE at most I after the failure"
    assert bound.model == ("ios-fixed-3: 3 retransmissions, fixed at R, periodic=always "
                           "(assumed, not measured on this image)")


def test_on_demand_without_traffic_has_no_bound() -> None:
    bound = dpd_bound(DpdConfig(30, 5, "on-demand"), None)
    assert (bound.mode, bound.detection_s, bound.total_s) == ("on-demand-no-traffic", None, None)
    assert (bound.formula, bound.expression) == ("T + I + (N+1)*R + S", "no bound")
    assert term_rows(bound) == dpd_terms("ios-fixed-5", 5.0, 30.0, "(N+1)*R (fixed)")
    assert bound.note == ("on-demand DPD fires only when there is outbound traffic for the peer; the "
                          "configuration has none that is periodic")
    assert bound.model == FIXED_DESCRIBED


def test_dpd_off_has_no_bound() -> None:
    bound = dpd_bound(None, 5.0)
    assert (bound.mode, bound.detection_s, bound.total_s, bound.terms) == ("dpd-off", None, None, ())
    assert bound.note == ("DPD is off: the spoke changes peer only when the IKEv2 SA is cleared, expires or fails "
                          "to rekey; the BGP hold timer does not move the FlexVPN client")
    assert bound.model == FIXED_DESCRIBED
