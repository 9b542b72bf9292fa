"""`flexlab init DIR` (a starter project) and `flexlab paths` (where the shipped files are)."""

from __future__ import annotations

import argparse
from pathlib import Path

from flexlab import packaged
from flexlab.starter import write_starter

#: `flexlab paths NAME`: the shipped files a user passes to other tools (pyats run job ...).
SHIPPED_PATHS: dict[str, Path] = {
    "job": packaged.JOB_FILE,
    "design": packaged.DEFAULT_DESIGN,
    "embedded-matrix": packaged.EMBEDDED_MATRIX,
    "containerlab-matrix": packaged.CONTAINERLAB_MATRIX,
    "embedded-testbed": packaged.EMBEDDED_TESTBED,
    "templates": packaged.TEMPLATE_DIR,
    "example-topologies": packaged.EXAMPLE_TOPOLOGY_DIR,
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """``flexlab init DIR`` and ``flexlab paths [NAME]``."""
    init = subparsers.add_parser(
        "init", help="write a starter project (design, matrix, testbed, README) into DIR",
        description="Write a starter project into DIR: design.yaml (the default design), matrix.yaml, "
        "testbed.yaml and a README saying what to edit and what to run. DIR must be empty or new.",
    )
    init.add_argument("directory", type=Path, metavar="DIR")
    init.add_argument("--force", action="store_true", help="write into a non-empty DIR (overwrites the starter files)")
    init.set_defaults(func=run_init)
    paths = subparsers.add_parser("paths", help="print where the files flexlab ships are (e.g. the job)")
    paths.add_argument("name", nargs="?", choices=sorted(SHIPPED_PATHS), help="print only this path")
    paths.set_defaults(func=run_paths)


def run_init(args: argparse.Namespace) -> int:
    """Write the starter project and list the files written."""
    for path in write_starter(args.directory, force=args.force):
        print(path)
    print(f"next: cd {args.directory} and read README.md")
    return 0


def run_paths(args: argparse.Namespace) -> int:
    """Print one shipped path (for scripts: ``pyats run job "$(flexlab paths job)"``) or all of them."""
    if args.name:
        print(SHIPPED_PATHS[args.name])
        return 0
    for name, path in SHIPPED_PATHS.items():
        print(f"{name:20} {path}")
    return 0



