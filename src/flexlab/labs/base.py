"""What the harness knows about a running lab, whatever kind it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flexlab.errors import FlexlabError


class LabError(FlexlabError):
    """A lab could not be started, reached, failed or restored."""


@dataclass(frozen=True)
class LabInfo:
    """A running embedded lab as its state file describes it."""

    name: str
    pid: int
    host: str
    ports: dict[str, int]
    socket: str
    time_scale: float
    image: str
    kind: str
    spokes: int
    device_os: str = "ios"
    platform: str = "iol"
    boot_errors: dict[str, list[str]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    config_dir: str | None = None
    instance: str = ""   # this lab process (a restarted lab under the same name is another)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "LabInfo":
        return cls(
            name=state["name"], pid=int(state["pid"]), host=state["host"], ports=dict(state["ports"]),
            socket=state["socket"], time_scale=float(state["time_scale"]), image=state["image"],
            kind=state["kind"], spokes=int(state["spokes"]), device_os=state.get("device_os", "ios"),
            platform=state.get("platform", "iol"), boot_errors=dict(state.get("boot_errors") or {}),
            roles=dict(state.get("roles") or {}), config_dir=state.get("config_dir"),
            instance=str(state.get("instance") or f"{state['name']}-{state['pid']}-{state.get('started_wall', '')}"),
        )
