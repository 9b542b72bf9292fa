"""vty lines: how many remote sessions a router takes at once, from its `line vty` blocks.

IOS always has vty 0-4; `line vty 5 15` adds more (up to 0-1869 on IOS XE). Each SSH
connection holds the lowest free line from accept to disconnect; when none is free, the
router closes the new connection at once.
"""

from __future__ import annotations

from flexlab.iosconfig import ConfigTree

DEFAULT_VTYS = frozenset(range(5))   # line vty 0 4


def vty_lines(config: ConfigTree) -> frozenset[int]:
    """The vty line numbers the configuration provides."""
    lines = set(DEFAULT_VTYS)
    for block in config.find("line", "vty"):
        numbers = [int(word) for word in block.words[2:4] if word.isdigit()]
        if numbers:
            lines.update(range(numbers[0], numbers[-1] + 1))
    return frozenset(lines)


class VtyPool:
    """The lines of one router in use."""

    def __init__(self) -> None:
        self.busy: set[int] = set()

    def allocate(self, config: ConfigTree) -> int | None:
        """Take the lowest free vty line of the config's `line vty` ranges, or None when all are busy."""
        free = sorted(vty_lines(config) - self.busy)
        if not free:
            return None
        self.busy.add(free[0])
        return free[0]

    def release(self, line: int) -> None:
        """Free a vty line when its session ends."""
        self.busy.discard(line)
