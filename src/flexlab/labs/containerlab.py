"""The containerlab side of the lab facade: fail and restore one node of a deployed lab.

Failure modes (facts.md section 6):

- ``node-stop``: ``containerlab stop --node`` / ``start --node`` (v0.75+), the closest thing
  to pulling the power; the job reconnects to the node after the restore.
- ``freeze``: ``docker pause`` / ``unpause``: a hung node whose links stay up.
- ``blackhole``: ``containerlab tools netem set --loss 100`` on both ends of every link of
  the node (netem shapes egress only, so both ends are needed for silence both ways);
  ``--loss 0`` undoes it.

The topology file is the source of truth for container names (``name:`` and ``prefix:``)
and links; it is read when first needed, so a testbed without one still serves CLI-only modes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flexlab.envexpand import expand_env
from flexlab.failure import LAB_FAILURE_MODES, FailureMode
from flexlab.labs import clab
from flexlab.labs.base import Capture, LabError
from flexlab.labs.clab import ClabError
from flexlab.labs.clab_capture import eth_name, start_tcpdump_capture
from flexlab.proc import run_tool

#: Overrides the command used to run docker, e.g. "sudo -n docker" (like FLEXLAB_CONTAINERLAB).
DOCKER_ENV = "FLEXLAB_DOCKER"
COMMAND_TIMEOUT_S = 60.0  # pause, unpause, inspect, netem: quick when the host is healthy
NODE_TIMEOUT_S = clab.SHORT_TIMEOUT  # stop/start of a node

DEFAULT_PREFIX = "clab"
LAB_NAME_PREFIX = "__lab-name"  # containerlab's magic prefix value: "<lab>-<node>"
#: Node kinds that are no container (nothing to pause or impair).
NO_CONTAINER_KINDS = frozenset({"bridge", "ovs-bridge", "host"})
BLACKHOLE_LOSS = 100
NO_LOSS = 0


# ---------------------------------------------------------------------------------------
# The topology file: container names and link ends
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Endpoint:
    """One end of a link: ``node:interface`` as the topology writes it."""

    node: str
    interface: str

    def __str__(self) -> str:
        return f"{self.node}:{self.interface}"


@dataclass(frozen=True)
class ClabTopology:
    """What fail/restore need from a ``*.clab.yml`` file."""

    path: Path
    lab: str
    prefix: str  # as containerlab reads it: "clab" when absent
    kinds: dict[str, str]  # node -> kind ("" when the file does not say)
    links: tuple[tuple[Endpoint, ...], ...]

    def container(self, node: str) -> str:
        """Container name by containerlab's rules: ``<prefix>-<lab>-<node>``, ``<lab>-<node>``
        for ``prefix: __lab-name`` and ``<node>`` for an empty prefix."""
        if self.prefix == "":
            return node
        if self.prefix == LAB_NAME_PREFIX:
            return f"{self.lab}-{node}"
        return f"{self.prefix}-{self.lab}-{node}"

    def is_container(self, node: str) -> bool:
        """Whether ``node`` runs in a container (not a bridge or host node)."""
        return node in self.kinds and self.kinds[node] not in NO_CONTAINER_KINDS

    def link_ends(self, node: str) -> list[Endpoint]:
        """Both ends of every link of ``node``, link by link in file order, the node's own end
        first. Peer ends without a container (bridges, host, mgmt-net, macvlan) are left out."""
        ends: list[Endpoint] = []
        for link in self.links:
            own = [end for end in link if end.node == node]
            if own:
                ends += own + [end for end in link if end.node != node and self.is_container(end.node)]
        return ends


def _endpoint(item: object, where: str) -> Endpoint:
    if isinstance(item, str) and ":" in item:
        node, _, interface = item.partition(":")
        return Endpoint(node, interface)
    if isinstance(item, dict) and item.get("node") and item.get("interface"):
        return Endpoint(str(item["node"]), str(item["interface"]))
    raise LabError(f"{where}: endpoint {item!r} is neither 'node:interface' nor {{node: ..., interface: ...}}")


def _link(link: object, where: str) -> tuple[Endpoint, ...]:
    """Brief links (``endpoints: [a:eth1, b:eth1]``), extended veth links (endpoint objects)
    and single-ended extended links (``endpoint:``: host, mgmt-net, macvlan, dummy, vxlan)."""
    if not isinstance(link, dict):
        raise LabError(f"{where} is not a mapping")
    items = link.get("endpoints") or ([link["endpoint"]] if "endpoint" in link else [])
    if not isinstance(items, list):
        raise LabError(f"{where}: 'endpoints' is not a list")
    return tuple(_endpoint(item, where) for item in items)


def _kinds(topology: dict[str, Any]) -> dict[str, str]:
    """Each node's kind: its own, else its group's, else the defaults' ("" if none)."""
    groups = topology.get("groups") or {}
    default_kind = str((topology.get("defaults") or {}).get("kind") or "")
    kinds: dict[str, str] = {}
    for name, spec in (topology.get("nodes") or {}).items():
        spec = spec or {}
        group = groups.get(spec.get("group")) or {}
        kinds[str(name)] = str(spec.get("kind") or group.get("kind") or default_kind)
    return kinds


