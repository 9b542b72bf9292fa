"""`flexlab certify`, `flexlab trend`, `flexlab nightly`: image certification over a matrix,
trends across runs, and the nightly combination of both for cron or CI."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flexlab.certify.history import History, default_history_path
from flexlab.certify.matrix import Matrix, load_matrix
from flexlab.certify.outputs import SUMMARY, OutputPaths, summary_cells, write_outputs, write_summary
from flexlab.certify.plan import RunPlan, plan_run
from flexlab.certify.progress import Progress, paint, paint_verdict
from flexlab.certify.runner import RunnerOptions, certify
from flexlab.certify.trend import DEFAULT_THRESHOLD_PCT, TrendResult, write_trend
from flexlab.cli.argtypes import fail_usage, positive_int
from flexlab.errors import FlexlabError
from flexlab.locks import lock_output_dir
from flexlab.results.certify import CertifyRun, ShardPart

#: Exit code of `flexlab nightly` when a regression is found (and of certify on a failed row).
EXIT_FAILED = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `flexlab certify` (with `certify merge`), `flexlab trend` and `flexlab nightly`."""
    _register_certify(subparsers)
    _register_trend(subparsers)
    _register_nightly(subparsers)


def _history_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--history", type=Path, default=None, metavar="DB",
        help=f"SQLite history database (default: {default_history_path()})",
    )


def _threshold_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threshold", type=float, default=DEFAULT_THRESHOLD_PCT, metavar="PCT",
        help="a median failover time that grew by more than PCT %% is a regression (default: %(default)g)",
    )


def _matrix_options(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "--matrix", type=Path, required=required, metavar="FILE",
        help="matrix YAML (see docs/certification.md)" + ("" if required else "; required"),
    )
    parser.add_argument("--row", action="append", default=[], metavar="NAME", help="certify only this row (repeatable)")
    parser.add_argument("--rows", action="append", default=[], metavar="NAME[,NAME]",
                        help="certify only these rows (comma-separated; repeatable)")
    parser.add_argument("--jobs", type=positive_int, default=1, metavar="J",
                        help="rows at once on this host, each in its own lab (containerlab rows: while their memory"
                             " estimates fit in MemAvailable; default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the machine-readable result on stdout")


def _register_certify(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "certify", help="certify every image of a matrix with the failover job",
        description=(
            "For each matrix row: bring the lab up with the row's image, run the failover job per failure mode, "
            "collect its report, tear the lab down. Writes summary.json, report.md, report.html, junit.xml and "
            "failover.png into --out and appends the run to the history. Exit code 0 when every row passes, "
            "1 when a row fails, 2 on a usage or matrix error (nothing deployed)."
        ),
    )
    _matrix_options(parser, required=False)   # not for `certify merge`
    parser.add_argument("--shard", default=None, metavar="K/N|auto",
                        help="certify shard K of N (rows balanced by expected duration, the same split on every"
                             " runner); auto: GitLab's CI_NODE_INDEX/CI_NODE_TOTAL. A shard reads the history"
                             " and does not write it: `flexlab certify merge` records the merged run")
    parser.add_argument("--out", type=Path, metavar="DIR", help="output directory (required)")
    _history_option(parser)
    parser.add_argument("--no-history", action="store_true", help="do not record this run in the history")
    parser.set_defaults(func=run_certify)
    from flexlab.cli.certify_merge_cmd import register_merge  # it uses this module's helpers

    register_merge(parser)


def _register_trend(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "trend", help="draw failover and convergence times across runs and list regressions",
        description=(
            "Reads the history and writes trend_failover.png, trend_convergence.png, trend.html and trend.json "
            "into --out. A regression is a row that passed in its previous run and does not now, or whose median "
            "failover time grew by more than --threshold percent. Exit code 0 (see `flexlab nightly` to fail on "
            "regressions)."
        ),
    )
    _history_option(parser)
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    _threshold_option(parser)
    parser.add_argument("--json", action="store_true", help="print trend.json on stdout")
    parser.set_defaults(func=run_trend)


def _register_nightly(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "nightly", help="certify + trend; exit code 1 on a regression (for cron or CI)",
        description=(
            "Runs `flexlab certify`, records the run in the history, then `flexlab trend` into OUT/trend. "
            "Exit code 1 when this run shows a regression (or, with --strict, when any row fails), "
            "2 on a usage or matrix error, 0 otherwise."
        ),
    )
    _matrix_options(parser)
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="output directory (default: reports/nightly/<UTC timestamp>)")
    _history_option(parser)
    _threshold_option(parser)
    parser.add_argument("--strict", action="store_true", help="also exit 1 when a row fails without regressing")
    parser.set_defaults(func=run_nightly)


# ---------------------------------------------------------------------------------------

@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """CI cancels with SIGTERM: treat it like Ctrl-C so the deployed lab is destroyed."""
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _load_plan(args: argparse.Namespace, history: History | None) -> RunPlan:
    matrix: Matrix = load_matrix(args.matrix)
    names = [*args.row, *(name.strip() for value in args.rows for name in value.split(",") if name.strip())]
    return plan_run(matrix, names, getattr(args, "shard", None), history)


