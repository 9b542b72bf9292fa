"""Facade of the embedded lab: start, find, control and stop its background process.

Harness side of the wall: it starts ``python -m flexlab.sim.daemon`` and afterwards speaks
only to its control socket (JSON lines) and to the routers over SSH. It never imports the
simulator.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh

from flexlab.defaults import DEFAULT_IMAGE, DEFAULT_TIME_SCALE
from flexlab.design import load_design
from flexlab.errors import FlexlabError
from flexlab.kinds import KINDS
from flexlab.labs.base import LabError, LabInfo
from flexlab.labs.embedded_default import DEFAULT_KIND, write_default_topology
from flexlab.privatefs import private_dir
from flexlab.proc import pid_alive
from flexlab.yamlio import read_text

#: The default lab listens on fixed ports so that the packaged testbed (data/testbeds/embedded.yaml) works as is;
#: other labs take free ports chosen by the kernel.
DEFAULT_LAB = "default"
DEFAULT_BASE_PORT = 61100
DEFAULT_CREDENTIALS = ("admin", "admin")  # embedded-lab defaults (docs/embedded-lab.md)


#: Lab names become a directory name: letters, digits, '_', '-', '.', not starting with '.'.
LAB_NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


def check_lab_name(name: str) -> str:
    """``name`` if it can name a lab's state directory; LabError otherwise."""
    if not LAB_NAME_PATTERN.fullmatch(name):
        raise LabError(f"--name {name!r}: a lab name is 1-64 letters, digits, '_', '-' or '.', "
                       "not starting with '.' (it names the lab's state directory)")
    return name


