"""containerlab: topology files generated from the design, and thin wrappers around the
``containerlab`` executable (deploy, inspect, destroy, stop/start of one node).

A topology's ``startup-config`` entries point at configs rendered WITH the real secrets
(``configs/lab/<kind>/``, gitignored, written by ``flexlab render --kind K --lab``), never
at the redacted reference copies in ``configs/rendered/``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flexlab.design import LabPlan
from flexlab.labs.base import LabError
from flexlab.proc import run_tool
from flexlab.render import LAB_CONFIG_DIR, check_ports, config_filename, get_kind
from flexlab.yamlio import parse_json

#: Where `flexlab topology` and `flexlab render --all-kinds` write, relative to the working
#: directory (the user's project): beside configs/lab/, which the topologies point at.
TOPOLOGY_DIR = Path("topologies")
#: Kinds whose topology is committed under topologies/ (in the checkout).
TOPOLOGY_KINDS = ("cisco_iol", "cisco_vios", "cisco_csr1000v", "cisco_c8000v")

#: A dedicated management network, so the lab does not share containerlab's default one.
MGMT_NETWORK = "flexlab-mgmt"
MGMT_IPV4_SUBNET = "172.20.30.0/24"
#: Host index of the first node's fixed management address (containerlab takes .1 as gateway).
MGMT_FIRST_HOST = 11
#: Fixed management addresses from MGMT_FIRST_HOST to the subnet's last host.
MGMT_HOSTS = ipaddress.IPv4Network(MGMT_IPV4_SUBNET).num_addresses - 2 - (MGMT_FIRST_HOST - 1)

#: Overrides the command used to run containerlab, e.g. "sudo -n containerlab".
CONTAINERLAB_ENV = "FLEXLAB_CONTAINERLAB"

#: Oldest containerlab release for each kind flexlab drives, and why (facts.md section 6).
KIND_MIN_VERSION: dict[str, tuple[tuple[int, int], str]] = {
    "cisco_vios": ((0, 72), "keeps its management bootstrap for partial startup configs"),
}
#: ``containerlab stop/start --node`` (the node-stop failure mode) appeared in 0.75.
NODE_STOP_START_MIN_VERSION = (0, 75)

DEPLOY_TIMEOUT = 1800.0  # VM kinds (CSR, c8000v) take minutes to boot
SHORT_TIMEOUT = 300.0


class ClabError(LabError):
    """containerlab is missing, failed, timed out, or printed something unexpected."""


# ---------------------------------------------------------------------------------------
# Topology generation
# ---------------------------------------------------------------------------------------

def lab_name(plan: LabPlan, kind_name: str) -> str:
    """Lab name: ``<design name>-<kind without the cisco_ prefix>``, e.g. flexvpn-iol."""
    get_kind(kind_name)
    return f"{plan.design.model.name}-{kind_name.removeprefix('cisco_')}"


def topology_path(kind_name: str, topology_dir: Path = TOPOLOGY_DIR) -> Path:
    """Where the topology file of a kind lives."""
    return topology_dir / f"flexvpn-{kind_name}.clab.yml"


def image_reference(kind_name: str) -> str:
    """The kind's image, overridable from the environment: ``${VAR:=default}``."""
    kind = get_kind(kind_name)
    return f"${{{kind.image_env}:={kind.default_image}}}"


def mgmt_addresses(node_names: list[str], first_host: int = MGMT_FIRST_HOST) -> dict[str, str]:
    """A fixed management address per node, in order from ``.first_host`` (labs deployed at
    the same time on the one management network need ranges that do not overlap).

    Without ``mgmt-ipv4`` Docker hands out addresses, and a node may come back from
    ``containerlab stop/start`` with another one than the testbed holds.
    """
    hosts = list(ipaddress.IPv4Network(MGMT_IPV4_SUBNET).hosts())[first_host - 1:]
    if len(node_names) > len(hosts):
        raise ClabError(f"{len(node_names)} nodes do not fit the management subnet {MGMT_IPV4_SUBNET} "
                        f"({len(hosts)} fixed addresses)")
    return {name: str(address) for name, address in zip(node_names, hosts, strict=False)}


