"""`flexlab certify merge DIR... --out DIR`: one report and one history entry from the
outputs of the shards of a matrix (docs/certification.md, "Sharding")."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from flexlab.certify.merge import MergedRun, merge_outputs
from flexlab.certify.outputs import write_outputs
from flexlab.certify.trend import write_trend
from flexlab.cli.argtypes import OneLineParser
from flexlab.cli.certify_cmd import (
    EXIT_FAILED,
    _history,
    _history_option,
    _owner_only,
    _print_run,
    _print_trend,
    _threshold_option,
)
from flexlab.errors import FlexlabError
from flexlab.locks import lock_output_dir


def register_merge(certify_parser: argparse.ArgumentParser) -> None:
    """Add `flexlab certify merge` under the certify parser."""
    subparsers = certify_parser.add_subparsers(dest="certify_command", metavar="merge", parser_class=OneLineParser)
    parser = subparsers.add_parser(
        "merge", help="merge the outputs of a matrix's shards into one",
        description=(
            "Reads summary.json of every DIR (outputs of `flexlab certify --shard` or --rows of one matrix), "
            "writes summary.json, report.md, report.html, junit.xml and failover.png into --out, with the rows "
            "in matrix order and their files copied, and records the rows in the history, each once: merging "
            "the same outputs again records nothing. Refuses outputs of different matrices and a row found "
            "twice (exit code 2). Exit code 1 when a row failed (with --trend: when a row regressed), else 0."
        ),
    )
    parser.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="shard output directories")
    parser.add_argument("--out", dest="merge_out", type=Path, required=True, metavar="DIR",
                        help="output directory of the merged run")
    _history_option(parser)
    parser.add_argument("--no-history", action="store_true", help="do not record the merged rows in the history")
    parser.add_argument("--trend", action="store_true",
                        help="also write OUT/trend (as `flexlab nightly`) and exit 1 only on a regression")
    _threshold_option(parser)
    parser.add_argument("--json", action="store_true", help="print the merged summary.json on stdout")
    parser.set_defaults(func=run_merge)


def record_once(merged: MergedRun, args: argparse.Namespace) -> tuple[int | None, str]:
    """Record the rows the history does not hold yet; (run id or None, a note for people)."""
    history = _history(args)
    known = history.recorded(merged.digests)
    new = [(row, digest) for row, digest in zip(merged.run.rows, merged.digests, strict=True) if digest not in known]
    if not new:
        return None, f"history: every row is in {history.path} already; nothing recorded"
    run = merged.run.model_copy(update={"rows": [row for row, _ in new]})
    run_id = history.record(run, [digest for _, digest in new])
    return run_id, f"history: run {run_id} recorded in {history.path} ({len(new)} of {len(merged.digests)} rows new)"


@_owner_only
def run_merge(args: argparse.Namespace) -> int:
    """`flexlab certify merge`: one run from shard outputs, recorded once; 1 on a failed row (--trend: a regression)."""
    if args.no_history and (args.history or args.trend):
        raise FlexlabError("--no-history excludes --history and --trend")
    out_dir = args.merge_out
    with lock_output_dir(out_dir, "merge output directory"):
        merged = merge_outputs(args.dirs, out_dir.resolve())
        if not merged.run.rows:
            raise FlexlabError(f"no row to merge in {', '.join(map(str, args.dirs))}")
        paths = write_outputs(merged.run, out_dir)
        run_id, note = record_once(merged, args) if not args.no_history else (None, "")
        trend = write_trend(_history(args), out_dir / "trend", args.threshold, run_id=run_id) if args.trend else None
    if merged.missing:
        print(f"flexlab certify merge: no output holds row(s) {', '.join(merged.missing)}", file=sys.stderr)
    if args.json:
        print(json.dumps(merged.run.to_dict(), indent=2))
    else:
        _print_run(merged.run, paths, note)
        if trend is not None:
            _print_trend(trend)
    if trend is not None:
        return EXIT_FAILED if trend.regressions else 0
    return 0 if merged.run.passed else EXIT_FAILED
