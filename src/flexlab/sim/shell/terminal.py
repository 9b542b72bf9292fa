"""The terminal side of a vty line: echo, line editing and control keys, as IOS does them.

Input arrives as raw characters from a pseudo-terminal (the client's tty is in raw mode):
Enter is ``\\r`` (``\\r\\n`` and ``\\n`` are accepted too), Backspace is DEL or ``^H``.
Output uses ``\\r\\n`` line ends. IOS echoes a character when it reads it, so processing
input in order gives the same interleaving of echo and output as a router.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flexlab.sim.shell.paging import Pager, needs_paging
from flexlab.sim.shell.session import CliSession, Reply
from flexlab.sim.shell.stream import ESCAPE, OutputStream

#: Longest command line the lab reads (a named assumption, not an IOS figure we verified:
#: IOS refuses over-long lines too; no real command comes near this). Characters typed
#: past it are dropped and not echoed; Enter then answers with :data:`LINE_TOO_LONG`.
MAX_LINE_LENGTH = 4096
LINE_TOO_LONG = f"% Input line too long (over {MAX_LINE_LENGTH} characters): discarded\n"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

CTRL_C = "\x03"
CTRL_U = "\x15"
CTRL_W = "\x17"
CTRL_Z = "\x1a"
ESC = "\x1b"
BACKSPACES = ("\x7f", "\x08")


def crlf(text: str) -> str:
    """Terminal line endings: every newline sent as CR LF, as IOS does on a vty."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


class Terminal:
    """Feeds keystrokes to a :class:`CliSession` and writes what the router shows."""

    def __init__(self, session: CliSession, write: Callable[[str], None]) -> None:
        self.session = session
        self._write = write
        self._line = ""
        self._after_cr = False
        self._escape = ""          # partial escape sequence being swallowed
        self._overflow = False     # the line went past MAX_LINE_LENGTH
        self._stream: OutputStream | None = None   # a command still printing (ping)
        self._pager: Pager | None = None            # output waiting at --More--
        self._feeding = False
        self.on_idle: Callable[[], None] | None = None   # input may be fed again
        self.closed = False

    @property
    def busy(self) -> bool:
        """A command is still printing: typed input waits (only the escape sequence is read)."""
        return self._stream is not None

    def start(self) -> None:
        """What IOS shows right after an SSH login: a blank line and the prompt."""
        self._write("\r\n" + self.session.prompt)

    def feed(self, data: str) -> int:
        """Process keystrokes; runs of ordinary characters are taken in one step (linear
        time, one echo write), control keys one by one. Returns how many characters were
        taken: input typed while a command is busy waits for the prompt (the escape
        sequence Ctrl-^ aborts the command instead, with what was typed before it)."""
        self._feeding = True
        try:
            return self._feed(data)
        finally:
            self._feeding = False

    def _feed(self, data: str) -> int:
        i, end = 0, len(data)
        while i < end and not self.closed:
            if self._pager is not None:
                self._page_key(data[i])
                i += 1
                continue
            if self._stream is not None:
                escape = data.find(ESCAPE, i)
                if escape < 0:
                    return i
                i = escape + 1 + (data[escape + 1:escape + 2] in ("x", "X"))
                self._stream.abort()
                continue
            if not self._escape:
                control = _CONTROL.search(data, i)
                stop = control.start() if control else end
                if stop > i:
                    self._type(data[i:stop])
                    i = stop
                    continue
            self._key(data[i])
            i += 1
        return i

    def _type(self, text: str) -> None:
        """Ordinary characters: appended up to MAX_LINE_LENGTH, echoed when echo is on;
        `?` shows help and the line again instead (not while IOS asks a question)."""
        head, mark, tail = text.partition("?")
        help_text = self.session.help(self._line + head) if mark and not self._overflow else None
        if help_text is None:
            self._type_plain(text)
            return
        self._type_plain(head)
        self._write("?\r\n" + crlf(help_text) + self.session.prompt + self._line)
        if tail:
            self._type(tail)

    def _type_plain(self, text: str) -> None:
        self._after_cr = False
        kept = text[: max(0, MAX_LINE_LENGTH - len(self._line))]
        if len(kept) < len(text):
            self._overflow = True
        if kept:
            self._line += kept
            if self.session.echo:
                self._write(kept)

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
            self._type(char)

    def _swallow_escape(self, char: str) -> None:
        """Cursor keys and friends (ESC [ ... final) are not modelled: drop them."""
        self._escape += char
        if len(self._escape) == 2 and char not in "[O" or len(self._escape) > 2 and ("@" <= char <= "~"):
            self._escape = ""

    def _erase(self, count: int) -> None:
        count = min(count, len(self._line))
        if count == len(self._line):
            self._overflow = False
        if not count:
            return
        self._line = self._line[:-count]
        if self.session.echo:
            self._write("\b \b" * count)

    def _abort(self, shown: str) -> None:
        """Ctrl-C / Ctrl-Z: drop the typed line; in configuration mode go back to EXEC."""
        self._line, self._overflow = "", False
        self._write(shown + "\r\n")
        self.session.interrupt()
        self._write(self.session.prompt)

    def _submit(self) -> None:
        line, self._line = self._line, ""
        self._write("\r\n")
        if self._overflow:
            self._overflow = False
            self._write(crlf(LINE_TOO_LONG) + self.session.prompt)
            return
        reply: Reply = self.session.execute(line)
        if needs_paging(reply.output, self.session.term_length) and not reply.close and reply.stream is None:
            self._pager = Pager(reply.output, self.session.term_length)
            self._write(crlf(self._pager.first()))
            return
        if reply.output:
            self._write(crlf(reply.output))
        if reply.close:
            self.closed = True
            return
        if reply.stream is not None:
            self._stream = reply.stream
            reply.stream.attach(lambda text: self._write(crlf(text)), self._stream_closed)
            return
        self._write(self.session.prompt)

    def _page_key(self, char: str) -> None:
        """A key typed at --More--: a CR LF pair counts once."""
        after_cr, self._after_cr = self._after_cr, char == "\r"
        if char == "\n" and after_cr or self._pager is None:
            return
        self._write(crlf(self._pager.key(char)))
        if self._pager.done:
            self._pager = None
            self._write(self.session.prompt)

    def _stream_closed(self) -> None:
        self._stream = None
        self._write(self.session.prompt)
        if not self._feeding and self.on_idle is not None:
            self.on_idle()
