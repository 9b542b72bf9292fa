"""The terminal side of a vty line: echo, line editing and control keys, as IOS does them.

Input arrives as raw characters from a pseudo-terminal (the client's tty is in raw mode):
Enter is ``\\r`` (``\\r\\n`` and ``\\n`` are accepted too), Backspace is DEL or ``^H``.
Output uses ``\\r\\n`` line ends. IOS echoes a character when it reads it, so processing
input in order gives the same interleaving of echo and output as a router.
"""

from __future__ import annotations

from collections.abc import Callable

from flexlab.sim.cli.session import CliSession, Reply

CTRL_C = "\x03"
CTRL_U = "\x15"
CTRL_W = "\x17"
CTRL_Z = "\x1a"
ESC = "\x1b"
BACKSPACES = ("\x7f", "\x08")


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


class Terminal:
    """Feeds keystrokes to a :class:`CliSession` and writes what the router shows."""

    def __init__(self, session: CliSession, write: Callable[[str], None]) -> None:
        self.session = session
        self._write = write
        self._line = ""
        self._after_cr = False
        self._escape = ""          # partial escape sequence being swallowed
        self.closed = False

    def start(self) -> None:
        """What IOS shows right after an SSH login: a blank line and the prompt."""
        self._write("\r\n" + self.session.prompt)

    def feed(self, data: str) -> None:
        for char in data:
            if self.closed:
                return
            self._key(char)

    def _key(self, char: str) -> None:
        after_cr, self._after_cr = self._after_cr, char == "\r"
        if self._escape or char == ESC:
            self._swallow_escape(char)
        elif char == "\n":
            if not after_cr:
                self._submit()
        elif char == "\r":
            self._submit()
        elif char in BACKSPACES:
            self._erase(1)
        elif char == CTRL_U:
            self._erase(len(self._line))
        elif char == CTRL_W:
            keep = self._line.rstrip().rfind(" ") + 1   # up to the space before the last word
            self._erase(len(self._line) - keep)
        elif char == CTRL_C:
            self._abort("^C")
        elif char == CTRL_Z:
            self._abort("^Z")
        elif char >= " ":
            self._line += char
            if self.session.echo:
                self._write(char)

    def _swallow_escape(self, char: str) -> None:
        """Cursor keys and friends (ESC [ ... final) are not modelled: drop them."""
        self._escape += char
        if len(self._escape) == 2 and char not in "[O" or len(self._escape) > 2 and ("@" <= char <= "~"):
            self._escape = ""

    def _erase(self, count: int) -> None:
        count = min(count, len(self._line))
        if not count:
            return
        self._line = self._line[:-count]
        if self.session.echo:
            self._write("\b \b" * count)

    def _abort(self, shown: str) -> None:
        """Ctrl-C / Ctrl-Z: drop the typed line; in configuration mode go back to EXEC."""
        self._line = ""
        self._write(shown + "\r\n")
        self.session.interrupt()
        self._write(self.session.prompt)

    def _submit(self) -> None:
        line, self._line = self._line, ""
        self._write("\r\n")
        reply: Reply = self.session.execute(line)
        if reply.output:
            self._write(crlf(reply.output))
        if reply.close:
            self.closed = True
            return
        self._write(self.session.prompt)
