"""Routers flexlab does not manage (a testbed of real devices): the Lab that can do nothing
but say so. The job still fails hubs over their CLI (interface-shutdown)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typing_extensions import override

from flexlab.failure import FailureMode
from flexlab.labs.base import Capture, CaptureUnavailable, LabError
from flexlab.labs.interface import Lab, RealTimeLab, StatusSink


@dataclass
class UnmanagedLab(RealTimeLab, Lab):
    """A lab flexlab does not manage: the testbed's devices only; failures over the CLI."""
    kind: str          # what the testbed calls the lab
    name: str = ""
    image: str = ""

    def _cannot(self, what: str) -> LabError:
        return LabError(f"{what} on a {self.kind} lab needs a lab flexlab manages (embedded or containerlab)")

    @override
    def prepare(self) -> None:
        raise self._cannot("bringing the lab up")

    @override
    def up(self, status: StatusSink | None = None) -> Path:
        raise self._cannot("bringing the lab up")

    @override
    def down(self) -> None:
        raise self._cannot("tearing the lab down")

    @override
    def fail(self, node: str, mode: FailureMode) -> None:
        raise self._cannot(f"failure mode {mode}")

    @override
    def restore(self, node: str, mode: FailureMode | None = None) -> None:
        raise self._cannot(f"restoring {node}")

    @override
    def is_failed(self, node: str) -> bool | None:
        return None

    @override
    def gone(self) -> str | None:
        return None

    @override
    def truth(self) -> None:
        return None

    @override
    def boot_errors(self) -> dict[str, list[str]]:
        return {}

    @override
    def start_capture(self, node: str, interface: str | None, path: Path) -> Capture:
        raise CaptureUnavailable(
            f"a {self.kind} lab offers no packet capture here (needs the embedded lab or containerlab)"
        )

    @override
    def describe(self) -> dict[str, Any]:
        return {"type": self.kind, "name": self.name, "image": self.image, "time_scale": 1.0, "instance": self.instance}
