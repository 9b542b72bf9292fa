"""FlexVPN redundant-hub failover testscript (Cisco document 116413).

One run of this script fails one hub: CommonSetup (connect, apply configs, clocks),
Baseline, HubFailure (captures on the moving spokes' WAN links start first), Failover,
DpdSchedule (the captured schedule against the declared DPD model), BgpConvergence,
DataPlane (the loss window of IP SLA probes), Recovery, CommonCleanup. The job file
runs it once per hub in ``--hubs`` and per iteration, then merges the per-run results into
``failover_report.json`` / ``failover_report.md``.

Everything the script knows about the routers it reads from them through Genie parsers
(``flexlab.harness.reads``); the design file only says what is expected. Times are device
seconds, read from the routers' own logs.
"""

from __future__ import annotations

import logging

from pyats import aetest

from flexlab.harness import dpd_capture, outage
from flexlab.harness.checks import problems_of
from flexlab.harness.report import DEFERRED, NOT_RUN
from flexlab.harness.steps import cleanup, record, recovery, setup
from flexlab.harness.steps.baseline import wait_baseline
from flexlab.harness.steps.converge import converge
from flexlab.harness.steps.failure import attempt_failure, restore_cli_shutdowns, restore_lab_made
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.learn import learn
from flexlab.harness.steps.measure import OTHERS_STAY, measure, unexpected_moves
from flexlab.harness.steps.resources import JobResources
from flexlab.harness.steps.setup import apply_configs, connect_all

log = logging.getLogger(__name__)


def _report_checks(run, testcase: str, results: dict[str, list[str]], steps) -> None:
    """One step per check; the problems of failed checks also go into the report."""
    for check, found in results.items():
        with steps.start(check, continue_=True) as step:
            if found:
                step.failed("\n".join(found))
    problems = problems_of(results)
    record.record_testcase(run, testcase, "failed" if problems else "passed", problems, list(results))


class CommonSetup(aetest.CommonSetup):
    """Connect, apply the configs, learn the lab from its devices, undo what a killed run left."""
    @aetest.subsection
    def connect(self, testbed, lab):
        """Build the run's inputs and record, open the devices, restore lab-made failures left behind."""
        inputs = self.parent.parameters["inputs"] = JobInputs.from_parameters(self.parameters)
        run = self.parent.parameters["run"] = record.new_run(inputs)
        resources = self.parent.parameters["resources"] = JobResources.open(testbed, lab, inputs)
        restored = restore_lab_made(resources, inputs)
        if restored:
            log.info("restored hubs an earlier run left failed: %s", ", ".join(restored))
        self._fail_on(run, {setup.CONNECTED: connect_all(resources, inputs)}, "cannot connect")

    @aetest.subsection
    def apply_configs(self, run, resources, inputs, skip_config, config_dir):
        """Apply each device's config over the CLI (every refused line fails the setup)."""
        if skip_config:
            self.skipped("--skip-config (or configs applied by an earlier run of this job)")
        self._fail_on(run, {setup.CONFIG_ACCEPTED: apply_configs(resources, inputs, config_dir)},
                      "devices refused configuration lines")

    @aetest.subsection
    def learn(self, run, resources, inputs):
        """Read WAN addresses, peers, clock offsets and versions from the devices."""
        learned = self.parent.parameters["learned"] = learn(resources, inputs)
        self._fail_on(run, dict(learned.checks), "cannot learn the lab from its devices")
        log.info("clock method: %s", learned.clock_method)

    @aetest.subsection
    def restore_leftovers(self, resources, inputs, learned):
        """Undo a CLI shutdown a killed earlier run left behind (the failure ledger), and its
        outage probes."""
        restored = restore_cli_shutdowns(resources, inputs, learned)
        if restored:
            log.info("restored hubs an earlier run left failed: %s", ", ".join(restored))
        cleaned, self.parent.parameters["learned"] = outage.remove_leftover_probes(resources, learned)
        if cleaned:
            log.info("removed outage probes an earlier run left on: %s", ", ".join(cleaned))

    def _fail_on(self, run, results: dict[str, list[str]], what: str) -> None:
        """Note the checks a subsection made; on any problem, record them all and go to cleanup."""
        made = self.__dict__.setdefault("checks_made", [])
        made.extend(results)
        problems = problems_of(results)
        if problems:
            record.record_testcase(run, "CommonSetup", "failed", problems, made)
            self.failed(f"{what}:\n" + "\n".join(problems), goto=["common_cleanup"])


