"""flexlab.clock and flexlab.failover_timing, measurement side: failure instants, clock offsets and the failover of one spoke.

Edge cases the mutation run (make mutation, docs/mutation.md) showed unpinned. Log lines
follow the IOS formats quoted in docs/timing.md; expected times are hand-derived.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from flexlab.bound import BoundTerm, DpdConfig, dpd_bound
from flexlab.clock import ClockOffset, clock_rate
from flexlab.errors import TimingInputError
from flexlab.failover_timing import (
    METHOD_NTP,
    FailoverMeasurement,
    FailureInstant,
    failover_statistics,
    measure_failover,
)
from flexlab.syslog_events import LogEvent, parse_log, parse_log_line

HUB1, HUB2, OVERLAY = "100.64.0.2", "100.64.0.6", "172.16.0.1"
T0 = datetime(2026, 11, 27, 10, 0, 0)
SENT = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
HUB_DOWN = "%LINK-5-CHANGED: Interface Ethernet0/1, changed state to administratively down"


def flex(state: str, server: str) -> str:
    return (f"%FLEXVPN-6-FLEXVPN_CONNECTION_{state}: FlexVPN(Flex_Client) Client_public_addr = 100.64.0.10 "
            f"Server_public_addr = {server}")


def ike(state: str, peer: str) -> str:
    return f"%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is {state}.  Peer {peer}" + (
        f":500 Id: {peer}" if peer else "")


def events(*lines: tuple[float, str]) -> list[LogEvent]:
    """Log messages ``seconds`` after T0, as `show logging` prints them (NTP-synchronised)."""
    text = "\n".join(
        f"{(T0 + timedelta(seconds=s)).strftime('%b %d %H:%M:%S')}.{int(round(s * 1000)) % 1000:03d}: {m}"
        for s, m in lines)
    return parse_log(text, T0 + timedelta(hours=1))


def ntp_failure() -> FailureInstant:
    return FailureInstant.from_synced_log(events((0, HUB_DOWN))[0], "hub1 log")


# ----------------------------------------------------------------- when the spoke noticed

def test_flexvpn_down_alone_marks_detection() -> None:
    log = events((61.0, "%LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel1, changed state to down"),
                 (62.1, flex("DOWN", HUB1)), (63.4, flex("UP", HUB2)))
    result = measure_failover(ntp_failure(), log, HUB1)
    assert (result.detected_s, result.failover_s, result.to_peer) == (62.1, 63.4, HUB2)


def test_ikev2_down_alone_marks_detection_among_unrecognised_messages() -> None:
    log = events((30.0, "%SYS-5-CONFIG_I: Configured from console by admin on vty0"),
                 (62.1, ike("DOWN", HUB1)), (63.0, ike("UP", HUB2)))
    result = measure_failover(ntp_failure(), log, HUB1)
    assert (result.detected_s, result.failover_s, result.up_event) == (62.1, 63.0, "CRYPTO-5-IKEV2_SESSION_STATUS")


@pytest.mark.parametrize("down", [flex("DOWN", ""), ike("DOWN", "")], ids=["flexvpn", "ikev2"])
def test_a_down_with_the_address_blanked_counts_as_the_failed_peer(down: str) -> None:
    """The seed document's log excerpts blank the addresses."""
    result = measure_failover(ntp_failure(), events((62.1, down), (63.4, flex("UP", HUB2))), HUB1)
    assert result.detected_s == 62.1


def test_a_down_from_another_peer_is_not_the_detection() -> None:
    log = events((20.0, flex("DOWN", HUB2)), (21.0, ike("DOWN", HUB2)), (62.1, ike("DOWN", HUB1)),
                 (63.4, flex("UP", HUB2)))
    assert measure_failover(ntp_failure(), log, HUB1).detected_s == 62.1


def test_a_message_stamped_at_the_failure_instant_belongs_to_the_failure() -> None:
    result = measure_failover(ntp_failure(), events((0.0, flex("DOWN", HUB1)), (63.4, flex("UP", HUB2))), HUB1)
    assert result.detected_s == 0.0


def test_no_down_logged_leaves_detection_unknown() -> None:
    result = measure_failover(ntp_failure(), events((63.4, flex("UP", HUB2))), HUB1, OVERLAY)
    assert (result.detected_s, result.failover_s) == (None, 63.4)


# ------------------------------------------------------------------------- the result

