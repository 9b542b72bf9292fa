"""The embedded lab process: boots every node, serves SSH and a control socket.

Started in the background by ``flexlab lab up --embedded`` (``python -m flexlab.sim.daemon
--topology FILE.clab.yml``): it boots what the topology file and its startup configs
describe (sim/topology.py, sim/boot.py). It writes ``lab.json`` into its state directory
once every node listens, then serves:

* one SSH server per node on 127.0.0.1 (the IOS CLI), and
* a JSON-lines control socket (``control.sock``) for status, fail, restore, truth and down
  — what a user of a real lab does with the lab tool and the container runtime.

The daemon is the only place where the embedded lab's internals and the outside meet;
the harness talks to it through the socket and the routers' CLI, never by import.
"""

from __future__ import annotations

import asyncio
import json
import logging
import logging.handlers
import os
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flexlab.cli.argtypes import OneLineParser, positive_float
from flexlab.defaults import DEFAULT_TIME_SCALE
from flexlab.errors import FlexlabError
from flexlab.failure import DEFAULT_FAILURE_MODE, FAILURE_MODES
from flexlab.kinds import get_kind
from flexlab.privatefs import private_dir, write_private
from flexlab.proc import pid_alive
from flexlab.sim.boot import image_profile, lab_kind
from flexlab.sim.engine.image_params import parse_image_params, split_param
from flexlab.sim.engine.lab import Lab
from flexlab.sim.engine.loader import lines_after_end
from flexlab.sim.pcap import FrameRenderer
from flexlab.sim.shell import apply_config_text
from flexlab.sim.ssh_server import start_ssh_server
from flexlab.sim.topology import load_topology

log = logging.getLogger("flexlab.sim.daemon")

STATE_FILE = "lab.json"
SOCKET_FILE = "control.sock"
RENDER_PERIOD_S = 0.1    # running captures are rendered to pcap bytes in the background ...
RENDER_SLICE_S = 0.02    # ... at most this long at a time, so SSH sessions stay responsive


@dataclass
class DaemonOptions:
    """The lab process's command line: state dir, topology, lab name, time scale, ports, seed, owner."""
    state_dir: Path
    topology: Path
    name: str = "default"
    time_scale: float = DEFAULT_TIME_SCALE
    base_port: int = 0
    seed: int = 1
    owner_pid: int | None = None
    image_params: list[str] = field(default_factory=list)   # KEY=VALUE overrides


#: The login the bootstrap gives every node: these variables, else the kinds' admin/admin.
LOGIN_ENVS = (("FLEXLAB_USERNAME", "admin"), ("FLEXLAB_PASSWORD", "admin"))


def login_credentials() -> tuple[str, str]:
    """The VTY login every router accepts: FLEXLAB_USERNAME / FLEXLAB_PASSWORD, else admin/admin."""
    username, password = (os.environ.get(env) or default for env, default in LOGIN_ENVS)
    return username, password


