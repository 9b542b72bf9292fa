"""What the harness knows about a running lab, whatever kind it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from flexlab.errors import FlexlabError


class LabError(FlexlabError):
    """A lab could not be started, reached, failed or restored."""


class CaptureUnavailable(LabError):
    """The lab cannot capture packets (no capture tool, no permission, a lab kind without capture)."""


#: "device": pcap timestamps are the captured node's device clock (embedded lab);
#: "host": the capturing host's UTC clock (containerlab, tcpdump on the host).
TimeBase = Literal["device", "host"]


@dataclass
class Capture:
    """A running packet capture of one node; :meth:`stop` ends it and returns the pcap path."""

    node: str
    interface: str | None          # as asked; None = the node's data links
    path: Path
    time_base: TimeBase
    _stop: Callable[[], Path] = field(repr=False)
    _result: Path | None = field(default=None, repr=False)

    def stop(self) -> Path:
        """Stop capturing (once; later calls return the same path); the pcap is then complete."""
        if self._result is None:
            self._result = self._stop()
        return self._result


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
    image_params: dict[str, str] = field(default_factory=dict)
    dpd_model: dict[str, Any] = field(default_factory=dict)
    seed: int = 1
    instance: str = ""   # this lab process (a restarted lab under the same name is another)
    topology: str | None = None   # the topology file the lab booted

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> LabInfo:
        """The lab's info from its state file."""
        return cls(
            name=state["name"], pid=int(state["pid"]), host=state["host"], ports=dict(state["ports"]),
            socket=state["socket"], time_scale=float(state["time_scale"]), image=state["image"],
            kind=state["kind"], spokes=int(state["spokes"]), device_os=state.get("device_os", "ios"),
            platform=state.get("platform", "iol"), boot_errors=dict(state.get("boot_errors") or {}),
            roles=dict(state.get("roles") or {}), config_dir=state.get("config_dir"),
            image_params=dict(state.get("image_params") or {}), dpd_model=dict(state.get("dpd_model") or {}),
            seed=int(state.get("seed", 1)), topology=state.get("topology"),
            instance=str(state.get("instance") or f"{state['name']}-{state['pid']}-{state.get('started_wall', '')}"),
        )
