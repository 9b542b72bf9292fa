"""The lab's input: a topology file (``*.clab.yml``) and the startup configs it points at.

Read the way the real lab tool reads it (its types/topology.go and core/config.go):

* ``${VAR}``/``${VAR:=default}`` substitution over the whole file before parsing;
* per node, ``kind``, ``image``, ``startup-config`` and ``labels`` inherited
  node > group > ``kinds.<kind>`` > ``defaults`` (labels merged, the nearer one wins);
* ``startup-config`` paths relative to the topology file's directory, ``~`` expanded,
  ``__clabNodeName__`` replaced by the node name; a multi-line value is the config itself
  (a partial one, as the tool stores it in ``embedded.partial.cfg``);
* ``links`` as ``endpoints: ["a:eth1", "b:Ethernet0/2"]`` or ``type: veth`` with
  ``{node, interface}`` endpoints, each interface mapped to ``ethN`` by the node's kind.

Every refusal is a :class:`TopologyError` naming the file, the field and the cause.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from flexlab.envexpand import expand_env
from flexlab.errors import FlexlabError
from flexlab.kinds import KINDS, Kind, KindError
from flexlab.yamlio import read_text

NODE_NAME_VAR = "__clabNodeName__"
#: Endpoint "nodes" that are no router: the link ends outside the lab.
OUTSIDE_NODES = frozenset({"host", "mgmt-net", "macvlan"})


class TopologyError(FlexlabError):
    """The topology file or a startup config it names cannot be used."""


@dataclass(frozen=True)
class TopoNode:
    """One node of the topology file: kind, image, startup config (file or inline), labels."""
    name: str
    kind: Kind
    image: str
    startup_config: Path | None = None   # absolute path of the file
    inline_config: str | None = None     # a multi-line startup-config value
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def partial(self) -> bool:
        """A partial startup config: an inline one, or a path containing ".partial"."""
        if self.inline_config is not None:
            return True
        return self.startup_config is not None and ".PARTIAL" in str(self.startup_config).upper()

    def startup_text(self, source: str) -> str | None:
        """The startup config's text (None: the node has none)."""
        if self.inline_config is not None or self.startup_config is None:
            return self.inline_config
        return read_text(self.startup_config, f"{source}: topology.nodes.{self.name}.startup-config:", TopologyError)


@dataclass(frozen=True)
class Port:
    """One end of a link: a node's data interface, ``eth<index>`` and its router name."""

    node: str
    """The node's name in the topology file."""
    index: int
    """N of ``ethN``: eth0 is the management port, data ports count from 1."""
    ifname: str
    """The router's name for the port (``Ethernet0/1``, ``GigabitEthernet2``), as the kind maps ``ethN``."""

    @property
    def eth(self) -> str:
        """containerlab's name for the port: ``eth<index>``."""
        return f"eth{self.index}"


@dataclass(frozen=True)
class Topology:
    """A parsed topology file: its nodes and the links between their ``ethN`` ports."""
    source: str                      # the file, for messages
    name: str
    nodes: dict[str, TopoNode]
    links: tuple[tuple[Port, Port], ...]

    def ports(self, node: str) -> list[Port]:
        """The node's linked data interfaces, in ``ethN`` order."""
        ends = [end for link in self.links for end in link if end.node == node]
        return sorted(ends, key=lambda port: port.index)

    def kind_names(self) -> set[str]:
        """The containerlab kinds the topology uses."""
        return {node.kind.name for node in self.nodes.values()}


