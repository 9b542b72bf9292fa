"""pyATS testbed generation from ``containerlab inspect --format json``.

Each supported node becomes a device named after its topology node (no ``clab-<lab>-``
prefix) with os/platform from the containerlab kind and an SSH connection to its
management address. Credentials stay out of the file: ``%ENV{...}`` references that
pyATS resolves when it loads the testbed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from flexlab.design import Design, SecretsModel, load_design
from flexlab.errors import FlexlabError
from flexlab.labs.clab import ClabNode, parse_inspect
from flexlab.privatefs import write_private
from flexlab.render import KINDS

SSH_OPTIONS = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"


class TestbedError(FlexlabError):
    """The inspect output cannot become a testbed (unsupported kind, no address, ...)."""

    __test__ = False  # not a pytest test class despite the name


def _env(name: str) -> str:
    return f"%ENV{{{name}}}"


def _role(name: str, design: Design) -> str:
    """hub / spoke / isp, as the job reads it from ``device.custom.role``."""
    if name in {hub.name for hub in design.model.hubs}:
        return "hub"
    if name == design.model.isp.name:
        return "isp"
    return "spoke" if re.fullmatch(r"spoke\d+", name) else "unknown"


def _device(node: ClabNode, design: Design) -> dict[str, Any]:
    kind = KINDS.get(node.kind)
    if kind is None:
        raise TestbedError(
            f"node {node.name!r} ({node.container}) has kind {node.kind!r}, which flexlab does not support;"
            f" supported kinds: {', '.join(KINDS)}"
        )
    if node.mgmt_ipv4 is None:
        raise TestbedError(
            f"node {node.name!r} ({node.container}) has no management IPv4 address"
            f" (state {node.state or 'unknown'!r}): is the lab running?"
        )
    return {
        "os": kind.os,
        "platform": kind.platform,
        "type": "router",
        "connections": {
            "cli": {"protocol": "ssh", "ip": node.mgmt_ipv4, "port": 22, "ssh_options": SSH_OPTIONS},
        },
        "custom": {"role": _role(node.name, design), "containerlab_kind": node.kind, "container": node.container},
    }


def _one_or_all(values: set[str]) -> str | list[str]:
    """The value when all nodes agree, else all of them ('' when none is known)."""
    ordered = sorted(v for v in values if v)
    if len(ordered) <= 1:
        return ordered[0] if ordered else ""
    return ordered


def build_testbed(
    nodes: list[ClabNode],
    topology_file: str | None = None,
    design: Design | None = None,
    secrets: SecretsModel | None = None,
) -> dict[str, Any]:
    """The testbed as a dict (the layout ``pyats.topology.loader`` reads).

    ``testbed.custom.flexlab`` tells the job which lab this is (``lab: containerlab``, the
    lab name, kind, image, topology file); device roles come from the design's node names.
    """
    if not nodes:
        raise TestbedError("no nodes to put in the testbed")
    design = design or load_design()
    secrets = secrets or design.model.secrets
    devices = {node.name: _device(node, design) for node in nodes}
    lab = _one_or_all({node.lab for node in nodes})
    flexlab: dict[str, Any] = {
        "lab": "containerlab",
        "name": lab,
        "kind": _one_or_all({node.kind for node in nodes}),
        "image": _one_or_all({node.image for node in nodes}),
    }
    topology = topology_file or next((node.lab_path for node in nodes if node.lab_path), None)
    if topology:
        flexlab["topology"] = topology
    return {
        "testbed": {
            "name": lab if isinstance(lab, str) and lab else "flexlab-containerlab",
            "credentials": {
                "default": {"username": _env(secrets.username_env), "password": _env(secrets.password_env)},
                "enable": {"password": _env(secrets.enable_env)},
            },
            "custom": {"flexlab": flexlab},
        },
        "devices": devices,
    }


def from_inspect(text: str, topology_file: str | None = None, design: Design | None = None,
                 source: str = "inspect output") -> dict[str, Any]:
    """The testbed for ``containerlab inspect --format json`` output (any layout)."""
    return build_testbed(parse_inspect(text, source), topology_file, design)


def to_yaml(testbed: dict[str, Any]) -> str:
    """The testbed as pyATS YAML text."""
    return "---\n" + yaml.safe_dump(testbed, sort_keys=False, width=120)


def write_testbed(testbed: dict[str, Any], path: Path) -> Path:
    """Write the testbed to ``path`` (private: it may hold secrets); its path."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, to_yaml(testbed))
    except OSError as exc:
        raise TestbedError(f"cannot write testbed {path}: {exc.strerror}") from None
    return path
