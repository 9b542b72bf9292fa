"""flexlab.bound, flexlab.syslog_events, flexlab.clock, flexlab.failover_timing: DPD bound, logs, clocks, failover."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from flexlab.bound import (
    DpdConfig,
    bgp_timers,
    dpd_bound,
    dpd_trigger_traffic,
    ip_sla_traffic,
    parse_dpd_config,
    traffic_period_s,
)
from flexlab.clock import ClockOffset, clock_rate
from flexlab.dpd_model import parse_model
from flexlab.errors import TimingInputError
from flexlab.failover_timing import (
    METHOD_NTP,
    METHOD_OFFSET,
    FailureInstant,
    failover_statistics,
    measure_failover,
)
from flexlab.syslog_events import (
    BgpAdjChange,
    BgpNotification,
    ClockParseError,
    FlexvpnConnection,
    Ikev2SessionStatus,
    InterfaceChange,
    LogEvent,
    parse_log,
    parse_log_line,
    parse_show_clock,
    recognise,
)

SPOKE_CONFIG = """\
Building configuration...

Current configuration : 2345 bytes
!
hostname spoke1
!
crypto ikev2 profile Flex_IKEv2
 match identity remote address 0.0.0.0
 authentication remote pre-share
 virtual-template 1
!
crypto ikev2 dpd 30 5 on-demand
!
crypto ikev2 client flexvpn Flex_Client
 peer 1 100.64.0.2
 peer 2 100.64.0.6
 client connect Tunnel1
!
router bgp 65001
 bgp log-neighbor-changes
 neighbor 172.16.0.1 remote-as 65001
!
ip sla 10
 icmp-echo 172.16.0.1 source-interface Loopback1
 frequency 5
