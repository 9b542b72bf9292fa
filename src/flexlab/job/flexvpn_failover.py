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

from flexlab.harness import dpd_capture, failover_measure, flow, outage, recovery
from flexlab.harness.report import DEFERRED, NOT_RUN

log = logging.getLogger(__name__)


def _report_checks(ctx, testcase: str, results: dict[str, list[str]], steps) -> None:
    """One step per check; the problems of failed checks also go into the report."""
    problems = []
    for check, found in results.items():
        with steps.start(check, continue_=True) as step:
            if found:
                problems.extend(found)
                step.failed("\n".join(found))
    ctx.record_testcase(testcase, "failed" if problems else "passed", problems, list(results))


class CommonSetup(aetest.CommonSetup):
    @aetest.subsection
    def connect(self, testbed, lab):
        ctx = flow.Context.create(testbed, lab, self.parameters)
        self.parent.parameters["ctx"] = ctx
        restored = flow.restore_pending(ctx, by_cli=False)
        if restored:
            log.info("restored hubs an earlier run left failed: %s", ", ".join(restored))
        self._fail_on(ctx, flow.connect_all(ctx), "cannot connect")

    @aetest.subsection
    def apply_configs(self, ctx, skip_config, config_dir):
        if skip_config:
            self.skipped("--skip-config (or configs applied by an earlier run of this job)")
        self._fail_on(ctx, flow.apply_configs(ctx, config_dir), "devices refused configuration lines")

    @aetest.subsection
    def learn(self, ctx):
        self._fail_on(ctx, flow.learn_topology(ctx), "cannot learn the lab from its devices")
        log.info("clock method: %s", ctx.clock_method)

    @aetest.subsection
    def restore_leftovers(self, ctx):
        """Undo a CLI shutdown a killed earlier run left behind (the failure ledger), and its
        outage probes."""
        restored = flow.restore_pending(ctx, by_cli=True)
        if restored:
            log.info("restored hubs an earlier run left failed: %s", ", ".join(restored))
        cleaned = outage.remove_leftover_probes(ctx)
        if cleaned:
            log.info("removed outage probes an earlier run left on: %s", ", ".join(cleaned))

    def _fail_on(self, ctx, problems: list[str], what: str) -> None:
        if problems:
            ctx.record_testcase("CommonSetup", "failed", problems)
            self.failed(f"{what}:\n" + "\n".join(problems), goto=["common_cleanup"])


class Baseline(aetest.Testcase):
    @aetest.test
    def converged(self, ctx, steps):
        _report_checks(ctx, "Baseline", flow.wait_baseline(ctx), steps)


class HubFailure(aetest.Testcase):
    @aetest.test
    def fail_hub(self, ctx, hub, failure_mode):
        if not ctx.baseline_ok:
            ctx.record_testcase("HubFailure", "blocked", ["baseline did not converge"])
            self.blocked("baseline did not converge; failing a hub would prove nothing")
        probes = self.parent.parameters["outage"] = outage.start_probes(ctx, hub)
        if probes.not_run:
            log.warning("no data-plane outage probes: %s", probes.not_run)
        for problem in dpd_capture.start_captures(ctx, hub):
            log.warning("no capture: %s", problem)
        try:
            log.info(flow.fail_hub(ctx, hub, failure_mode))
        except BaseException:
            dpd_capture.stop_captures(ctx)   # no failover to watch: do not leave captures running
            raise
        ctx.record_testcase("HubFailure", "passed")


class Failover(aetest.Testcase):
    @aetest.test
    def spokes_move(self, ctx, hub, steps):
        if not ctx.hub_failed:
            ctx.record_testcase("Failover", "blocked", ["the hub was not failed"])
            self.blocked("the hub was not failed")
        results = {}
        try:
            for record in failover_measure.measure_failover(ctx, hub):
                results[f"{record.spoke} leaves {hub} within the DPD bound"] = [] if record.passed else [record.reason]
        finally:
            for problem in dpd_capture.stop_captures(ctx):
                log.warning(problem)
        results["spokes on the other hub stay where they are"] = failover_measure.unexpected_moves(ctx, hub)
        _report_checks(ctx, "Failover", results, steps)


class DpdSchedule(aetest.Testcase):
    """Failed separately from Failover: the measurement stays valid when the model is wrong."""

    @aetest.test
    def schedule_matches_model(self, ctx, hub, steps):
        if not ctx.hub_failed or ctx.run is None or not ctx.run.spokes:
            ctx.record_testcase("DpdSchedule", "blocked", ["no spoke was measured"])
            self.blocked("no spoke was measured")
        results = dpd_capture.check_schedules(ctx, hub)
        if not results:
            notes = sorted({s.schedule_note for s in ctx.run.spokes})
            ctx.record_testcase("DpdSchedule", dpd_capture.NOT_RUN, notes)
            self.skipped("schedule check not run: " + "; ".join(notes))
        _report_checks(ctx, "DpdSchedule", results, steps)


class BgpConvergence(aetest.Testcase):
    @aetest.test
    def bgp_converges(self, ctx, hub, steps):
        if not ctx.moved:
            ctx.record_testcase("BgpConvergence", "blocked", ["no spoke moved"])
            self.blocked("no spoke moved")
        results = {f"{spoke}: BGP converged on the surviving hub": problems
                   for spoke, problems in failover_measure.wait_bgp_convergence(ctx, hub).items()}
        _report_checks(ctx, "BgpConvergence", results, steps)


class DataPlane(aetest.Testcase):
    """The loss window of IP SLA probes from each moved spoke's LAN; traffic flows again."""

    @aetest.test
    def traffic_flows_again(self, ctx, steps):
        probes = self.parent.parameters.get("outage")
        if not ctx.hub_failed or probes is None:
            ctx.record_testcase("DataPlane", "blocked", ["the hub was not failed"])
            self.blocked("the hub was not failed")
        if probes.not_run:
            ctx.record_testcase("DataPlane", NOT_RUN, [probes.not_run])
            self.skipped(f"outage not measured: {probes.not_run}")
        if not ctx.moved:
            ctx.record_testcase("DataPlane", "blocked", ["no spoke moved"])
            self.blocked("no spoke moved")
        try:
            results = outage.measure(ctx, probes)
        except Exception as exc:   # a lost session: the run must not pass without this check
            ctx.record_testcase("DataPlane", "errored", [f"{type(exc).__name__}: {exc}"])
            raise
        finally:
            for problem in outage.remove_probes(ctx, probes):
                log.warning(problem)
        _report_checks(ctx, "DataPlane", results, steps)


class Recovery(aetest.Testcase):
    @aetest.test
    def hub_recovers(self, ctx, hub, steps):
        if not ctx.hub_failed:
            ctx.record_testcase("Recovery", "blocked", ["the hub was not failed"])
            self.blocked("the hub was not failed")
        if ctx.keep_failed:
            ctx.record_testcase("Recovery", DEFERRED, [], [recovery.kept_failed(ctx)])
            self.skipped(recovery.kept_failed(ctx))
        _report_checks(ctx, "Recovery", recovery.recover(ctx, hub), steps)


class CommonCleanup(aetest.CommonCleanup):
    @aetest.subsection
    def restore_and_report(self, testbed, lab, report_dir, run_tag):
        ctx = self.parent.parameters.get("ctx")
        problems = outage.remove_probes(ctx, self.parent.parameters.get("outage")) if ctx is not None else []
        problems += recovery.cleanup(ctx, testbed, lab, report_dir, run_tag)
        if problems:
            self.failed("\n".join(problems))


if __name__ == "__main__":  # pragma: no cover - standalone run
    aetest.main()
