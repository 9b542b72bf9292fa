"""Argument types that refuse values no run can use, and a parser whose errors are one line."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (and exit code 2)."""

    def error(self, message: str) -> NoReturn:
        """Print the usage error folded onto one line and exit 2 (argparse's own exit code)."""
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


def positive_int(text: str) -> int:
    """An integer >= 1 (``--spokes 0`` is refused, not silently replaced)."""
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (``nan``, ``inf``, ``0`` and negatives are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number above 0")
    return value


def design_options(parser: argparse.ArgumentParser, spokes: bool = True) -> None:
    """``--design FILE`` (None: the default design) and, with ``spokes``, ``--spokes N`` (None: the design's)."""
    parser.add_argument("--design", type=Path, default=None,
                        help="design YAML file (default: the packaged one, `flexlab paths design`)")
    if spokes:
        parser.add_argument(
            "--spokes", type=positive_int, default=None, metavar="N", help="number of spokes (default: the design's)"
        )


def fail_usage(prog: str, message: str) -> NoReturn:
    """Print one usage error line and exit 2 (for checks argparse cannot express)."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    raise SystemExit(2)
