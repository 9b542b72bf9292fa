"""Run flexlab's benchmarks: one, several, or all of them (``make bench``).

    .venv/bin/python -m benchmarks.run                      # all, default parameters
    .venv/bin/python -m benchmarks.run job-time --scales 50 --repeat 3
    .venv/bin/python -m benchmarks.run precision --iterations 10
    .venv/bin/python -m benchmarks.run scale --spokes 50,100,200
    .venv/bin/python -m benchmarks.run parse-cost --spokes 200
    .venv/bin/python -m benchmarks.run engine-scale
    .venv/bin/python -m benchmarks.run capture --repeat 3
    .venv/bin/python -m benchmarks.run ssh-flood --line-kib 1024
    .venv/bin/python -m benchmarks.run config-acceptance
    .venv/bin/python -m benchmarks.run certify-jobs --repeat 2 --jobs 2
    .venv/bin/python -m benchmarks.run certify-jobs-warm --repeat 2 --jobs 2   # with a history, as a nightly
    .venv/bin/python -m benchmarks.run list

Each benchmark prints its figures and writes ``benchmarks/results/<name>.json`` (or into
``--out-dir``) together with the machine it ran on. Run them one at a time on a quiet
machine: they measure wall time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import (
    bench_capture,
    bench_certify_jobs,
    bench_engine,
    bench_job_time,
    bench_parse_cost,
    bench_precision,
    bench_scale,
    bench_ssh_flood,
    config_acceptance,
)
from benchmarks.common import write_result


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",") if v]


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v]


def _certify_jobs_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=2, help="side-by-side pairs of runs")
    parser.add_argument("--jobs", type=int, default=2)


#: name -> (result file name, add its options, run it from the parsed options)
BENCHMARKS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], Any]]] = {
    "parse-cost": (
        bench_parse_cost.NAME,
        lambda p: (p.add_argument("--spokes", type=int, default=200, help="lab size (hub outputs grow with it)"),
                   p.add_argument("--samples", type=int, default=10)),
        lambda a: bench_parse_cost.run(a.spokes, a.samples),
    ),
    "engine-scale": (
        bench_engine.NAME,
        lambda p: p.add_argument("--spokes", type=_ints, default=[50, 100, 200]),
        lambda a: bench_engine.run(a.spokes),
    ),
    "job-time": (
        bench_job_time.NAME,
        lambda p: (p.add_argument("--scales", type=_floats, default=[1.0, 10.0, 50.0]),
                   p.add_argument("--repeat", type=int, default=1)),
        lambda a: bench_job_time.run(a.scales, a.repeat),
    ),
    "precision": (
        bench_precision.NAME,
        lambda p: (p.add_argument("--iterations", type=int, default=10, help="per hub: 2 x N failovers"),
                   p.add_argument("--scale", type=float, default=50.0)),
        lambda a: bench_precision.run(a.iterations, a.scale),
    ),
    "scale": (
        bench_scale.NAME,
        lambda p: (p.add_argument("--spokes", type=_ints, default=[50, 100, 200]),
                   p.add_argument("--scale", type=float, default=50.0)),
        lambda a: bench_scale.run(a.spokes, a.scale),
    ),
    "capture": (
        bench_capture.NAME,
        lambda p: (p.add_argument("--repeat", type=int, default=3),
                   p.add_argument("--scale", type=float, default=50.0)),
        lambda a: bench_capture.run(a.repeat, a.scale),
    ),
    "ssh-flood": (
        bench_ssh_flood.NAME,
        lambda p: (p.add_argument("--line-kib", type=int, default=1024, help="length of the flooding line"),
                   p.add_argument("--probes", type=int, default=50)),
        lambda a: bench_ssh_flood.run(a.line_kib, a.probes),
    ),
    "config-acceptance": (config_acceptance.NAME, lambda p: None, lambda a: config_acceptance.run()),
    "certify-jobs": (
        bench_certify_jobs.NAME, _certify_jobs_options, lambda a: bench_certify_jobs.run(a.repeat, a.jobs),
    ),
    "certify-jobs-warm": (
        bench_certify_jobs.NAME_WARM, _certify_jobs_options,
        lambda a: bench_certify_jobs.run(a.repeat, a.jobs, warm=True),
    ),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, help="write result files here (default benchmarks/results)")
    commands = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK")
    commands.add_parser("list", help="list the benchmarks")
    commands.add_parser("all", help="run every benchmark with its default parameters")
    for name, (_, add_options, _) in BENCHMARKS.items():
        add_options(commands.add_parser(name, help=f"writes results/{BENCHMARKS[name][0]}.json"))
    return parser


def _run_one(name: str, args: argparse.Namespace) -> Path:
    result_name, _, run = BENCHMARKS[name]
    print(f"== {name}")
    figures = run(args)
    params = {k: v for k, v in vars(args).items() if k not in ("benchmark", "out_dir")}
    path = write_result(result_name, params, figures, args.out_dir)
    print(f"-> {path}")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.benchmark == "list":
        for name, (result_name, _, _) in BENCHMARKS.items():
            print(f"{name:<14} results/{result_name}.json")
        return 0
    if args.benchmark in (None, "all"):
        for name in BENCHMARKS:
            defaults = parser.parse_args((["--out-dir", str(args.out_dir)] if args.out_dir else []) + [name])
            _run_one(name, defaults)
        return 0
    _run_one(args.benchmark, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
