"""Fixtures for the protocol-engine tests: labs built from the reference design.

Helpers come as fixtures (``make_lab``, ``set_dpd``, ``failover``) so the test directory
needs no package. Every lab runs in test mode (``run_for``), never on the wall clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from flexlab.design import LabPlan, load_design
from flexlab.labs.embedded_default import write_plan_topology
from flexlab.render import render_node
from flexlab.sim.engine.lab import Lab
from flexlab.sim.engine.truth import TruthEvent
from flexlab.sim.topology import Topology, load_topology

EPOCH = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
HUB1_WAN = "100.64.0.2"
HUB2_WAN = "100.64.0.6"
Edit = Callable[[str], str]


@pytest.fixture(scope="session")
def plan() -> LabPlan:
    return load_design().plan()


@pytest.fixture(scope="session")
def design_topology(plan: LabPlan, tmp_path_factory: pytest.TempPathFactory) -> Topology:
    """The design's topology file and configs, as `flexlab lab up` writes them for the embedded lab."""
    return load_topology(write_plan_topology(tmp_path_factory.mktemp("design"), plan, profile="iol-17.12"))


@pytest.fixture
def make_lab(plan: LabPlan, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Lab]:
    """``make_lab(edits={"hub1": fn}, settle=100, **Lab kwargs)``: a booted lab of the design's
    topology whose node configs are the rendered reference configs passed through ``edits``. Nodes boot
    at seeded offsets; ``settle`` seconds count from the last node's boot."""

    def factory(edits: dict[str, Edit] | None = None, settle: float = 100.0, lab_plan: LabPlan | None = None,
                **kwargs: object) -> Lab:
        use_plan = lab_plan or plan
        configs = {n.name: render_node(use_plan, n, "cisco_iol", "embedded") for n in use_plan.nodes}
        for name, edit in (edits or {}).items():
            configs[name] = edit(configs[name])
        topology = load_topology(write_plan_topology(tmp_path_factory.mktemp("lab"), use_plan, profile="iol-17.12"))
        lab = Lab(topology, epoch=EPOCH, configs=configs, **kwargs)  # type: ignore[arg-type]
        lab.boot()
        lab.run_for(max(node.boot_offset for node in lab.nodes.values()))
        if settle:
            lab.run_for(settle)
        return lab

    return factory


@pytest.fixture
def set_dpd() -> Callable[[int | None, int, str], Edit]:
    """An edit replacing the global `crypto ikev2 dpd` line (None removes it)."""

    def make(interval: int | None, retry: int = 2, mode: str = "on-demand") -> Edit:
        line = "" if interval is None else f"crypto ikev2 dpd {interval} {retry} {mode}"
        return lambda text: re.sub(r"^crypto ikev2 dpd .*$", line, text, flags=re.MULTILINE)

    return make


@dataclass
class Failover:
    """Truth-based view of what happened after a failure injected at ``t_fail``."""

    lab: Lab
    t_fail: float

    def after(self, kind: str, node: str | None = None) -> list[TruthEvent]:
        return [
            e for e in self.lab.truth() if e.kind == kind and e.time >= self.t_fail and (node is None or e.node == node)
        ]

    def connected_to(self, spoke: str, hub_wan: str) -> TruthEvent | None:
        return next((e for e in self.after("flexvpn-up", spoke) if e.peer == hub_wan), None)

    def delay(self, spoke: str, hub_wan: str) -> float | None:
        event = self.connected_to(spoke, hub_wan)
        return None if event is None else event.time - self.t_fail


@pytest.fixture
def failover() -> Callable[[Lab, str, str], Failover]:
    """``failover(lab, "hub1", mode)``: inject the failure now and return the tracker."""

    def inject(lab: Lab, node: str, mode: str) -> Failover:
        t_fail = lab.now()
        lab.fail(node, mode)
        return Failover(lab, t_fail)

    return inject