class Baseline(aetest.Testcase):
    """Before any failure: spokes on their first live peer, SAs READY, BGP up, routes as designed."""
    @aetest.test
    def converged(self, run, resources, inputs, learned, steps):
        """Poll the baseline checks until they hold or the allowance runs out; one step per check."""
        baseline = self.parent.parameters["baseline"] = wait_baseline(resources, learned, inputs.dead_hubs)
        _report_checks(run, "Baseline", dict(baseline.checks), steps)


class HubFailure(aetest.Testcase):
    """Start the probes and captures, then fail the hub the way --failure-mode says."""
    @aetest.test
    def fail_hub(self, run, resources, inputs, learned, hub):
        """Fail the hub (ledger entry first) and record when and how the instant was taken."""
        baseline = self.parent.parameters.get("baseline")
        if baseline is None or not baseline.ok:
            record.record_testcase(run, "HubFailure", "blocked", ["baseline did not converge"])
            self.blocked("baseline did not converge; failing a hub would prove nothing")
        probes = self.parent.parameters["outage"] = outage.start_probes(resources, learned, baseline, hub)
        if probes.not_run:
            log.warning("no data-plane outage probes: %s", probes.not_run)
        captures = self.parent.parameters["captures"] = dpd_capture.start_captures(
            resources, learned, inputs, baseline, hub)
        run.capture_wall_s.update(captures.wall_s)
        for problem in captures.problems.values() if inputs.capture else ():
            log.warning("no capture: %s", problem)
        try:
            attempt = attempt_failure(resources, learned, hub, inputs.failure_mode)
        except BaseException:
            dpd_capture.stop_captures(captures)   # no failover to watch: do not leave captures running
            raise
        failure = attempt.record
        if failure is None:
            dpd_capture.stop_captures(captures)
            record.record_testcase(run, "HubFailure", "failed", attempt.problems, list(attempt.checks))
            self.failed("\n".join(attempt.problems))
            return
        self.parent.parameters["failure"] = failure
        record.record_failure(run, failure)
        log.info(failure.describe())
        record.record_testcase(run, "HubFailure", "passed", [], list(attempt.checks))


class Failover(aetest.Testcase):
    """Each spoke of the failed hub reaches its expected backup within the DPD bound; the others stay."""
    @aetest.test
    def spokes_move(self, run, resources, inputs, learned, hub, steps):
        """Measure every move from the devices' logs and judge it against its bound."""
        failure, captures = self.parent.parameters.get("failure"), self.parent.parameters.get("captures")
        if failure is None:
            record.record_testcase(run, "Failover", "blocked", ["the hub was not failed"])
            self.blocked("the hub was not failed")
        baseline = self.parent.parameters["baseline"]   # a failed hub had a converged baseline
        try:
            measurements = self.parent.parameters["measurements"] = measure(resources, learned, inputs, baseline,
                                                                            failure)
            record.record_measurements(run, measurements)
        finally:
            for problem in dpd_capture.stop_captures(captures):
                log.warning(problem)
            run.capture_wall_s.update(captures.wall_s)
        results = measurements.checks(hub)
        results[OTHERS_STAY] = unexpected_moves(resources, baseline, learned.hub_wan[hub])
        run.unmoved_ok = not results[OTHERS_STAY]
        _report_checks(run, "Failover", results, steps)


class DpdSchedule(aetest.Testcase):
    """Failed separately from Failover: the measurement stays valid when the model is wrong."""

    @aetest.test
    def schedule_matches_model(self, run, inputs, learned, steps):
        """Compare each captured R-U-THERE schedule with the declared DPD model."""
        failure, captures = self.parent.parameters.get("failure"), self.parent.parameters.get("captures")
        if failure is None or not run.spokes:
            record.record_testcase(run, "DpdSchedule", "blocked", ["no spoke was measured"])
            self.blocked("no spoke was measured")
        schedules = dpd_capture.check_schedules(captures, learned, inputs, failure, [s.spoke for s in run.spokes])
        record.record_schedules(run.spokes, schedules)
        run.capture_wall_s.update(captures.wall_s)
        results = schedules.checks()
        if not results:
            notes = schedules.notes()
            record.record_testcase(run, "DpdSchedule", NOT_RUN, notes)
            self.skipped("schedule check not run: " + "; ".join(notes))
        _report_checks(run, "DpdSchedule", results, steps)


