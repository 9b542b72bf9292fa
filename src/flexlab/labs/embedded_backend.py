"""The embedded lab behind the one Lab interface (flexlab.labs.interface).

Wraps :class:`flexlab.labs.embedded.EmbeddedLab` (the process, its control socket); what it
adds is the Lab contract: ``up`` writes the testbed, ``down`` can keep the lab's log, and
a running lab of the same name can be adopted (the job uses a lab the user started).
"""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typing_extensions import override

from flexlab.failure import FailureMode, failure_mode
from flexlab.labs.base import Capture, LabError, LabInfo
from flexlab.labs.embedded import DEFAULT_LAB, EmbeddedLab, UpOptions, check_up_options
from flexlab.labs.embedded_testbed import write_embedded_testbed
from flexlab.labs.interface import EMBEDDED, Lab, StatusSink


@dataclass
class EmbeddedBackend(Lab):
    """One named embedded lab. ``adopt``: ``up`` uses a lab of this name that already runs
    (and ``started_here`` stays False) instead of refusing. ``log_dir``: ``down`` keeps the
    lab's log there and removes its state directory (certify keeps it with a row's results)."""

    name: str = DEFAULT_LAB
    options: UpOptions = field(default_factory=UpOptions)
    testbed_path: Path | None = None      # default: <state dir>/testbed.yaml
    adopt: bool = False
    log_dir: Path | None = None
    root: Path | None = None              # state root (default: $FLEXLAB_STATE_DIR or XDG)
    kind: str = field(default=EMBEDDED, init=False)
    started_here: bool = field(default=False, init=False)
    last_lab_time: float | None = field(default=None, init=False)   # of the last fail/restore
    _info: LabInfo | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.lab = EmbeddedLab(self.name, self.root)

    # -- what the lab is -----------------------------------------------------------------
    @property
    def info(self) -> LabInfo | None:
        """The running lab as ``up`` found it, else as its state file says now."""
        return self._info or self.lab.info()

    @property
    @override
    def time_scale(self) -> float:
        info = self.info
        return info.time_scale if info else self.options.time_scale

    @property
    @override
    def instance(self) -> str:
        info = self.info
        return info.instance if info else f"{EMBEDDED}-{self.name}"

    @property
    @override
    def pid(self) -> int | None:
        info = self.info
        return info.pid if info else None

    # -- lifecycle -----------------------------------------------------------------------
    @override
    def prepare(self) -> None:
        check_up_options(self.options)
        if not self.adopt and self.lab.is_up():
            raise LabError(f"an embedded lab named {self.name!r} is already up: `flexlab lab down --name {self.name}`")

    @override
    def up(self, status: StatusSink | None = None) -> Path:
        running = self.lab.info() if self.adopt else None
        if running is None:
            if status is not None:
                status.update(f"starting the embedded lab ({self.options.image},"
                              f" time scale {self.options.time_scale:g})")
            self.started_here = True
            running = self.lab.up(self.options)
            _reap_when_done(running.pid)
        self._info = running
        path = self.testbed_path or self.lab.state_dir / "testbed.yaml"
        return write_embedded_testbed(running, self.lab.credentials, path)

    @override
    def down(self) -> None:
        self.lab.down()
        self.started_here = False
        self._info = None
        if self.log_dir is None:
            return
        log = self.lab.state_dir / "daemon.log"
        if log.exists():
            self.log_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log, self.log_dir / "embedded-lab.log")
        shutil.rmtree(self.lab.state_dir, ignore_errors=True)

    # -- failures ------------------------------------------------------------------------
    @override
    def fail(self, node: str, mode: FailureMode) -> None:
        """Every FailureMode: the embedded lab also shuts a hub's WAN interface itself."""
        self.last_lab_time = float(self.lab.fail(node, _checked(mode))["lab_time"])

    @override
    def restore(self, node: str, mode: FailureMode | None = None) -> None:
        """The lab knows what it failed: ``mode`` is not needed."""
        self.last_lab_time = float(self.lab.restore(node)["lab_time"])

    @override
    def is_failed(self, node: str) -> bool | None:
        try:
            facts = self.lab.status()["nodes"].get(node)
        except LabError:
            return None
        return None if facts is None else bool(facts.get("failure"))

    @override
    def gone(self) -> str | None:
        """Said instead of what unicon reports for a vanished SSH server."""
        if self.lab.info() is not None:
            return None
        pid = self._info.pid if self._info else None
        return (f"embedded lab {self.name!r} is not running any more: its process"
                f"{f' {pid}' if pid else ''} ended (killed or crashed;"
                f" see {self.lab.state_dir / 'daemon.out'})")

    # -- what the lab knows --------------------------------------------------------------
    @override
    def truth(self) -> list[dict[str, Any]] | None:
        return self.lab.truth()

    @override
    def boot_errors(self) -> dict[str, list[str]]:
        info = self.lab.info()
        return info.boot_errors if info else {}

    def status(self) -> dict[str, Any]:
        """The lab process's own status report (nodes, lab time, image, DPD model)."""
        return self.lab.status()

    @override
    def start_capture(self, node: str, interface: str | None, path: Path) -> Capture:
        """Recorded by the lab itself; pcap time stamps are the node's device clock."""
        target = Path(path).resolve()
        capture_id = self.lab.capture_start(node, interface)
        return Capture(node, interface, target, "device", lambda: self.lab.capture_stop(capture_id, target))

    @override
    def describe(self) -> dict[str, Any]:
        info = self.info
        described: dict[str, Any] = {"type": EMBEDDED, "name": self.name, "instance": self.instance,
                                     "image": info.image if info else self.options.image,
                                     "time_scale": self.time_scale}
        if info is not None:
            described.update(image_params=info.image_params, dpd_model=info.dpd_model, seed=info.seed)
        return described


def _checked(mode: FailureMode | str) -> FailureMode:
    try:
        return failure_mode(str(mode))
    except ValueError as exc:
        raise LabError(str(exc)) from None


def _reap_when_done(pid: int) -> None:
    """The lab process is our child (EmbeddedLab.up started it): collect its exit status
    when it ends, so it does not linger as a zombie that ``EmbeddedLab.down`` keeps
    seeing alive until its 15 s timeout."""
    def wait() -> None:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass  # not our child after all: its parent reaps it

    threading.Thread(target=wait, name=f"reap-embedded-lab-{pid}", daemon=True).start()
