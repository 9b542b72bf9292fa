"""pyATS testbed for a running embedded lab (every node an SSH server on 127.0.0.1)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from flexlab.defaults import DEFAULT_IMAGE, DEFAULT_TIME_SCALE
from flexlab.labs.base import LabError, LabInfo
from flexlab.privatefs import write_private

SSH_OPTIONS = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"


def embedded_testbed(info: LabInfo, credentials: tuple[str, str]) -> dict[str, Any]:
    """The testbed as a dict; ``custom.flexlab`` tells the job how to bring the lab up itself."""
    username, password = (_env_reference(value, env) for value, env in zip(credentials, CREDENTIAL_ENVS, strict=True))
    devices: dict[str, Any] = {}
    for name, port in info.ports.items():
        devices[name] = {
            "os": info.device_os,
            "platform": info.platform,
            "type": "router",
            "credentials": {"default": {"username": username, "password": password}},
            "connections": {
                "defaults": {"class": "unicon.Unicon"},
                "cli": {
                    "protocol": "ssh", "ip": info.host, "port": port, "ssh_options": SSH_OPTIONS,
                    # a local lab needs no grace period after disconnecting
                    "settings": {"POST_DISCONNECT_WAIT_SEC": 0, "GRACEFUL_DISCONNECT_WAIT_SEC": 0},
                },
            },
            "custom": {"role": info.roles.get(name, "unknown")},
        }
    return {
        "testbed": {
            "name": f"flexlab-embedded-{info.name}",
            "custom": {
                "flexlab": {
                    "lab": "embedded", "name": info.name, "spokes": info.spokes,
                    "time_scale": info.time_scale, "image": info.image, "kind": info.kind,
                    **_topology_setting(info),
                },
            },
        },
        "devices": devices,
    }


def _topology_setting(info: LabInfo) -> dict[str, str]:
    """``topology: FILE`` when the lab booted a user's topology (``lab up -t``), so a job that
    finds the lab down starts the same one; the design's lab (written under the state root) has none."""
    from flexlab.labs.embedded import state_root

    if info.topology is None or Path(info.topology).resolve().is_relative_to(state_root().resolve()):
        return {}
    return {"topology": info.topology}


#: Where the embedded lab's login comes from when it is not the documented default.
CREDENTIAL_ENVS = ("FLEXLAB_USERNAME", "FLEXLAB_PASSWORD")


def _env_reference(value: str, env: str) -> str:
    """A credential taken from the environment stays there: the file says %ENV{NAME}."""
    return f"%ENV{{{env}}}" if os.environ.get(env) and os.environ[env] == value else value


def write_embedded_testbed(info: LabInfo, credentials: tuple[str, str], path: Path) -> Path:
    """Write the testbed 0600 (it may hold the lab's default login)."""
    header = (
        "# pyATS testbed of a flexlab embedded lab (written by flexlab).\n"
        "# Credentials: the embedded lab's documented defaults, or %ENV{...}\n"
        "# references when FLEXLAB_USERNAME / FLEXLAB_PASSWORD are set.\n"
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, header + yaml.safe_dump(embedded_testbed(info, credentials), sort_keys=False))
    except OSError as exc:
        raise LabError(f"cannot write testbed {path}: {exc.strerror or exc}") from None
    return path


def default_lab_info(time_scale: float = DEFAULT_TIME_SCALE, image: str = DEFAULT_IMAGE) -> LabInfo:
    """What the default embedded lab looks like once up: fixed ports, the design's nodes."""
    from flexlab.design import load_design
    from flexlab.labs.embedded import DEFAULT_BASE_PORT, DEFAULT_LAB

    design = load_design()
    nodes = design.plan().nodes
    return LabInfo(
        name=DEFAULT_LAB, pid=0, host="127.0.0.1",
        ports={node.name: DEFAULT_BASE_PORT + index for index, node in enumerate(nodes)},
        socket="", time_scale=time_scale, image=image, kind="cisco_iol", spokes=design.spoke_count,
        roles={node.name: node.role for node in nodes},
    )
