"""Progress on stderr for long waits, and colours only where a terminal shows them.

On a terminal the status line is rewritten in place; elsewhere (CI logs, files) a status
line is printed when its text changes, and a waiting line at most every ``quiet_s``
seconds, so logs stay readable.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

_COLOURS = {"green": "32", "red": "31", "yellow": "33", "bold": "1", "dim": "2"}
VERDICT_COLOURS = {"PASS": "green", "FAIL": "red", "ERROR": "yellow"}


def colour_enabled(stream: TextIO) -> bool:
    """Colours only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def paint(text: str, colour: str, stream: TextIO) -> str:
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
    _last_text: str = ""
    _last_print: float = 0.0
    _open_line: bool = False

    @property
    def tty(self) -> bool:
        return hasattr(self.stream, "isatty") and self.stream.isatty()

    def update(self, text: str) -> None:
        """Transient status (e.g. "waiting for SSH: 3/5 nodes, 42 s of 900 s")."""
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r\033[K" + text)
            self.stream.flush()
            self._open_line = True
            return
        now = time.monotonic()
        first_word = text.split(":", 1)[0]
        if first_word != self._last_text.split(":", 1)[0] or now - self._last_print >= self.quiet_s:
            self.stream.write(text + "\n")
            self.stream.flush()
            self._last_print = now
        self._last_text = text

    def line(self, text: str) -> None:
        """A line that stays (a step finished, a row's verdict)."""
        if not self.enabled:
            return
        if self._open_line:
            self.stream.write("\r\033[K")
            self._open_line = False
        self.stream.write(text + "\n")
        self.stream.flush()
        self._last_text = ""


def elapsed(started: float) -> str:
    seconds = int(time.monotonic() - started)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
