"""Helpers for the flexlab.parsers tests: offline Genie devices and the golden outputs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genie.testbed import load

GOLDEN_DIR = Path(__file__).parent / "golden"
#: Real device outputs from Genie's own tests (shared with the show-renderer tests).
GENIE_GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "genie-golden"


@dataclass(frozen=True)
class GoldenCase:
    """One ``<name>_output.txt`` with its optional ``_arguments.json`` / ``_expected.json``."""

    name: str
    output: str
    arguments: dict[str, Any]
    expected: dict[str, Any] | None


def golden_cases(folder: str | Path) -> list[GoldenCase]:
    """Every ``*_output.txt`` below ``golden/<folder>`` (or an absolute folder), sorted by name."""
    cases = []
    for output_file in sorted((GOLDEN_DIR / folder).glob("*_output.txt")):
        stem = output_file.name[: -len("_output.txt")]
        arguments_file = output_file.with_name(f"{stem}_arguments.json")
        expected_file = output_file.with_name(f"{stem}_expected.json")
        cases.append(GoldenCase(
            name=stem,
            output=output_file.read_text(),
            arguments=json.loads(arguments_file.read_text()) if arguments_file.exists() else {},
            expected=json.loads(expected_file.read_text()) if expected_file.exists() else None,
        ))
    return cases


class RecordingConnection:
    """Stands in for a unicon connection: answers ``execute`` from a table, records commands."""

    def __init__(self, outputs: dict[str, str]) -> None:
        self.outputs = outputs
        self.commands: list[str] = []

    def execute(self, command: str, **_: Any) -> str:
        self.commands.append(command)
        return self.outputs[command]


def make_device(os_name: str, platform: str) -> Any:
    """A Genie device as a testbed file would give it (not connected)."""
    testbed = load({"devices": {f"r-{os_name}-{platform}": {
        "os": os_name, "platform": platform, "type": "router",
        "connections": {"cli": {"protocol": "ssh", "ip": "127.0.0.1", "port": 22}},
    }}})
    return testbed.devices[f"r-{os_name}-{platform}"]


def attach_connection(device: Any, connection: RecordingConnection) -> None:
    """Make ``device.parse(cmd)`` send ``cmd`` to ``connection`` as if connected."""
    device.is_connected = lambda *args, **kwargs: True
    device.cli = connection
