"""Config loading at boot: the default loader and the containerlab-style bootstrap user."""

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


def with_bootstrap_user(text: str, username: str, password: str) -> str:
    """Insert ``username U privilege 15 secret P`` (as containerlab's bootstrap does) before
    the first ``end`` -- IOS stops reading a startup-config there, so a user line after
    text that follows ``end`` would be lost and lock the login out -- unless the config
    already defines that user."""
    lines = text.rstrip("\n").splitlines()
    for line in lines:
        words = line.split()
        if len(words) >= 2 and words[0] == "username" and words[1] == username:
            return text
    user_line = f"username {username} privilege 15 secret {password}"
    end = next((i for i, line in enumerate(lines) if line.strip() == "end"), len(lines))
    lines.insert(end, user_line)
    return "\n".join(lines) + "\n"


def lines_after_end(text: str) -> int:
    """Non-blank, non-comment lines after the first ``end`` (IOS does not read them)."""
    lines = text.splitlines()
    end = next((i for i, line in enumerate(lines) if line.strip() == "end"), len(lines))
    return sum(1 for line in lines[end + 1:] if line.strip() and not line.strip().startswith("!"))
