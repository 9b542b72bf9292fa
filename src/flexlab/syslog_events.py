"""IOS log-line and ``show clock`` parsing (plain text parsers, not Genie MetaParsers).

``show logging`` messages become :class:`LogEvent` objects with the device timestamp and
whether the clock was NTP-synchronised; :func:`recognise` turns the messages the FlexVPN
failover job cares about into typed records (used by flexlab.clock and flexlab.failover_timing).

Timestamps accepted (``service timestamps log datetime msec [localtime] [show-timezone] [year]``,
optionally ``service sequence-numbers``)::

    *Nov 27 10:15:53.627: %...          not synchronised ('*'; '.' likewise)
    Nov 27 10:15:53.627: %...           NTP-synchronised
    000123: Nov 27 2026 10:15:53.627 UTC: %...
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from flexlab.errors import FlexlabError

CLOCK_RESOLUTION_S = 0.001         # IOS prints milliseconds
YEAR_INFERENCE_SLACK = timedelta(days=1)   # reference clock may trail the log clock


class ClockParseError(FlexlabError):
    """A ``show clock`` output without a clock reading."""


def json_ready(obj: Any) -> dict[str, Any]:
    """asdict() of a dataclass with datetimes as ISO strings, ready for JSON."""
    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat(timespec="milliseconds")
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [convert(v) for v in value]
        return value
    converted: dict[str, Any] = convert(asdict(obj))
    return converted


# --------------------------------------------------------------------------- syslog

MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}

# [000123: ][*|.]Nov 27 [2026 ]10:15:53[.627][ UTC]: [R0/0: ]%FAC-6-MNEMONIC: text
LOG_LINE_RE = re.compile(
    r"^\s*(?:(?P<seq>\d+)\s*:\s*)?(?P<marker>[*.])?\s*"
    r"(?P<mon>[A-Z][a-z]{2})\s+(?P<day>\d{1,2})\s+(?:(?P<year>\d{4})\s+)?"
    r"(?P<hms>\d{1,2}:\d{2}:\d{2})(?:\.(?P<frac>\d{1,6}))?(?:\s+(?P<tz>[A-Za-z][A-Za-z0-9+-]{1,7}))?\s*:\s*"
    r"(?:[\w/]+:\s*)?%(?P<facility>[A-Z0-9_]+)-(?P<severity>[0-7])-(?P<mnemonic>[A-Z0-9_]+)\s*:\s*(?P<text>.*?)\s*$"
)


@dataclass(frozen=True)
class LogEvent:
    """One ``%FACILITY-SEVERITY-MNEMONIC`` message with its device timestamp."""

    device_time: datetime            # naive: the device's wall clock
    synced: bool                     # no '*' / '.' marker: the clock was NTP-synchronised
    facility: str
    severity: int
    mnemonic: str
    text: str
    sequence: int | None = None
    timezone: str | None = None
    raw: str = ""

    @property
    def tag(self) -> str:
        """FACILITY-SEVERITY-MNEMONIC, as IOS prints it."""
        return f"{self.facility}-{self.severity}-{self.mnemonic}"

    def to_dict(self) -> dict[str, Any]:
        """The message as JSON-ready values."""
        return json_ready(self)


def _device_datetime(month: int, day: int, hms: str, frac: str | None, year: int) -> datetime:
    hour, minute, second = (int(x) for x in hms.split(":"))
    micro = int((frac or "0").ljust(6, "0")[:6])
    return datetime(year, month, day, hour, minute, second, micro)


def infer_year(month: int, day: int, hms: str, frac: str | None, reference: datetime) -> datetime:
    """The latest date no later than ``reference`` + YEAR_INFERENCE_SLACK.

    Logs without a year are read against a reference taken at or after them on the same
    clock (e.g. ``show clock`` after ``show logging``): a ``Dec 31`` line read on ``Jan 1``
    belongs to the previous year, a ``Jan 1`` line read just before midnight of Dec 31 (the
    slack) to the next one. Feb 29 goes back to the last leap year. An aware reference is
    taken as wall time (its zone dropped): the slack absorbs zone differences.
    """
    latest_allowed = reference.replace(tzinfo=None) + YEAR_INFERENCE_SLACK
    for year in range(reference.year + 1, reference.year - 5, -1):
        try:
            candidate = _device_datetime(month, day, hms, frac, year)
        except ValueError:          # Feb 29 outside a leap year
            continue
        if candidate <= latest_allowed:
            return candidate
    raise ValueError(f"no valid date for month {month} day {day}")


def parse_log_line(line: str, reference: datetime) -> LogEvent | None:
    """A LogEvent, or None for anything else (continuations, uptime stamps, malformed dates)."""
    match = LOG_LINE_RE.match(line)
    if not match or match["mon"] not in MONTHS:
        return None
    try:
        if match["year"]:
            when = _device_datetime(MONTHS[match["mon"]], int(match["day"]), match["hms"],
                                    match["frac"], int(match["year"]))
        else:
            when = infer_year(MONTHS[match["mon"]], int(match["day"]), match["hms"], match["frac"],
                              reference)
    except ValueError:
        return None
    return LogEvent(
        device_time=when, synced=match["marker"] is None, facility=match["facility"],
        severity=int(match["severity"]), mnemonic=match["mnemonic"], text=match["text"],
        sequence=int(match["seq"]) if match["seq"] else None, timezone=match["tz"], raw=line.strip(),
    )


def parse_log(text: str, reference: datetime) -> list[LogEvent]:
    """Every recognisable message of a ``show logging`` buffer, in buffer order."""
    return [event for line in text.splitlines() if (event := parse_log_line(line, reference))]


# Recognised messages. Addresses may be blank (the seed document blanks them).

@dataclass(frozen=True)
class FlexvpnConnection:
    """A %FLEXVPN-6-FLEXVPN_CONNECTION_UP/DOWN message."""
    state: str                       # "UP" | "DOWN"
    client: str
    client_public_addr: str
    server_public_addr: str
    assigned_addr: str | None


@dataclass(frozen=True)
class Ikev2SessionStatus:
    """A %CRYPTO-5-IKEV2_SESSION_STATUS message (Crypto tunnel v2 is UP/DOWN)."""
    state: str                       # "UP" | "DOWN"
    peer: str
    port: int | None
    peer_id: str


@dataclass(frozen=True)
class BgpAdjChange:
    """A %BGP-5-ADJCHANGE message."""
    neighbor: str
    dynamic: bool                    # '*': created from a listen range
    state: str                       # "Up" | "Down"
    reason: str
    vrf: str | None = None


@dataclass(frozen=True)
class BgpNotification:
    """A %BGP-3-NOTIFICATION message."""
    direction: str                   # "sent" | "received"
    neighbor: str
    dynamic: bool
    code: str                        # "4/0"
    description: str                 # "hold time expired"


@dataclass(frozen=True)
class InterfaceChange:
    """A %LINK-3-UPDOWN or %LINEPROTO-5-UPDOWN message."""
    layer: str                       # "line-protocol" | "link"
    interface: str
    state: str                       # "up" | "down" | "administratively down"


EventDetail = FlexvpnConnection | Ikev2SessionStatus | BgpAdjChange | BgpNotification | InterfaceChange

FLEXVPN_RE = re.compile(r"^FlexVPN\s*\(\s*(?P<client>[^)]*?)\s*\)\s*(?P<pairs>.*)$")
KEY_VALUE_RE = re.compile(r"(?P<key>\w+)\s*=\s*(?P<value>(?:(?!\w+\s*=)[^\s=]+)?)")
IKEV2_RE = re.compile(
    r"^Crypto\s+tunnel\s+v2\s+is\s+(?P<state>UP|DOWN)\.?\s*"
    r"(?:Peer\s*(?:(?P<peer>\S+?)(?::(?P<port>\d+))?)?(?:\s+Id:\s*(?P<id>\S*))?)?\s*$", re.IGNORECASE)
ADJCHANGE_RE = re.compile(
    r"^neighbor\s+(?P<dyn>\*)?(?P<nbr>\S+)(?:\s+vpn\s+vrf\s+(?P<vrf>\S+))?\s+(?P<state>Up|Down)\b\s*(?P<reason>.*)$")
NOTIFICATION_RE = re.compile(
    r"^(?P<dir>sent|received)\s+(?:to|from)\s+neighbor\s+(?P<dyn>\*)?(?P<nbr>\S+)"
    r"(?:\s+(?:active|passive))?\s+(?P<code>\d+/\d+)\s*(?:\((?P<desc>[^)]*)\))?")
UPDOWN_RE = re.compile(
    r"^(?:Line\s+protocol\s+on\s+)?Interface\s+(?P<intf>[^,\s]+)\s*,\s*changed\s+state\s+to\s+"
    r"(?P<state>administratively\s+down|up|down)\b", re.IGNORECASE)


def _flexvpn(event: LogEvent) -> FlexvpnConnection | None:
    match = FLEXVPN_RE.match(event.text)
    if not match:
        return None
    pairs = {m["key"].lower(): m["value"] for m in KEY_VALUE_RE.finditer(match["pairs"])}
    assigned = next((v for k, v in pairs.items() if k.startswith("assigned") and "v4" in k), None)
    return FlexvpnConnection(event.mnemonic.rsplit("_", 1)[-1], match["client"],
                             pairs.get("client_public_addr", ""), pairs.get("server_public_addr", ""),
                             assigned)


def _ikev2(event: LogEvent) -> Ikev2SessionStatus | None:
    match = IKEV2_RE.match(event.text)
    if not match:
        return None
    return Ikev2SessionStatus(match["state"].upper(), match["peer"] or "",
                              int(match["port"]) if match["port"] else None, match["id"] or "")


def _adjchange(event: LogEvent) -> BgpAdjChange | None:
    match = ADJCHANGE_RE.match(event.text)
    if not match:
        return None
    return BgpAdjChange(match["nbr"], bool(match["dyn"]), match["state"], match["reason"].strip(), match["vrf"])


def _notification(event: LogEvent) -> BgpNotification | None:
    match = NOTIFICATION_RE.match(event.text)
    if not match:
        return None
    return BgpNotification(match["dir"], match["nbr"], bool(match["dyn"]), match["code"], match["desc"] or "")


def _updown(event: LogEvent) -> InterfaceChange | None:
    match = UPDOWN_RE.match(event.text)
    if not match:
        return None
    layer = "line-protocol" if event.facility == "LINEPROTO" else "link"
    return InterfaceChange(layer, match["intf"], " ".join(match["state"].lower().split()))


RECOGNISERS = {
    ("FLEXVPN", "FLEXVPN_CONNECTION_UP"): _flexvpn,
    ("FLEXVPN", "FLEXVPN_CONNECTION_DOWN"): _flexvpn,
    ("CRYPTO", "IKEV2_SESSION_STATUS"): _ikev2,
    ("BGP", "ADJCHANGE"): _adjchange,
    ("BGP", "NOTIFICATION"): _notification,
    ("LINEPROTO", "UPDOWN"): _updown,
    ("LINK", "UPDOWN"): _updown,
    ("LINK", "CHANGED"): _updown,
}


def recognise(event: LogEvent) -> EventDetail | None:
    """The typed content of a message flexlab cares about, else None."""
    recogniser = RECOGNISERS.get((event.facility, event.mnemonic))
    return recogniser(event) if recogniser else None


# --------------------------------------------------------------------------- clocks

SHOW_CLOCK_RE = re.compile(
    r"^(?P<marker>[*.])?(?P<hms>\d{1,2}:\d{2}:\d{2})(?:\.(?P<frac>\d{1,6}))?\s+"
    r"(?:(?P<tz>[A-Za-z][A-Za-z0-9+-]*)\s+)?[A-Z][a-z]{2}\s+(?P<mon>[A-Z][a-z]{2})\s+(?P<day>\d{1,2})\s+"
    r"(?P<year>\d{4})\s*$"
)


@dataclass(frozen=True)
class ClockReading:
    """A `show clock` reading and whether the clock is synced."""
    device_time: datetime
    synced: bool                     # no '*' (not authoritative) or '.' (NTP not in sync)
    timezone: str | None


def parse_show_clock(output: str) -> ClockReading:
    """``*10:15:53.627 UTC Fri Nov 27 2026`` (the last such line of the output)."""
    readings = [m for line in output.splitlines() if (m := SHOW_CLOCK_RE.match(line.strip()))]
    if not readings or readings[-1]["mon"] not in MONTHS:
        raise ClockParseError(f"no clock reading in the 'show clock' output {output.strip()!r}")
    m = readings[-1]
    try:
        when = _device_datetime(MONTHS[m["mon"]], int(m["day"]), m["hms"], m["frac"], int(m["year"]))
    except ValueError as exc:
        raise ClockParseError(f"invalid date in the 'show clock' output {output.strip()!r}") from exc
    return ClockReading(when, m["marker"] is None, m["tz"])
