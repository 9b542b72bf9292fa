"""CommonCleanup: restore every hub left failed, write the run's record, disconnect."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flexlab.failure import FailureMode
from flexlab.harness.session_errors import SESSION_ERRORS
from flexlab.harness.steps.failure import restore_hub
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.learn import LearnedLab
from flexlab.harness.steps.resources import JobResources
from flexlab.labs.interface import Lab
from flexlab.privatefs import private_dir, write_private
from flexlab.results.job import HubRun, RunRecord
from flexlab.results.records import LabDescription

log = logging.getLogger(__name__)


def write_run(run: HubRun, lab: Lab, inputs: JobInputs, learned: LearnedLab | None, report_dir: Path,
              run_tag: str) -> Path:
    """Write the run's record (private file under ``report_dir``/runs); its path."""
    runs = private_dir(Path(report_dir) / "runs")
    described = LabDescription.model_validate(lab.describe())
    record = RunRecord(run=run, lab=described, images=dict(learned.images) if learned else {},
                       clock_method=learned.clock_method if learned else "", dpd_model=inputs.dpd_model.to_record(),
                       hub_wan={h: str(a) for h, a in learned.hub_wan.items()} if learned else {})
    return write_private(runs / f"{run_tag}.json", record.model_dump_json(indent=2))


def restore_left_failed(resources: JobResources, inputs: JobInputs, learned: LearnedLab | None) -> list[str]:
    """Restore every hub the ledger holds, but those --cumulative keeps failed for the next run."""
    problems: list[str] = []
    kept = (set(inputs.dead_hubs) | {inputs.hub}) if inputs.keep_failed else set()
    wan_if = learned.hub_wan_if if learned else {}
    for hub, mode in resources.ledger.pending(known=resources.hubs).items():
        if hub in kept:
            continue   # --cumulative: the next run expects it failed; the last one restores it
        if mode != FailureMode.INTERFACE_SHUTDOWN and resources.lab.is_failed(hub) is False:
            resources.ledger.remove(hub)   # restored by someone else meanwhile
            continue
        try:
            restore_hub(resources, hub, mode, wan_if.get(hub))
        except Exception as exc:  # noqa: BLE001 - cleanup: the other hubs must be restored whatever this one raised
            problems.append(f"could not restore {hub} ({mode}): {exc}")
    return problems


def cleanup(testbed: Any, lab: Lab, report_dir: Path, run_tag: str, *, resources: JobResources | None = None,
            inputs: JobInputs | None = None, learned: LearnedLab | None = None,
            run: HubRun | None = None) -> list[str]:
    """Always runs: restore every hub this or an earlier run failed, write results, disconnect.

    ``resources``, ``inputs``, ``learned`` and ``run`` are what setup got to (None when it
    stopped before).
    """
    problems: list[str] = []
    why = lab.gone()
    if why:
        problems.append(why)   # nothing left to restore: say so once, not per device
    if resources is not None and inputs is not None and not why:
        problems += restore_left_failed(resources, inputs, learned)
    if run is not None and inputs is not None:
        write_run(run, lab, inputs, learned, report_dir, run_tag)
    for name, device in testbed.devices.items():
        try:
            if device.is_connected():
                device.disconnect()
        except SESSION_ERRORS as exc:
            log.warning("disconnecting %s: %s", name, exc)
    return problems
