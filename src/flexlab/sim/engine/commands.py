"""Exec `clear ...` commands that act on protocol state."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node


def _starts(words: list[str], *prefix: str) -> bool:
    return [w.lower() for w in words[: len(prefix)]] == list(prefix)


def run_clear(node: Node, words: list[str]) -> str:
    """Canonical words, e.g. ``["clear", "crypto", "ikev2", "sa"]``; returns the output."""
    if not node.running:
        return ""
    if _starts(words, "clear", "crypto", "ikev2", "sa") or _starts(words, "clear", "crypto", "session") \
            or _starts(words, "clear", "crypto", "sa"):
        node.ike.clear_all("cleared")
    elif _starts(words, "clear", "ip", "bgp") and len(words) >= 4:
        if "soft" in words[4:] or "in" in words[4:] or "out" in words[4:]:
            return ""
        node.bgp.clear(words[3])
    elif _starts(words, "clear", "logging"):
        node.logbuf.clear()
    elif _starts(words, "clear", "counters"):
        for iface in node.interfaces:
            iface.packets_in = iface.packets_out = iface.bytes_in = iface.bytes_out = 0
    return ""
