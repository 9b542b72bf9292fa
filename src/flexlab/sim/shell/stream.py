"""Output an EXEC command keeps producing after it returned (`ping`, `traceroute`).

The command returns at once with a :class:`~flexlab.sim.shell.session.Reply` carrying an
:class:`OutputStream`; the device writes to it as lab time passes and closes it at the end.
The terminal shows each piece when it is written and the next prompt when the stream
closes; until then typed input waits, as on a router busy with a ping. Text written before
anyone attached is kept and handed over on :meth:`attach`.
"""

from __future__ import annotations

from collections.abc import Callable

#: IOS's escape sequence (Ctrl-^, then x) that aborts a ping or traceroute.
ESCAPE = "\x1e"


class OutputStream:
    """Output written over lab time by a running command, passed on to the terminal as it comes."""
    def __init__(self, on_abort: Callable[[], None] | None = None) -> None:
        self._parts: list[str] = []
        self._on_text: Callable[[str], None] | None = None
        self._on_close: Callable[[], None] | None = None
        self._on_abort = on_abort
        self.closed = False

    @property
    def text(self) -> str:
        """Everything written so far."""
        return "".join(self._parts)

    def write(self, text: str) -> None:
        """Add text and pass it to the terminal; ignored once closed."""
        if self.closed or not text:
            return
        self._parts.append(text)
        if self._on_text is not None:
            self._on_text(text)

    def close(self) -> None:
        """The command finished: tell the terminal (it prints the prompt) once."""
        if self.closed:
            return
        self.closed = True
        if self._on_close is not None:
            self._on_close()

    def attach(self, on_text: Callable[[str], None], on_close: Callable[[], None]) -> None:
        """Receive what was written so far, then every further piece, then the close."""
        if self.text:
            on_text(self.text)
        self._on_text, self._on_close = on_text, on_close
        if self.closed:
            on_close()

    def abort(self) -> None:
        """The user typed the escape sequence: the producer winds up (and closes)."""
        if not self.closed and self._on_abort is not None:
            self._on_abort()
