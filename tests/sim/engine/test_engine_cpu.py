"""`show processes cpu` accounting: every event is charged once, to its node and process."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from flexlab.design import LabPlan
from flexlab.sim.engine import cpu as cpu_module
from flexlab.sim.engine.cpu import (
    PROCESS_OF_MODULE,
    PROCESS_OF_PROTOCOL,
    PROCESS_PIDS,
    NodeCpu,
)
from flexlab.sim.engine.lab import Lab
from flexlab.sim.state_cpu import ProcessCpu

SLA_PERIOD_S = 7      # the test's own `frequency`, so the probe count is known beforehand
BGP_PROCESSES = ("BGP Router", "BGP I/O", "BGP Scanner")


def _rows(lab: Lab, name: str) -> dict[str, ProcessCpu]:
    cpu = lab.node(name).snapshot().cpu
    assert cpu is not None
    return {row.name: row for row in cpu.processes}


def _invoked(lab: Lab) -> int:
    return sum(row.invoked for name in lab.nodes for row in _rows(lab, name).values())


def test_every_event_run_is_one_invocation_of_one_process(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(settle=60)
    events_before, invoked_before = lab.scheduler.processed, _invoked(lab)
    lab.run_for(120)
    events = lab.scheduler.processed - events_before
    assert events > 100
    assert _invoked(lab) - invoked_before == events


def test_sla_probes_and_their_replies_are_counted_one_by_one(make_lab: Callable[..., Lab]) -> None:
    def every_7s(text: str) -> str:
        return re.sub(r"^ frequency \d+$", f" frequency {SLA_PERIOD_S}", text, flags=re.MULTILINE)

    lab = make_lab(edits={"spoke1": every_7s}, settle=60)
    before = _rows(lab, "spoke1")
    lab.run_for(10 * SLA_PERIOD_S)
    after = _rows(lab, "spoke1")
    sla = "IP SLAs Event Processor"
    assert after[sla].invoked - before[sla].invoked == 10             # one probe event per period
    assert after["IP Input"].invoked - before["IP Input"].invoked == 10   # one echo reply per probe
    assert after[sla].usecs > 0


def test_a_hub_with_more_bgp_work_shows_more_bgp_runtime(make_lab: Callable[..., Lab], plan: LabPlan) -> None:
    lab = make_lab(lab_plan=plan.design.with_spokes(12).plan(), settle=300)
    hub, spoke, idle = _rows(lab, "hub1"), _rows(lab, "spoke1"), _rows(lab, "isp")
    assert not any(name in idle for name in BGP_PROCESSES)          # no `router bgp`: no BGP process
    hub_us = sum(hub[n].usecs * hub[n].invoked for n in BGP_PROCESSES)
    spoke_us = sum(spoke[n].usecs * spoke[n].invoked for n in BGP_PROCESSES)
    assert sum(hub[n].invoked for n in BGP_PROCESSES) > 4 * sum(spoke[n].invoked for n in BGP_PROCESSES)
    assert hub_us > spoke_us > 0


def test_shares_are_sampled_every_5_lab_seconds_and_decay_as_on_ios() -> None:
    cpu = NodeCpu()
    cpu.charge("BGP Router", 0.050, lab_time=1.0)     # 50 ms of work inside the interval [0, 5)
    cpu.charge("BGP Router", 0.025, lab_time=4.5)
    load, _ = cpu.report(lab_time=4.9)              # the interval is still open: nothing sampled yet
    assert (load.five_sec, load.one_min) == (0.0, 0.0)
    load, (row,) = cpu.report(lab_time=5.0)
    # 75 ms in 5 s = 1.5 %; 1 min: 1.5 % * (1 - e^(-5/60)); 5 min: 1.5 % * (1 - e^(-5/300))
    assert row.five_sec == pytest.approx(1.5)
    assert row.one_min == pytest.approx(1.5 * (1 - math.exp(-1 / 12)))
    assert row.five_min == pytest.approx(1.5 * (1 - math.exp(-1 / 60)))
    assert (row.runtime_ms, row.invoked, row.usecs) == (75, 2, 37500)
    assert (load.five_sec, load.one_min) == (row.five_sec, row.one_min)
    _, (row,) = cpu.report(lab_time=17.0)              # two idle intervals later
    assert row.five_sec == 0.0
    assert row.one_min == pytest.approx(1.5 * (1 - math.exp(-1 / 12)) * math.exp(-2 / 12))


def test_every_engine_module_with_timers_has_its_ios_process() -> None:
    engine = Path(cpu_module.__file__).parent
    scheduling = {f"flexlab.sim.engine.{path.stem}" for path in engine.glob("*.py")
                  if re.search(r"\.(after|at)\(", path.read_text()) and path.stem not in ("scheduler", "cpu")}
    assert scheduling <= set(PROCESS_OF_MODULE)
    named = set(PROCESS_OF_MODULE.values()) | set(PROCESS_OF_PROTOCOL.values()) | {"Virtual Exec"}
    assert named <= set(PROCESS_PIDS)
    assert len(set(PROCESS_PIDS.values())) == len(PROCESS_PIDS)
