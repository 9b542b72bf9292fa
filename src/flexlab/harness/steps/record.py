"""Where the steps' returned values are written into the run's report record (HubRun)."""

from __future__ import annotations

from collections.abc import Mapping

from flexlab.harness.dpd_capture import Schedules
from flexlab.harness.outage import DataPlane
from flexlab.harness.steps.converge import Convergence
from flexlab.harness.steps.failure import FailureRecord
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.measure import Measurements
from flexlab.results.job import HubRun, SpokeFailover, TestcaseStatus


def new_run(inputs: JobInputs) -> HubRun:
    """The empty record of the run ``inputs`` describe."""
    return HubRun(hub=inputs.hub, failure_mode=str(inputs.failure_mode), iteration=inputs.iteration,
                  dead_hubs=list(inputs.dead_hubs), kept_failed=inputs.keep_failed)


def record_testcase(run: HubRun, name: str, result: object, problems: list[str] | None = None,
                    checks: list[str] | None = None) -> None:
    """A testcase's result, and its problems and checks."""
    run.testcases[name] = TestcaseStatus(str(result))
    if checks:
        run.checks[name] = list(checks)
    if problems:
        run.problems[name] = list(problems)


def record_failure(run: HubRun, failure: FailureRecord) -> None:
    """When and how the hub was failed, and how this case is timed."""
    run.failed_at, run.failure_source, run.clock_method = failure.failed_at, failure.source, failure.clock_method


def record_measurements(run: HubRun, measurements: Measurements) -> None:
    """The measured spokes' failover records."""
    run.spokes.extend(measurements.records)


def record_convergence(moved: Mapping[str, SpokeFailover], convergence: Convergence) -> None:
    """Each moved spoke's BGP convergence time, into its failover record."""
    for spoke, seconds in convergence.bgp_converged_s.items():
        moved[spoke].bgp_converged_s = seconds


def record_outage(moved: Mapping[str, SpokeFailover], data_plane: DataPlane) -> None:
    """Each probed spoke's loss windows, into its failover record."""
    for spoke, outage in data_plane.outages.items():
        moved[spoke].outage = outage


def record_schedules(records: list[SpokeFailover], schedules: Schedules) -> None:
    """Each measured spoke's schedule check, into its failover record."""
    by_spoke = {result.spoke: result for result in schedules.results}
    for record in records:
        if (result := by_spoke.get(record.spoke)) is None:
            continue
        record.schedule_result, record.schedule_note = result.result, result.note
        if result.schedule is not None:
            record.schedule, record.capture = result.schedule, result.capture
        if result.declared is not None:
            record.declared_schedule = result.declared
