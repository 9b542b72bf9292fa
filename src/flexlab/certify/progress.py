"""Progress on stderr for long waits, and colours only where a terminal shows them.

On a terminal the status line is rewritten in place; elsewhere (CI logs, files) a status
line is printed when its text changes, and a waiting line at most every ``quiet_s``
seconds, so logs stay readable.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Literal, TextIO

_COLOURS = {"green": "32", "red": "31", "yellow": "33", "bold": "1", "dim": "2"}
VERDICT_COLOURS = {"PASS": "green", "FAIL": "red", "ERROR": "yellow"}


def colour_enabled(stream: TextIO) -> bool:
    """Colours only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def paint(text: str, colour: str, stream: TextIO) -> str:
    """``text`` in an ANSI colour when ``stream`` shows colours, else unchanged."""
    if not colour_enabled(stream):
        return text
    return f"\033[{_COLOURS[colour]}m{text}\033[0m"


def paint_verdict(verdict: str, stream: TextIO, width: int = 0) -> str:
    """The verdict in its colour, padded to ``width`` (padding outside the escape codes)."""
    return paint(f"{verdict:<{width}}", VERDICT_COLOURS.get(verdict, "bold"), stream)


@dataclass
class Progress:
    """Status of the current step; ``update`` for waits, ``line`` for permanent lines."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    quiet_s: float = 30.0
    enabled: bool = True
    prefix: str = ""                 # written before every text (a row's name when rows run in parallel)
    _last_text: str = ""
    _last_print: float = 0.0
    _open_line: bool = False

    @property
    def tty(self) -> bool:
        """True when the stream is a terminal (status lines are then rewritten in place)."""
        return hasattr(self.stream, "isatty") and self.stream.isatty()

    def update(self, text: str) -> None:
        """Transient status (e.g. "waiting for SSH: 3/5 nodes, 42 s of 900 s")."""
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r\033[K" + self.prefix + text)
            self.stream.flush()
            self._open_line = True
            return
        now = time.monotonic()
        first_word = text.split(":", 1)[0]
        if first_word != self._last_text.split(":", 1)[0] or now - self._last_print >= self.quiet_s:
            self.stream.write(self.prefix + text + "\n")
            self.stream.flush()
            self._last_print = now
        self._last_text = text

    def line(self, text: str) -> None:
        """A line that stays (a step finished, a row's verdict)."""
        if not self.enabled:
            return
        if self._open_line or self.tty:   # on a terminal another row's status line may be open
            self.stream.write("\r\033[K")
            self._open_line = False
        self.stream.write(self.prefix + text + "\n")
        self.stream.flush()
        self._last_text = ""


def elapsed(started: float) -> str:
    """Time since ``started`` (a time.monotonic() value) as duration_text writes it."""
    return duration_text(time.monotonic() - started)


def duration_text(seconds_float: float) -> str:
    """Whole seconds as ``42s``, or ``3m07s`` from a minute on."""
    seconds = int(seconds_float)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


RowState = Literal["queued", "deploying", "running", "destroying", "done"]
_STATE_COLOURS: dict[str, str] = {
    "queued": "dim", "deploying": "yellow", "running": "bold", "destroying": "yellow", "done": "bold",
}


class RowBoard:
    """The state of every matrix row of a run (queued, deploying, running, destroying, done),
    one permanent line per change: ``[2/3] iosv-15.9: running (14s, ETA 3s)``. ETAs come
    from ``expected_s`` (row name -> seconds, from the history); rows it lacks get none.
    Rows may run in parallel threads: every write holds one lock."""

    def __init__(self, progress: Progress, names: list[str], expected_s: dict[str, float] | None = None) -> None:
        self.progress = progress
        self.names = names
        self.expected_s = expected_s or {}
        self._started: dict[str, float] = {}
        self._lock = threading.Lock()
        #: Set on Ctrl-C while rows run in threads (which get no signal): each row stops at its
        #: next wait, before its teardown (see RowProgress.update).
        self.cancelled = threading.Event()

    def for_row(self, name: str) -> RowProgress:
        """The Progress a row's thread writes through."""
        return RowProgress(self, name)

    def state(self, name: str, state: RowState, detail: str = "") -> None:
        """Print the row's new state with its elapsed time and ETA (deploying starts its clock)."""
        with self._lock:
            now = time.monotonic()
            if state == "deploying":
                self._started[name] = now
            prefix = f"[{self.names.index(name) + 1}/{len(self.names)}] {name}: "
            text = paint(state, _STATE_COLOURS[state], self.progress.stream)
            self.progress.line(prefix + text + self._timing(name, state, now) + (f" {detail}" if detail else ""))

    def _timing(self, name: str, state: RowState, now: float) -> str:
        expected = self.expected_s.get(name)
        if name not in self._started:
            return f" (expected {duration_text(expected)})" if expected is not None else ""
        spent = now - self._started[name]
        if expected is None or state == "done":
            return f" ({duration_text(spent)})"
        left = expected - spent
        if left < 0:
            return f" ({duration_text(spent)}, overdue)"
        return f" ({duration_text(spent)}, ETA {duration_text(left)})"

    @property
    def lock(self) -> threading.Lock:
        """The lock every write to the board's stream holds."""
        return self._lock


class RowProgress(Progress):
    """A Progress for one row of a RowBoard: its waits and lines name the row, and hold the
    board's lock while they write."""

    def __init__(self, board: RowBoard, name: str) -> None:
        super().__init__(stream=board.progress.stream, quiet_s=board.progress.quiet_s,
                         enabled=board.progress.enabled, prefix=f"{name}: ")
        self.board = board
        self.name = name
        self.tearing_down = False

    def update(self, text: str) -> None:
        """Also where a cancelled run stops this row (waits report here every second or so);
        never once the teardown has begun."""
        if self.board.cancelled.is_set() and not self.tearing_down:
            raise KeyboardInterrupt
        with self.board.lock:
            super().update(text)

    def line(self, text: str) -> None:
        """A permanent line, written under the board's lock."""
        with self.board.lock:
            super().line(text)

    def state(self, state: RowState, detail: str = "") -> None:
        """Report the row's state on the board; from destroying on, a Ctrl-C no longer stops the row."""
        self.tearing_down = self.tearing_down or state in ("destroying", "done")
        self.board.state(self.name, state, detail)