@dataclass
class LabDaemon:
    """One running embedded lab: the Lab, an SSH server per node, the control socket, captures."""
    options: DaemonOptions
    lab: Lab | None = None
    servers: dict[str, Any] = field(default_factory=dict)
    boot_errors: dict[str, list[str]] = field(default_factory=dict)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    renderers: dict[int, FrameRenderer] = field(default_factory=dict)   # running captures

    # -- start-up -------------------------------------------------------------------
    def _loader(self, node: Any, text: str) -> list[Any]:
        errors = apply_config_text(node, text)
        ignored = lines_after_end(text)
        notes = (
            [f"{ignored} line(s) after 'end' ignored (IOS stops reading a startup-config at 'end')"] if ignored else []
        )
        if errors or notes:
            self.boot_errors[node.name] = [str(e) for e in errors] + notes
        return errors

    async def start(self) -> None:
        """Boot the lab on the wall clock, open an SSH server per node on 127.0.0.1 and the control socket."""
        opts = self.options
        image_params = dict(split_param(p) for p in opts.image_params)
        parse_image_params(image_params)  # bad overrides stop the lab before anything starts
        topology = load_topology(opts.topology)
        self.lab = Lab(
            topology, time_scale=opts.time_scale, seed=opts.seed, config_loader=self._loader,
            credentials=login_credentials(), image_params=image_params,
        )
        self.lab.boot()
        self.lab.start_realtime()
        for index, (name, node) in enumerate(self.lab.nodes.items()):
            port = opts.base_port + index if opts.base_port else 0
            self.servers[name] = await start_ssh_server(node, host="127.0.0.1", port=port)
        self.control = await asyncio.start_unix_server(self._serve_control, path=str(self._socket_path))
        self._write_state()

    @property
    def _socket_path(self) -> Path:
        return self.options.state_dir / SOCKET_FILE

    def _write_state(self) -> None:
        assert self.lab is not None
        roles = {name: node.role for name, node in self.lab.nodes.items()}
        state = {
            "name": self.options.name,
            "pid": os.getpid(),
            "host": "127.0.0.1",
            "ports": {name: server.port for name, server in self.servers.items()},
            "roles": roles,
            "device_os": self.lab.image_profile.version.os_family,
            "platform": get_kind(self.lab.kind).platform,
            "socket": str(self._socket_path),
            "time_scale": self.options.time_scale,
            "image": self.lab.image_profile.name,
            "image_params": self.lab.image_params,
            "dpd_model": self.lab.timing.dpd_model(),
            "seed": self.options.seed,
            "kind": self.lab.kind,
            "spokes": sum(1 for r in roles.values() if r == "spoke"),
            "topology": str(self.options.topology.resolve()),
            "topology_name": self.lab.topology.name,
            "started_wall": time.time(),
            "instance": f"{self.options.name}-{os.getpid()}-{uuid.uuid4().hex[:12]}",
            "boot_errors": self.boot_errors,
        }
        write_private(self.options.state_dir / STATE_FILE, json.dumps(state, indent=2))

    # -- control socket -------------------------------------------------------------
    async def _serve_control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                try:
                    request = json.loads(line)
                    reply = {"ok": True, "result": self.handle(request)}
                except (FlexlabError, KeyError, ValueError) as exc:
                    reply = {"ok": False, "error": str(exc)}
                writer.write((json.dumps(reply) + "\n").encode())
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def handle(self, request: dict[str, Any]) -> Any:
        """One control request; returns JSON-able data or raises with a user message."""
        assert self.lab is not None
        op = request.get("op")
        if op == "status":
            return self._status()
        if op == "fail":
            node, mode = request["node"], request.get("mode", DEFAULT_FAILURE_MODE)
            self._check_node(node)
            if mode not in FAILURE_MODES:
                raise ValueError(f"unknown failure mode {mode!r}; choose one of {', '.join(FAILURE_MODES)}")
            self.lab.catch_up()
            self.lab.fail(node, mode)
            return {"node": node, "mode": mode, "lab_time": self.lab.now()}
        if op == "restore":
            node = request["node"]
            self._check_node(node)
            self.lab.catch_up()
            self.lab.restore(node)
            return {"node": node, "lab_time": self.lab.now()}
        if op == "truth":
            self.lab.catch_up()
            return [event.to_dict() for event in self.lab.truth()]
        if op == "capture-start":
            self._check_node(request["node"])
            capture = self.lab.capture_start(request["node"], request.get("interface"))
            self.renderers[capture.capture_id] = FrameRenderer()
            return {"id": capture.capture_id, "node": capture.node, "interfaces": list(capture.interfaces),
                    "time_base": "device"}
        if op == "capture-stop":
            return self._capture_stop(int(request["id"]), request.get("path"))
        if op == "down":
            self.stopping.set()
            return {"stopping": True}
        raise ValueError(f"unknown control operation {op!r}")

    def _capture_stop(self, capture_id: int, path: str | None) -> dict[str, Any]:
        """Stop a capture and write its pcap (to ``path``, else into the state directory)."""
        assert self.lab is not None
        capture = self.lab.capture_stop(capture_id)
        renderer = self.renderers.pop(capture_id, None) or FrameRenderer()
        renderer.render(capture.frames)
        target = Path(path) if path else self.options.state_dir / "captures" / f"capture-{capture_id}.pcap"
        try:
            frames = renderer.write(target)
        except OSError as exc:
            raise FlexlabError(f"cannot write capture {capture_id} to {target}: {exc.strerror or exc}") from None
        return {"path": str(target), "frames": frames, "node": capture.node, "interfaces": list(capture.interfaces)}

    def _check_node(self, node: str) -> None:
        assert self.lab is not None
        if node not in self.lab.nodes:
            raise ValueError(f"no node {node!r} in this lab ({', '.join(self.lab.nodes)})")

    def _status(self) -> dict[str, Any]:
        assert self.lab is not None
        self.lab.catch_up()
        return {
            "name": self.options.name,
            "lab_time": self.lab.now(),
            "time_scale": self.options.time_scale,
            "image": self.lab.image_profile.name,
            "image_params": self.lab.image_params,
            "dpd_model": self.lab.timing.dpd_model(),
            "seed": self.options.seed,
            "nodes": {name: {"port": self.servers[name].port, **self.lab.node_status(name)} for name in self.lab.nodes},
        }

    async def _render_captures(self) -> None:
        """Render the frames of running captures while the lab idles, so a stop only writes."""
        assert self.lab is not None
        while True:
            await asyncio.sleep(RENDER_PERIOD_S)
            deadline = time.monotonic() + RENDER_SLICE_S
            for capture_id, renderer in list(self.renderers.items()):
                capture = self.lab.captures.captures.get(capture_id)
                while capture is not None and time.monotonic() < deadline and renderer.render(capture.frames, limit=4):
                    pass

    # -- run / stop -----------------------------------------------------------------
    async def _watch_owner(self) -> None:
        """A lab started for one job run ends with it, even when the job is killed."""
        owner = self.options.owner_pid
        while owner is not None and pid_alive(owner):
            await asyncio.sleep(0.5)
        if owner is not None:
            log.warning("owner process %s is gone: stopping the lab", owner)
            self.stopping.set()

    async def run(self) -> None:
        """Run the lab in real time until stopped, then close the servers and remove the socket and state file."""
        assert self.lab is not None
        ticker = asyncio.create_task(self.lab.run_realtime())
        watcher = asyncio.create_task(self._watch_owner())
        renderer = asyncio.create_task(self._render_captures())
        await self.stopping.wait()
        for task in (ticker, watcher, renderer):
            task.cancel()
        for server in self.servers.values():
            await server.close()
        self.control.close()
        for leftover in (self._socket_path, self.options.state_dir / STATE_FILE):
            leftover.unlink(missing_ok=True)


