"""The polling interval the job achieved, read from the per-device CLI logs of its archive.

Unicon logs every command it sends with a millisecond timestamp
(``2026-11-27 00:46:55,345: %UNICON-INFO: +++ spoke1 with via 'cli': executing command
'show crypto ikev2 client flexvpn' +++``). The gaps between two reads of the same command on
the same device, inside one testcase, are the polling interval the job really achieved.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from itertools import pairwise
from pathlib import Path

from benchmarks.common import stats

_COMMAND = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): %UNICON-INFO: \+\+\+ (\S+) with via '[^']*': executing command '([^']*)'"
)
#: The read the failover poll repeats on every spoke that was on the failed hub.
FAILOVER_POLL_COMMAND = "show crypto ikev2 client flexvpn"


def _stamp(text: str) -> dt.datetime:
    """Unicon stamps its logs in the machine's local time."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f").astimezone()


def command_times(archive: Path, command: str) -> dict[str, list[dt.datetime]]:
    """Per CLI log file (one per device and task): when ``command`` was sent."""
    found: dict[str, list[dt.datetime]] = {}
    for log in sorted(archive.glob("*-cli-*.log")):
        times = [_stamp(m.group(1)) for line in log.read_text(errors="replace").splitlines()
                 if (m := _COMMAND.match(line)) and m.group(3) == command]
        if times:
            found[log.name] = times
    return found


def testcase_windows(archive: Path, testcase: str) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, stop) of every run of ``testcase`` in the job (pyATS results.json)."""
    report = json.loads((archive / "results.json").read_text())["report"]
    windows = []
    for task in report.get("tasks", []):
        for section in task.get("sections", []):
            if section.get("name") == testcase and section.get("starttime") and section.get("stoptime"):
                windows.append((dt.datetime.fromisoformat(section["starttime"]),
                                dt.datetime.fromisoformat(section["stoptime"])))
    return windows


def poll_intervals(archive: Path | None, testcase: str = "Failover",
                   command: str = FAILOVER_POLL_COMMAND) -> dict[str, object] | None:
    """Statistics of the gaps between consecutive reads of ``command`` within ``testcase``."""
    if archive is None or not (archive / "results.json").exists():
        return None
    windows = testcase_windows(archive, testcase)
    gaps: list[float] = []
    devices = set()
    for log, times in command_times(archive, command).items():
        for start, stop in windows:
            inside = [t for t in times if start <= t <= stop]
            if len(inside) > 1:
                devices.add(log.split("-cli-")[0])
            gaps += [(b - a).total_seconds() for a, b in pairwise(inside)]
    summary = stats(gaps)
    if summary is None:
        return None
    return {"command": command, "testcase": testcase, "devices": len(devices),
            **{f"{k}_s" if k != "count" else k: (round(v, 3) if k != "count" else v) for k, v in summary.items()}}
