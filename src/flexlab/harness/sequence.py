"""The job's runs: which hub each run fails, and (--cumulative) which hubs stay failed.

Default: every run fails one hub and restores it. With ``--cumulative`` the hubs of
``--hubs`` are failed in turn and stay failed: run k starts with hubs 1..k-1 down, its
spokes must sit on their first live peer and move on to the next live one; the last run
restores every hub and checks the recovery of all of them. A hub kept down by a lab-made
failure is not read by the later runs: they take its WAN address from the run that failed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flexlab.harness.expectations import undescribed_nodes
from flexlab.results.job import RunRecord
from flexlab.results.versioning import ResultFileError, load_document


@dataclass(frozen=True)
class RunSpec:
    """One hub failure of a job: the hub, the hubs still failed from earlier runs, whether it stays failed."""
    hub: str
    dead_hubs: list[str] = field(default_factory=list)   # failed by earlier runs and still failed
    keep_failed: bool = False                            # leave this run's hub failed


def plan_runs(hubs: list[str], cumulative: bool) -> list[RunSpec]:
    """The runs of a job: each hub on its own, or (cumulative) one after another, left failed."""
    if not cumulative:
        return [RunSpec(hub) for hub in hubs]
    return [RunSpec(hub, hubs[:k], k < len(hubs) - 1) for k, hub in enumerate(hubs)]


def learnt_hub_wan(report_dir: Path, run_tag: str) -> dict[str, str]:
    """The hubs' WAN addresses a finished run read (its run file), for runs that find them down."""
    try:
        return load_document(Path(report_dir) / "runs" / f"{run_tag}.json", RunRecord).hub_wan
    except ResultFileError:
        return {}   # the run wrote nothing: the next run names the hub it cannot place


def testbed_roles(testbed: Any, role: str) -> list[str]:
    """The testbed's devices with ``role`` in their custom data."""
    return [name for name, device in testbed.devices.items() if (device.custom or {}).get("role") == role]


def sequence_problem(testbed: Any, hubs: list[str], *, cumulative: bool) -> str | None:
    """Why the hub sequence cannot run (None when it can)."""
    unknown = [h for h in hubs if h not in testbed.devices]
    if unknown:
        return f"--hubs names devices not in the testbed: {', '.join(unknown)}"
    if not cumulative:
        return None
    if len(hubs) < 2 or len(set(hubs)) != len(hubs):
        return "--cumulative needs at least two different hubs in --hubs (e.g. --hubs hub1,hub2)"
    survivors = [h for h in testbed_roles(testbed, "hub") if h not in hubs]
    if not survivors:
        return f"--cumulative fails every hub of --hubs ({', '.join(hubs)}): leave at least one hub up"
    return None


def expectation_problem(design: Any, testbed: Any, *, expect_from: str, skip_config: bool,
                        config_dir: Any) -> str | None:
    """Why the expectations cannot be had (None when they can)."""
    if expect_from == "configs":
        if not skip_config and config_dir is None:
            return "--expect-from configs needs --skip-config or --config-dir (no design to render configs from)"
        return None
    nodes = testbed_roles(testbed, "hub") + testbed_roles(testbed, "spoke")
    missing = undescribed_nodes(design, nodes)
    if missing:
        return (f"the design {design.source} has no node {', '.join(missing)}: give this lab's design "
                "(--design) or --expect-from configs")
    return None
