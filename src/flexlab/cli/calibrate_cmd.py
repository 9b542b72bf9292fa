"""`flexlab calibrate`: measure an image's DPD schedule on any lab and write it as a model.

Runs the failover job (`pyats run job`, the same steps and checks) on the testbed's lab
with captures on, reads the observed schedules from its report, prints them and writes a
model file that `--dpd-model FILE` and a matrix row's `dpd_model:` accept. This replaces
the default assumption with a measurement (docs/timing.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
from pathlib import Path

from flexlab.certify.job import job_argv, job_environment
from flexlab.cli.argtypes import design_options
from flexlab.dpd_model import DpdModelError, model_file_text
from flexlab.errors import FlexlabError
from flexlab.failure import DEFAULT_FAILURE_MODE, FAILURE_MODES
from flexlab.harness.calibrate import infer_model
from flexlab.results.job import JobReportDocument
from flexlab.results.versioning import load_document


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `flexlab calibrate`."""
    parser = subparsers.add_parser(
        "calibrate", help="measure the DPD schedule of an image and write a DPD model file",
        description=("Fail a hub with packet capture on the moving spokes' WAN links (the failover job), print "
                     "the observed DPD schedule and write it as a model entry (YAML) for --dpd-model and a "
                     "matrix row's dpd_model."),
    )
    parser.add_argument("--testbed-file", type=Path, required=True, metavar="TESTBED", help="the lab's pyATS testbed")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="MODEL.yaml", help="model file to write")
    parser.add_argument("--name", default="", help="model name (default: calibrated-<image>)")
    parser.add_argument("--hub", default="hub1", help="hub to fail (default: hub1)")
    parser.add_argument("--failure-mode", choices=FAILURE_MODES, default=DEFAULT_FAILURE_MODE)
    parser.add_argument("--report-dir", type=Path, help="where the job writes its report (default: next to the model)")
    design_options(parser, spokes=False)
    parser.add_argument("--config-dir", type=Path, help="devices run exactly the <device>.cfg files in DIR")
    parser.set_defaults(func=run)


def _job_command(args: argparse.Namespace, report_dir: Path) -> list[str]:
    return job_argv(args.testbed_file, report_dir, args.failure_mode, hubs=(args.hub,), design=args.design,
                    config_dir=args.config_dir)


def _run_job(args: argparse.Namespace, report_dir: Path) -> JobReportDocument:
    report_dir.mkdir(parents=True, exist_ok=True)
    command = _job_command(args, report_dir)
    log_path = report_dir / "calibrate-job.log"
    with open(log_path, "wb") as log:
        completed = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   env=job_environment(command[0]), check=False)
    report_path = report_dir / "failover_report.json"
    if not report_path.exists():
        raise FlexlabError(f"the failover job wrote no report (exit {completed.returncode}); see {log_path}")
    return load_document(report_path, JobReportDocument)


def run(args: argparse.Namespace) -> int:
    """`flexlab calibrate`: run the job, print each spoke's observed DPD schedule, write the inferred model."""
    if not args.testbed_file.is_file():
        raise FlexlabError(f"testbed file {args.testbed_file} does not exist")
    report_dir = (args.report_dir or args.output.parent / f"{args.output.stem}-report").resolve()
    report = _run_job(args, report_dir)
    records = [s for run in report.runs for s in run.spokes]
    for record in records:
        observed = record.schedule.text if record.schedule else ""
        print(f"{record.spoke} (from {record.hub}): {observed or record.schedule_note or 'no schedule'}")
    lab = report.lab
    images = sorted(set(report.images.values()))
    image = lab.image or "image"
    source = (f"flexlab calibrate {dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%MZ} on the {lab.type} "
              f"lab, image {image} ({', '.join(images) or 'version unknown'}), {args.failure_mode} of {args.hub}, "
              f"{len(records)} spoke(s)")
    try:
        default_name = "calibrated-" + image.rsplit("/", 1)[-1].replace(":", "-")
        model, notes = infer_model(records, args.name or default_name, source)
    except DpdModelError as exc:
        raise FlexlabError(f"cannot calibrate from {report_dir / 'failover_report.json'}: {exc}") from None
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(model_file_text(model, f"DPD model measured by flexlab calibrate\n{source}"))
    for note in notes:
        print(f"  {note}")
    print(f"model: {model.spec()}")
    print(f"written to {args.output}")
    return 0
