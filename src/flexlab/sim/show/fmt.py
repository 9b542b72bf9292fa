"""Formatting shared by the show renderers: IOS elapsed times, clock and log timestamps,
masks and column helpers. Everything here is pure (no snapshot access beyond arguments)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re

from flexlab.sim.state import NodeSnapshot, VersionInfo

_MINUTE = 60
_HOUR = 3600
_DAY = 86400
_WEEK = 7 * _DAY
_YEAR = 52 * _WEEK


def elapsed(seconds: float | None) -> str:
    """IOS short elapsed time as in BGP Up/Down, route age and session uptime columns:
    ``00:12:34`` below a day, ``1d02h`` below a week, ``3w2d`` below a year, ``1y4w`` after;
    ``never`` for None."""
    if seconds is None:
        return "never"
    total = max(0, int(seconds))
    if total < _DAY:
        hours, rest = divmod(total, _HOUR)
        minutes, secs = divmod(rest, _MINUTE)
        return f"{hours:02d}:{minutes:02d}:{secs:02d}"
    if total < _WEEK:
        days, rest = divmod(total, _DAY)
        return f"{days}d{rest // _HOUR:02d}h"
    if total < _YEAR:
        weeks, rest = divmod(total, _WEEK)
        return f"{weeks}w{rest // _DAY}d"
    years, rest = divmod(total, _YEAR)
    return f"{years}y{rest // _WEEK}w"


def hms(seconds: float) -> str:
    """``hh:mm:ss`` without the day roll-over (IKE lifetimes, e.g. ``23:32:18``)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, _HOUR)
    minutes, secs = divmod(rest, _MINUTE)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def uptime_words(seconds: float) -> str:
    """`show version` uptime: ``1 day, 16 hours, 42 minutes`` (zero units left out,
    minutes always shown)."""
    total = max(0, int(seconds))
    years, total = divmod(total, _YEAR)
    weeks, total = divmod(total, _WEEK)
    days, total = divmod(total, _DAY)
    hours, total = divmod(total, _HOUR)
    minutes = total // _MINUTE
    parts = [
        _plural(value, unit)
        for value, unit in ((years, "year"), (weeks, "week"), (days, "day"), (hours, "hour"))
        if value
    ]
    parts.append(_plural(minutes, "minute"))
    return ", ".join(parts)


def _plural(value: int, unit: str) -> str:
    return f"{value} {unit}" if value == 1 else f"{value} {unit}s"


def sync_flag(synced: bool, authoritative: bool = False) -> str:
    """Leading mark of IOS times: none when NTP-synchronised, ``.`` when not synchronised
    but authoritative (sync lost), ``*`` when not authoritative."""
    if synced:
        return ""
    return "." if authoritative else "*"


def clock_line(when: dt.datetime, timezone: str, synced: bool, authoritative: bool = False) -> str:
    """`show clock`: ``*10:15:53.627 UTC Fri Nov 27 2026`` (day of month not padded)."""
    flag = sync_flag(synced, authoritative)
    return f"{flag}{when:%H:%M:%S}.{when.microsecond // 1000:03d} {timezone} {when:%a %b} {when.day} {when.year}"


def long_date(when: dt.datetime, timezone: str) -> str:
    """``10:15:53 UTC Fri Nov 27 2026`` (IP SLA start time on 16.x+ and IOL 17.x)."""
    return f"{when:%H:%M:%S} {timezone} {when:%a %b} {when.day} {when.year}"


def log_stamp(when: dt.datetime, synced: bool, msec: bool, authoritative: bool = False) -> str:
    """Syslog timestamp with `service timestamps log datetime [msec]`:
    ``*Nov 27 10:15:53.627`` (day of month space-padded to two columns)."""
    text = f"{sync_flag(synced, authoritative)}{when:%b} {when.day:>2} {when:%H:%M:%S}"
    if msec:
        text += f".{when.microsecond // 1000:03d}"
    return text


def device_now(snap: NodeSnapshot) -> dt.datetime:
    """The router's clock at the snapshot instant (lab epoch + lab time + the node's clock offset)."""
    return snap.device_time(snap.now)


def mask(prefixlen: int) -> str:
    """Dotted netmask of a prefix length."""
    return str(ipaddress.IPv4Network(f"0.0.0.0/{prefixlen}").netmask)


def major_version(version: VersionInfo) -> int:
    """Leading number of the version string: 15 for ``15.2(4)M6``, 17 for ``17.12.1``."""
    match = re.match(r"\d+", version.version)
    return int(match.group()) if match else 0


def modern(version: VersionInfo) -> bool:
    """True for 16.x/17.x trains (IOS XE and IOL 17), whose outputs carry newer layouts."""
    return major_version(version) >= 16


def join_lines(lines: list[str]) -> str:
    """Device output text: lines joined by newlines, with the final newline IOS sends."""
    return "\n".join(lines) + "\n"
