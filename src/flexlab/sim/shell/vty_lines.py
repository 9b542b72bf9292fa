"""Which vty lines of a device are in use, and `show users` from them.

The SSH server attaches each session to the lowest free vty when it starts and detaches
it when it ends; `show users` lists them as IOS does (vty N is line 2+N on routers with
one console and one aux line). Idle times are wall seconds since the session's last input.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field

#: Absolute line number of vty 0 (line 0 is the console, line 1 the aux port).
FIRST_VTY_LINE = 2


@dataclass
class VtyEntry:
    """One busy vty line for `show users`: line number, user, location, last input (wall seconds)."""
    vty: int
    username: str
    location: str
    last_input: float = field(default_factory=time.monotonic)

    def touch(self) -> None:
        """Note input now (the Idle column of `show users` counts from here)."""
        self.last_input = time.monotonic()


_LINES: weakref.WeakKeyDictionary[object, dict[int, VtyEntry]] = weakref.WeakKeyDictionary()


def attach(device: object, username: str, location: str, vty: int | None = None) -> VtyEntry:
    """Record a session on ``vty`` (the line the SSH server allocated), else the lowest free one."""
    lines = _LINES.setdefault(device, {})
    if vty is None:
        vty = next(n for n in range(len(lines) + 1) if n not in lines)
    entry = VtyEntry(vty, username, location)
    lines[vty] = entry
    return entry


def detach(device: object, entry: VtyEntry) -> None:
    """Free the entry's vty line on ``device`` (the session closed)."""
    lines = _LINES.get(device)
    if lines is not None and lines.get(entry.vty) is entry:
        del lines[entry.vty]


def in_use(device: object) -> list[VtyEntry]:
    """The device's busy vty lines, by line number."""
    return sorted(_LINES.get(device, {}).values(), key=lambda e: e.vty)


def _idle(entry: VtyEntry, now: float) -> str:
    total = max(0, int(now - entry.last_input))
    hours, rest = divmod(total, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def render_users(device: object, own: VtyEntry | None) -> str:
    """`show users`; ``own`` (the asking session's line) is marked with ``*``."""
    now = time.monotonic()
    lines = ["    Line       User       Host(s)              Idle       Location"]
    for entry in in_use(device):
        mark = "*" if entry is own else " "
        line = f"{FIRST_VTY_LINE + entry.vty:>3} vty {entry.vty:<5}"
        lines.append(f"{mark}{line} {entry.username:<10} {'idle':<20} {_idle(entry, now)} {entry.location}".rstrip())
    lines += ["", "  Interface    User               Mode         Idle     Peer Address", ""]
    return "\n".join(lines) + "\n"
