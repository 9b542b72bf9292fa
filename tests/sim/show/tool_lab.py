"""The reference design booted in the engine (no SSH), and the standard tools' parsers.

``design_lab()`` boots the five-node lab of src/flexlab/data/design.yaml on the lab clock and lets
it settle (both spokes on their preferred hub); ``output(node, command)`` is what the
node's CLI prints. ``genie(command, text)`` and ``ntc(command, text)`` parse a text the
way Genie (`device.parse`) and ntc-templates (`parse_output`) do.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from genie.libs.parser.utils import get_parser
from ntc_templates.parse import parse_output
from show_genie import mock_device

from flexlab.design import load_design
from flexlab.labs.embedded_default import write_plan_topology
from flexlab.render import render_node
from flexlab.sim.engine.lab import Lab
from flexlab.sim.shell import CliSession
from flexlab.sim.topology import load_topology

EPOCH = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
SETTLE_S = 200.0


@cache
def design_lab() -> Lab:
    plan = load_design().plan()
    configs = {n.name: render_node(plan, n, "cisco_iol", "embedded") for n in plan.nodes}
    state_dir = Path(tempfile.mkdtemp(prefix="flexlab-tool-lab-"))   # lives as long as the cached lab
    atexit.register(shutil.rmtree, state_dir, True)
    topology = load_topology(write_plan_topology(state_dir, plan, profile="iol-17.12"))
    lab = Lab(topology, epoch=EPOCH, configs=configs)
    lab.boot()
    lab.run_for(max(node.boot_offset for node in lab.nodes.values()) + SETTLE_S)
    return lab


def output(node: str, command: str) -> str:
    """The node's answer to ``command`` typed at a privileged CLI session."""
    session = CliSession(design_lab().node(node), username="admin", privilege=15)
    return session.execute(command).output


def genie(command: str, text: str, os_name: str = "ios") -> dict[str, Any]:
    """Genie's parser for ``command`` (as device.parse picks it) applied to ``text``."""
    device = mock_device(os_name)
    parser_class, kwargs = get_parser(command, device)
    return parser_class(device=device).parse(output=text, **kwargs)


def ntc(command: str, text: str) -> list[dict[str, Any]]:
    return parse_output(platform="cisco_ios", command=command, data=text)
