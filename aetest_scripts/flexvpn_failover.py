"""FlexVPN redundant-hub failover testscript (Cisco document 116413).

One run of this script fails one hub: CommonSetup (connect, apply configs, clocks),
Baseline, HubFailure, Failover, BgpConvergence, Recovery, CommonCleanup. The job file
runs it once per hub in ``--hubs`` and per iteration, then merges the per-run results into
``failover_report.json`` / ``failover_report.md``.

Everything the script knows about the routers it reads from them through Genie parsers
(``flexlab.harness.reads``); the design file only says what is expected. Times are device
seconds, read from the routers' own logs.
"""

from __future__ import annotations

import logging

from pyats import aetest

from flexlab.harness import failover_measure, flow, recovery

log = logging.getLogger(__name__)


class CommonSetup(aetest.CommonSetup):
    @aetest.subsection
    def connect(self, testbed, lab):
        ctx = flow.Context.create(testbed, lab, self.parameters)
        self.parent.parameters["ctx"] = ctx
        problems = flow.connect_all(ctx)
        if problems:
            self.failed("\n".join(problems), goto=["common_cleanup"])

    @aetest.subsection
    def apply_configs(self, ctx, skip_config, config_dir):
        if skip_config:
            self.skipped("--skip-config: the startup configs are trusted")
        refused = flow.apply_configs(ctx, config_dir)
        if refused:
            self.failed("devices refused configuration lines:\n" + "\n".join(refused), goto=["common_cleanup"])

    @aetest.subsection
    def restore_leftovers(self, ctx):
        """Undo failures a killed earlier run left behind (recorded in the lab's ledger)."""
        restored = flow.restore_pending(ctx)
        if restored:
            log.info("restored hubs left failed by an earlier run: %s", ", ".join(restored))

    @aetest.subsection
    def learn(self, ctx):
        problems = flow.learn_topology(ctx)
        if problems:
            self.failed("cannot learn the lab from its devices:\n" + "\n".join(problems), goto=["common_cleanup"])
        log.info("clock method: %s", ctx.clock_method)


class Baseline(aetest.Testcase):
    @aetest.test
    def converged(self, ctx, steps):
        result = flow.wait_baseline(ctx)
        for check, problems in result.items():
            with steps.start(check, continue_=True) as step:
                if problems:
                    step.failed("\n".join(problems))
        ctx.record_testcase("Baseline", self.result)


class HubFailure(aetest.Testcase):
    @aetest.test
    def fail_hub(self, ctx, hub, failure_mode):
        if not ctx.baseline_ok:
            self.blocked("baseline did not converge; failing a hub would prove nothing")
        description = flow.fail_hub(ctx, hub, failure_mode)
        log.info(description)
        ctx.record_testcase("HubFailure", self.result)


class Failover(aetest.Testcase):
    @aetest.test
    def spokes_move(self, ctx, hub, steps):
        if not ctx.hub_failed:
            self.blocked("the hub was not failed")
        for record in failover_measure.measure_failover(ctx, hub):
            with steps.start(f"{record.spoke} leaves {hub} within the DPD bound", continue_=True) as step:
                if record.passed:
                    step.passed(f"{record.spoke}: {record.failover_s:.3f} s <= bound {record.dpd_bound_s:.3f} s ({record.timing_method})")
                else:
                    step.failed(record.reason)
        with steps.start("spokes on the other hub stay where they are", continue_=True) as step:
            moved = failover_measure.unexpected_moves(ctx, hub)
            if moved:
                step.failed("\n".join(moved))
        ctx.record_testcase("Failover", self.result)


class BgpConvergence(aetest.Testcase):
    @aetest.test
    def bgp_converges(self, ctx, hub, steps):
        if not ctx.moved:
            self.blocked("no spoke moved")
        for spoke, problems in failover_measure.wait_bgp_convergence(ctx, hub).items():
            with steps.start(f"{spoke}: BGP converged on the surviving hub", continue_=True) as step:
                if problems:
                    step.failed("\n".join(problems))
        ctx.record_testcase("BgpConvergence", self.result)


class Recovery(aetest.Testcase):
    @aetest.test
    def hub_recovers(self, ctx, hub, steps):
        if not ctx.hub_failed:
            self.blocked("the hub was not failed")
        for check, problems in recovery.recover(ctx, hub).items():
            with steps.start(check, continue_=True) as step:
                if problems:
                    step.failed("\n".join(problems))
        ctx.record_testcase("Recovery", self.result)


class CommonCleanup(aetest.CommonCleanup):
    @aetest.subsection
    def restore_and_report(self, testbed, lab, report_dir, run_tag):
        ctx = self.parent.parameters.get("ctx")
        problems = recovery.cleanup(ctx, testbed, lab, report_dir, run_tag)
        if problems:
            self.failed("\n".join(problems))


if __name__ == "__main__":  # pragma: no cover - standalone run
    aetest.main()
