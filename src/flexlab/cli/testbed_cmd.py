"""`flexlab testbed`: a pyATS testbed from a deployed containerlab lab."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flexlab.errors import FlexlabError
from flexlab.labs import clab
from flexlab.labs.clab_testbed import from_inspect, write_testbed
from flexlab.yamlio import decode_text, read_text


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `flexlab testbed`."""
    parser = subparsers.add_parser(
        "testbed",
        help="generate a pyATS testbed from a containerlab lab",
        description=(
            "Generate a pyATS testbed from `containerlab inspect --format json` output (--from-inspect FILE, "
            "'-' for stdin) or by running containerlab inspect on a topology (--lab FILE.clab.yml). "
            "Credentials are %ENV{FLEXLAB_USERNAME}/%ENV{FLEXLAB_PASSWORD}/%ENV{FLEXLAB_ENABLE}."
        ),
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-inspect", type=Path, metavar="FILE", help="saved inspect JSON ('-' for stdin)")
    source.add_argument("--lab", type=Path, metavar="TOPOLOGY", help="topology file of a deployed lab")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="TESTBED", help="testbed YAML to write")
    parser.set_defaults(func=run)


def _read_inspect(path: Path) -> str:
    if str(path) == "-":
        return decode_text(sys.stdin.buffer.read(), "inspect output on stdin", FlexlabError)
    return read_text(path, "inspect output", FlexlabError)


def run(args: argparse.Namespace) -> int:
    """`flexlab testbed`: write the pyATS testbed of a deployed lab and print its path."""
    if args.lab is not None:
        if not args.lab.is_file():
            raise FlexlabError(f"topology file {args.lab} does not exist")
        testbed = from_inspect(clab.inspect_json(args.lab), topology_file=str(args.lab))
    else:
        source = "inspect output on stdin" if str(args.from_inspect) == "-" else f"inspect output {args.from_inspect}"
        testbed = from_inspect(_read_inspect(args.from_inspect), source=source)
    print(write_testbed(testbed, args.output))
    return 0
