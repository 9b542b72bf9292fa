"""flexlab.bound, configuration side: which DPD, which traffic and the bound they give.

Edge cases the mutation run (make mutation, docs/mutation.md) showed unpinned. Expected
values are hand-derived from the configuration text and the formula in docs/timing.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flexlab.bound import (
    BgpTimers,
    Bound,
    DpdConfig,
    TrafficSource,
    bgp_timers,
    dpd_bound,
    dpd_trigger_traffic,
    ip_sla_traffic,
    parse_dpd_config,
    traffic_period_s,
)
from flexlab.errors import TimingInputError

RENDERED = Path(__file__).resolve().parents[1] / "configs" / "rendered"
OVERLAY = "172.16.0.1"

SPOKE = """\
hostname spoke1
crypto ikev2 profile Flex_IKEv2
 match identity remote address 0.0.0.0
crypto ikev2 dpd 30 5 on-demand
crypto ikev2 client flexvpn Flex_Client
 peer 1 100.64.0.2
 client connect Tunnel1
crypto ikev2 keyring Flex_Keys
 peer any
  address 0.0.0.0 0.0.0.0
"""


# ------------------------------------------------------- the reference design, pinned

@pytest.mark.parametrize("config", sorted(RENDERED.glob("*/spoke*.cfg")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reference_design_bound_is_seventy_seconds(config: Path) -> None:
    """The committed reference configs: IP SLA every 5 s, DPD 30 5 on-demand, N = 5, S = 5."""
    text = config.read_text()
    sources = dpd_trigger_traffic(text, bgp_neighbor=OVERLAY)
    bound = dpd_bound(parse_dpd_config(text), traffic_period_s(sources))
    assert (bound.mode, bound.detection_s, bound.total_s) == ("on-demand", 65.0, 70.0)
    assert bound.expression == "5 + 30 + (5+1)*5 + 5 = 70 s"


# ------------------------------------------------------------------------ DPD config

def test_a_flexvpn_client_or_keyring_name_is_not_an_ikev2_profile() -> None:
    for name in ("Flex_Client", "Flex_Keys"):
        with pytest.raises(TimingInputError, match=f"IKEv2 profile '{name}' is not in the running configuration"):
            parse_dpd_config(SPOKE, profile=name)


def test_disagreeing_profiles_are_named_in_the_error() -> None:
    config = SPOKE.replace(" match identity remote address 0.0.0.0\n",
                           " dpd 10 2 periodic\n") + "crypto ikev2 profile Other\n dpd 60 10 on-demand\n"
    with pytest.raises(TimingInputError) as error:
        parse_dpd_config(config)
    assert str(error.value) == ("IKEv2 profiles profile Flex_IKEv2, profile Other configure different DPD "
                                "values: name the profile the tunnel uses")


# ------------------------------------------------------------------------- IP SLA

def sla(number: int, schedule: str, body: str = " icmp-echo 172.16.0.1\n frequency 5\n") -> str:
    return f"ip sla {number}\n{body}ip sla schedule {number} {schedule}\n"


def test_a_pending_operation_does_not_hide_the_running_ones_after_it() -> None:
    config = sla(10, "life forever start-time pending") + sla(20, "life forever start-time now",
                                                              " udp-jitter 172.16.0.1 5000\n frequency 7\n")
    assert ip_sla_traffic(config) == [TrafficSource("ip sla 20 udp-jitter 172.16.0.1", 7.0)]


def test_an_operation_without_a_schedule_line_does_not_hide_the_next() -> None:
    config = "ip sla 10\n icmp-echo 10.0.0.1\n" + sla(20, "life forever start-time now")
    assert ip_sla_traffic(config) == [TrafficSource("ip sla 20 icmp-echo 172.16.0.1", 5.0)]


def test_a_schedule_without_start_time_does_not_hide_the_next_schedule() -> None:
    config = sla(10, "life forever") + sla(20, "life forever start-time now")
    assert [s.name for s in ip_sla_traffic(config)] == ["ip sla 20 icmp-echo 172.16.0.1"]


def test_only_ip_sla_lines_are_operations() -> None:
    """`ip accounting-threshold 10` has the shape `ip <word> <number>` of `ip sla 10`."""
    config = "ip accounting-threshold 10\n" + sla(10, "life forever start-time now")
    assert [s.name for s in ip_sla_traffic(config)] == ["ip sla 10 icmp-echo 172.16.0.1"]


def test_a_schedule_line_cut_after_start_time_is_not_running() -> None:
    assert ip_sla_traffic(sla(10, "life forever start-time")) == []


def test_a_scheduled_operation_without_a_type_is_a_probe_every_sixty_seconds() -> None:
    assert ip_sla_traffic(sla(10, "start-time now", body="")) == [TrafficSource("ip sla 10 probe", 60.0)]


# ------------------------------------------------------------------------ BGP timers

def test_no_router_bgp_gives_the_ios_defaults() -> None:
    assert bgp_timers(SPOKE, OVERLAY) == BgpTimers(60, 180, "default")
    assert dpd_trigger_traffic(SPOKE, OVERLAY) == []


def test_another_routing_process_is_not_bgp() -> None:
    config = SPOKE + "router ospf 1\n timers throttle spf 50 100 5000\nrouter bgp 65001\n timers bgp 10 30\n"
    assert bgp_timers(config) == BgpTimers(10, 30, "timers bgp")
    assert dpd_trigger_traffic(SPOKE + "router ospf 1\n network 10.0.0.0 0.0.0.255 area 0\n", OVERLAY) == []


@pytest.mark.parametrize("timers", ["timers bgp", "timers bgp x 30", "timers bgp 10 y", "timers bgp 10"])
def test_unreadable_timers_fall_back_to_the_defaults(timers: str) -> None:
    config = f"router bgp 65001\n {timers}\n neighbor {OVERLAY} remote-as 65001\n"
    assert bgp_timers(config, OVERLAY) == BgpTimers(60, 180, "default")


def test_peer_group_found_past_the_neighbours_other_lines() -> None:
    config = (f"router bgp 65001\n neighbor Hubs peer-group\n neighbor Hubs timers 20 60\n"
              f" neighbor {OVERLAY} description hub overlay\n neighbor {OVERLAY} peer-group Hubs\n")
    assert bgp_timers(config, OVERLAY) == BgpTimers(20, 60, "neighbor Hubs timers")


def test_keepalive_source_uses_the_neighbours_own_timers() -> None:
    config = f"router bgp 65001\n timers bgp 30 90\n neighbor {OVERLAY} timers 5 15\n"
    assert dpd_trigger_traffic(config, OVERLAY) == [
        TrafficSource(f"bgp keepalive to {OVERLAY} (neighbor {OVERLAY} timers)", 5.0)]
    assert dpd_trigger_traffic(config) == [TrafficSource("bgp keepalive (timers bgp)", 30.0)]


# ---------------------------------------------------------------------------- bound

def test_dpd_off_has_no_formula_and_no_terms() -> None:
    bound = dpd_bound(None, 5.0)
    assert (bound.mode, bound.detection_s, bound.total_s, bound.formula, bound.expression, bound.terms) == (
        "dpd-off", None, None, "none", "no bound", ())


def test_on_demand_without_traffic_keeps_the_formula_and_the_dpd_terms() -> None:
    bound = dpd_bound(DpdConfig(30, 5, "on-demand"), None, 5)
    assert (bound.formula, bound.expression) == ("T + I + (N+1)*R + S", "no bound")
    # W, the sum of the waits under the default fixed model: (5+1) x 5 s = 30 s
    assert [(t.symbol, t.value_s) for t in bound.terms] == [
        ("I", 30.0), ("N", 5.0), ("R", 5.0), ("W", 30.0), ("S", 5.0)]


def test_periodic_bound_formula_and_sum() -> None:
    bound = dpd_bound(DpdConfig(10, 2, "periodic"), None, setup_allowance_s=3)
    # 10 + (5+1)*2 = 22 s to detect, + 3 s set-up = 25 s
    assert (bound.formula, bound.expression, bound.detection_s, bound.total_s) == (
        "I + (N+1)*R + S", "10 + (5+1)*2 + 3 = 25 s", 22.0, 25.0)


def test_sub_second_traffic_period_is_a_valid_t() -> None:
    bound = dpd_bound(DpdConfig(10, 2, "on-demand"), 0.5, setup_allowance_s=1)
    # 0.5 + 10 + (5+1)*2 + 1 = 23.5
    assert (bound.mode, bound.total_s, bound.expression) == ("on-demand", 23.5, "0.5 + 10 + (5+1)*2 + 1 = 23.5 s")


@pytest.mark.parametrize(("dpd", "period", "allowance", "message"), [
    (DpdConfig(30, 5, "on-demand"), 5.0, -1.0, "setup_allowance_s must be >= 0"),
    (DpdConfig(30, 5, "on-demand"), 0.0, 5.0, "traffic_period_s must be > 0"),
    (DpdConfig(30, 5, "on-demand"), -5.0, 5.0, "traffic_period_s must be > 0"),
])
def test_bound_errors_name_the_parameter(dpd: DpdConfig, period: float, allowance: float, message: str) -> None:
    with pytest.raises(ValueError) as error:
        dpd_bound(dpd, period, allowance)
    assert str(error.value) == message


def test_bound_round_trips_through_json_ready() -> None:
    bound = dpd_bound(DpdConfig(30, 5, "periodic"), None, 0)
    data = bound.to_dict()
    assert isinstance(bound, Bound) and data["total_s"] == 60.0 and data["terms"][0]["symbol"] == "I"
    # the retransmission count is the declared model's (flexlab.dpd_model), not the config's
    assert DpdConfig(30, 5, "periodic").to_dict() == {
        "interval_s": 30, "retry_interval_s": 5, "mode": "periodic", "origin": "global"}
    assert TrafficSource("ip sla 10 icmp-echo 10.0.0.1", 5.0).to_dict() == {
        "name": "ip sla 10 icmp-echo 10.0.0.1", "period_s": 5.0}
