"""The lab of one matrix row: prepared before anything is deployed, brought up, torn down.

- :class:`ContainerlabRowLab`: renders the startup configs (real secrets, from the
  environment) and a topology pinned to the row's image, ``containerlab deploy``, waits for
  every node's SSH banner, writes the pyATS testbed from ``containerlab inspect`` (as
  ``flexlab testbed`` does: roles, lab, kind, image and topology under custom.flexlab), and
  ``containerlab destroy --cleanup`` at the end.
- :class:`EmbeddedRowLab`: ``flexlab lab up --embedded --image`` under a lab name of its own
  (free ports), the embedded testbed, ``lab down`` at the end.
"""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from flexlab import clab
from flexlab.certify.matrix import MatrixRow
from flexlab.certify.progress import Progress
from flexlab.certify.sshwait import SshTarget, wait_for_ssh
from flexlab.design import LabPlan, load_design
from flexlab.errors import FlexlabError
from flexlab.labs.embedded import EmbeddedLab, UpOptions
from flexlab.labs.embedded_testbed import write_embedded_testbed
from flexlab.render import render_all
from flexlab.testbed import build_testbed, write_testbed

#: Embedded-lab time scale when a row does not give one.
DEFAULT_TIME_SCALE = 10.0


class RowLabError(FlexlabError):
    """The row's lab cannot be prepared or brought up."""


class RowLab(Protocol):
    """What the runner needs from a row's lab."""

    def prepare(self) -> None:
        """Everything that can fail before a deploy (secrets, files, tools)."""

    def up(self, progress: Progress) -> Path:
        """Bring the lab up; returns the pyATS testbed file."""

    def down(self) -> None:
        """Tear down whatever ``up`` started, even a half-finished ``up``."""


@dataclass
class ContainerlabRowLab:
    row: MatrixRow
    work_dir: Path
    design: Path | None = None
    ssh_port: int = 22
    ssh_interval_s: float = 2.0
    deploy_timeout_s: float = clab.DEPLOY_TIMEOUT
    mgmt_first_host: int = clab.MGMT_FIRST_HOST      # rows up at the same time need their own addresses
    deploy_started: bool = field(default=False, init=False)

    @property
    def kind(self) -> str:
        assert self.row.kind is not None  # the matrix requires it for containerlab rows
        return self.row.kind

    @property
    def topology(self) -> Path:
        return self.work_dir / "topology.clab.yml"

    @property
    def testbed_path(self) -> Path:
        return self.work_dir / "testbed.yaml"

    @property
    def lab_name(self) -> str:
        return f"flexlab-cert-{self.row.name}"

    def _plan(self) -> LabPlan:
        return load_design(self.design, spokes=self.row.spokes).plan()

    def prepare(self) -> None:
        plan = self._plan()
        config_root = self.work_dir / "configs"
        render_all(plan, self.kind, config_root / self.kind, "env", containerlab_names=True)
        clab.write_topology(plan, self.kind, self.topology, config_root, image=self.row.image, name=self.lab_name,
                            first_host=self.mgmt_first_host)

    def up(self, progress: Progress) -> Path:
        if not self.topology.exists():
            self.prepare()
        progress.update(f"containerlab deploy ({self.row.image})")
        self.deploy_started = True  # a failed or interrupted deploy can leave containers behind
        clab.deploy(self.topology, reconfigure=True, timeout=self.deploy_timeout_s)
        nodes = clab.inspect(self.topology)
        plan = self._plan()
        self._check_nodes(plan, nodes)
        wait_for_ssh(
            [SshTarget(node.name, str(node.mgmt_ipv4), self.ssh_port) for node in nodes],
            self.row.ready_timeout, progress, interval_s=self.ssh_interval_s,
        )
        return write_testbed(build_testbed(nodes, str(self.topology), design=plan.design), self.testbed_path)

    def _check_nodes(self, plan: LabPlan, nodes: list[clab.ClabNode]) -> None:
        found = {node.name for node in nodes}
        missing = [node.name for node in plan.nodes if node.name not in found]
        if missing:
            raise RowLabError(f"containerlab inspect does not list node(s) {', '.join(missing)} of lab {self.lab_name}")
        no_address = [node.name for node in nodes if node.mgmt_ipv4 is None]
        if no_address:
            raise RowLabError(f"node(s) {', '.join(no_address)} have no management IPv4 address (not running?)")

    def down(self) -> None:
        if self.deploy_started:
            clab.destroy(self.topology, cleanup=True)
            self.deploy_started = False


@dataclass
class EmbeddedRowLab:
    row: MatrixRow
    work_dir: Path
    lab_name: str
    design: Path | None = None
    started: bool = field(default=False, init=False)

    @property
    def testbed_path(self) -> Path:
        return self.work_dir / "testbed.yaml"

    def prepare(self) -> None:
        if EmbeddedLab(self.lab_name).is_up():
            raise RowLabError(
                f"an embedded lab named {self.lab_name!r} is already up: `flexlab lab down --name {self.lab_name}`"
            )

    def up(self, progress: Progress) -> Path:
        time_scale = self.row.time_scale or DEFAULT_TIME_SCALE
        progress.update(f"starting the embedded lab ({self.row.image}, time scale {time_scale:g})")
        lab = EmbeddedLab(self.lab_name)
        self.started = True
        info = lab.up(UpOptions(
            spokes=self.row.spokes, time_scale=time_scale, image=self.row.image,
            design=self.design, timeout_s=self.row.ready_timeout, owner_pid=os.getpid(),
        ))
        _reap_when_done(info.pid)
        return write_embedded_testbed(info, lab.credentials, self.testbed_path)

    def down(self) -> None:
        if not self.started:
            return
        lab = EmbeddedLab(self.lab_name)
        lab.down()
        self.started = False
        # Keep the lab's log with the row's results; the per-run state directory goes.
        log = lab.state_dir / "daemon.log"
        if log.exists():
            self.work_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log, self.work_dir / "embedded-lab.log")
        shutil.rmtree(lab.state_dir, ignore_errors=True)


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
