"""Config loading at boot: the default loader (the bootstrap is sim/boot.py's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from flexlab.iosconfig import ConfigTree


class _HasConfig(Protocol):
    @property
    def config(self) -> ConfigTree: ...


ConfigLoader = Callable[[Any, str], list[Any]]

_SKIPPED = {"end", "!", "no shutdown"}


def tree_loader(device: _HasConfig, text: str) -> list[Any]:
    """Load canonical config text into the device's (empty) tree without validation.

    Stand-in for the CLI's ``apply_config_text``: the rendered configs are canonical, so
    dropping ``end``, ``!`` and ``no shutdown`` lines and building the tree is enough.
    """
    kept = [line for line in text.splitlines() if line.strip() not in _SKIPPED]
    tree = ConfigTree.from_text("\n".join(kept))
    device.config.lines[:] = tree.lines
    return []


def lines_after_end(text: str) -> int:
    """Non-blank, non-comment lines after the first ``end`` (IOS does not read them); a further
    ``end`` does not count (the bootstrap closes a partial config that has its own)."""
    lines = text.splitlines()
    end = next((i for i, line in enumerate(lines) if line.strip() == "end"), len(lines))
    return sum(1 for line in lines[end + 1:] if line.strip() not in ("", "end") and not line.strip().startswith("!"))
