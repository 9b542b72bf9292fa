"""Summarise a `mutmut run` (make mutation) into benchmarks/results/mutation.json and .md.

Reads mutmut's own result store (mutants/**/*.meta, through mutmut's API: the version is
pinned in pyproject's `mutation` extra), counts killed / survived / timeout / no tests per
module, lists every mutant that was not killed with its diff, and attaches the explanation
written down for it in benchmarks/mutation_survivors.yaml. An explanation applies only while
the recorded diff still matches the mutant (mutmut numbers mutants per function, so an edited
function renumbers them): a stale one is reported as unexplained.

Exit code 1 when the kill rate over all mutated modules is below --min-kill-rate, 2 for
unusable input (no mutants/ store, a malformed survivors file).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "benchmarks" / "results"
SURVIVORS_FILE = ROOT / "benchmarks" / "mutation_survivors.yaml"
#: mutmut statuses that count as detected: a failing test, or a test run the mutant made hang
DETECTED = ("killed", "timeout")
EXPLANATION_KINDS = ("equivalent", "accepted")


class ReportInputError(Exception):
    """Input the report cannot use; the message names the file, field and cause."""


@dataclass(frozen=True)
class Mutant:
    name: str
    module: str
    status: str
    diff: str


def changed_lines(diff: str) -> str:
    """The -/+ lines of a unified diff: what identifies a mutation independently of context."""
    lines = diff.splitlines()[2:]  # drop the ---/+++ header
    return "\n".join(line for line in lines if line[:1] in "-+").strip()


def read_store() -> list[Mutant]:
    """Every mutant of the configured modules, from mutmut's store under mutants/ (cwd = ROOT)."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    mutants: list[Mutant] = []
    for path in walk_mutatable_files():
        meta = Path("mutants") / (str(path) + ".meta")
        if not meta.exists():
            raise ReportInputError(f"{meta}: missing: run `make mutation` first (mutmut result store)")
        data = SourceFileMutationData(path=path)
        data.load()
        for name, exit_code in data.exit_code_by_key.items():
            status = status_by_exit_code[exit_code]
            diff = "" if status == "killed" else changed_lines(get_diff_for_mutant(name, path=path))
            mutants.append(Mutant(name, str(path), status, diff))
    if not mutants:
        raise ReportInputError("mutants/: no mutants found: run `make mutation` first")
    return mutants


def load_explanations(path: Path) -> dict[str, dict[str, str]]:
    """mutant name -> {"diff": ..., "equivalent"|"accepted": reason}."""
    if not path.exists():
        return {}
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ReportInputError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(raw, dict):
        raise ReportInputError(f"{path}: top level: expected a mapping of mutant name -> explanation")
    for name, entry in raw.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("diff"), str):
            raise ReportInputError(f"{path}: {name}: expected a mapping with a 'diff' string")
        kinds = [k for k in EXPLANATION_KINDS if isinstance(entry.get(k), str) and entry[k].strip()]
        if len(kinds) != 1:
            raise ReportInputError(
                f"{path}: {name}: expected exactly one of {', '.join(EXPLANATION_KINDS)} with a reason"
            )
    return raw


def explain(mutant: Mutant, explanations: dict[str, dict[str, str]]) -> str:
    entry = explanations.get(mutant.name)
    if entry is None:
        return "unexplained"
    if entry["diff"].strip() != mutant.diff:
        return "unexplained (the recorded explanation is for another diff: stale)"
    kind = next(k for k in EXPLANATION_KINDS if entry.get(k))
    return f"{kind}: {entry[kind].strip()}"


def counts(mutants: list[Mutant], explained: set[str]) -> dict[str, Any]:
    """Per-status counts; ``explained`` names the survivors with a current explanation."""
    by_status = Counter(m.status for m in mutants)
    total = len(mutants)
    detected = sum(by_status[s] for s in DETECTED)
    other = total - detected - by_status["survived"] - by_status["no tests"]
    n_explained = sum(1 for m in mutants if m.name in explained and m.status not in DETECTED)
    return {
        "killed": by_status["killed"], "timeout": by_status["timeout"], "survived": by_status["survived"],
        "no_tests": by_status["no tests"], "other": other, "total": total,
        "kill_rate": round(detected / total, 4) if total else None,
        "explained": n_explained, "unexplained": total - detected - n_explained,
    }