def load_topology(path: Path) -> Topology:
    """Read and check a topology file (TopologyError with a one-line cause)."""
    source = str(path)
    if not Path(path).is_file():
        raise TopologyError(f"{source}: topology file not found")
    text = read_text(Path(path), "topology file", TopologyError)
    try:
        document = yaml.safe_load(expand_env(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise TopologyError(f"{source}: not valid YAML{where}") from None
    return topology_from_document(document, source, Path(path).resolve().parent)


def topology_from_document(document: Any, source: str, base_dir: Path) -> Topology:
    """A parsed topology document; relative startup-config paths resolve against ``base_dir``."""
    if not isinstance(document, dict):
        raise TopologyError(f"{source}: a topology file is a mapping with 'name' and 'topology'")
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TopologyError(f"{source}: name: the lab name is missing or not a string")
    body = _mapping(document.get("topology"), source, "topology")
    raw_nodes = _mapping(body.get("nodes"), source, "topology.nodes")
    if not raw_nodes:
        raise TopologyError(f"{source}: topology.nodes: the topology has no nodes")
    reader = _NodeReader(source, base_dir, body)
    nodes = {str(node_name): reader.node(str(node_name), spec) for node_name, spec in raw_nodes.items()}
    links = _links(body.get("links"), source, nodes)
    return Topology(source, name.strip(), nodes, links)


def _mapping(value: Any, source: str, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TopologyError(f"{source}: {where}: must be a mapping, not {type(value).__name__}")
    return value


@dataclass
class _NodeReader:
    """Resolves one node's fields through groups, kinds and defaults."""

    source: str
    base_dir: Path
    body: dict[str, Any]

    def _level(self, where: str) -> dict[str, Any]:
        return _mapping(self.body.get(where), self.source, f"topology.{where}")

    def _chain(self, spec: dict[str, Any], kind: str | None) -> list[dict[str, Any]]:
        """node, its group, its kind's section, the defaults: nearest first."""
        defaults = self._level("defaults")
        kinds = self._level("kinds")
        kind_section = _mapping(kinds.get(kind), self.source, f"topology.kinds.{kind}") if kind else {}
        group_name = spec.get("group") or kind_section.get("group") or defaults.get("group")
        groups = self._level("groups")
        group = _mapping(groups.get(group_name), self.source, f"topology.groups.{group_name}") if group_name else {}
        return [spec, group, kind_section, defaults]

    def _field(self, chain: list[dict[str, Any]], key: str) -> Any:
        return next((level[key] for level in chain if level.get(key) not in (None, "")), None)

    def node(self, name: str, raw: Any) -> TopoNode:
        where = f"topology.nodes.{name}"
        spec = _mapping(raw, self.source, where)
        kind_name = self._field(self._chain(spec, None), "kind")
        if kind_name is None:
            raise TopologyError(f"{self.source}: {where}.kind: the node has no kind")
        kind = KINDS.get(str(kind_name))
        if kind is None:
            raise TopologyError(f"{self.source}: {where}.kind: kind {kind_name!r} is not one the embedded lab "
                                f"runs ({', '.join(KINDS)})")
        chain = self._chain(spec, kind.name)
        image = self._field(chain, "image")
        if not isinstance(image, str) or not image.strip():
            raise TopologyError(f"{self.source}: {where}.image: the node has no image")
        labels: dict[str, str] = {}
        for level in reversed(chain):
            labels.update(
                {str(k): str(v) for k, v in _mapping(level.get("labels"), self.source, f"{where}.labels").items()}
            )
        startup = self._field(chain, "startup-config")
        if startup is None:
            return TopoNode(name, kind, image.strip(), labels=labels)
        if not isinstance(startup, str):
            raise TopologyError(f"{self.source}: {where}.startup-config: must be a path or the config text")
        if "\n" in startup:
            return TopoNode(name, kind, image.strip(), inline_config=startup, labels=labels)
        return TopoNode(name, kind, image.strip(), startup_config=self._config_path(startup, name, where),
                        labels=labels)

    def _config_path(self, value: str, name: str, where: str) -> Path:
        text = value.strip().replace(NODE_NAME_VAR, name)
        if "://" in text:
            raise TopologyError(
                f"{self.source}: {where}.startup-config: {text}: the embedded lab reads local files only"
            )
        path = Path(os.path.expanduser(text))
        resolved = path if path.is_absolute() else (self.base_dir / path)
        if not resolved.is_file():
            raise TopologyError(f"{self.source}: {where}.startup-config: {text} not found (looked at {resolved})")
        return resolved


def _endpoints(link: Any, source: str, where: str) -> list[tuple[str, str]]:
    spec = _mapping(link, source, where)
    items = spec.get("endpoints")
    if not isinstance(items, list) or len(items) != 2:
        raise TopologyError(f"{source}: {where}.endpoints: a link has exactly two endpoints")
    ends: list[tuple[str, str]] = []
    for number, item in enumerate(items):
        if isinstance(item, str) and ":" in item:
            node, _, interface = item.partition(":")
        elif isinstance(item, dict) and item.get("node") and item.get("interface"):
            node, interface = str(item["node"]), str(item["interface"])
        else:
            raise TopologyError(f"{source}: {where}.endpoints[{number}]: {item!r} is neither 'node:interface' "
                                "nor {node: ..., interface: ...}")
        ends.append((node.strip(), interface.strip()))
    return ends


def _links(raw: Any, source: str, nodes: dict[str, TopoNode]) -> tuple[tuple[Port, Port], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise TopologyError(f"{source}: topology.links: must be a list")
    links: list[tuple[Port, Port]] = []
    used: dict[tuple[str, int], str] = {}
    for number, link in enumerate(raw):
        where = f"topology.links[{number}]"
        ports: list[Port] = []
        for end, (node_name, interface) in enumerate(_endpoints(link, source, where)):
            if node_name in OUTSIDE_NODES:
                continue
            node = nodes.get(node_name)
            if node is None:
                raise TopologyError(f"{source}: {where}.endpoints[{end}]: node {node_name!r} is not in topology.nodes")
            try:
                index = node.kind.eth_index(interface)
            except KindError as exc:
                raise TopologyError(f"{source}: {where}.endpoints[{end}]: {node_name}: {exc}") from None
            if (node_name, index) in used:
                raise TopologyError(f"{source}: {where}.endpoints[{end}]: {node_name}:eth{index} is already used "
                                    f"by {used[(node_name, index)]}")
            used[(node_name, index)] = where
            ports.append(Port(node_name, index, node.kind.ifname(index)))
        if len(ports) == 2:
            links.append((ports[0], ports[1]))
    return tuple(links)