ip sla schedule 10 life forever start-time now
!
end
"""

HUB1, HUB2, OVERLAY = "100.64.0.2", "100.64.0.6", "172.16.0.1"


def config_with(*replacements: tuple[str, str]) -> str:
    text = SPOKE_CONFIG
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text


# ------------------------------------------------------------------------ DPD config

def test_global_dpd() -> None:
    assert parse_dpd_config(SPOKE_CONFIG) == DpdConfig(30, 5, "on-demand", "global")


def test_profile_dpd_wins_over_global() -> None:
    config = config_with((" virtual-template 1\n", " virtual-template 1\n dpd 10 2 periodic\n"))
    assert parse_dpd_config(config) == DpdConfig(10, 2, "periodic", "profile Flex_IKEv2")
    assert parse_dpd_config(config, profile="Flex_IKEv2") == DpdConfig(10, 2, "periodic", "profile Flex_IKEv2")


def test_no_dpd_means_none() -> None:
    assert parse_dpd_config(config_with(("crypto ikev2 dpd 30 5 on-demand\n", ""))) is None


def test_mode_defaults_to_on_demand() -> None:
    config = config_with(("crypto ikev2 dpd 30 5 on-demand", "crypto ikev2 dpd 20 4"))
    assert parse_dpd_config(config) == DpdConfig(20, 4, "on-demand", "global")


def test_unknown_profile_is_named_in_the_error() -> None:
    with pytest.raises(TimingInputError, match="Nope"):
        parse_dpd_config(SPOKE_CONFIG, profile="Nope")


def test_profiles_that_disagree_need_a_name() -> None:
    config = config_with((" virtual-template 1\n", " virtual-template 1\n dpd 10 2 periodic\n"),
                         ("crypto ikev2 dpd 30 5 on-demand\n",
                          "crypto ikev2 profile Other\n dpd 60 10 on-demand\n!\n"))
    with pytest.raises(TimingInputError, match="name the profile"):
        parse_dpd_config(config)
    assert parse_dpd_config(config, profile="Other") == DpdConfig(60, 10, "on-demand", "profile Other")


def test_unreadable_dpd_line_is_an_error() -> None:
    with pytest.raises(TimingInputError, match="crypto ikev2 dpd thirty"):
        parse_dpd_config(config_with(("crypto ikev2 dpd 30 5 on-demand", "crypto ikev2 dpd thirty 5")))


# ---------------------------------------------------------------- DPD-triggering traffic

def test_scheduled_sla_and_default_bgp_keepalive() -> None:
    sources = dpd_trigger_traffic(SPOKE_CONFIG, bgp_neighbor=OVERLAY)
    assert [(s.name, s.period_s) for s in sources] == [
        ("ip sla 10 icmp-echo 172.16.0.1", 5.0),
        ("bgp keepalive to 172.16.0.1 (default)", 60.0),
    ]
    assert traffic_period_s(sources) == 5.0


@pytest.mark.parametrize("schedule", ["", "ip sla schedule 10 life forever\n",
                                      "ip sla schedule 10 life forever start-time pending\n"])
def test_unscheduled_sla_sends_nothing(schedule: str) -> None:
    config = config_with(("ip sla schedule 10 life forever start-time now\n", schedule))
    assert ip_sla_traffic(config) == []
    assert traffic_period_s(dpd_trigger_traffic(config)) == 60.0


def test_sla_frequency_defaults_to_60_and_may_be_nested() -> None:
    assert ip_sla_traffic(config_with((" frequency 5\n", "")))[0].period_s == 60.0
    assert ip_sla_traffic(config_with((" frequency 5\n", "  frequency 7\n")))[0].period_s == 7.0


def test_bgp_timers_precedence() -> None:
    assert bgp_timers(SPOKE_CONFIG, OVERLAY).keepalive_s == 60
    config = config_with((" bgp log-neighbor-changes\n", " bgp log-neighbor-changes\n timers bgp 10 30\n"))
    assert (bgp_timers(config).keepalive_s, bgp_timers(config).origin) == (10, "timers bgp")
    config = config_with((" neighbor 172.16.0.1 remote-as 65001\n",
                          " neighbor 172.16.0.1 remote-as 65001\n neighbor 172.16.0.1 timers 5 15\n"),
                         (" bgp log-neighbor-changes\n", " bgp log-neighbor-changes\n timers bgp 10 30\n"))
    assert bgp_timers(config, OVERLAY).keepalive_s == 5
    assert bgp_timers(config, "10.9.9.9").keepalive_s == 10


def test_bgp_peer_group_timers() -> None:
    config = config_with((" neighbor 172.16.0.1 remote-as 65001\n",
                          " neighbor Hubs peer-group\n neighbor Hubs timers 20 60\n"
                          " neighbor 172.16.0.1 peer-group Hubs\n"))
    timers = bgp_timers(config, OVERLAY)
    assert (timers.keepalive_s, timers.holdtime_s, timers.origin) == (20, 60, "neighbor Hubs timers")


def test_keepalive_period_is_bounded_by_a_third_of_the_hold_time_and_zero_disables() -> None:
    config = config_with((" bgp log-neighbor-changes\n", " timers bgp 60 90\n"))
    assert bgp_timers(config).keepalive_period_s == 30.0
    config = config_with((" bgp log-neighbor-changes\n", " timers bgp 0 0\n"),
                         ("ip sla schedule 10 life forever start-time now\n", ""))
    assert dpd_trigger_traffic(config) == []
    assert traffic_period_s([]) is None


# ---------------------------------------------------------------------------- bound

def test_on_demand_bound_with_sla_traffic() -> None:
    bound = dpd_bound(DpdConfig(30, 5, "on-demand"), traffic_period_s=5, setup_allowance_s=5)
    assert bound.detection_s == 5 + 30 + 6 * 5 == 65
    assert bound.total_s == 70
    assert bound.formula == "T + I + (N+1)*R + S"
    assert bound.expression == "5 + 30 + (5+1)*5 + 5 = 70 s"
    assert [(t.symbol, t.value_s) for t in bound.terms] == [
        ("T", 5), ("I", 30), ("N", 5), ("R", 5), ("W", 30), ("S", 5)]
    assert bound.model.startswith("ios-fixed-5") and "assumed, not measured on this image" in bound.model


def test_periodic_bound_ignores_traffic() -> None:
    bound = dpd_bound(DpdConfig(30, 5, "periodic"), traffic_period_s=5, setup_allowance_s=0)
    assert (bound.mode, bound.detection_s, bound.total_s) == ("periodic", 60, 60)
    assert bound.expression == "30 + (5+1)*5 + 0 = 60 s"
    assert "T" not in [t.symbol for t in bound.terms]


def test_on_demand_with_only_bgp_keepalives_reaches_two_minutes() -> None:
    assert dpd_bound(DpdConfig(30, 5, "on-demand"), traffic_period_s=60).detection_s == 120


def test_retransmit_count_comes_from_the_declared_model() -> None:
    model = parse_model("retransmits=3")
    assert dpd_bound(DpdConfig(30, 5, "periodic"), None, 0, model=model).total_s == 30 + 4 * 5


def test_exponential_model_sums_the_doubling_waits() -> None:
    # facts.md section 1: 5 retransmits from R = 5 doubling: 5+10+20+40+80+160 = 315 s
    model = parse_model("retransmits=5,backoff=exponential,factor=2")
    bound = dpd_bound(DpdConfig(30, 5, "periodic"), None, 0, model=model)
    assert bound.detection_s == 30 + 315
    assert bound.expression == "30 + (5+10+20+40+80+160) + 0 = 345 s"
    assert bound.formula == "I + sum(R*2^k, k=0..N) + S"


def test_exponential_model_with_a_cap_and_on_demand_traffic() -> None:
    model = parse_model("retransmits=4,backoff=exponential,factor=3,cap=30")
    bound = dpd_bound(DpdConfig(20, 2, "on-demand"), 5, 5, model=model)
    assert bound.detection_s == 5 + 20 + (2 + 6 + 18 + 30 + 30)


def test_default_allowance_is_five_seconds() -> None:
    assert dpd_bound(DpdConfig(30, 5, "periodic"), None).total_s == 65


@pytest.mark.parametrize(("dpd", "period", "mode"), [
    (None, 5.0, "dpd-off"),
    (DpdConfig(30, 5, "on-demand"), None, "on-demand-no-traffic"),
])
def test_no_bound(dpd: DpdConfig | None, period: float | None, mode: str) -> None:
    bound = dpd_bound(dpd, period)
    assert (bound.mode, bound.total_s, bound.detection_s) == (mode, None, None)
    assert bound.note


def test_bound_rejects_nonsense_inputs() -> None:
    with pytest.raises(ValueError):
        dpd_bound(DpdConfig(30, 5, "on-demand"), 5, setup_allowance_s=-1)
    with pytest.raises(ValueError):
        dpd_bound(DpdConfig(30, 5, "on-demand"), 0)


def test_bound_from_the_running_config_end_to_end() -> None:
    period = traffic_period_s(dpd_trigger_traffic(SPOKE_CONFIG, OVERLAY))
    bound = dpd_bound(parse_dpd_config(SPOKE_CONFIG), period)
    assert bound.total_s == 70
    assert json.loads(json.dumps(bound.to_dict()))["terms"][0] == {
        "symbol": "T", "name": "longest gap until the next outbound packet (traffic period)", "value_s": 5.0}


# ---------------------------------------------------------------------------- syslog

REFERENCE = datetime(2026, 9, 10, 8, 0, 0)


def test_unsynchronised_and_synchronised_timestamps() -> None:
    star = parse_log_line("*Aug 17 19:30:49.065: %LINEPROTO-5-UPDOWN: Line protocol on Interface "
                          "Tunnel1, changed state to down", REFERENCE)
    plain = parse_log_line("Sep 10 07:31:21.285: %BGP-5-ADJCHANGE: neighbor *172.16.200.28 Up", REFERENCE)
    dot = parse_log_line(".Sep 10 07:31:21.285: %BGP-5-ADJCHANGE: neighbor 10.0.0.1 Up", REFERENCE)
    assert star == LogEvent(datetime(2026, 8, 17, 19, 30, 49, 65000), False, "LINEPROTO", 5, "UPDOWN",
                            "Line protocol on Interface Tunnel1, changed state to down",
                            raw=star.raw)
    assert (plain.device_time, plain.synced, plain.tag) == (datetime(2026, 9, 10, 7, 31, 21, 285000), True,
                                                            "BGP-5-ADJCHANGE")
    assert dot.synced is False


def test_sequence_number_year_timezone_and_slot_prefix() -> None:
    event = parse_log_line("000123: Nov  7 2025 10:15:53.6 UTC: R0/0: %LINK-3-UPDOWN: Interface "
                           "Ethernet0/1, changed state to down", REFERENCE)
    assert (event.sequence, event.device_time, event.timezone, event.synced) == (
        123, datetime(2025, 11, 7, 10, 15, 53, 600000), "UTC", True)
    assert (
        parse_log_line("Jun  5 05:09:30.838 EST: %SYS-5-CONFIG_I: Configured from console", REFERENCE).timezone == "EST"
    )
    assert parse_log_line("*Oct 15 09:12:40: %SYS-6-LOGOUT: User admin has exited", REFERENCE).device_time == \
        datetime(2025, 10, 15, 9, 12, 40)


def test_year_rollover() -> None:
    new_year = datetime(2027, 1, 1, 0, 0, 5)
    old = parse_log_line("*Dec 31 23:59:58.100: %LINK-3-UPDOWN: Interface Ethernet0/1, changed state to down",
                         new_year)
    new = parse_log_line("*Jan  1 00:00:01.000: %LINK-3-UPDOWN: Interface Ethernet0/1, changed state to up",
                         new_year)
    assert (old.device_time.year, new.device_time.year) == (2026, 2027)
    assert (new.device_time - old.device_time).total_seconds() == pytest.approx(2.9)
    # the reference was read a moment before midnight: the Jan 1 line is the next year's
    late = parse_log_line("Jan  1 00:00:01.000: %SYS-5-CONFIG_I: x", datetime(2026, 12, 31, 23, 59, 58))
    assert late.device_time == datetime(2027, 1, 1, 0, 0, 1)


def test_aware_reference_is_taken_as_wall_time() -> None:
    event = parse_log_line("*Dec 31 23:59:58.100: %SYS-5-CONFIG_I: x", datetime(2027, 1, 1, tzinfo=UTC))
    assert event.device_time == datetime(2026, 12, 31, 23, 59, 58, 100000)


def test_feb_29_goes_to_the_last_leap_year() -> None:
    event = parse_log_line("Feb 29 12:00:00.000: %SYS-5-CONFIG_I: x", datetime(2026, 3, 1))
    assert event.device_time == datetime(2024, 2, 29, 12, 0)


@pytest.mark.parametrize("line", [
    "",
    "garbage",
    "00:01:23: %SYS-5-CONFIG_I: Configured from console",        # uptime timestamps
    "*Feb 30 10:00:00.000: %SYS-5-CONFIG_I: x",                  # no such date
    "*Nov 27 10:15: %SYS-5-CONFIG_I: x",                         # truncated time
    "Jun  5 05:11:04.626 EST: Rollback:Acquired Configuration lock.",
    "*Nov 27 10:15:53.627: %SYS-9-CONFIG_I: severity out of range",
    "Log Buffer (64000 bytes):",
    "    wrapped continuation of the previous message",
])
def test_malformed_lines_are_ignored(line: str) -> None:
    assert parse_log_line(line, REFERENCE) is None


def test_parse_log_keeps_buffer_order_and_skips_the_rest() -> None:
    text = ("Syslog logging: enabled\n\nLog Buffer (64000 bytes):\n\n"
            "Sep 10 07:32:42.967: %BGP-3-NOTIFICATION: sent to neighbor *172.16.200.27 4/0 "
            "(hold time expired) 0 bytes\n"
            "garbage line\n"
            "Sep 10 07:32:42.967: %BGP-5-ADJCHANGE: neighbor *172.16.200.27 Down BGP Notification sent\n")
    assert [e.mnemonic for e in parse_log(text, REFERENCE)] == ["NOTIFICATION", "ADJCHANGE"]


def _detail(text: str) -> object:
    event = parse_log_line(f"Sep 10 07:00:00.000: {text}", REFERENCE)
    assert event is not None
    return recognise(event)


def test_flexvpn_messages_with_and_without_addresses() -> None:
    assert _detail("%FLEXVPN-6-FLEXVPN_CONNECTION_UP: FlexVPN(Flex_Client) Client_public_addr = 100.64.0.10 "
                   "Server_public_addr = 100.64.0.6 Assigned_Tunnel_v4_addr = 172.16.2.1") == FlexvpnConnection(
        "UP", "Flex_Client", "100.64.0.10", "100.64.0.6", "172.16.2.1")
    assert _detail("%FLEXVPN-6-FLEXVPN_CONNECTION_DOWN: FlexVPN(Flex_Client) Client_public_addr = "
                   "Server_public_addr =") == FlexvpnConnection("DOWN", "Flex_Client", "", "", None)
    assert _detail("%FLEXVPN-6-FLEXVPN_CONNECTION_UP: FlexVPN( Flex_Client )Client_public_addr=100.64.0.10 "
                   "Server_public_addr=100.64.0.2  Assigned_Tunnel_v4_addr =") == FlexvpnConnection(
        "UP", "Flex_Client", "100.64.0.10", "100.64.0.2", "")


def test_ikev2_session_status() -> None:
    assert _detail("%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is UP.  Peer 100.64.0.6:500 Id: 100.64.0.6") \
        == Ikev2SessionStatus("UP", HUB2, 500, HUB2)
    assert _detail("%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is DOWN.  Peer 2001:db8::1:4500   Id: hub") \
        == Ikev2SessionStatus("DOWN", "2001:db8::1", 4500, "hub")
    assert _detail("%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is DOWN.  Peer") \
        == Ikev2SessionStatus("DOWN", "", None, "")


def test_bgp_messages() -> None:
    assert _detail("%BGP-5-ADJCHANGE: neighbor *172.16.200.27 Down BGP Notification sent") == BgpAdjChange(
        "172.16.200.27", True, "Down", "BGP Notification sent")
    assert _detail("%BGP-5-ADJCHANGE: neighbor 172.16.0.1 Up ") == BgpAdjChange("172.16.0.1", False, "Up", "")
    assert _detail("%BGP-5-ADJCHANGE: neighbor 10.1.1.1 vpn vrf RED Up") == BgpAdjChange(
        "10.1.1.1", False, "Up", "", "RED")
    assert _detail("%BGP-3-NOTIFICATION: sent to neighbor *172.16.200.27 4/0 (hold time expired) 0 bytes") \
        == BgpNotification("sent", "172.16.200.27", True, "4/0", "hold time expired")
    assert _detail("%BGP-3-NOTIFICATION: received from neighbor 172.16.0.1 active 6/4 (Administrative Reset) "
                   "0 bytes") == BgpNotification("received", "172.16.0.1", False, "6/4", "Administrative Reset")


def test_interface_messages() -> None:
    assert _detail("%LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel1, changed state to up") == \
        InterfaceChange("line-protocol", "Tunnel1", "up")
    assert _detail("%LINK-3-UPDOWN: Interface Ethernet0/1, changed state to down") == \
        InterfaceChange("link", "Ethernet0/1", "down")
    assert _detail("%LINK-5-CHANGED: Interface Ethernet0/1, changed state to administratively  down") == \
        InterfaceChange("link", "Ethernet0/1", "administratively down")


def test_unrecognised_messages() -> None:
    assert _detail("%SYS-5-CONFIG_I: Configured from console by admin on vty0") is None
    assert _detail("%FLEXVPN-6-FLEXVPN_CONNECTION_UP: something else entirely") is None


# ---------------------------------------------------------------------------- clocks

@pytest.mark.parametrize(("output", "expected", "synced"), [
    ("*10:15:53.627 UTC Fri Nov 27 2026", datetime(2026, 11, 27, 10, 15, 53, 627000), False),
    (".04:37:54.849 UTC Thu Aug 7 2025", datetime(2025, 8, 7, 4, 37, 54, 849000), False),
    ("10:15:53 UTC Fri Nov 27 2026\n", datetime(2026, 11, 27, 10, 15, 53), True),
    ("Load for five secs: 1%/0%; one minute: 2%; five minutes: 3%\n"
     "Time source is NTP, 18:56:04.554 EST Mon Oct 17 2016\n"
     "18:56:04.554 EST Mon Oct 17 2016", datetime(2016, 10, 17, 18, 56, 4, 554000), True),
])
def test_show_clock(output: str, expected: datetime, synced: bool) -> None:
    reading = parse_show_clock(output)
    assert (reading.device_time, reading.synced) == (expected, synced)


@pytest.mark.parametrize("output", ["", "% Invalid input detected", "*10:15:53.627 UTC Fri Feb 30 2026"])
def test_show_clock_without_a_reading(output: str) -> None:
    with pytest.raises(ClockParseError):
        parse_show_clock(output)


SENT = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)


def test_clock_offset_from_show_clock() -> None:
    offset = ClockOffset.from_show_clock("*10:15:53.627 UTC Fri Nov 27 2026", SENT, SENT + timedelta(seconds=0.2))
    assert offset.harness_time == SENT + timedelta(seconds=0.1)
    assert offset.offset_s == pytest.approx(15 * 60 + 53.527)
    assert offset.uncertainty_s == pytest.approx(0.101)
    assert offset.device_synced is False
    harness = SENT + timedelta(seconds=10)
    assert offset.to_device(harness) == datetime(2026, 11, 27, 10, 16, 3, 527000)
    assert offset.to_harness(offset.to_device(harness)) == harness
    assert json.loads(json.dumps(offset.to_dict()))["offset_s"] == pytest.approx(953.527)


def test_clock_offset_with_a_time_scale() -> None:
    offset = ClockOffset.from_show_clock("10:00:00.000 UTC Fri Nov 27 2026", SENT, SENT, rate=10.0)
    assert offset.to_device(SENT + timedelta(seconds=2)) == datetime(2026, 11, 27, 10, 0, 20)
    assert offset.to_harness(datetime(2026, 11, 27, 10, 0, 20)) == SENT + timedelta(seconds=2)
    later = ClockOffset.from_show_clock("10:00:30.000 UTC Fri Nov 27 2026", SENT + timedelta(seconds=3),
                                        SENT + timedelta(seconds=3))
    assert clock_rate(offset, later) == pytest.approx(10.0)


def test_clock_offset_rejects_naive_or_reversed_instants() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ClockOffset.from_show_clock("10:00:00.000 UTC Fri Nov 27 2026", datetime(2026, 11, 27), SENT)
    with pytest.raises(ValueError):
        ClockOffset.from_show_clock("10:00:00.000 UTC Fri Nov 27 2026", SENT + timedelta(seconds=1), SENT)


# --------------------------------------------------------------------------- failover

T0 = datetime(2026, 11, 27, 10, 0, 0)


def log_line(at: datetime, message: str, synced: bool = True) -> str:
    stamp = at.strftime("%b %d %H:%M:%S.") + f"{at.microsecond // 1000:03d}"
    return f"{'' if synced else '*'}{stamp}: {message}"


def spoke_log(synced: bool = True, flexvpn: bool = True) -> list[LogEvent]:
    lines = [
        (-100.0, f"%FLEXVPN-6-FLEXVPN_CONNECTION_UP: FlexVPN(Flex_Client) Client_public_addr = 100.64.0.10 "
                 f"Server_public_addr = {HUB1} Assigned_Tunnel_v4_addr = 172.16.1.1"),
        (-99.0, f"%BGP-5-ADJCHANGE: neighbor {OVERLAY} Up"),
        (62.1, f"%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is DOWN.  Peer {HUB1}:500 Id: {HUB1}"),
        (62.1, f"%FLEXVPN-6-FLEXVPN_CONNECTION_DOWN: FlexVPN(Flex_Client) Client_public_addr = 100.64.0.10 "
               f"Server_public_addr = {HUB1}"),
        (63.0, f"%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is UP.  Peer {HUB2}:500 Id: {HUB2}"),
        (63.4, f"%FLEXVPN-6-FLEXVPN_CONNECTION_UP: FlexVPN(Flex_Client) Client_public_addr = 100.64.0.10 "
               f"Server_public_addr = {HUB2} Assigned_Tunnel_v4_addr = 172.16.2.1"),
        (66.25, f"%BGP-5-ADJCHANGE: neighbor {OVERLAY} Up"),
    ]
    text = "\n".join(log_line(T0 + timedelta(seconds=s), m, synced) for s, m in lines
                     if flexvpn or "FLEXVPN" not in m)
    return parse_log(text, T0 + timedelta(hours=1))


def hub_failure_event(synced: bool = True) -> LogEvent:
    event = parse_log_line(log_line(T0, "%LINK-5-CHANGED: Interface Ethernet0/1, changed state to "
                                        "administratively down", synced), T0)
    assert event is not None
    return event


def test_failover_from_ntp_synchronised_logs() -> None:
    failure = FailureInstant.from_synced_log(hub_failure_event(), "hub1 log")
    result = measure_failover(failure, spoke_log(), failed_peer=HUB1, bgp_neighbor=OVERLAY)
    assert (result.method, result.to_peer, result.up_event) == (METHOD_NTP, HUB2, "FLEXVPN-6-FLEXVPN_CONNECTION_UP")
    assert (result.failover_s, result.detected_s, result.bgp_converged_s) == (63.4, 62.1, 66.25)
    assert result.uncertainty_s == pytest.approx(0.002)
    assert result.within(dpd_bound(DpdConfig(30, 5, "on-demand"), 5))
    assert not result.within(dpd_bound(DpdConfig(30, 5, "periodic"), None, setup_allowance_s=0))
    report = json.loads(json.dumps(result.to_dict()))
    assert (report["failover_s"], report["method"], report["failure"]["source"]) == (
        63.4, METHOD_NTP, "hub1 log: %LINK-5-CHANGED")


def test_ikev2_up_is_the_fallback_without_flexvpn_messages() -> None:
    failure = FailureInstant.from_synced_log(hub_failure_event())
    result = measure_failover(failure, spoke_log(flexvpn=False), failed_peer=HUB1)
    assert (result.up_event, result.failover_s, result.to_peer) == ("CRYPTO-5-IKEV2_SESSION_STATUS", 63.0, HUB2)


def test_failover_offset_corrected_from_the_harness_clock() -> None:
    spoke_clock = ClockOffset.from_show_clock("*10:00:00.000 UTC Fri Nov 27 2026", SENT - timedelta(hours=2),
                                              SENT - timedelta(hours=2) + timedelta(seconds=0.3))
    failure_at_harness = SENT - timedelta(hours=2) + timedelta(seconds=0.15)   # = spoke T0
    failure = FailureInstant.from_harness(failure_at_harness, spoke_clock)
    result = measure_failover(failure, spoke_log(synced=False), failed_peer=HUB1)
    assert (result.method, result.failover_s) == (METHOD_OFFSET, 63.4)
    assert result.uncertainty_s == pytest.approx(0.15 + 0.002)


def test_failure_from_another_devices_log_through_both_offsets() -> None:
    hub_clock = ClockOffset.from_show_clock("*09:59:50.000 UTC Fri Nov 27 2026", SENT, SENT)   # 10 s behind
    spoke_clock = ClockOffset.from_show_clock("*10:00:05.000 UTC Fri Nov 27 2026", SENT, SENT)  # 5 s ahead
    hub_event = parse_log_line("*Nov 27 09:59:55.000: %LINK-5-CHANGED: Interface Ethernet0/1, changed state "
                               "to administratively down", T0)
    failure = FailureInstant.from_device_log(hub_event, hub_clock, spoke_clock, "hub1 log")
    assert failure.spoke_time == datetime(2026, 11, 27, 10, 0, 10)
    assert failure.method == METHOD_OFFSET


def test_unsynchronised_hub_log_cannot_be_used_directly() -> None:
    with pytest.raises(TimingInputError, match="offset-corrected"):
        FailureInstant.from_synced_log(hub_failure_event(synced=False))


def test_ntp_method_refuses_unsynchronised_spoke_logs() -> None:
    failure = FailureInstant.from_synced_log(hub_failure_event())
    with pytest.raises(TimingInputError, match="not NTP-synchronised"):
        measure_failover(failure, spoke_log(synced=False), failed_peer=HUB1)


def test_no_failover_when_the_spoke_only_returns_to_the_failed_peer() -> None:
    failure = FailureInstant.from_synced_log(hub_failure_event())
    events = [e for e in spoke_log() if HUB2 not in e.text]
    events.append(parse_log_line(log_line(T0 + timedelta(seconds=200), "%FLEXVPN-6-FLEXVPN_CONNECTION_UP: "
                                          f"FlexVPN(Flex_Client) Client_public_addr = 100.64.0.10 "
                                          f"Server_public_addr = {HUB1}"), T0))
    result = measure_failover(failure, events, failed_peer=HUB1)
    assert (result.failover_s, result.to_peer, result.bgp_converged_s) == (None, None, None)
    assert HUB1 in result.reason
    assert not result.within(dpd_bound(None, None))


def test_bgp_convergence_waits_for_the_named_neighbour() -> None:
    failure = FailureInstant.from_synced_log(hub_failure_event())
    result = measure_failover(failure, spoke_log(), failed_peer=HUB1, bgp_neighbor="10.9.9.9")
    assert (result.failover_s, result.bgp_converged_s) == (63.4, None)
    assert "BGP" in result.reason


def test_failover_statistics() -> None:
    stats = failover_statistics([63.4, 61.0, 70.2, 64.0])
    assert stats == {"count": 4, "min": 61.0, "median": 63.7, "p95": 70.2, "max": 70.2}
    assert failover_statistics([]) == {}
