"""pyATS job: FlexVPN redundant-hub failover, one testscript run per failed hub.

    pyats run job src/flexlab/job/flexvpn_failover_job.py --testbed-file src/flexlab/data/testbeds/embedded.yaml \
        [--failure-mode interface-shutdown|node-stop|freeze|blackhole] [--hubs hub1,hub2] \
        [--config-dir DIR] [--skip-config] [--iterations N] [--report-dir DIR] [--dpd-model MODEL] \
        [--no-capture] [--cumulative] [--expect-from design|configs]

--dpd-model declares the image's DPD behaviour (flexlab.dpd_model): a name (ios-fixed-5,
the default assumption), a key=value list (retransmits=3,backoff=exponential,factor=2) or
a model file written by `flexlab calibrate`. The bound follows it and the DpdSchedule
testcase checks it against the schedule captured on each moved spoke's WAN link.

--cumulative keeps each hub of --hubs failed while the next one is failed (spokes move
on along their client block's peer order); the last run restores them all. --expect-from
configs takes the expected routing (overlay address, summary, spoke LANs, inter-hub
neighbours) from the running configs, for a user topology the design does not describe.

With an embedded-lab testbed the job starts the lab itself when it is not running, and
stops it at the end (a lab that was already up is used and left running).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from pyats.easypy import run

from flexlab.cli.argtypes import OneLineParser, fail_usage, positive_int
from flexlab.design import load_design
from flexlab.dpd_model import DpdModelError, parse_model
from flexlab.errors import FlexlabError
from flexlab.failure import DEFAULT_FAILURE_MODE, FAILURE_MODES
from flexlab.harness.expectations import SOURCES as EXPECTATION_SOURCES
from flexlab.harness.job_report import merge_run_files
from flexlab.harness.scrub import scrub_run_dir, secret_values
from flexlab.harness.sequence import (
    expectation_problem,
    learnt_hub_wan,
    plan_runs,
    sequence_problem,
    testbed_roles,
)
from flexlab.labs.session import check_job_inputs, lab_settings, open_lab
from flexlab.locks import lock_output_dir
from flexlab.privatefs import make_private

HERE = Path(__file__).resolve().parent
TESTSCRIPT = HERE / "flexvpn_failover.py"
log = logging.getLogger(__name__)


def job_parser() -> argparse.ArgumentParser:
    """The job's own options: easypy takes its own and leaves only the others in sys.argv."""
    parser = OneLineParser(prog="flexvpn_failover_job", add_help=False)
    parser.add_argument("--failure-mode", choices=FAILURE_MODES, default=DEFAULT_FAILURE_MODE)
    parser.add_argument("--hubs", default="", help="comma-separated hubs to fail in turn (default: every hub)")
    parser.add_argument("--config-dir", type=Path, help="devices run exactly the <device>.cfg files in DIR")
    parser.add_argument("--skip-config", action="store_true", help="trust the startup configs")
    parser.add_argument("--iterations", type=positive_int, default=1)
    parser.add_argument("--report-dir", type=Path)
    parser.add_argument("--design", type=Path, help="design file with the expectations (default: the packaged design)")
    parser.add_argument("--dpd-model", default="", help="declared DPD model: name, key=value list or model file")
    parser.add_argument("--no-capture", action="store_true", help="no packet capture: the DpdSchedule check is not run")
    parser.add_argument("--cumulative", action="store_true",
                        help="keep each hub of --hubs failed while the next is failed; restore them all at the end")
    parser.add_argument("--expect-from", choices=EXPECTATION_SOURCES, default="design",
                        help="expected routing from the design file or from the devices' running configs")
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The job's options from the arguments easypy passed on (easypy keeps its own: whatever is
    left that the job does not know is a typo, refused rather than ignored); a bad DPD model is a
    usage error too."""
    parser = job_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        fail_usage(parser.prog, f"unrecognized arguments: {' '.join(unknown)} (neither pyATS nor the job knows them)")
    try:
        parse_model(args.dpd_model)
    except DpdModelError as exc:
        fail_usage(parser.prog, str(exc))
    return args


def main(runtime) -> None:
    """easypy's entry point: run the testscript once per hub and iteration, then merge the report."""
    os.umask(0o077)   # reports, logs and the archive hold lab secrets: owner-only
    design: Path | None = None
    try:
        args = parse_args(sys.argv[1:])
        design = args.design
        _run_job(runtime, args)
    finally:   # easypy wrote env.txt before main: scrub on every way out, before it archives
        _scrub_run_dir(Path(runtime.directory), design)


def _scrub_run_dir(run_dir: Path, design: Path | None) -> None:
    try:
        secrets = load_design(design).model.secrets
    except FlexlabError:
        secrets = None   # the default variable names still cover FLEXLAB_PSK / _PASSWORD / _ENABLE
    scrubbed = scrub_run_dir(run_dir, secret_values(secrets))
    log.info("secrets scrubbed from %d file(s) of the run directory", len(scrubbed))


def _run_job(runtime, args: argparse.Namespace) -> None:
    testbed = runtime.testbed
    if testbed is None:
        fail_usage("flexvpn_failover_job", "give a testbed with --testbed-file (e.g. by flexlab lab up --testbed-out)")
    settings = lab_settings(testbed)
    hubs = [h for h in args.hubs.split(",") if h] or testbed_roles(testbed, "hub")
    if problem := sequence_problem(testbed, hubs, cumulative=args.cumulative):
        fail_usage("flexvpn_failover_job", problem)
    report_dir = (args.report_dir or Path(runtime.directory)).resolve()
    try:
        check_job_inputs(testbed, args.config_dir, args.design)
        spokes = settings.get("spokes")
        design = load_design(args.design, spokes=int(spokes) if spokes else None)
        if problem := expectation_problem(design, testbed, expect_from=args.expect_from,
                                          skip_config=args.skip_config, config_dir=args.config_dir):
            fail_usage("flexvpn_failover_job", problem)
        report_lock = lock_output_dir(report_dir, "report directory")
        session = open_lab(testbed, config_dir=args.config_dir)
    except FlexlabError as exc:
        fail_usage("flexvpn_failover_job", str(exc))
    for stale in (report_dir / "runs").glob("*.json"):
        stale.unlink()  # results of an earlier job in the same report directory
    first = True
    known_hub_wan: dict[str, str] = {}   # hubs' WAN addresses as runs read them (for hubs later kept down)
    try:
        for iteration in range(1, args.iterations + 1):
            for spec in plan_runs(hubs, args.cumulative):
                hub = spec.hub
                tag = f"{hub}-{iteration}"
                run(
                    testscript=str(TESTSCRIPT), runtime=runtime, taskid=f"failover-{tag}",
                    testbed=testbed, lab=session.lab, hub=hub, failure_mode=args.failure_mode, iteration=iteration,
                    dead_hubs=spec.dead_hubs, keep_failed=spec.keep_failed, expect_from=args.expect_from,
                    known_hub_wan=dict(known_hub_wan),
                    skip_config=args.skip_config or not first, config_dir=args.config_dir,
                    report_dir=report_dir, run_tag=tag, kind=settings.get("kind", "cisco_iol"),
                    design=str(args.design) if args.design else None, dpd_model=args.dpd_model,
                    capture=not args.no_capture,
                )
                first = False
                known_hub_wan.update(learnt_hub_wan(report_dir, tag))
    finally:
        session.close()
        written = merge_run_files(report_dir, extra_dirs=[Path(runtime.directory)])
        make_private(report_dir)
        report_lock.release()
        for path in written:
            log.info("report: %s", path)
            print(f"flexlab report: {path}")
