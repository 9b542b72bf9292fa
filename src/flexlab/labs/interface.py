"""The one Lab interface: what the job, certify and the CLI do with any lab.

Two backends implement it: :class:`flexlab.labs.embedded_backend.EmbeddedBackend` (the
embedded lab in a background process) and
:class:`flexlab.labs.containerlab_backend.ContainerlabBackend` (a containerlab topology).
Everything that names a backend's tools lives in that backend's modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from flexlab.failure import FailureMode
from flexlab.labs.base import Capture

#: ``Lab.kind`` of each backend (also ``testbed.custom.flexlab.lab`` and a matrix row's ``lab``).
EMBEDDED = "embedded"
CONTAINERLAB = "containerlab"
LAB_KINDS = (CONTAINERLAB, EMBEDDED)


class StatusSink(Protocol):
    """Where a long ``up`` reports what it waits for (certify's Progress is one)."""

    def update(self, text: str) -> None:
        """Show ``text`` as the current state."""


class RealTimeLab:
    """For labs of real routers: real time, no lab process of ours, one instance per name."""

    kind: str
    name: str

    @property
    def time_scale(self) -> float:
        """Real routers run in real time."""
        return 1.0

    @property
    def instance(self) -> str:
        """The kind and name: a real lab has one instance per name."""
        return f"{self.kind}-{self.name}"

    @property
    def pid(self) -> int | None:
        """No lab process of ours."""
        return None


@runtime_checkable
class Lab(Protocol):
    """A lab that can be brought up, failed node by node, restored and torn down."""

    kind: str           # EMBEDDED or CONTAINERLAB
    name: str           # the lab's name (embedded lab name, containerlab `name:`)

    @property
    def time_scale(self) -> float:
        """Device seconds per wall second (1 for real routers)."""

    @property
    def instance(self) -> str:
        """This run of the lab: a lab restarted under the same name is another instance."""

    @property
    def pid(self) -> int | None:
        """The process that is the lab, where there is one (the embedded lab)."""

    def prepare(self) -> None:
        """Check and write everything ``up`` needs, starting nothing; LabError says what is wrong."""

    def up(self, status: StatusSink | None = None) -> Path:
        """Bring the lab up, wait until every node answers SSH; returns the pyATS testbed it wrote."""

    def down(self) -> None:
        """Tear the lab down (a lab that is not up is left as it is)."""

    def fail(self, node: str, mode: FailureMode) -> None:
        """Fail ``node`` the way ``mode`` says (one of LAB_FAILURE_MODES for every backend)."""

    def restore(self, node: str, mode: FailureMode | None = None) -> None:
        """Undo a failure of ``node``; ``mode`` (e.g. from the failure ledger) wins over what
        this object recorded; with neither, whatever any mode could have left is undone."""

    def is_failed(self, node: str) -> bool | None:
        """Whether the lab reports ``node`` failed; None when it cannot say."""

    def gone(self) -> str | None:
        """Why the lab cannot answer any more, or None while it runs (or when it cannot tell)."""

    def truth(self) -> list[dict[str, Any]] | None:
        """The lab's own record of protocol events; None where the backend has none."""

    def boot_errors(self) -> dict[str, list[str]]:
        """Startup-config lines each node refused at boot, where the lab can tell ({} otherwise)."""

    def start_capture(self, node: str, interface: str | None, path: Path) -> Capture:
        """Capture what crosses ``node``'s ``interface`` (IOS name or ethN; None = its data
        links) into the pcap ``path`` until ``Capture.stop()``; CaptureUnavailable if it cannot."""

    def describe(self) -> dict[str, Any]:
        """What a report says about the lab: type, name, image, time_scale, instance (+ backend facts)."""