def build_topology(
    plan: LabPlan, kind_name: str, config_dir: str, *, image: str | None = None, name: str | None = None,
    first_host: int = MGMT_FIRST_HOST,
) -> dict[str, Any]:
    """The topology document; ``config_dir`` is written as-is in every startup-config
    (containerlab resolves a relative path against the topology file's directory).
    ``image`` pins the image (default: the kind's ``${VAR:=default}`` reference) and
    ``name`` the lab name (default: :func:`lab_name`)."""
    for node in plan.nodes:
        check_ports(node, kind_name)
    addresses = mgmt_addresses([node.name for node in plan.nodes], first_host)
    nodes = {
        node.name: {
            "kind": kind_name,
            "mgmt-ipv4": addresses[node.name],
            "startup-config": f"{config_dir}/{config_filename(kind_name, node.name, containerlab=True)}",
        }
        for node in plan.nodes
    }
    links = [
        {"endpoints": [f"{link.a}:eth{link.a_port}", f"{link.b}:eth{link.b_port}"]}
        for link in plan.links
    ]
    return {
        "name": name or lab_name(plan, kind_name),
        "mgmt": {"network": MGMT_NETWORK, "ipv4-subnet": MGMT_IPV4_SUBNET},
        "topology": {
            # `defaults`, not `kinds`: the schema's kinds section lacks cisco_csr1000v.
            "defaults": {"image": image or image_reference(kind_name)},
            "nodes": nodes,
            "links": links,
        },
    }


def topology_text(
    plan: LabPlan, kind_name: str, config_dir: str, *, image: str | None = None, name: str | None = None,
    first_host: int = MGMT_FIRST_HOST,
) -> str:
    """The containerlab topology of ``plan`` for one kind, as YAML text."""
    header = (
        f"# Generated by flexlab from the design; do not edit. Regenerate: flexlab topology --kind {kind_name}\n"
        f"# startup-config files hold the real PSK: render them first with\n"
        f"#   flexlab render --kind {kind_name} --lab\n"
        f"# Image: export {get_kind(kind_name).image_env}=<image> to override the default.\n"
    )
    body = yaml.dump(
        build_topology(plan, kind_name, config_dir, image=image, name=name, first_host=first_host),
        Dumper=_TopologyDumper,
        sort_keys=False,
        width=120,
    )
    return header + body


