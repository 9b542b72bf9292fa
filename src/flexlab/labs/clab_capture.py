"""Packet capture on a containerlab lab: tcpdump in the node's network namespace.

containerlab documents it (facts.md §6): every node is a network namespace named after its
container, so ``ip netns exec clab-<lab>-<node> tcpdump -i ethN -U -w FILE`` captures a data
link on the host. ``-U`` writes each packet as it arrives; SIGINT makes tcpdump flush, print
its "N packets captured" lines and exit. Both tools need root. Timestamps are the host's
UTC clock (time base "host"). A capture of several links runs one tcpdump per link and
merges their pcaps by time when stopped (scapy).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flexlab.labs.base import Capture, CaptureUnavailable, LabError
from flexlab.render import KINDS

START_TIMEOUT_S = 5.0     # tcpdump writes the pcap header as soon as it listens
STOP_TIMEOUT_S = 10.0     # after SIGINT, then SIGTERM, then SIGKILL
MAX_PORT = 64
_ETH = re.compile(r"eth\d+")


def eth_name(kind: str, interface: str) -> str:
    """containerlab's ``ethN`` for ``interface`` (an IOS name of a ``kind`` node, or ethN)."""
    name = interface.strip()
    if _ETH.fullmatch(name.lower()):
        return name.lower()
    spec = KINDS.get(kind)
    if spec is None:
        raise LabError(f"interface {interface!r}: node kind {kind or '(none)'!r} has no known IOS names; use ethN")
    for port in range(1, MAX_PORT + 1):
        if spec.ifname(port).lower() == name.lower():
            return f"eth{port}"
    raise LabError(f"{interface!r} is not a data interface of a {kind} node (e.g. {spec.ifname(1)} = eth1)")


def is_root() -> bool:
    """Whether this process runs as root."""
    return os.geteuid() == 0


def check_capture_tools(privileged: Callable[[], bool] | None = None) -> tuple[str, str]:
    """Paths of ``ip`` and ``tcpdump``; CaptureUnavailable naming what is missing.
    ``privileged`` says whether this process may enter namespaces (default: it is root)."""
    missing = [tool for tool in ("ip", "tcpdump") if shutil.which(tool) is None]
    if missing:
        raise CaptureUnavailable(
            f"cannot capture on the containerlab lab: {' and '.join(missing)} not found on PATH"
            " (install iproute2 and tcpdump)")
    if not (privileged or is_root)():
        raise CaptureUnavailable("cannot capture on the containerlab lab: `ip netns exec` and tcpdump need root")
    return shutil.which("ip") or "ip", shutil.which("tcpdump") or "tcpdump"


@dataclass
class _Tcpdump:
    interface: str
    path: Path
    process: subprocess.Popen[bytes]
    stderr: IO[bytes]

    def stop(self) -> str:
        """SIGINT (tcpdump flushes and reports), escalating if it does not end; returns stderr."""
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            if self.process.poll() is not None:
                break
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                continue
        self.stderr.seek(0)
        text = self.stderr.read().decode(errors="replace")
        self.stderr.close()
        return text


def _start_one(ip: str, tcpdump: str, container: str, interface: str, path: Path) -> _Tcpdump:
    stderr = tempfile.TemporaryFile()
    command = [ip, "netns", "exec", container, tcpdump, "-i", interface, "-U", "-w", str(path)]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                               start_new_session=True)
    run = _Tcpdump(interface, path, process, stderr)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = run.stop().strip().splitlines()
            raise LabError(f"tcpdump on {container} {interface} exited with code {process.returncode}: "
                           f"{detail[-1] if detail else 'no output'}")
        if path.exists() and path.stat().st_size >= 24:
            return run
        time.sleep(0.02)
    run.stop()
    raise LabError(f"tcpdump on {container} {interface} wrote no pcap header within {START_TIMEOUT_S:g} s")


def _merge(parts: list[Path], target: Path) -> None:
    """Merge pcaps by timestamp into ``target`` (scapy reads and writes)."""
    from scapy.utils import PcapReader, PcapWriter

    packets: list[Any] = []   # scapy packets (scapy ships no types)
    for part in parts:
        with PcapReader(str(part)) as reader:
            packets.extend(reader)
    packets.sort(key=lambda p: float(p.time))
    writer = PcapWriter(str(target), linktype=1, sync=False)
    writer.write_header(None)
    for packet in packets:
        writer.write(packet)
    writer.close()
    for part in parts:
        part.unlink(missing_ok=True)


def start_tcpdump_capture(node: str, container: str, interfaces: list[str], asked: str | None, path: Path,
                          privileged: Callable[[], bool] | None = None) -> Capture:
    """One tcpdump per ethN in ``container``'s namespace; the Capture merges them on stop."""
    ip, tcpdump = check_capture_tools(privileged)
    path.parent.mkdir(parents=True, exist_ok=True)
    single = len(interfaces) == 1
    runs: list[_Tcpdump] = []
    try:
        for interface in interfaces:
            target = path if single else path.with_name(f"{path.stem}.{interface}{path.suffix}")
            runs.append(_start_one(ip, tcpdump, container, interface, target))
    except LabError:
        for run in runs:
            run.stop()
        raise

    def stop() -> Path:
        for run in runs:
            run.stop()
        if not single:
            _merge([run.path for run in runs], path)
        return path

    return Capture(node, asked, path, "host", stop)
