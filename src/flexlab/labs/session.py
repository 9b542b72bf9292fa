"""The lab as the failover job sees it: bring it up if needed, hand it to the job, close it.

A testbed says which lab it describes in ``testbed.custom.flexlab`` (``lab: embedded``, a
containerlab lab, or any other name for routers flexlab does not manage). The job gets a
:class:`~flexlab.labs.interface.Lab`. For the embedded lab the job starts the lab itself
when it is not running and stops it again at the end; a lab that was already up is used
and left running.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flexlab.defaults import DEFAULT_IMAGE, DEFAULT_TIME_SCALE
from flexlab.design import load_design
from flexlab.labs.base import LabError
from flexlab.labs.containerlab_backend import ContainerlabBackend
from flexlab.labs.embedded import UpOptions, check_config_dir, check_up_options, image_params_from, state_root
from flexlab.labs.embedded_backend import EmbeddedBackend
from flexlab.labs.interface import CONTAINERLAB, EMBEDDED, Lab
from flexlab.labs.unmanaged import UnmanagedLab
from flexlab.locks import RunLock


def lab_settings(testbed: Any) -> dict[str, Any]:
    """The testbed's ``custom.flexlab`` settings ({} when it has none)."""
    custom = getattr(testbed, "custom", None) or {}
    return dict(custom.get("flexlab") or {})


@dataclass
class JobSession:
    """The lab one job run uses, and what the run must undo when it ends."""

    lab: Lab
    lock: RunLock | None = None   # held while this job uses the lab
    stop_at_end: bool = False     # this run started the lab

    def close(self) -> None:
        """Stop the lab if this run started it; release the lab for the next job."""
        try:
            if self.stop_at_end:
                self.lab.down()
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
    """$FLEXLAB_TIME_SCALE, else the testbed's, else DEFAULT_TIME_SCALE (EmbeddedLab.up refuses nan/inf/<=0)."""
    raw = os.environ.get("FLEXLAB_TIME_SCALE") or settings.get("time_scale", DEFAULT_TIME_SCALE)
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
    if settings.get("lab", CONTAINERLAB) == EMBEDDED:
        check_up_options(
            UpOptions(time_scale=_time_scale(settings))
        )  # the design file the job will read: refused now, not in CommonSetup


def open_lab(testbed: Any, *, config_dir: Path | None = None, spokes: int | None = None) -> JobSession:
    """Bring up (or find) the lab a testbed describes, and point the testbed at it."""
    settings = lab_settings(testbed)
    kind = str(settings.get("lab", CONTAINERLAB))
    name = str(settings.get("name", "default" if kind == EMBEDDED else ""))
    lock = lock_lab(kind, name)
    try:
        if kind != EMBEDDED:
            lab: Lab = ContainerlabBackend.from_settings(settings) if kind == CONTAINERLAB else UnmanagedLab(
                kind, name, str(settings.get("image", "")))
            return JobSession(lab, lock)
        embedded = EmbeddedBackend(name, _up_options(settings, config_dir, spokes), adopt=True)
        embedded.up()
        assert embedded.info is not None   # up() found or started it
        _point_testbed_at(testbed, embedded.info.ports, embedded.info.host)
    except BaseException:
        lock.release()
        raise
    return JobSession(embedded, lock, stop_at_end=embedded.started_here)


def lab_for_topology(topology: Path) -> Lab:
    """The lab deployed from a containerlab topology file (the CLI's ``--lab FILE``)."""
    return ContainerlabBackend(Path(topology))


def _up_options(settings: dict[str, Any], config_dir: Path | None, spokes: int | None) -> UpOptions:
    """How the job starts an embedded lab that is not running (the testbed's custom.flexlab).

    A lab brought up with `lab up -t FILE` records its topology: the job starts the same one again."""
    topology = settings.get("topology")
    return UpOptions(
        spokes=None if topology else spokes or settings.get("spokes"), time_scale=_time_scale(settings),
        image=None if topology else str(settings.get("image", DEFAULT_IMAGE)),
        kind=None if topology else settings.get("kind"),
        config_dir=None if topology else config_dir, owner_pid=os.getpid(),
        topology=Path(topology) if topology else None,
        image_params=image_params_from(settings.get("image_params"), "testbed.custom.flexlab.image_params"),
        seed=int(settings.get("seed", 1)),
    )


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
