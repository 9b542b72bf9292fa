"""flexlab.syslog_events: edge cases the mutation run (docs/mutation.md) showed unpinned.

The common formats are tested in tests/test_timing.py (with the clock and failover measurement).
Messages follow the IOS formats quoted there and in docs/timing.md.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from flexlab.syslog_events import (
    BgpNotification,
    ClockParseError,
    FlexvpnConnection,
    infer_year,
    parse_log_line,
    parse_show_clock,
    recognise,
)

REFERENCE = datetime(2026, 9, 10, 8, 0, 0)


def detail(message: str) -> object:
    event = parse_log_line(f"Sep 10 07:00:00.000: {message}", REFERENCE)
    assert event is not None
    return recognise(event)


def test_a_line_exactly_one_day_after_the_reference_is_still_this_side_of_it() -> None:
    """The slack is one day, inclusive: read at Dec 31 00:00, 'Jan 1 00:00' is the next year's."""
    event = parse_log_line("Jan  1 00:00:00.000: %SYS-5-CONFIG_I: x", datetime(2026, 12, 31))
    assert event is not None and event.device_time == datetime(2027, 1, 1)


def test_infer_year_names_an_impossible_date() -> None:
    with pytest.raises(ValueError) as error:
        infer_year(2, 30, "10:00:00", None, REFERENCE)
    assert str(error.value) == "no valid date for month 2 day 30"


def test_the_raw_line_is_kept_without_surrounding_blanks() -> None:
    line = "*Sep 10 07:31:21.285: %BGP-5-ADJCHANGE: neighbor 10.0.0.1 Up"
    event = parse_log_line(f"  {line}  ", REFERENCE)
    assert event is not None and event.raw == line


def test_flexvpn_assigned_address_is_the_ipv4_one() -> None:
    """A dual-stack client logs both assigned addresses; the IPv4 one is the overlay address."""
    assert detail("%FLEXVPN-6-FLEXVPN_CONNECTION_UP: FlexVPN(Flex_Client) Client_public_addr = 100.64.0.10 "
                  "Server_public_addr = 100.64.0.6 Assigned_Tunnel_v6_addr = 2001:db8::1 "
                  "Assigned_Tunnel_v4_addr = 172.16.2.1") == FlexvpnConnection(
        "UP", "Flex_Client", "100.64.0.10", "100.64.0.6", "172.16.2.1")


def test_flexvpn_without_address_pairs() -> None:
    assert detail("%FLEXVPN-6-FLEXVPN_CONNECTION_DOWN: FlexVPN(Flex_Client)") == FlexvpnConnection(
        "DOWN", "Flex_Client", "", "", None)


def test_notification_without_a_description() -> None:
    assert detail("%BGP-3-NOTIFICATION: received from neighbor 172.16.0.1 6/4 0 bytes") == BgpNotification(
        "received", "172.16.0.1", False, "6/4", "")


def test_show_clock_keeps_the_timezone() -> None:
    assert parse_show_clock("*10:15:53.627 CET Fri Nov 27 2026").timezone == "CET"
    assert parse_show_clock("10:15:53.627 Fri Nov 27 2026").timezone is None


@pytest.mark.parametrize(("output", "message"), [
    ("% Invalid input detected", "no clock reading in the 'show clock' output '% Invalid input detected'"),
    ("*10:15:53.627 UTC Fri Feb 30 2026",
     "invalid date in the 'show clock' output '*10:15:53.627 UTC Fri Feb 30 2026'"),
])
def test_show_clock_errors_quote_the_output(output: str, message: str) -> None:
    with pytest.raises(ClockParseError) as error:
        parse_show_clock(output)
    assert str(error.value) == message