def build_report(
    mutants: list[Mutant], explanations: dict[str, dict[str, str]], meta: dict[str, Any]
) -> dict[str, Any]:
    modules = sorted({m.module for m in mutants})
    not_killed = [m for m in mutants if m.status not in DETECTED]
    explanation = {m.name: explain(m, explanations) for m in not_killed}
    explained = {name for name, text in explanation.items() if not text.startswith("unexplained")}
    return {
        **meta,
        "kill_rate_definition": "(killed + timeout) / total; 'no tests' and 'survived' count as not killed, "
                                "explained (equivalent / accepted) survivors included",
        "overall": counts(mutants, explained),
        "modules": {module: counts([m for m in mutants if m.module == module], explained) for module in modules},
        "survivors": [
            {"mutant": m.name, "module": m.module, "status": m.status, "diff": m.diff,
             "explanation": explanation[m.name]}
            for m in not_killed
        ],
    }


def percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Mutation testing results (generated by `make mutation`; see docs/mutation.md)", "",
        f"Tool: {report['tool']}; tests: `{report['test_selection']}`; run took {report['duration_s']:.0f} s "
        f"on {report['generated_at']}.", "",
        f"Kill rate: {report['kill_rate_definition']}.", "",
        "| module | killed | timeout | survived | no tests | total | kill rate | explained | unexplained |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = [*report["modules"].items(), ("**all**", report["overall"])]
    for module, c in rows:
        lines.append(f"| {module} | {c['killed']} | {c['timeout']} | {c['survived']} | {c['no_tests']} | "
                     f"{c['total']} | {percent(c['kill_rate'])} | {c['explained']} | {c['unexplained']} |")
    lines += ["", f"## Mutants not killed ({len(report['survivors'])})", ""]
    for s in report["survivors"]:
        lines += [
            f"### `{s['mutant']}` ({s['status']})",
            "",
            f"{s['explanation']}",
            "",
            "```diff",
            s["diff"],
            "```",
            "",
        ]
    return "\n".join(lines) + "\n"


def summary_lines(report: dict[str, Any]) -> list[str]:
    out = [f"{'module':50} {'killed':>6} {'t/o':>4} {'surv':>5} {'no tests':>8} {'total':>6} {'rate':>7} "
           f"{'explained':>9} {'unexplained':>11}"]
    for module, c in [*report["modules"].items(), ("ALL", report["overall"])]:
        out.append(f"{module:50} {c['killed']:6} {c['timeout']:4} {c['survived']:5} {c['no_tests']:8} "
                   f"{c['total']:6} {percent(c['kill_rate']):>7} {c['explained']:9} {c['unexplained']:11}")
    overall = report["overall"]
    out.append(f"not killed: {len(report['survivors'])} ({overall['explained']} explained, "
               f"{overall['unexplained']} unexplained)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-kill-rate", type=float, default=90.0, help="percent; below it the exit code is 1")
    parser.add_argument("--started-at", type=float, help="epoch seconds the run started (for its duration)")
    parser.add_argument("--test-selection", default="tests/ -m 'not slow'")
    parser.add_argument("--out-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    try:
        mutmut_version = version("mutmut")
    except PackageNotFoundError:
        print("mutation_report: error: mutmut is not installed (make mutation installs the 'mutation' extra)",
              file=sys.stderr)
        return 2
    try:
        mutants = read_store()
        explanations = load_explanations(SURVIVORS_FILE)
    except ReportInputError as exc:
        print(f"mutation_report: error: {exc}", file=sys.stderr)
        return 2
    now = time.time()
    meta = {
        "tool": f"mutmut {mutmut_version}", "command": "make mutation", "test_selection": args.test_selection,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        "duration_s": round(now - args.started_at, 1) if args.started_at else 0.0,
    }
    report = build_report(mutants, explanations, meta)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "mutation.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out_dir / "mutation.md").write_text(markdown(report))
    print("\n".join(summary_lines(report)))
    print(f"written: {args.out_dir / 'mutation.json'}, {args.out_dir / 'mutation.md'}")
    rate = report["overall"]["kill_rate"] or 0.0
    if rate * 100 < args.min_kill_rate:
        print(f"mutation gate: kill rate {percent(rate)} is below {args.min_kill_rate:g}%")
        return 1
    print(f"mutation gate: kill rate {percent(rate)} >= {args.min_kill_rate:g}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
