"""The live resources a run works through (devices, the lab, the failure ledger) and the
thread helper every step uses to read many devices at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from flexlab.clock import ClockOffset
from flexlab.design import Design, load_design
from flexlab.harness.ledger import FailureLedger
from flexlab.harness.steps.inputs import JobInputs
from flexlab.labs.interface import Lab
from flexlab.labs.session import lab_settings

T = TypeVar("T")

#: Wall seconds between two polls of the devices.
POLL_INTERVAL_S = 0.1


def now_utc() -> dt.datetime:
    """The harness clock now, in UTC."""
    return dt.datetime.now(dt.UTC)


def parallel(function: Callable[[str], T], names: list[str]) -> dict[str, T]:
    """Run ``function`` for every device name on threads (one CLI session each)."""
    if not names:
        return {}
    with ThreadPoolExecutor(max_workers=min(16, len(names))) as pool:
        return dict(zip(names, pool.map(function, names), strict=True))


def measure_clock(device: Any, time_scale: float) -> ClockOffset:
    """Anchor a device clock to the harness clock with one `show clock`."""
    sent = now_utc()
    output = device.execute("show clock")
    return ClockOffset.from_show_clock(output, sent, now_utc(), rate=time_scale)


@dataclass(frozen=True)
class JobResources:
    """The testbed's devices, the lab, the design and the failure ledger of one run.

    The holder is frozen; the objects it holds are live (sessions, a running lab, a ledger
    file) and every step that touches them receives this holder as an argument.
    """

    testbed: Any
    """The pyATS testbed (its devices are :attr:`devices`)."""
    lab: Lab
    """The running lab, reached only through :class:`flexlab.labs.interface.Lab`."""
    design: Design
    """The design the configs are rendered from and the checks expect."""
    devices: Mapping[str, Any]
    """Device name -> pyATS device."""
    hubs: tuple[str, ...]
    """The testbed's hubs (role ``hub``, or a name ``hubN``)."""
    spokes: tuple[str, ...]
    """The testbed's spokes."""
    ledger: FailureLedger
    """Hubs failed and not yet restored, kept on disk so a killed run's failures are undone."""

    @classmethod
    def open(cls, testbed: Any, lab: Lab, inputs: JobInputs) -> JobResources:
        """The resources of a run from its testbed, lab and inputs."""
        # the lab may run more spokes than the design file lists (`flexlab lab up --spokes N`)
        spokes = lab_settings(testbed).get("spokes")
        design = load_design(inputs.design, spokes=int(spokes) if spokes else None)
        devices = dict(testbed.devices)
        roles = {name: (getattr(device, "custom", None) or {}).get("role") or name.rstrip("0123456789")
                 for name, device in devices.items()}
        return cls(testbed=testbed, lab=lab, design=design, devices=devices,
                   hubs=tuple(n for n, r in roles.items() if r == "hub"),
                   spokes=tuple(n for n, r in roles.items() if r == "spoke"),
                   ledger=FailureLedger.for_lab(lab.instance or f"{lab.kind}-{lab.name}", lab.pid))

    def wall(self, device_seconds: float) -> float:
        """Wall seconds that ``device_seconds`` of router time take in this lab."""
        return device_seconds / self.lab.time_scale

    def reachable(self, inputs: JobInputs) -> list[str]:
        """The devices this run can talk to: hubs kept down by a lab-made failure of an
        earlier run (--cumulative) are left alone until restored."""
        return [name for name in self.devices if name not in inputs.away_hubs]
