"""The lab as the failover job sees it: bring it up if needed, fail and restore nodes.

A testbed says which lab it describes in ``testbed.custom.flexlab`` (``lab: embedded`` or
``lab: containerlab``). For the embedded lab the job starts the lab itself when it is not
running and stops it again at the end; a lab that was already up is used and left running.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flexlab.design import load_design
from flexlab.labs.base import Capture, CaptureUnavailable, LabError
from flexlab.labs.containerlab import ContainerLab
from flexlab.labs.embedded import (
    EmbeddedLab, UpOptions, check_config_dir, check_up_options, image_params_from, state_root,
)
from flexlab.locks import RunLock

#: Failure modes carried out by the lab itself; interface-shutdown is plain CLI on the hub.
LAB_FAILURE_MODES = ("node-stop", "freeze", "blackhole")


def lab_settings(testbed: Any) -> dict[str, Any]:
    custom = getattr(testbed, "custom", None) or {}
    return dict(custom.get("flexlab") or {})


@dataclass
class JobLab:
    """A lab in use by one job run."""

    kind: str                           # "embedded" | "containerlab"
    time_scale: float = 1.0
    image: str = ""
    name: str = ""
    started_here: bool = False
    embedded: EmbeddedLab | None = None
    failed: dict[str, str] = field(default_factory=dict)
    containerlab: ContainerLab | None = None
    image_params: dict[str, str] = field(default_factory=dict)   # embedded: --image-param overrides
    dpd_model: dict[str, Any] = field(default_factory=dict)      # embedded: the DPD behaviour it plays
    seed: int | None = None                                      # embedded: seed of timer phases
    instance: str = ""            # the lab instance: a restarted lab is another one
    pid: int | None = None        # the embedded lab's process
    lock: RunLock | None = None   # held while this job uses the lab

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"type": self.kind, "name": self.name, "image": self.image,
                                     "time_scale": self.time_scale, "instance": self.instance or f"{self.kind}-{self.name}"}
        if self.embedded is not None:
            described.update(image_params=self.image_params, dpd_model=self.dpd_model, seed=self.seed)
        return described

    def gone(self) -> str | None:
        """Why the lab cannot answer any more (its process ended), or None while it runs.
        Said instead of what unicon reports for a vanished SSH server."""
        if self.embedded is None or self.embedded.info() is not None:
            return None
        return (f"embedded lab {self.name!r} is not running any more: its process"
                f"{f' {self.pid}' if self.pid else ''} ended (killed or crashed;"
                f" see {self.embedded.state_dir / 'daemon.out'})")

    def is_failed(self, node: str) -> bool | None:
        """Whether the lab reports ``node`` failed (None when the lab cannot say)."""
        if self.embedded is None:
            return None
        try:
            facts = self.embedded.status()["nodes"].get(node)
        except LabError:
            return None
        return None if facts is None else bool(facts.get("failure"))

    def fail(self, node: str, mode: str) -> None:
        if mode not in LAB_FAILURE_MODES:
            raise LabError(f"failure mode {mode!r} is not done by the lab")
        if self.embedded is not None:
            self.embedded.fail(node, mode)
        elif self.containerlab is not None:
            self.containerlab.fail(node, mode)
        else:
            raise LabError(f"failure mode {mode!r} on a {self.kind} lab needs containerlab/docker (not available here)")
        self.failed[node] = mode

    def restore(self, node: str, mode: str | None = None) -> None:
        """Undo a failure; ``mode`` (e.g. from the failure ledger) wins over what this run recorded."""
        if self.embedded is not None:
            self.embedded.restore(node)
        elif self.containerlab is not None:
            self.containerlab.restore(node, mode or self.failed.get(node))
        else:
            raise LabError(f"restoring {node} on a {self.kind} lab needs containerlab/docker")
        self.failed.pop(node, None)

    def start_capture(self, node: str, interface: str | None, path: Path) -> Capture:
        """Capture what crosses ``node``'s ``interface`` (IOS name or ethN; None = its data
        links, for a spoke its WAN link) into the pcap at ``path`` until ``Capture.stop()``.
        Raises CaptureUnavailable when this lab cannot capture."""
        path = Path(path).resolve()
        if self.embedded is not None:
            embedded = self.embedded
            capture_id = embedded.capture_start(node, interface)
            return Capture(node, interface, path, "device", lambda: embedded.capture_stop(capture_id, path))
        if self.containerlab is not None:
            return self.containerlab.start_capture(node, interface, path)
        raise CaptureUnavailable(f"a {self.kind} lab offers no packet capture here (needs the embedded lab or containerlab)")

    def boot_errors(self) -> dict[str, list[str]]:
        """Startup-config lines the embedded lab's nodes refused at boot."""
        info = self.embedded.info() if self.embedded else None
        return info.boot_errors if info else {}

    def truth(self) -> list[dict[str, Any]] | None:
        return self.embedded.truth() if self.embedded else None

    def close(self) -> None:
        """Stop the lab if this run started it."""
        try:
            if self.embedded is not None and self.started_here:
                self.embedded.down()
        finally:
            if self.lock is not None:
                self.lock.release()


#: Seconds a job waits for another job to finish with its lab (default: refuse at once).
LAB_WAIT_ENV = "FLEXLAB_LAB_WAIT"