class _TopologyDumper(yaml.SafeDumper):
    """Block mappings, but flow lists for link endpoints: the usual clab.yml look."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(item, (str, int, float)) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_TopologyDumper.add_representer(list, _represent_list)


def write_topology(
    plan: LabPlan,
    kind_name: str,
    path: Path,
    lab_config_dir: Path = LAB_CONFIG_DIR,
    *,
    image: str | None = None,
    name: str | None = None,
    first_host: int = MGMT_FIRST_HOST,
) -> Path:
    """Write the topology to ``path`` with startup-configs relative to it (in
    ``lab_config_dir/<kind>``); ``image``/``name``/``first_host`` as in :func:`build_topology`."""
    config_dir = Path(os.path.relpath(lab_config_dir / kind_name, path.resolve().parent)).as_posix()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(topology_text(plan, kind_name, config_dir, image=image, name=name, first_host=first_host))
    except OSError as exc:
        raise ClabError(f"cannot write topology {path}: {exc.strerror}") from None
    return path


def write_reference_topologies(
    plan: LabPlan, topology_dir: Path = TOPOLOGY_DIR, lab_config_dir: Path = LAB_CONFIG_DIR
) -> list[Path]:
    """Refresh the committed ``topologies/flexvpn-<kind>.clab.yml`` files."""
    return [write_topology(plan, kind, topology_path(kind, topology_dir), lab_config_dir) for kind in TOPOLOGY_KINDS]


# ---------------------------------------------------------------------------------------
# `containerlab inspect --format json`
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClabNode:
    """One container of a deployed lab, as ``containerlab inspect`` reports it."""

    name: str  # node name in the topology (hub1)
    container: str  # container name (clab-<lab>-hub1)
    lab: str
    kind: str
    image: str
    state: str
    mgmt_ipv4: str | None  # without the prefix length
    lab_path: str | None


def _entries(data: object) -> list[tuple[str | None, object]]:
    """(lab name from the JSON key, entry) for the three layouts containerlab used:
    a bare list (early), {"containers": [...]} (before 0.68), {"<lab>": [...]} (0.68+)."""
    if isinstance(data, list):
        return [(None, e) for e in data]
    if not isinstance(data, dict):
        raise ClabError(f"inspect output must be a JSON object or list, got {type(data).__name__}")
    if "containers" in data and isinstance(data["containers"], list):
        return [(None, e) for e in data["containers"]]
    entries: list[tuple[str | None, object]] = []
    for key, value in data.items():
        if not isinstance(value, list):
            raise ClabError(f"inspect output: lab {key!r} should hold a list of containers, got {type(value).__name__}")
        entries.extend((key, e) for e in value)
    return entries


#: Node, container and lab names go into testbeds, file names and command lines.
INSPECT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
#: Text fields of an inspect entry: each must be a string (or absent / null).
INSPECT_TEXT_FIELDS = (
    "name",
    "nodeName",
    "lab_name",
    "kind",
    "image",
    "state",
    "ipv4_address",
    "labPath",
    "absLabPath",
)


def _mgmt_ipv4(value: str | None, where: str) -> str | None:
    text = (value or "").strip()
    if not text or text.upper() == "N/A":
        return None
    try:
        return str(ipaddress.IPv4Interface(text).ip) if "/" in text else str(ipaddress.IPv4Address(text))
    except ValueError:
        raise ClabError(f"{where}: field 'ipv4_address' {text!r} is not an IPv4 address") from None


def _text_fields(entry: dict[str, object], where: str) -> dict[str, str | None]:
    fields: dict[str, str | None] = {}
    for key in INSPECT_TEXT_FIELDS:
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            raise ClabError(f"{where}: field {key!r} must be a string, got {type(value).__name__}")
        fields[key] = value
    return fields


def _checked_name(value: str, field: str, where: str) -> str:
    if not INSPECT_NAME.fullmatch(value):
        raise ClabError(f"{where}: field {field!r} {value[:80]!r} is not a valid name"
                        " (letters, digits, '_', '-', '.'; no spaces, newlines or path separators)")
    return value


def _node(lab_key: str | None, entry: object, index: int, source: str = "inspect output") -> ClabNode:
    where = f"{source}: container #{index + 1}"
    if not isinstance(entry, dict):
        raise ClabError(f"{where} is not a JSON object")
    fields = _text_fields(entry, where)
    container = fields["name"]
    if not container:
        raise ClabError(f"{where} has no 'name'")
    _checked_name(container, "name", where)
    lab = fields["lab_name"] or lab_key or ""
    if lab:
        _checked_name(lab, "lab_name", where)
    prefix = f"clab-{lab}-"
    short = fields["nodeName"] or (container[len(prefix):] if lab and container.startswith(prefix) else container)
    return ClabNode(
        name=_checked_name(short, "nodeName", where),
        container=container,
        lab=lab,
        kind=fields["kind"] or "",
        image=fields["image"] or "",
        state=fields["state"] or "",
        mgmt_ipv4=_mgmt_ipv4(fields["ipv4_address"], where),
        # absLabPath (0.68+): labPath is relative to where inspect ran, useless elsewhere
        lab_path=fields["absLabPath"] or fields["labPath"] or None,
    )


def parse_inspect(text: str, source: str = "inspect output") -> list[ClabNode]:
    """Nodes from ``containerlab inspect --format json`` output (any version's layout)."""
    data = parse_json(text, source, ClabError)
    nodes = [_node(lab, entry, i, source) for i, (lab, entry) in enumerate(_entries(data))]
    if not nodes:
        raise ClabError(f"{source} lists no nodes: is the lab deployed?")
    seen: set[str] = set()
    for node in nodes:
        if node.name in seen:
            raise ClabError(f"{source}: node {node.name!r} is listed twice")
        seen.add(node.name)
    return nodes


# ---------------------------------------------------------------------------------------
# Running containerlab
# ---------------------------------------------------------------------------------------

def run_containerlab(args: list[str], timeout: float = SHORT_TIMEOUT) -> str:
    """Run ``containerlab <args>`` and return its stdout; errors become ClabError."""
    return run_tool("containerlab", CONTAINERLAB_ENV, "install containerlab (https://containerlab.dev/install/)",
                    args, timeout, ClabError)


def parse_version(text: str) -> tuple[int, int, int]:
    """(major, minor, patch) from ``containerlab version --json`` output."""
    try:
        data = json.loads(text)
        numbers = str(data["version"]).lstrip("v").split("-", 1)[0].split(".")
        major, minor, patch = (int(n) for n in (numbers + ["0", "0"])[:3])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise ClabError(f"cannot read the version from `containerlab version --json`: {text.strip()[:120]!r}") from None
    return major, minor, patch


def version_problems(version: tuple[int, int, int], kinds: set[str], failure_modes: set[str]) -> list[str]:
    """What this containerlab release cannot do of what a run needs (empty: all fine)."""
    shown = ".".join(map(str, version))
    problems = [
        f"containerlab {shown} is too old for {kind}: it needs >= {'.'.join(map(str, needed))} ({why})"
        for kind, (needed, why) in sorted(KIND_MIN_VERSION.items())
        if kind in kinds and version[:2] < needed
    ]
    if "node-stop" in failure_modes and version[:2] < NODE_STOP_START_MIN_VERSION:
        needed = ".".join(map(str, NODE_STOP_START_MIN_VERSION))
        problems.append(
            f"containerlab {shown} has no `stop/start --node` (failure mode node-stop): it needs >= {needed}"
        )
    return problems


def check_version(kinds: set[str], failure_modes: set[str]) -> tuple[int, int, int]:
    """The installed containerlab's version; ClabError naming what it is too old for."""
    version = parse_version(run_containerlab(["version", "--json"], timeout=60))
    problems = version_problems(version, kinds, failure_modes)
    if problems:
        raise ClabError("; ".join(problems))
    return version


def deploy(topology: Path, *, reconfigure: bool = False, timeout: float = DEPLOY_TIMEOUT) -> None:
    """Deploy the lab; ``reconfigure`` wipes node state so startup-configs apply again."""
    run_containerlab(["deploy", "-t", str(topology)] + (["--reconfigure"] if reconfigure else []), timeout)


def destroy(topology: Path, *, cleanup: bool = True, timeout: float = SHORT_TIMEOUT) -> None:
    """`containerlab destroy` the lab of ``topology``."""
    run_containerlab(["destroy", "-t", str(topology)] + (["--cleanup"] if cleanup else []), timeout)


def inspect_json(topology: Path, timeout: float = SHORT_TIMEOUT) -> str:
    """`containerlab inspect` of ``topology`` as JSON text."""
    return run_containerlab(["inspect", "-t", str(topology), "--format", "json"], timeout)


def inspect(topology: Path, timeout: float = SHORT_TIMEOUT) -> list[ClabNode]:
    """The nodes `containerlab inspect` lists for ``topology``."""
    return parse_inspect(inspect_json(topology, timeout))


def stop_node(topology: Path, node: str, timeout: float = SHORT_TIMEOUT) -> None:
    """Stop one node, links kept (containerlab 0.75+): the closest thing to pulling power."""
    run_containerlab(["stop", "-t", str(topology), "--node", node], timeout)


def start_node(topology: Path, node: str, timeout: float = SHORT_TIMEOUT) -> None:
    """`containerlab start` one node of ``topology``."""
    run_containerlab(["start", "-t", str(topology), "--node", node], timeout)