def test_every_field_of_a_failover_with_bgp() -> None:
    failure = ntp_failure()
    log = events((62.1, flex("DOWN", HUB1)), (63.4, flex("UP", HUB2)),
                 (66.25, f"%BGP-5-ADJCHANGE: neighbor {OVERLAY} Up"))
    assert measure_failover(failure, log, HUB1, OVERLAY) == FailoverMeasurement(
        failure, HUB1, HUB2, "FLEXVPN-6-FLEXVPN_CONNECTION_UP", T0 + timedelta(seconds=63.4), 63.4, 62.1,
        OVERLAY, T0 + timedelta(seconds=66.25), 66.25, "")


def test_every_field_of_a_spoke_that_never_moved() -> None:
    failure = ntp_failure()
    log = events((62.1, flex("DOWN", HUB1)), (200.0, flex("UP", HUB1)))
    assert measure_failover(failure, log, HUB1, OVERLAY) == FailoverMeasurement(
        failure, HUB1, None, None, None, None, 62.1, OVERLAY, None, None,
        f"no tunnel up to a peer other than {HUB1} in 2 spoke log messages after the failure")


def test_no_bgp_up_is_the_reason() -> None:
    result = measure_failover(ntp_failure(), events((63.4, flex("UP", HUB2))), HUB1, OVERLAY)
    assert (result.bgp_up_time, result.bgp_converged_s, result.reason) == (
        None, None, "no BGP ADJCHANGE Up after the failure")


def test_within_the_bound_up_to_the_measurement_uncertainty() -> None:
    failure = FailureInstant(T0, "offset-corrected", 0.25, "harness clock")   # + 0.001 s: 0.251 s
    bound = dpd_bound(DpdConfig(30, 5, "on-demand"), 5)                         # 70 s

    def measured(seconds: float) -> FailoverMeasurement:
        return FailoverMeasurement(failure, HUB1, HUB2, "FLEXVPN-6-FLEXVPN_CONNECTION_UP", None, seconds,
                                   None, None, None, None)
    assert measured(70.1).within(bound) and measured(70.251).within(bound)
    assert not measured(70.3).within(bound)


# ----------------------------------------------------------------- failure instants

def test_failure_instant_sources_name_where_the_instant_came_from() -> None:
    clock = ClockOffset.from_show_clock("10:00:00.000 UTC Fri Nov 27 2026", SENT, SENT + timedelta(seconds=0.2))
    hub_event = events((0, HUB_DOWN))[0]
    assert FailureInstant.from_synced_log(hub_event).source == "hub log: %LINK-5-CHANGED"
    assert FailureInstant.from_harness(SENT, clock).source == "harness clock"
    assert FailureInstant.from_harness(SENT, clock, "fail command").source == "fail command"
    assert FailureInstant.from_device_log(hub_event, clock, clock).source == "hub log: %LINK-5-CHANGED"
    assert FailureInstant.from_device_log(hub_event, clock, clock, "hub1 log").source == "hub1 log: %LINK-5-CHANGED"


def test_failure_from_another_clock_adds_both_uncertainties_at_the_spokes_rate() -> None:
    # hub: round trip 0.2 s at 2 device s per s -> 2*0.1 + 0.001 = 0.201 device s
    hub = ClockOffset.from_show_clock("10:00:00.000 UTC Fri Nov 27 2026", SENT, SENT + timedelta(seconds=0.2), rate=2.0)
    # spoke: round trip 0.4 s at 4 device s per s -> 4*0.2 + 0.001 = 0.801 device s
    spoke = ClockOffset.from_show_clock(
        "10:00:00.000 UTC Fri Nov 27 2026", SENT, SENT + timedelta(seconds=0.4), rate=4.0
    )
    failure = FailureInstant.from_device_log(events((0, HUB_DOWN))[0], hub, spoke)
    # hub's 0.201 device s = 0.1005 harness s = 0.402 spoke s; + 0.801
    assert failure.uncertainty_s == pytest.approx(1.203)


def test_unsynchronised_lines_are_quoted_in_the_error() -> None:
    raw = "*Nov 27 10:00:00.000: " + HUB_DOWN
    with pytest.raises(TimingInputError) as error:
        FailureInstant.from_synced_log(parse_log_line(raw, T0))
    assert str(error.value) == (f"hub log: '{raw}' has an unsynchronised timestamp (leading '*' or '.'): "
                                "use an offset-corrected failure instant")
    spoke_raw = "*Nov 27 10:01:03.400: " + flex("UP", HUB2)
    with pytest.raises(TimingInputError) as error:
        measure_failover(ntp_failure(), [parse_log_line(spoke_raw, T0 + timedelta(hours=1))], HUB1)
    assert str(error.value) == (f"spoke log line '{spoke_raw}' is not NTP-synchronised: "
                                "use an offset-corrected failure instant")


