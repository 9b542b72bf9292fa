"""`--More--` paging of long output under `terminal length N` (N > 0), as IOS pages a vty.

IOS shows N - 1 lines, then `` --More-- ``. Space shows the next N - 1 lines, Enter one
more line, any other key drops the rest; the `` --More-- `` is erased with backspaces
before whatever follows. `terminal length 0` turns paging off (what netmiko, scrapli and
unicon send first).
"""

from __future__ import annotations

MORE = " --More-- "
ERASE_MORE = "\b" * len(MORE) + " " * len(MORE) + "\b" * len(MORE)


def needs_paging(text: str, length: int) -> bool:
    """Whether the output is longer than one page of `terminal length` (0: never page)."""
    return length > 0 and text.count("\n") > length - 1


class Pager:
    """The rest of one command's output, shown page by page as keys arrive."""

    def __init__(self, text: str, length: int) -> None:
        self._lines = text.splitlines(keepends=True)
        self._page = max(1, length - 1)
        self._shown = 0
        self.done = False

    def first(self) -> str:
        """The first page, up to the `--More--` prompt."""
        return self._next(self._page)

    def key(self, char: str) -> str:
        """What the terminal shows for one key typed at `` --More-- ``."""
        if char == " ":
            return ERASE_MORE + self._next(self._page)
        if char in ("\r", "\n"):
            return ERASE_MORE + self._next(1)
        self.done = True
        return ERASE_MORE

    def _next(self, count: int) -> str:
        chunk = "".join(self._lines[self._shown:self._shown + count])
        self._shown += count
        if self._shown >= len(self._lines):
            self.done = True
            return chunk
        return chunk + MORE
