"""The `flexlab` command. Each command group lives in its own module and registers an
argparse sub-parser through ``register(subparsers)``; ``main`` turns FlexlabError into a
one-line message and exit code 2 instead of a traceback."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from flexlab import __version__
from flexlab.cli.argtypes import OneLineParser
from flexlab.errors import FlexlabError

#: Modules under flexlab.cli that provide ``register(subparsers)``.
COMMAND_MODULES = ("render_cmd", "testbed_cmd", "lab_cmd", "demo_cmd", "certify_cmd", "calibrate_cmd", "init_cmd")


def build_parser() -> argparse.ArgumentParser:
    """The `flexlab` parser with every command module's sub-commands."""
    parser = OneLineParser(
        prog="flexlab",
        description="Certify Cisco IOS / IOS XE images against the FlexVPN redundant-hub design.",
    )
    parser.add_argument("--version", action="version", version=f"flexlab {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(f"flexlab.cli.{module_name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `flexlab` command; its exit code (2 and one line on a FlexlabError, 130 on Ctrl-C)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except FlexlabError as exc:
        print(f"flexlab: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("flexlab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
