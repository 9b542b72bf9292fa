"""Wait until every node of a freshly deployed lab answers SSH.

A node counts as ready when a TCP connection to its SSH port succeeds and the server
sends its identification line (``SSH-2.0-...``, RFC 4253 section 4.2): a port that merely
accepts connections (a container proxy, a booting VM's NAT) is not enough.
"""

from __future__ import annotations

import functools
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from flexlab.errors import FlexlabError
from flexlab.labs.interface import StatusSink

BANNER_PREFIX = b"SSH-"


class SshWaitTimeout(FlexlabError):
    """Some nodes did not answer SSH in time (the message names them)."""


@dataclass(frozen=True)
class SshTarget:
    """A node's SSH endpoint to wait for."""
    node: str
    host: str
    port: int = 22

    def __str__(self) -> str:
        return f"{self.node} ({self.host}:{self.port})"


def ssh_banner(target: SshTarget, timeout_s: float) -> str | None:
    """The server's identification line, or None when the node does not answer SSH yet."""
    try:
        with socket.create_connection((target.host, target.port), timeout=timeout_s) as sock:
            sock.settimeout(timeout_s)
            received = b""
            while b"\n" not in received and len(received) < 1024:
                chunk = sock.recv(256)
                if not chunk:
                    break
                received += chunk
    except OSError:
        return None
    # Servers may send other lines before the identification line (RFC 4253 4.2).
    for line in received.splitlines():
        if line.startswith(BANNER_PREFIX):
            return line.decode("ascii", "replace").strip()
    return None


def wait_for_ssh(
    targets: list[SshTarget],
    timeout_s: float,
    progress: StatusSink | None = None,
    *,
    interval_s: float = 2.0,
    probe_timeout_s: float = 5.0,
) -> dict[str, str]:
    """Block until every target sends an SSH banner; returns node -> banner.

    Raises SshWaitTimeout naming the nodes still silent after ``timeout_s``.
    """
    started = time.monotonic()
    deadline = started + timeout_s
    pending = {target.node: target for target in targets}
    banners: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=min(32, max(1, len(targets)))) as pool:
        while pending:
            probe_s = max(0.1, min(probe_timeout_s, deadline - time.monotonic()))
            probe = functools.partial(ssh_banner, timeout_s=probe_s)
            answers = dict(zip(pending, pool.map(probe, pending.values()), strict=True))
            for node, banner in answers.items():
                if banner is not None:
                    banners[node] = banner
                    del pending[node]
            waited = time.monotonic() - started
            if progress is not None:
                progress.update(f"waiting for SSH: {len(banners)}/{len(targets)} nodes answer"
                                f" ({waited:.0f} s of {timeout_s:g} s)")
            if not pending:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SshWaitTimeout(
                    f"{len(pending)} of {len(targets)} nodes did not answer SSH within {timeout_s:g} s: "
                    + ", ".join(str(target) for target in pending.values())
                )
            time.sleep(min(interval_s, remaining))
    return banners