def lock_lab(kind: str, name: str) -> RunLock:
    """One job per lab: the lock a second job finds taken names the first one (pid, command)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{kind}-{name}")
    try:
        wait_s = float(os.environ.get(LAB_WAIT_ENV) or 0)
    except ValueError:
        raise LabError(f"{LAB_WAIT_ENV}={os.environ[LAB_WAIT_ENV]!r}: not a number of seconds") from None
    lock = RunLock(state_root() / "locks" / f"{safe}.lock", f"{kind} lab {name!r}", tidy=True)
    return lock.acquire(wait_s=max(0.0, wait_s))


def _time_scale(settings: dict[str, Any]) -> float:
    """$FLEXLAB_TIME_SCALE, else the testbed's, else 10 (EmbeddedLab.up refuses nan/inf/<=0)."""
    raw = os.environ.get("FLEXLAB_TIME_SCALE") or settings.get("time_scale", 10.0)
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise LabError(f"time scale {raw!r} (FLEXLAB_TIME_SCALE or testbed custom.flexlab.time_scale)"
                       " is not a number") from None


def check_job_inputs(testbed: Any, config_dir: Path | None, design: Path | None) -> None:
    """Refuse what would fail half-way through the job, before a lab starts (LabError/DesignError)."""
    for name, device in testbed.devices.items():
        connections = getattr(device, "connections", None) or {}
        if "cli" not in connections:
            raise LabError(f"testbed device {name!r} has no 'cli' connection (connections: "
                           f"{', '.join(map(str, connections)) or 'none'})")
    if config_dir is not None:
        check_config_dir(Path(config_dir))
    load_design(design)   # the design file the job will read: refused now, not in CommonSetup
    settings = lab_settings(testbed)
    if settings.get("lab", "containerlab") == "embedded":
        check_up_options(UpOptions(time_scale=_time_scale(settings)))   # the design file the job will read: refused now, not in CommonSetup


def open_lab(testbed: Any, *, config_dir: Path | None = None, spokes: int | None = None) -> JobLab:
    """Bring up (or find) the lab a testbed describes, and point the testbed at it."""
    settings = lab_settings(testbed)
    kind = settings.get("lab", "containerlab")
    if kind != "embedded":
        backend = ContainerLab.from_settings(settings) if kind == "containerlab" else None
        name = str(settings.get("name", ""))
        return JobLab(kind=kind, time_scale=1.0, image=str(settings.get("image", "")), name=name,
                      containerlab=backend, lock=lock_lab(kind, name))
    time_scale = _time_scale(settings)
    lab = EmbeddedLab(str(settings.get("name", "default")))
    lock = lock_lab("embedded", lab.name)
    try:
        info = lab.info()
        started_here = False
        if info is None:
            topology = settings.get("topology")   # `lab up -t`: the same topology again
            info = lab.up(UpOptions(
                spokes=None if topology else spokes or settings.get("spokes"), time_scale=time_scale,
                image=None if topology else str(settings.get("image", "iol-17.12")),
                config_dir=None if topology else config_dir, owner_pid=os.getpid(),
                topology=Path(topology) if topology else None,
                image_params=image_params_from(settings.get("image_params"), "testbed.custom.flexlab.image_params"),
                seed=int(settings.get("seed", 1)),
            ))
            started_here = True
        _point_testbed_at(testbed, info.ports, info.host)
    except BaseException:
        lock.release()
        raise
    return JobLab(kind="embedded", time_scale=info.time_scale, image=info.image, name=info.name,
                  started_here=started_here, embedded=lab, image_params=info.image_params,
                  dpd_model=info.dpd_model, seed=info.seed, instance=info.instance, pid=info.pid, lock=lock)


#: Unicon settings for connections to the embedded lab. Unicon's defaults suit real routers
#: over real networks and cost ~0.2 s per command against a router that answers in ~1 ms
#: (docs/performance.md): before every command it reads the session
#: ``CONNECTED_CHECK_COUNT`` (6) times, 20 ms each, to notice a closed session (a closed
#: session fails the command anyway), and after matching the prompt it waits 50 ms and
#: reads again (``*_MATCHED_RETRIES``) in case the prompt was part of output still coming.
#: The embedded lab writes each reply, prompt included, in one piece. Settings a testbed
#: gives explicitly win.
EMBEDDED_CLI_SETTINGS: dict[str, Any] = {
    "CONNECTED_CHECK_COUNT": 0,
    "EXECUTE_MATCHED_RETRIES": 0,
    "CONFIGURE_MATCHED_RETRIES": 0,
    "POST_DISCONNECT_WAIT_SEC": 0,
    "GRACEFUL_DISCONNECT_WAIT_SEC": 0,
}


def _point_testbed_at(testbed: Any, ports: dict[str, int], host: str) -> None:
    missing = [name for name in testbed.devices if name not in ports]
    if missing:
        raise LabError(f"testbed devices {', '.join(missing)} are not nodes of the running embedded lab")
    for name, device in testbed.devices.items():
        cli = device.connections["cli"]
        cli["ip"] = host
        cli["port"] = ports[name]
        cli["settings"] = {**EMBEDDED_CLI_SETTINGS, **dict(cli.get("settings") or {})}