def parse_topology(text: str, path: Path) -> ClabTopology:
    """The topology from its YAML text; LabError names the file and the field that is wrong."""
    try:
        doc = yaml.safe_load(expand_env(text))
    except yaml.YAMLError as exc:
        raise LabError(f"containerlab topology {path} is not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("topology"), dict):
        raise LabError(f"containerlab topology {path} has no 'topology' section")
    lab = doc.get("name")
    if not isinstance(lab, str) or not lab:
        raise LabError(f"containerlab topology {path} has no lab 'name'")
    prefix = doc.get("prefix")
    topology = doc["topology"]
    links = topology.get("links") or []
    if not isinstance(links, list):
        raise LabError(f"containerlab topology {path}: 'links' is not a list")
    return ClabTopology(
        path=path,
        lab=lab,
        prefix=DEFAULT_PREFIX if prefix is None else str(prefix),
        kinds=_kinds(topology),
        links=tuple(_link(link, f"containerlab topology {path}, link #{i + 1}") for i, link in enumerate(links)),
    )


def load_topology(path: Path) -> ClabTopology:
    """The topology in the file ``path``; LabError when it cannot be read."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise LabError(
            f"cannot read containerlab topology {path} ({exc.strerror}); a relative path is taken from"
            f" the current directory {Path.cwd()}"
        ) from None
    return parse_topology(text, path)


# ---------------------------------------------------------------------------------------
# Running docker (containerlab runs through flexlab.labs.clab)
# ---------------------------------------------------------------------------------------

def run_docker(args: list[str], timeout_s: float = COMMAND_TIMEOUT_S) -> str:
    """Run ``docker <args>`` and return its stdout; errors become LabError naming the command."""
    return run_tool("docker", DOCKER_ENV, "install Docker (https://docs.docker.com/engine/install/)",
                    args, timeout_s, LabError)


# ---------------------------------------------------------------------------------------
# The facade
# ---------------------------------------------------------------------------------------

class ContainerLab:
    """Fails and restores nodes of one deployed containerlab lab."""

    def __init__(
        self,
        topology_file: Path | None,
        *,
        command_timeout_s: float = COMMAND_TIMEOUT_S,
        node_timeout_s: float = NODE_TIMEOUT_S,
    ) -> None:
        self.topology_file = topology_file
        self.command_timeout_s = command_timeout_s
        self.node_timeout_s = node_timeout_s
        self.failed: dict[str, str] = {}  # node -> mode, for nodes this object failed
        self._topology: ClabTopology | None = None

    @property
    def topology(self) -> ClabTopology:
        """The lab's topology, read on first use."""
        if self._topology is None:
            if self.topology_file is None:
                raise LabError(
                    "the testbed does not name the lab's topology file (testbed.custom.flexlab.topology):"
                    " regenerate it with `flexlab testbed --lab FILE.clab.yml`"
                )
            self._topology = load_topology(self.topology_file)
        return self._topology

    def container(self, node: str) -> str:
        """The container name of ``node``; LabError for a node the topology lacks."""
        topology = self.topology
        if not topology.is_container(node):
            raise LabError(
                f"{node!r} is not a container node of {topology.path} (nodes: {', '.join(topology.kinds) or 'none'})"
            )
        return topology.container(node)

    def blackhole_ends(self, node: str) -> list[Endpoint]:
        """The link ends a blackhole of ``node`` impairs: its own and its peers'."""
        self.container(node)
        ends = self.topology.link_ends(node)
        if not ends:
            raise LabError(f"{node} has no links in {self.topology.path}: nothing to blackhole")
        return ends

    # -- capture ---------------------------------------------------------------------
    def capture_interfaces(self, node: str, interface: str | None) -> list[str]:
        """ethN names to capture: ``interface`` (IOS name or ethN) or every data link of the node."""
        self.container(node)
        if interface is not None:
            return [eth_name(self.topology.kinds.get(node, ""), interface)]
        own = [end.interface for end in self.topology.link_ends(node) if end.node == node]
        if not own:
            raise LabError(f"{node} has no links in {self.topology.path}: nothing to capture")
        return own

    def start_capture(self, node: str, interface: str | None, path: Path,
                      privileged: Callable[[], bool] | None = None) -> Capture:
        """tcpdump on the host in the node's namespace (time base "host"); see clab_capture."""
        interfaces = self.capture_interfaces(node, interface)
        return start_tcpdump_capture(node, self.container(node), interfaces, interface, Path(path), privileged)

    # -- fail / restore --------------------------------------------------------------
    def fail(self, node: str, mode: str) -> None:
        """Fail ``node`` with ``mode``; on error nothing stays failed (blackhole ends already
        impaired are reset) and LabError names the command and its stderr."""
        fail_step, _ = self._steps(mode)
        _as_lab_error(f"cannot fail {node} by {mode}", lambda: fail_step(node))
        self.failed[node] = mode

    def restore(self, node: str, mode: str | None = None) -> None:
        """Undo what ``fail(node, mode)`` did. ``mode`` defaults to the one this object used;
        when neither is known (a previous run died mid-failure) whatever any mode could have
        left is put back: see :meth:`_restore_unknown`."""
        mode = mode or self.failed.get(node)
        if mode is None:
            _as_lab_error(f"cannot restore {node}", lambda: self._restore_unknown(node))
        else:
            _, restore_step = self._steps(mode)
            _as_lab_error(f"cannot restore {node} after {mode}", lambda: restore_step(node))
        self.failed.pop(node, None)

    def _steps(self, mode: str) -> tuple[Callable[[str], None], Callable[[str], None]]:
        steps: dict[str, tuple[Callable[[str], None], Callable[[str], None]]] = {
            FailureMode.NODE_STOP: (self._stop, self._start),
            FailureMode.FREEZE: (self._pause, self._unpause),
            FailureMode.BLACKHOLE: (self._blackhole, self._unblackhole),
        }
        if mode not in steps:
            raise LabError(f"failure mode {mode!r} is not one a containerlab lab does ({', '.join(LAB_FAILURE_MODES)})")
        return steps[mode]

    def _stop(self, node: str) -> None:
        self.container(node)
        clab.stop_node(self.topology.path, node, self.node_timeout_s)

    def _start(self, node: str) -> None:
        self.container(node)
        clab.start_node(self.topology.path, node, self.node_timeout_s)

    def _pause(self, node: str) -> None:
        run_docker(["pause", self.container(node)], self.command_timeout_s)

    def _unpause(self, node: str) -> None:
        run_docker(["unpause", self.container(node)], self.command_timeout_s)

    def _blackhole(self, node: str) -> None:
        impaired: list[Endpoint] = []
        for end in self.blackhole_ends(node):
            try:
                self._netem_loss(end, BLACKHOLE_LOSS)
            except ClabError as exc:
                problems = self._reset_loss(impaired)
                undone = "; ".join(problems) if problems else f"ends reset: {', '.join(map(str, impaired)) or 'none'}"
                raise LabError(f"{exc} ({undone})") from None
            impaired.append(end)

    def _unblackhole(self, node: str) -> None:
        self._reset_all(self.blackhole_ends(node))

    def _restore_unknown(self, node: str) -> None:
        """Unpause a paused container, start a stopped one, then reset netem on every end a
        blackhole would have impaired (``--loss 0`` is harmless on an unimpaired end)."""
        container = self.container(node)
        state = run_docker(["inspect", "--format", "{{.State.Status}}", container], self.command_timeout_s).strip()
        if state == "paused":
            self._unpause(node)
        elif state in ("exited", "created"):
            self._start(node)
        elif state != "running":
            raise LabError(f"container {container} is {state or 'in no state'!r}: restore it by hand")
        self._reset_all(self.topology.link_ends(node))

    def _netem_loss(self, end: Endpoint, percent: int) -> None:
        container = self.topology.container(end.node)
        clab.run_containerlab(
            ["tools", "netem", "set", "-n", container, "-i", end.interface, "--loss", str(percent)],
            self.command_timeout_s,
        )

    def _reset_all(self, ends: list[Endpoint]) -> None:
        if problems := self._reset_loss(ends):
            raise LabError("; ".join(problems))

    def _reset_loss(self, ends: list[Endpoint]) -> list[str]:
        """Reset every end, carrying on past failures; returns one problem per failed end."""
        problems: list[str] = []
        for end in ends:
            try:
                self._netem_loss(end, NO_LOSS)
            except ClabError as exc:
                problems.append(f"resetting {end} failed: {exc}")
        return problems


def _as_lab_error(context: str, step: Callable[[], None]) -> None:
    """Run ``step``; a ClabError or LabError becomes LabError prefixed with ``context``."""
    try:
        step()
    except (ClabError, LabError) as exc:
        raise LabError(f"{context}: {exc}") from None
