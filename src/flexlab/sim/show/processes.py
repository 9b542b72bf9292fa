"""`show processes cpu [sorted [5sec|1min|5min]]`, from the node's measured process loads.

Layout of classic IOS (and IOS XE's IOSd): the utilisation header, then one row per
process: PID, Runtime(ms), Invoked, uSecs, 5Sec, 1Min, 5Min, TTY, Process (the name cut to
16 characters and padded, as IOS prints it). `sorted` orders by the 5Sec column (or the
one named), highest first; ties keep PID order.
"""

from __future__ import annotations

from flexlab.sim.show.errors import UnknownShowCommand
from flexlab.sim.state import NodeSnapshot
from flexlab.sim.state_cpu import ProcessCpu

HEADER = " PID Runtime(ms)     Invoked      uSecs   5Sec   1Min   5Min TTY Process "
_SORT_KEYS = {"5sec": "five_sec", "1min": "one_min", "5min": "five_min"}


def render_processes_cpu(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    """`show processes cpu [sorted [5sec|1min|5min]]` from the measured loads; empty before any."""
    sort_by = _sort_column(words, args)
    if snap.cpu is None:
        return ""
    load = snap.cpu.load
    rows = list(snap.cpu.processes)
    if sort_by is not None:
        rows.sort(key=lambda row: -getattr(row, sort_by))
    header = (f"CPU utilization for five seconds: {round(load.five_sec)}%/{round(load.five_sec_interrupt)}%; "
              f"one minute: {round(load.one_min)}%; five minutes: {round(load.five_min)}%")
    lines = [header, HEADER]
    lines += [_row(row) for row in rows]
    return "\n".join(lines) + "\n"


def _sort_column(words: list[str], args: list[str]) -> str | None:
    """None (PID order) or the ProcessCpu field `sorted [5sec|1min|5min]` orders by."""
    first = len(words) - len(args)
    if not args:
        return None
    if args[0].lower() != "sorted":
        raise UnknownShowCommand(words, first)
    if len(args) == 1:
        return "five_sec"
    column = _SORT_KEYS.get(args[1].lower())
    if column is None:
        raise UnknownShowCommand(words, first + 1)
    if len(args) > 2:
        raise UnknownShowCommand(words, first + 2)
    return column


def _row(row: ProcessCpu) -> str:
    return (f"{row.pid:4d} {row.runtime_ms:11d} {row.invoked:11d} {row.usecs:10d} {row.five_sec:5.2f}% "
            f"{row.one_min:5.2f}% {row.five_min:5.2f}% {0:3d} {row.name[:16]:<16}")
