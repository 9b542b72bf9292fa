"""Helpers to run stock Genie parsers on rendered text and on the real golden samples."""

from __future__ import annotations

import importlib
import re
import textwrap
from pathlib import Path
from typing import Any
from unittest.mock import Mock

from genie.metaparser import MetaParser

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "genie-golden"
_PROMPT_OR_COMMAND = re.compile(r"^\s*(\S+#\s*)?(show|sh) \S.*$")
_TRAILING_PROMPT = re.compile(r"^\S+#\s*$")


def mock_device(os_name: str) -> Mock:
    """A device whose extra look-ups (e.g. `show run | sec ...` done by some parsers) see
    an empty configuration."""
    device = Mock()
    device.os = os_name
    device.custom = {}
    device.execute = Mock(return_value="")
    return device


def parse(parser_class: type[MetaParser], text: str, os_name: str = "ios", **kwargs: Any) -> dict:
    return parser_class(device=mock_device(os_name)).parse(output=text, **kwargs)


def golden_text(os_name: str, class_name: str, file_name: str) -> str:
    """A real sample without the prompt/command lines and the 8-space re-indentation that
    Genie's test authors added to some files (facts.md §4, SOURCE.md)."""
    raw = (GOLDEN_DIR / os_name / class_name / file_name).read_text()
    lines = [
        line
        for line in raw.splitlines()
        if not _PROMPT_OR_COMMAND.match(line) and not _TRAILING_PROMPT.match(line)
    ]
    return textwrap.dedent("\n".join(lines)) + "\n"


def parse_golden(parser_class: type[MetaParser], os_name: str, class_name: str, file_name: str,
                 **kwargs: Any) -> dict:
    return parse(parser_class, golden_text(os_name, class_name, file_name), os_name, **kwargs)


def genie_expected(os_name: str, class_name: str, file_stem: str) -> dict:
    """The ``expected_output`` dict Genie ships for one of its real samples (used where no
    sample text was copied to the golden directory)."""
    module = importlib.import_module(f"genie.libs.parser.{os_name}.tests.{class_name}.cli.equal.{file_stem}_expected")
    return module.expected_output


def second_level_keys(parsed: dict, top: str) -> set[str]:
    """Union of the keys one level below ``parsed[top]``'s entries."""
    keys: set[str] = set()
    for entry in parsed[top].values():
        keys |= set(entry)
    return keys