def _parse_args(argv: list[str]) -> DaemonOptions:
    parser = OneLineParser(prog="python -m flexlab.sim.daemon")
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--topology", type=Path, required=True, help="the topology file (*.clab.yml)")
    parser.add_argument("--name", default="default")
    parser.add_argument("--time-scale", type=positive_float, default=DEFAULT_TIME_SCALE)
    parser.add_argument("--base-port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--owner-pid", type=int, help="stop when this process ends")
    parser.add_argument("--image-param", dest="image_params", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    return DaemonOptions(**vars(args))


async def _main(options: DaemonOptions) -> int:
    daemon = LabDaemon(options)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, daemon.stopping.set)
    try:
        await daemon.start()
    except (FlexlabError, OSError) as exc:
        (options.state_dir / "error.txt").write_text(str(exc))
        print(f"embedded lab: {exc}", file=sys.stderr)
        return 2
    await daemon.run()
    return 0


def list_images() -> list[dict[str, Any]]:
    """The image profiles this lab can play (for `--list-images`)."""
    from flexlab.sim.engine.images import IMAGES

    return [
        {"name": name, "version": profile.version.version, "os": profile.version.os_family,
         "defective": profile.defect is not None, "description": profile.description}
        for name, profile in IMAGES.items()
    ]


def _check_topology(path: Path) -> int:
    """Everything a boot would refuse in the topology, nothing started or written: one JSON
    line (nodes, kind, image profile) and 0, or the one-line cause on stderr and 2."""
    try:
        topology = load_topology(path)
        summary = {"name": topology.name, "nodes": list(topology.nodes), "kind": lab_kind(topology),
                   "image": image_profile(topology).name}
        for node in topology.nodes.values():
            node.startup_text(topology.source)
    except FlexlabError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(json.dumps(summary))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the lab process (`--list-images`, `--check-topology FILE`, or run a lab); exit code."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--list-images"]:
        print(json.dumps(list_images()))
        return 0
    if len(args) == 2 and args[0] == "--check-topology":
        return _check_topology(Path(args[1]))
    options = _parse_args(args)
    private_dir(options.state_dir)
    _log_to_rotating_file(options.state_dir / LOG_FILE)
    return asyncio.run(_main(options))


LOG_FILE = "daemon.log"
#: daemon.log is rotated at this size, keeping this many old files: a misbehaving client
#: cannot fill the disk through the lab's log.
LOG_MAX_BYTES = 1024 * 1024
LOG_BACKUPS = 3
#: The same message from the same logger is written at most once per this many seconds
#: (asyncio repeats "socket.send() raised exception." for every write to a dead client).
LOG_REPEAT_INTERVAL_S = 10.0


class _RepeatFilter(logging.Filter):
    """Drops a record whose logger and message were written less than an interval ago."""

    def __init__(self, interval_s: float) -> None:
        super().__init__()
        self.interval_s = interval_s
        self.last: dict[tuple[str, str], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        if now - self.last.get(key, -self.interval_s) < self.interval_s:
            return False
        if len(self.last) > 10000:
            self.last.clear()
        self.last[key] = now
        return True


def _log_to_rotating_file(path: Path) -> None:
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(_RepeatFilter(LOG_REPEAT_INTERVAL_S))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


if __name__ == "__main__":
    sys.exit(main())