def state_root() -> Path:
    """Where embedded labs keep their state: $FLEXLAB_STATE_DIR or the XDG state dir."""
    if env := os.environ.get("FLEXLAB_STATE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "flexlab" / "labs"



@dataclass(frozen=True)
class UpOptions:
    """Options of `lab up` for an embedded lab."""
    spokes: int | None = None
    time_scale: float = DEFAULT_TIME_SCALE
    image: str | None = None   # image profile of the default topology (None: DEFAULT_IMAGE)
    kind: str | None = None    # containerlab kind of the default topology's nodes (None: cisco_iol)
    design: Path | None = None
    config_dir: Path | None = None
    seed: int = 1
    timeout_s: float = 120.0
    owner_pid: int | None = None   # the lab stops when this process ends
    image_params: dict[str, str] = field(default_factory=dict)   # e.g. {"dpd_retransmits": "3"}
    #: a topology file (*.clab.yml) to boot instead of the design; its nodes name their images
    topology: Path | None = None


def check_up_options(options: UpOptions) -> None:
    """Refuse options no lab can run with, before anything starts (LabError naming the field)."""
    if not (isinstance(options.time_scale, (int, float)) and math.isfinite(options.time_scale)
            and options.time_scale > 0):
        raise LabError(f"time scale {options.time_scale!r} must be a finite number above 0")
    if options.spokes is not None and (isinstance(options.spokes, bool) or int(options.spokes) < 1):
        raise LabError(f"spokes {options.spokes!r} must be at least 1")
    if options.image is not None and options.image not in available_images():
        raise LabError(f"--image {options.image!r}: unknown image profile; available: {', '.join(available_images())}")
    if options.kind is not None and options.kind not in KINDS:
        raise LabError(f"--kind {options.kind!r}: unknown kind; supported: {', '.join(KINDS)}")
    if options.topology is not None:
        given = [flag for flag, value in (("--image", options.image), ("--kind", options.kind),
                 ("--spokes", options.spokes), ("--design", options.design), ("--config-dir", options.config_dir))
                 if value is not None]
        if given:
            raise LabError(f"-t {options.topology}: {', '.join(given)} cannot go with a topology file "
                           "(its nodes, images and startup-configs say it)")
        check_topology(Path(options.topology))
    if options.config_dir is not None:
        check_config_dir(Path(options.config_dir))
    if options.design is not None or options.spokes is not None:
        load_design(options.design, spokes=options.spokes)   # refused here, not by the lab process


def check_config_dir(config_dir: Path) -> None:
    """Every *.cfg in ``config_dir`` must be UTF-8 text: a binary file is refused here, not by
    the lab process half-way through its boot."""
    if not config_dir.is_dir():
        raise LabError(f"--config-dir {config_dir}: not a directory")
    for path in sorted(config_dir.glob("*.cfg")):
        read_text(path, "--config-dir file", LabError)


@functools.cache
def available_images() -> tuple[str, ...]:
    """The embedded lab's image profiles, as its process lists them (no simulator import here)."""
    result = subprocess.run([sys.executable, "-m", "flexlab.sim.daemon", "--list-images"],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise LabError(f"cannot list the embedded lab's images: {result.stderr.strip() or result.returncode}")
    return tuple(image["name"] for image in json.loads(result.stdout))


def check_topology(path: Path) -> dict[str, Any]:
    """What the embedded lab would refuse in a topology file (LabError naming file and field),
    asked of its process before anything starts; returns its summary (nodes, kind, image)."""
    result = subprocess.run([sys.executable, "-m", "flexlab.sim.daemon", "--check-topology", str(path)],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise LabError(lines[-1] if lines else f"cannot check topology {path} (exit {result.returncode})")
    checked: dict[str, Any] = json.loads(result.stdout)
    return checked


class EmbeddedLab:
    """One named embedded lab (``default`` unless told otherwise)."""

    def __init__(self, name: str = DEFAULT_LAB, root: Path | None = None) -> None:
        self.name = check_lab_name(name)
        self.state_dir = (root or state_root()) / name
        self.credentials = (
            os.environ.get("FLEXLAB_USERNAME") or DEFAULT_CREDENTIALS[0],
            os.environ.get("FLEXLAB_PASSWORD") or DEFAULT_CREDENTIALS[1],
        )

    # -- discovery -------------------------------------------------------------------
    @property
    def _state_file(self) -> Path:
        return self.state_dir / "lab.json"

    def _read_state(self) -> dict[str, Any] | None:
        try:
            state: dict[str, Any] = json.loads(self._state_file.read_text())
            return state
        except (OSError, ValueError):
            return None

    def info(self) -> LabInfo | None:
        """The running lab, or None. Removes the leftovers of a lab whose process died."""
        state = self._read_state()
        if state is None:
            return None
        if not pid_alive(int(state["pid"])):
            self._clean_leftovers()
            return None
        return LabInfo.from_state(state)

    def is_up(self) -> bool:
        """Whether the lab process runs."""
        return self.info() is not None

    def _clean_leftovers(self) -> None:
        for name in ("lab.json", "lab.json.tmp", "control.sock", "error.txt"):
            (self.state_dir / name).unlink(missing_ok=True)

    # -- lifecycle -------------------------------------------------------------------
    def up(self, options: UpOptions) -> LabInfo:
        """Start the lab in the background and wait until every node accepts SSH logins."""
        check_up_options(options)
        if (running := self.info()) is not None:
            raise LabError(f"embedded lab {self.name!r} is already up (pid {running.pid}); `flexlab lab down` first")
        self._clean_leftovers()
        private_dir(self.state_dir.parent)
        private_dir(self.state_dir)
        command = [
            sys.executable, "-m", "flexlab.sim.daemon", "--state-dir", str(self.state_dir), "--name", self.name,
            "--time-scale", str(options.time_scale), "--seed", str(options.seed),
            "--topology", str(self._topology(options)),
        ]
        if options.owner_pid:
            command += ["--owner-pid", str(options.owner_pid)]
        for key, value in options.image_params.items():
            command += ["--image-param", f"{key}={value}"]
        if self.name == DEFAULT_LAB:
            command += ["--base-port", str(DEFAULT_BASE_PORT)]
        log_path = self.state_dir / "daemon.out"   # what escapes logging; daemon.log rotates
        with open(log_path, "ab") as log_file:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, start_new_session=True,
            )
        info = self._wait_for_state(process, options.timeout_s, log_path)
        try:
            asyncio.run(self._wait_for_logins(info, deadline=time.monotonic() + options.timeout_s))
        except BaseException:
            self.down()
            raise
        return info

    def _topology(self, options: UpOptions) -> Path:
        """The topology file to boot: the one given, else the design's, written into the state dir."""
        if options.topology is not None:
            return Path(options.topology).resolve()
        return write_default_topology(
            self.state_dir, profile=options.image or DEFAULT_IMAGE, design=options.design, spokes=options.spokes,
            config_dir=options.config_dir, name=self.name, kind=options.kind or DEFAULT_KIND)

    def _wait_for_state(self, process: subprocess.Popen[bytes], timeout_s: float, log_path: Path) -> LabInfo:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if (state := self._read_state()) is not None:
                return LabInfo.from_state(state)
            if process.poll() is not None:
                error = self.state_dir / "error.txt"
                reason = error.read_text().strip() if error.exists() else _tail(log_path)
                raise LabError(f"embedded lab {self.name!r} failed to start: {reason}")
            time.sleep(0.05)
        process.terminate()
        raise LabError(f"embedded lab {self.name!r} did not come up within {timeout_s:.0f} s (see {log_path})")

    async def _wait_for_logins(self, info: LabInfo, deadline: float) -> None:
        username, password = self.credentials

        async def login(node: str, port: int) -> None:
            last: Exception | None = None
            while time.monotonic() < deadline:
                try:
                    conn = await asyncio.wait_for(asyncssh.connect(
                        info.host, port, username=username, password=password, known_hosts=None,
                    ), timeout=10)
                    conn.close()
                    return
                except (TimeoutError, OSError, asyncssh.Error) as exc:
                    last = exc
                    await asyncio.sleep(0.1)
            raise LabError(f"node {node} of embedded lab {self.name!r} does not accept SSH logins: {last}")

        sem = asyncio.Semaphore(32)

        async def bounded(node: str, port: int) -> None:
            async with sem:
                await login(node, port)

        await asyncio.gather(*(bounded(n, p) for n, p in info.ports.items()))

    def down(self, timeout_s: float = 15.0) -> bool:
        """Stop the lab; True if one was running. Falls back to SIGTERM/SIGKILL."""
        state = self._read_state()
        if state is None:
            self._clean_leftovers()
            return False
        pid = int(state["pid"])
        try:
            self.request({"op": "down"}, timeout_s=5)
        except LabError:
            if pid_alive(pid):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
        self._clean_leftovers()
        return True

    # -- control ---------------------------------------------------------------------
    def request(self, payload: dict[str, Any], timeout_s: float = 30.0) -> Any:
        """Send one control request to the lab process and return its result."""
        info = self.info()
        if info is None:
            raise LabError(f"embedded lab {self.name!r} is not up; start it with `flexlab lab up --embedded`")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout_s)
                sock.connect(info.socket)
                sock.sendall((json.dumps(payload) + "\n").encode())
                reply = _read_line(sock)
        except OSError as exc:
            raise LabError(f"embedded lab {self.name!r} does not answer on its control socket: {exc}") from None
        if not reply.get("ok"):
            raise LabError(str(reply.get("error", "unknown error")))
        return reply["result"]

    def status(self) -> dict[str, Any]:
        """The lab process's status."""
        status: dict[str, Any] = self.request({"op": "status"})
        return status

    def fail(self, node: str, mode: str) -> dict[str, Any]:
        """Ask the lab process to fail ``node`` with ``mode``."""
        failed: dict[str, Any] = self.request({"op": "fail", "node": node, "mode": mode})
        return failed

    def restore(self, node: str) -> dict[str, Any]:
        """Ask the lab process to restore ``node``."""
        restored: dict[str, Any] = self.request({"op": "restore", "node": node})
        return restored

    def truth(self) -> list[dict[str, Any]]:
        """The lab process's record of protocol events."""
        truth: list[dict[str, Any]] = self.request({"op": "truth"})
        return truth

    def capture_start(self, node: str, interface: str | None = None) -> int:
        """Start recording what crosses ``node``'s interface (None: its data links); returns the id."""
        return int(self.request({"op": "capture-start", "node": node, "interface": interface})["id"])

    def capture_stop(self, capture_id: int, path: Path | None = None) -> Path:
        """Stop capture ``capture_id``; the lab writes the pcap (device-time stamps) to ``path``
        (default: ``<state dir>/captures/capture-<id>.pcap``) and the path is returned."""
        target = Path(path).resolve() if path is not None else None
        result = self.request({"op": "capture-stop", "id": capture_id, "path": str(target) if target else None})
        return Path(result["path"])


def image_params_from(items: Any, source: str) -> dict[str, str]:
    """``KEY=VALUE`` texts (a list) or a mapping -> {key: value}; the lab validates the keys."""
    if not items:
        return {}
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in items.items()}
    if isinstance(items, str):
        items = [items]
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = str(item).partition("=")
        if not sep or not key.strip():
            raise LabError(f"{source}: image parameter {item!r} is not KEY=VALUE")
        params[key.strip()] = value.strip()
    return params


def _read_line(sock: socket.socket) -> dict[str, Any]:
    chunks = b""
    while not chunks.endswith(b"\n"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        chunks += chunk
    try:
        answer: dict[str, Any] = json.loads(chunks)
        return answer
    except ValueError:
        raise LabError("embedded lab sent a malformed control reply") from None


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text().strip().splitlines()[-lines:]) or "no output"
    except OSError:
        return "no log"


__all__ = ["EmbeddedLab", "UpOptions", "state_root", "DEFAULT_LAB", "FlexlabError"]
