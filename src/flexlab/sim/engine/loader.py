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
    """Append ``username U privilege 15 secret P`` (as containerlab's bootstrap does)
    unless the config already defines that user."""
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "username" and words[1] == username:
            return text
    lines = text.rstrip("\n").splitlines()
    user_line = f"username {username} privilege 15 secret {password}"
    if lines and lines[-1].strip() == "end":
        lines.insert(len(lines) - 1, user_line)
    else:
        lines.append(user_line)
    return "\n".join(lines) + "\n"