def _moved(parameters) -> dict:
    measurements = parameters.get("measurements")
    return dict(measurements.moved) if measurements is not None else {}


class BgpConvergence(aetest.Testcase):
    """BGP to the overlay is Established again on every moved spoke and the routes are as designed."""
    @aetest.test
    def bgp_converges(self, run, resources, learned, steps):
        """Poll until the moved spokes' BGP converges; record each spoke's convergence time."""
        moved = _moved(self.parent.parameters)
        if not moved:
            record.record_testcase(run, "BgpConvergence", "blocked", ["no spoke moved"])
            self.blocked("no spoke moved")
        convergence = converge(resources, learned, self.parent.parameters["failure"], moved)
        record.record_convergence(moved, convergence)
        _report_checks(run, "BgpConvergence", convergence.checks(), steps)


class DataPlane(aetest.Testcase):
    """The loss window of IP SLA probes from each moved spoke's LAN; traffic flows again."""

    @aetest.test
    def traffic_flows_again(self, run, resources, learned, steps):
        """Read the probes' loss windows; traffic must flow again after the move."""
        probes, failure = self.parent.parameters.get("outage"), self.parent.parameters.get("failure")
        if failure is None or probes is None:
            record.record_testcase(run, "DataPlane", "blocked", ["the hub was not failed"])
            self.blocked("the hub was not failed")
        if probes.not_run:
            record.record_testcase(run, "DataPlane", NOT_RUN, [probes.not_run])
            self.skipped(f"outage not measured: {probes.not_run}")
        moved = _moved(self.parent.parameters)
        if not moved:
            record.record_testcase(run, "DataPlane", "blocked", ["no spoke moved"])
            self.blocked("no spoke moved")
        try:
            data_plane = outage.measure(resources, learned, failure, probes, moved)
        except Exception as exc:   # a lost session: the run must not pass without this check
            record.record_testcase(run, "DataPlane", "errored", [f"{type(exc).__name__}: {exc}"])
            raise
        finally:
            for problem in outage.remove_probes(resources, probes):
                log.warning(problem)
        record.record_outage(moved, data_plane)
        _report_checks(run, "DataPlane", data_plane.checks(), steps)


class Recovery(aetest.Testcase):
    """Restore the hub (unless --cumulative keeps it failed) and send the spokes home: the baseline holds again."""
    @aetest.test
    def hub_recovers(self, run, resources, inputs, learned, steps):
        """Restore, wait for the hub, send spokes home, check the baseline again."""
        failure = self.parent.parameters.get("failure")
        if failure is None:
            record.record_testcase(run, "Recovery", "blocked", ["the hub was not failed"])
            self.blocked("the hub was not failed")
        if inputs.keep_failed:
            record.record_testcase(run, "Recovery", DEFERRED, [], [recovery.kept_failed(inputs)])
            self.skipped(recovery.kept_failed(inputs))
        result = recovery.recover(resources, learned, inputs, failure, _moved(self.parent.parameters))
        run.recovery = result.verdict
        _report_checks(run, "Recovery", dict(result.checks), steps)


class CommonCleanup(aetest.CommonCleanup):
    """Always runs: restore every hub still failed, write the run's record, disconnect."""
    @aetest.subsection
    def restore_and_report(self, testbed, lab, report_dir, run_tag):
        """Restore and write the record even after a crash (the failure ledger covers a killed run)."""
        found = self.parent.parameters.get
        resources = found("resources")
        problems = outage.remove_probes(resources, found("outage")) if resources is not None else []
        problems += cleanup.cleanup(testbed, lab, report_dir, run_tag, resources=resources, inputs=found("inputs"),
                                    learned=found("learned"), run=found("run"))
        if problems:
            self.failed("\n".join(problems))


if __name__ == "__main__":  # pragma: no cover - standalone run
    aetest.main()