# ------------------------------------------------------------------------- clocks

def test_clock_offset_keeps_the_timezone_and_reports_its_uncertainty() -> None:
    offset = ClockOffset.from_show_clock("*10:15:53.627 EST Fri Nov 27 2026", SENT, SENT + timedelta(seconds=0.2))
    assert offset.timezone == "EST"
    data = offset.to_dict()
    assert data["uncertainty_s"] == pytest.approx(0.101) and data["offset_s"] == pytest.approx(953.527)


@pytest.fixture
def local_zone_not_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone set to UTC+05:30, so 'local' and UTC differ."""
    monkeypatch.setenv("TZ", "IST-05:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_harness_instants_are_converted_to_utc(local_zone_not_utc: None) -> None:
    cest = timezone(timedelta(hours=2))
    offset = ClockOffset.from_show_clock("10:00:00.000 UTC Fri Nov 27 2026", SENT.astimezone(cest),
                                         SENT.astimezone(cest))
    assert offset.harness_time.utcoffset() == timedelta(0)
    assert offset.harness_time == SENT
    assert offset.to_device(datetime(2026, 11, 27, 15, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))) \
        == datetime(2026, 11, 27, 10, 0)


@pytest.mark.parametrize(("sent", "answered", "rate", "message"), [
    (SENT, SENT - timedelta(seconds=1), 1.0, "answered_at is before sent_at"),
    (SENT, SENT, 0.0, "rate must be > 0"),
    (SENT, SENT, -1.0, "rate must be > 0"),
    (datetime(2026, 11, 27), SENT, 1.0,
     "harness instants must be timezone-aware (e.g. datetime.now(timezone.utc))"),
])
def test_clock_offset_errors(sent: datetime, answered: datetime, rate: float, message: str) -> None:
    with pytest.raises(ValueError) as error:
        ClockOffset.from_show_clock("10:00:00.000 UTC Fri Nov 27 2026", sent, answered, rate=rate)
    assert str(error.value) == message


@pytest.mark.parametrize("gap_s", [0.0, -1.0, 0.5])
def test_clock_rate_needs_a_later_second_reading(gap_s: float) -> None:
    first = ClockOffset.from_show_clock("10:00:00.000 UTC Fri Nov 27 2026", SENT, SENT)
    at = SENT + timedelta(seconds=gap_s)
    second = ClockOffset.from_show_clock("10:00:05.000 UTC Fri Nov 27 2026", at, at)
    if gap_s > 0:
        assert clock_rate(first, second) == pytest.approx(10.0)   # 5 device s in 0.5 s
        return
    with pytest.raises(ValueError) as error:
        clock_rate(first, second)
    assert str(error.value) == "the second reading must be later than the first"


# --------------------------------------------------------------------- statistics

def test_statistics_of_an_odd_count_and_of_one_value() -> None:
    assert failover_statistics([70.0, 61.0, 64.0]) == {
        "count": 3,
        "min": 61.0,
        "median": 64.0,
        "p95": 70.0,
        "max": 70.0,
    }
    assert failover_statistics([63.4]) == {"count": 1, "min": 63.4, "median": 63.4, "p95": 63.4, "max": 63.4}


def test_records_serialise_every_field() -> None:
    assert BoundTerm("I", "DPD interval", 30.0).to_dict() == {"symbol": "I", "name": "DPD interval", "value_s": 30.0}
    failure = FailureInstant(T0, METHOD_NTP, 0.001, "hub1 log: %LINK-5-CHANGED")
    assert failure.to_dict() == {"spoke_time": "2026-11-27T10:00:00.000", "method": METHOD_NTP,
                                 "uncertainty_s": 0.001, "source": "hub1 log: %LINK-5-CHANGED"}
    measurement = FailoverMeasurement(failure, HUB1, None, None, None, None, None, None, None, None, "why")
    data = measurement.to_dict()
    assert (data["method"], data["uncertainty_s"], data["reason"]) == (METHOD_NTP, pytest.approx(0.002), "why")
    event = events((0, HUB_DOWN))[0]
    assert event.to_dict()["device_time"] == "2026-11-27T10:00:00.000"
    assert event.to_dict()["text"] == "Interface Ethernet0/1, changed state to administratively down"
