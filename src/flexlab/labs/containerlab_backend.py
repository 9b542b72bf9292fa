"""containerlab behind the one Lab interface (flexlab.labs.interface).

``up``: ``containerlab deploy`` (``--reconfigure``: startup-configs apply again), ``inspect``,
wait for every node's SSH banner, write the pyATS testbed from the inspect output (as
``flexlab testbed`` does). ``down``: ``containerlab destroy --cleanup``. Failures, restores
and captures are :class:`flexlab.labs.containerlab.ContainerLab`'s (containerlab and docker
commands on one deployed lab). ``prepare`` checks the containerlab release against the
topology's kinds and the failure modes asked for, and the login the testbed reads.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typing_extensions import override

from flexlab.design import SecretsModel, load_design
from flexlab.errors import FlexlabError
from flexlab.failure import FailureMode
from flexlab.labs import clab
from flexlab.labs.base import Capture, LabError
from flexlab.labs.clab_testbed import build_testbed, write_testbed
from flexlab.labs.containerlab import ContainerLab
from flexlab.labs.interface import CONTAINERLAB, Lab, RealTimeLab, StatusSink
from flexlab.labs.sshwait import SshTarget, wait_for_ssh
from flexlab.render import render_all

#: Seconds to wait for every node's SSH banner after a deploy (VM kinds boot for minutes).
READY_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class RenderedTopology:
    """A topology written from the design (certify's rows): startup configs with the real
    secrets from the environment under ``work_dir/configs/<kind>``, the topology pinned to
    ``image`` at ``work_dir/topology.clab.yml``."""

    kind: str
    """The containerlab kind of every router (``cisco_iol``, ``cisco_csr1000v``...)."""
    image: str
    """The image every router runs (the row's image)."""
    lab_name: str
    """containerlab's lab name: container names are ``clab-<lab_name>-<node>``."""
    work_dir: Path
    """Where the topology and its startup configs are written (private: the configs hold the secrets)."""
    mgmt_first_host: int = clab.MGMT_FIRST_HOST
    """First host number of the management addresses: rows deployed at the same time need their own."""
    design: Path | None = None
    """The design file (None: the default design)."""
    spokes: int | None = None
    """Spokes to render (None: as many as the design lists)."""

    @property
    def path(self) -> Path:
        """Where the rendered topology is written."""
        return self.work_dir / "topology.clab.yml"

    def write(self) -> Path:
        """Render the design's configs and topology into the work directory; the topology's path."""
        plan = load_design(self.design, spokes=self.spokes).plan()
        config_root = self.work_dir / "configs"
        render_all(plan, self.kind, config_root / self.kind, "env", containerlab_names=True)
        return clab.write_topology(plan, self.kind, self.path, config_root, image=self.image, name=self.lab_name,
                                   first_host=self.mgmt_first_host)


@dataclass
class ContainerlabBackend(RealTimeLab, Lab):
    """One containerlab lab, named by its topology file."""

    topology_file: Path | None
    name: str = ""
    image: str = ""
    testbed_path: Path | None = None          # default: clab-<lab>/testbed.yaml, containerlab's lab directory
    design: Path | None = None                # device roles in the testbed come from its node names
    rendered: RenderedTopology | None = None  # prepare() writes the topology (and configs) first
    failure_modes: tuple[str, ...] = ()       # prepare() checks the release can do them
    ready_timeout_s: float = READY_TIMEOUT_S
    ssh_port: int = 22
    ssh_interval_s: float = 2.0
    deploy_timeout_s: float = clab.DEPLOY_TIMEOUT
    kind: str = field(default=CONTAINERLAB, init=False)
    nodes: ContainerLab = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.rendered is not None:
            self.topology_file = self.rendered.path
            self.name = self.name or self.rendered.lab_name
            self.image = self.image or self.rendered.image
        self.nodes = ContainerLab(self.topology_file)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ContainerlabBackend:
        """From ``testbed.custom.flexlab`` (as ``flexlab testbed`` and ``up`` write it)."""
        topology = settings.get("topology")
        return cls(Path(str(topology)) if topology else None, name=str(settings.get("name") or ""),
                   image=str(settings.get("image") or ""))

    @property
    def topology(self) -> Path:
        """The topology file of the lab."""
        return self.nodes.topology.path

    # -- lifecycle -----------------------------------------------------------------------
    @override
    def prepare(self) -> None:
        """Write the rendered topology, then every check that needs no deployed lab."""
        problems: list[str] = []
        try:
            if self.rendered is not None:
                self.rendered.write()
            kinds = set(self.nodes.topology.kinds.values()) - {""}
            clab.check_version(kinds, set(self.failure_modes))
        except FlexlabError as exc:
            problems.append(str(exc))
        secrets = SecretsModel()
        missing = [name for name in (secrets.username_env, secrets.password_env) if not os.environ.get(name)]
        if missing:
            problems.append(f"set {' and '.join(missing)} to the routers' login (the testbed reads them with %ENV)")
        if problems:
            raise LabError("; ".join(problems))

    @override
    def up(self, status: StatusSink | None = None) -> Path:
        topology = self.nodes.topology
        if status is not None:
            status.update(f"containerlab deploy ({self.image or topology.path.name})")
        clab.deploy(topology.path, reconfigure=True, timeout=self.deploy_timeout_s)
        found = clab.inspect(topology.path)
        self._check_nodes(found)
        wait_for_ssh([SshTarget(node.name, str(node.mgmt_ipv4), self.ssh_port) for node in found],
                     self.ready_timeout_s, status, interval_s=self.ssh_interval_s)
        testbed = build_testbed(found, str(topology.path), design=load_design(self.design))
        self.name = self.name or topology.lab
        images = testbed["testbed"]["custom"]["flexlab"]["image"]   # what inspect says the nodes run
        self.image = self.image or (images if isinstance(images, str) else ", ".join(images))
        return write_testbed(
            testbed, self.testbed_path or topology.path.parent / f"clab-{topology.lab}" / "testbed.yaml"
        )

    def _check_nodes(self, found: list[clab.ClabNode]) -> None:
        topology = self.nodes.topology
        listed = {node.name for node in found}
        missing = [name for name in topology.kinds if topology.is_container(name) and name not in listed]
        if missing:
            raise LabError(f"containerlab inspect does not list node(s) {', '.join(missing)} of lab {topology.lab}")
        no_address = [node.name for node in found if node.mgmt_ipv4 is None]
        if no_address:
            raise LabError(f"node(s) {', '.join(no_address)} have no management IPv4 address (not running?)")

    @override
    def down(self) -> None:
        clab.destroy(self.nodes.topology.path, cleanup=True)

    # -- failures ------------------------------------------------------------------------
    @override
    def fail(self, node: str, mode: FailureMode) -> None:
        """LAB_FAILURE_MODES only: interface-shutdown is done on the router's own CLI."""
        self.nodes.fail(node, mode)

    @override
    def restore(self, node: str, mode: FailureMode | None = None) -> None:
        self.nodes.restore(node, mode)

    @override
    def is_failed(self, node: str) -> bool | None:
        """True for a node this object failed; None otherwise (a blackhole cannot be read back)."""
        return True if node in self.nodes.failed else None

    @override
    def gone(self) -> str | None:
        return None   # routers that stop answering are the job's finding, not a vanished lab

    # -- what the lab knows --------------------------------------------------------------
    @override
    def truth(self) -> None:
        return None   # real routers keep no record of simulated instants

    @override
    def boot_errors(self) -> dict[str, list[str]]:
        return {}

    @override
    def start_capture(self, node: str, interface: str | None, path: Path) -> Capture:
        return self.nodes.start_capture(node, interface, path)

    @override
    def describe(self) -> dict[str, Any]:
        return {"type": CONTAINERLAB, "name": self.name, "image": self.image, "time_scale": self.time_scale,
                "instance": self.instance}
