"""Checks and rewrites IOS applies to some configuration commands.

Validators receive the editing context (the tree and the sibling lines of the block being
edited) and the canonical words; they return the error line IOS prints, or None.
Normalisers turn accepted words into the form IOS shows in the running configuration.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Protocol

from flexlab.iosconfig import ConfigLine, ConfigTree
from flexlab.sim.engine.password_hash import hash_secret
from flexlab.sim.platforms import PHYSICAL_REMOVAL, Platform
from flexlab.sim.shell.errors import INVALID_INPUT
from flexlab.sim.shell.interfaces import interface_sort_key


class EditContext(Protocol):
    """What a validator sees of the edit: the whole tree, the block's lines, the router's hardware."""

    @property
    def tree(self) -> ConfigTree:
        """The whole running configuration being edited."""

    @property
    def siblings(self) -> list[ConfigLine]:
        """Lines of the block being edited (top-level lines in global mode)."""

    @property
    def platform(self) -> Platform | None:
        """The router's hardware (None: any interface name is accepted)."""


# --- validators -------------------------------------------------------------------------

def one_bgp_process(ctx: EditContext, words: Sequence[str]) -> str | None:
    """IOS runs one BGP process: `router bgp N` with another AS already configured is refused."""
    for line in ctx.tree.find("router", "bgp"):
        if line.words[2:3] != [words[2]]:
            return f"% BGP is already running; AS is {line.words[2]}"
    return None


def _is_peer_group(siblings: Sequence[ConfigLine], name: str) -> bool:
    return any(line.words == ["neighbor", name, "peer-group"] for line in siblings)


def neighbor_configured(ctx: EditContext, words: Sequence[str]) -> str | None:
    """Neighbor attributes need `neighbor X remote-as` or `neighbor X peer-group` first."""
    neighbor = words[1]
    known = any(
        line.starts_with("neighbor", neighbor, "remote-as") or line.starts_with("neighbor", neighbor, "peer-group")
        for line in ctx.siblings
    )
    return None if known else "% Specify remote-as or peer-group commands first"


def peer_group_exists(ctx: EditContext, words: Sequence[str]) -> str | None:
    """`neighbor X peer-group G` needs `neighbor G peer-group` first in the same block."""
    return None if _is_peer_group(ctx.siblings, words[-1]) else "% Create the peer-group first"


def route_consistent(ctx: EditContext, words: Sequence[str]) -> str | None:
    """`ip route P M ...`: P must be a network address of mask M."""
    address, mask = ipaddress.IPv4Address(words[2]), ipaddress.IPv4Address(words[3])
    if int(address) & ~int(mask) & 0xFFFFFFFF:
        return "%Inconsistent address and mask"
    return None


def pool_range_ordered(ctx: EditContext, words: Sequence[str]) -> str | None:
    """`ip local pool NAME START END` with END below START is refused."""
    if len(words) == 6 and ipaddress.IPv4Address(words[4]) > ipaddress.IPv4Address(words[5]):
        return "%Invalid address range"
    return None


def interface_exists(ctx: EditContext, words: Sequence[str]) -> str | None:
    """`interface X`: X must be a port of this box (or a logical interface)."""
    if ctx.platform is None or ctx.platform.exists(words[1]):
        return None
    return INVALID_INPUT


def interface_removable(ctx: EditContext, words: Sequence[str]) -> str | None:
    """`no interface X`: hardware ports cannot be deleted."""
    if ctx.platform is not None and len(words) > 1 and ctx.platform.is_physical(words[1]):
        return PHYSICAL_REMOVAL
    return None


# --- normalisers ------------------------------------------------------------------------

def route_map_defaults(words: list[str]) -> list[str]:
    """`route-map X` is `route-map X permit 10`; `route-map X deny` is `... deny 10`."""
    if len(words) == 2:
        return words + ["permit", "10"]
    if len(words) == 3:
        return words + ["10"]
    return words


def exec_timeout_seconds(words: list[str]) -> list[str]:
    """`exec-timeout M` is stored as `exec-timeout M 0` (seconds shown explicitly)."""
    return words + ["0"] if len(words) == 2 else words


def timestamps_default(words: list[str]) -> list[str]:
    """`service timestamps log` alone is stored as `service timestamps log uptime` (the IOS default)."""
    return words + ["uptime"] if len(words) == 3 else words


def drop_cleartext_type(words: list[str]) -> list[str]:
    """`secret 0 X` means cleartext X: store `secret X` (the lab does not hash secrets)."""
    out = list(words)
    for i in range(len(out) - 2):
        if out[i] in ("secret", "password", "pre-shared-key", "key-string", "local", "remote") and out[i + 1] == "0":
            del out[i + 1]
            break
    return out


def hash_cleartext_secret(words: list[str]) -> list[str]:
    """`username U ... secret [0] P` / `enable secret [0] P`: IOS stores and shows
    `secret 9 $9$<salt>$<scrypt hash>`; `password` and already-typed secrets are kept."""
    out = drop_cleartext_type(words)
    if "secret" not in out:
        return out
    i = out.index("secret")
    if i + 1 < len(out) and not (out[i + 1].isdigit() and i + 2 < len(out)):
        out[i + 1:] = ["9", hash_secret(" ".join(out[i + 1:]))]
    return out


def standard_acl_host(words: list[str]) -> list[str]:
    """`access-list 1 permit host A` is shown as `access-list 1 permit A`."""
    if len(words) == 5 and words[3] == "host":
        return words[:3] + [words[4]]
    return words


# --- sort keys --------------------------------------------------------------------------

def by_interface(words: Sequence[str]) -> tuple[int, tuple[int, ...]]:
    """Running-config order of `interface` blocks: by type, then by number (Gi0/0/1 before Gi0/0/10)."""
    return interface_sort_key(words[1])


def by_number(index: int):
    """Sort key ordering lines by the integer in word ``index`` (`track 2` before `track 10`)."""
    def key(words: Sequence[str]) -> int:
        return int(words[index]) if len(words) > index and words[index].lstrip("-").isdigit() else 0
    return key