def _run_matrix(plan: RunPlan, out_dir: Path, jobs: int) -> tuple[CertifyRun, OutputPaths | None]:
    with _sigterm_as_interrupt():
        options = RunnerOptions(out_dir=out_dir.resolve(), progress=Progress(), jobs=jobs, expected_s=plan.expected_s)
        run = certify(plan.matrix, options) if plan.matrix.rows else plan.empty_run(out_dir.resolve())
    plan.describe(run)
    if not run.rows:   # a shard with no row: its summary says so, for the merge
        out_dir.mkdir(parents=True, exist_ok=True)
        write_summary(run, out_dir / SUMMARY)
        return run, None
    return run, write_outputs(run, out_dir)


def _history(args: argparse.Namespace) -> History:
    return History(args.history or default_history_path())


def _print_run(run: CertifyRun, paths: OutputPaths | None, history_note: str) -> None:
    out = sys.stdout
    if paths is None:
        part = run.shard.shard if isinstance(run.shard, ShardPart) else None
        print(f"no row to certify in shard {part}: summary.json written", file=out)
        return
    width = max(len(row.name) for row in run.rows)
    for row in run.rows:
        cells = summary_cells(row)
        figures = f"failover median {cells['failover_median']} s, bound {cells['bound']} s, BGP {cells['bgp_median']} s"
        failed = f"  failed: {cells['failed_checks']}" if row.failed_checks else ""
        print(f"{paint_verdict(row.verdict, out, 5)}  {row.name:<{width}}  {figures}{failed}", file=out)
    counts = run.counts
    verdict = paint_verdict("PASS" if run.passed else "FAIL", out)
    print(f"\n{verdict}: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['ERROR']} errored", file=out)
    for path in paths.all():
        print(f"  {path}", file=out)
    if history_note:
        print(history_note, file=out)


def _owner_only(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Reports, archives and job logs of a certification may hold lab secrets: every file the
    command and its jobs create is owner-only (0600, dirs 0700). The umask is restored after."""
    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        previous = os.umask(0o077)
        try:
            return command(args)
        finally:
            os.umask(previous)
    return run


@_owner_only
def run_certify(args: argparse.Namespace) -> int:
    """`flexlab certify`: run the matrix (or its shard), write the outputs, record the run; 1 when a row fails."""
    if args.matrix is None or args.out is None:
        fail_usage("flexlab certify", "the following arguments are required: --matrix, --out")
    if args.no_history and args.history:
        raise FlexlabError("--history and --no-history exclude each other")
    history = _history(args)
    plan = _load_plan(args, None if args.no_history else history)
    with lock_output_dir(args.out, "certify output directory"):
        run, paths = _run_matrix(plan, args.out, args.jobs)
        note = ""
        if plan.shard is not None:
            note = "history: not recorded (a shard; `flexlab certify merge --history DB` records the merged run)"
        elif not args.no_history:
            run_id = history.record(run)
            note = f"history: run {run_id} recorded in {history.path}"
    if args.json:
        print(json.dumps(run.to_dict(), indent=2))
    else:
        _print_run(run, paths, note)
    if not run.rows:
        return 0          # an empty shard failed nothing
    return 0 if run.passed else EXIT_FAILED


def _print_trend(result: TrendResult) -> None:
    out = sys.stdout
    if result.regressions:
        print(paint(f"{len(result.regressions)} regression(s):", "red", out), file=out)
        for r in result.regressions:
            print(f"  {r.matrix}/{r.row} ({r.image}), {r.kind}: {r.detail}", file=out)
    else:
        print(paint("no regression", "green", out), file=out)
    for path in result.paths:
        print(f"  {path}", file=out)


@_owner_only
def run_trend(args: argparse.Namespace) -> int:
    """`flexlab trend`: charts and regressions from the history; exit code 0 (nightly fails on regressions)."""
    history = _history(args)
    history.run_count()   # a missing or foreign database is refused before --out is created
    with lock_output_dir(args.out, "trend output directory"):
        result = write_trend(history, args.out, args.threshold)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        _print_trend(result)
    return 0


@_owner_only
def run_nightly(args: argparse.Namespace) -> int:
    """`flexlab nightly`: certify, record, trend; 1 on a regression (with --strict also on a failed row)."""
    out_dir = args.out or Path("reports") / "nightly" / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    history = _history(args)
    plan = _load_plan(args, history)
    with lock_output_dir(out_dir, "nightly output directory"):
        run, paths = _run_matrix(plan, out_dir, args.jobs)
        run_id = history.record(run)
        trend = write_trend(history, out_dir / "trend", args.threshold, run_id=run_id)
    if args.json:
        print(json.dumps({"summary": run.to_dict(), "trend": trend.to_dict(), "history_run": run_id}, indent=2))
    else:
        _print_run(run, paths, f"history: run {run_id} recorded in {history.path}")
        _print_trend(trend)
    if trend.regressions or (args.strict and not run.passed):
        return EXIT_FAILED
    return 0
