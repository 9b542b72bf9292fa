"""`show processes cpu` accounting: every event is charged once, to its node and process."""

from __future__ import annotations

import re
from collections.abc import Callable

from flexlab.design import LabPlan
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
        return re.sub(r"^ frequency \d+$", f" frequency {SLA_PERIOD_S}", text, flags=re.M)

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
    print(hub_us, spoke_us)
    assert hub_us > spoke_us > 0
