"""How many of the standard tools' IOS commands the embedded lab answers (issue 13).

Commands: every ntc-templates ``cisco_ios`` template command, and every Genie parser
command for ``os: ios`` that takes no argument. Each is typed at a privileged CLI session
of hub1 of the reference design booted in the engine (no SSH). "answered": the CLI does
not refuse it (no ``% Invalid input``, ``% Incomplete``, ``% Ambiguous``, host lookup);
"parsed": the tool's own parser turns the answer into a non-empty result.

    PYTHONPATH=src .venv/bin/python -m benchmarks.tool_coverage [--out FILE]

Run it with another tree's ``src`` on PYTHONPATH to measure that tree (the "before").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import tempfile
from pathlib import Path
from typing import Any
from unittest.mock import Mock

import genie.libs.parser
import ntc_templates
from genie.libs.parser.utils import get_parser
from ntc_templates.parse import parse_output

from flexlab.design import load_design
from flexlab.labs.embedded_default import write_plan_topology
from flexlab.render import render_node
from flexlab.sim.engine.lab import Lab
from flexlab.sim.shell import CliSession
from flexlab.sim.topology import load_topology

NAME = "tool_coverage"
_REFUSALS = ("% Invalid input", "% Incomplete command", "% Ambiguous command", "Translating ", '% Type "show ?"')
_NODE = "hub1"


def ntc_commands() -> list[str]:
    """Full command words of every cisco_ios template (``sh[[ow]] ip int[[erface]]`` ->
    ``show ip interface``; optional regex parts dropped)."""
    index = Path(ntc_templates.__file__).parent / "templates" / "index"
    commands = set()
    for line in index.read_text().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 4 or parts[2] != "cisco_ios":
            continue
        command = re.sub(r"\(\?:.*?\)\??|\(.*?\)\??", "", parts[3])
        command = re.sub(r"\[\[(.*?)\]\]", r"\1", command)
        command = re.sub(r"\s+", " ", command).strip()
        if command and not re.search(r"[\\^$|?*+]", command):
            commands.add(command)
    return sorted(commands)


def genie_commands() -> list[str]:
    """Genie's `ios` parser commands without arguments."""
    data = json.loads((Path(genie.libs.parser.__file__).parent / "parsers.json").read_text())
    return sorted(c for c, v in data.items()
                  if isinstance(v, dict) and "ios" in v.get("folders", {}) and "{" not in c and c.startswith("show"))


def _lab() -> Lab:
    plan = load_design().plan()
    configs = {n.name: render_node(plan, n, "cisco_iol", "embedded") for n in plan.nodes}
    with tempfile.TemporaryDirectory() as lab_dir:   # the lab reads its topology at construction
        topology = load_topology(write_plan_topology(Path(lab_dir), plan, profile="iol-17.12"))
        lab = Lab(topology, epoch=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), configs=configs)
    lab.boot()
    lab.run_for(max(node.boot_offset for node in lab.nodes.values()) + 200.0)
    return lab


def _answer(session: CliSession, command: str) -> str | None:
    text = session.execute(command).output
    return None if any(r in text for r in _REFUSALS) else text


def _genie_parses(command: str, text: str) -> bool:
    device = Mock()
    device.os, device.custom = "ios", {}
    device.execute = Mock(return_value="")
    try:
        parser_class, kwargs = get_parser(command, device)
        return bool(parser_class(device=device).parse(output=text, **kwargs))
    except Exception:  # noqa: BLE001 - measures third-party parsers: whatever one raises, it did not parse
        return False


def _ntc_parses(command: str, text: str) -> bool:
    try:
        return bool(parse_output(platform="cisco_ios", command=command, data=text))
    except Exception:  # noqa: BLE001 - measures third-party parsers: whatever one raises, it did not parse
        return False


def measure() -> dict[str, Any]:
    session = CliSession(_lab().node(_NODE), username="admin", privilege=15)
    result: dict[str, Any] = {}
    for tool, commands, parses in (("ntc", ntc_commands(), _ntc_parses), ("genie", genie_commands(), _genie_parses)):
        answered = {c: t for c in commands if (t := _answer(session, c)) is not None}
        parsed = sorted(c for c, t in answered.items() if parses(c, t))
        result[tool] = {"commands": len(commands), "answered": len(answered), "parsed": len(parsed),
                        "answered_commands": sorted(answered), "parsed_commands": parsed}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    result = measure()
    for tool in ("ntc", "genie"):
        figures = result[tool]
        print(f"{tool}: {figures['answered']} of {figures['commands']} answered, {figures['parsed']} parsed")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
