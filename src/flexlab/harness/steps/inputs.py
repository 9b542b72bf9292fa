"""The job's immutable inputs, built once from the aetest parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flexlab.dpd_model import DpdModel, parse_model
from flexlab.failure import FailureMode


@dataclass(frozen=True)
class JobInputs:
    """What one run of the job was asked to do; every step reads it, none changes it."""

    hub: str
    """The hub this run fails."""
    failure_mode: FailureMode
    """How the hub is failed (CLI shutdown of its WAN interface, or a lab-made failure)."""
    iteration: int = 1
    """Which repetition of this hub's failure the run is (1-based)."""
    kind: str = "cisco_iol"
    """The node kind the configs are rendered for (containerlab kind)."""
    dpd_model: DpdModel = field(default_factory=lambda: parse_model(None))
    """The declared DPD retransmission model (--dpd-model) the bound and schedule follow."""
    capture: bool = True
    """Capture the moving spokes' WAN links for the DPD schedule check (False: --no-capture)."""
    dead_hubs: tuple[str, ...] = ()
    """--cumulative: hubs earlier runs failed and left failed."""
    keep_failed: bool = False
    """--cumulative: leave this run's hub failed for the next run."""
    expect_from: str = "design"
    """Where the checks' expectations come from: the design, or the running configs."""
    known_hub_wan: Mapping[str, str] = field(default_factory=dict)
    """WAN addresses earlier runs learnt, for hubs that are down now."""
    report_dir: Path = Path(".")
    """Where the run's record and captures are written."""
    run_tag: str = "run"
    """The run's name in file names (``<hub>-<iteration>``)."""
    design: str | None = None
    """The design file (None: the default design)."""

    @classmethod
    def from_parameters(cls, params: Mapping[str, Any]) -> JobInputs:
        """The inputs from the aetest script's parameters (the job file passes them)."""
        return cls(
            hub=str(params["hub"]), failure_mode=FailureMode(params["failure_mode"]),
            iteration=int(params.get("iteration") or 1), kind=str(params.get("kind") or "cisco_iol"),
            dpd_model=parse_model(params.get("dpd_model")), capture=bool(params.get("capture", True)),
            dead_hubs=tuple(params.get("dead_hubs") or ()), keep_failed=bool(params.get("keep_failed")),
            expect_from=str(params.get("expect_from") or "design"),
            known_hub_wan=dict(params.get("known_hub_wan") or {}),
            report_dir=Path(params.get("report_dir") or "."), run_tag=str(params.get("run_tag") or "run"),
            design=str(params["design"]) if params.get("design") else None,
        )

    @property
    def away_hubs(self) -> frozenset[str]:
        """Hubs kept down by a lab-made failure of an earlier run: not reachable until restored."""
        return frozenset(self.dead_hubs) if self.failure_mode != FailureMode.INTERFACE_SHUTDOWN else frozenset()
