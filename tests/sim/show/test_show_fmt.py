"""IOS time and number formats shared by the renderers."""

from __future__ import annotations

import datetime as dt

import pytest

from flexlab.sim.show.fmt import clock_line, elapsed, hms, log_stamp, mask, uptime_words


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "never"),
        (0, "00:00:00"),
        (754.9, "00:12:34"),
        (86399, "23:59:59"),
        (86400, "1d00h"),
        (93600 + 59, "1d02h"),
        (7 * 86400 + 2 * 86400 + 3600, "1w2d"),
        (52 * 7 * 86400 + 3 * 7 * 86400, "1y3w"),
    ],
)
def test_elapsed_uses_ios_short_forms(seconds: float | None, text: str) -> None:
    assert elapsed(seconds) == text


def test_hms_does_not_roll_over_into_days() -> None:
    assert hms(23 * 3600 + 32 * 60 + 18) == "23:32:18"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (25 * 60 + 59, "25 minutes"),
        (60, "1 minute"),
        (86400 + 16 * 3600 + 42 * 60, "1 day, 16 hours, 42 minutes"),
        (2 * 86400 + 3600, "2 days, 1 hour, 0 minutes"),
    ],
)
def test_uptime_words_match_show_version(seconds: int, text: str) -> None:
    assert uptime_words(seconds) == text


def test_clock_line_marks_unsynchronised_clock_and_does_not_pad_day() -> None:
    when = dt.datetime(2026, 11, 7, 10, 15, 53, 627000)
    assert clock_line(when, "UTC", synced=False) == "*10:15:53.627 UTC Sat Nov 7 2026"
    assert clock_line(when, "UTC", synced=True) == "10:15:53.627 UTC Sat Nov 7 2026"


def test_log_stamp_pads_day_and_keeps_msec() -> None:
    when = dt.datetime(2026, 6, 5, 5, 9, 30, 838000)
    assert log_stamp(when, synced=True, msec=True) == "Jun  5 05:09:30.838"
    assert log_stamp(when, synced=False, msec=True) == "*Jun  5 05:09:30.838"
    assert log_stamp(when, synced=True, msec=False) == "Jun  5 05:09:30"


def test_mask_is_dotted() -> None:
    assert mask(30) == "255.255.255.252"
    assert mask(8) == "255.0.0.0"


def test_authoritative_unsynchronised_clock_uses_a_dot() -> None:
    when = dt.datetime(2025, 8, 7, 4, 37, 54, 849000)
    assert clock_line(when, "UTC", synced=False, authoritative=True) == ".04:37:54.849 UTC Thu Aug 7 2025"
    assert clock_line(when, "UTC", synced=True, authoritative=True) == "04:37:54.849 UTC Thu Aug 7 2025"
    assert log_stamp(when, synced=False, msec=True, authoritative=True) == ".Aug  7 04:37:54.849"
