"""What the CLI (``sim/shell``) and SSH server need from a simulated router.

The protocol engine's node class implements :class:`SimDevice`; the CLI is written and
tested against this protocol only, so either side can change inside without the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flexlab.iosconfig import ConfigTree
from flexlab.sim.state import NodeSnapshot


class SimDevice(Protocol):
    """One router as the shell and the SSH server see it: identity, config, login and show state."""
    name: str

    @property
    def hostname(self) -> str:
        """The current `hostname` from the running config (the node name if unset)."""

    @property
    def config(self) -> ConfigTree:
        """The running configuration; the CLI edits it in place, then calls config_changed()."""

    @property
    def responsive(self) -> bool:
        """False while the node is frozen or stopped: the SSH server then stays silent."""

    def check_login(self, username: str, password: str) -> bool:
        """True when the credentials match a `username X password|secret Y` line."""

    def check_enable(self, password: str) -> bool:
        """True when the password matches `enable secret|password` (or no enable secret is set)."""

    def config_changed(self) -> None:
        """Called by the CLI after each accepted configuration line: the engine re-reads
        the tree and reacts (interfaces, IKE, BGP, ...) on the lab clock."""

    def snapshot(self) -> NodeSnapshot:
        """Current read model for show-command rendering (advances the clock first)."""

    def clear(self, words: list[str]) -> str:
        """Run a `clear ...` exec command given canonical words, return its output
        (e.g. ["clear", "crypto", "ikev2", "sa"], ["clear", "ip", "bgp", "*"])."""

    def write_memory(self) -> None:
        """Copy running-config to startup-config."""


# --- ping / traceroute: what the CLI asks of a device that can send probes ------------------
# (optional device method ``probes(request) -> ProbeRun``; raises ProbeError for a bad source)


@dataclass(frozen=True)
class ProbeRequest:
    """ICMP echoes sent one after another, each when the previous is answered or timed out.

    ``ttls`` holds one entry per probe: None for a ping echo, the TTL for a traceroute probe;
    with ``stop_on_reach`` the run ends after the group of probes (same TTL) in which the
    target answered."""

    target: str
    ttls: tuple[int | None, ...]
    size: int = 100
    timeout_s: float = 2.0
    source: str | None = None          # canonical interface name or IPv4 address
    stop_on_reach: bool = False


@dataclass(frozen=True)
class ProbeAnswer:
    """One probe's outcome: ``reply`` (the target answered), ``ttl-exceeded`` (a router on
    the way answered) or ``timeout``."""

    outcome: str
    rtt_ms: int | None = None
    responder: str | None = None


class ProbeError(Exception):
    """The probes cannot start; the message is the IOS error line."""


class ProbeRun(Protocol):
    """A `ping`/`traceroute` in progress: started once, answers arrive on the lab clock, abortable."""
    source: str | None                 # the resolved source address when one was given

    def start(self, on_answer: Callable[[ProbeAnswer], None], on_done: Callable[[], None]) -> None:
        """Send the probes; ``on_answer`` gets each answer, ``on_done`` runs after the last."""

    def abort(self) -> None:
        """Stop early (the user typed the escape sequence); no more answers, ``on_done`` still runs."""
