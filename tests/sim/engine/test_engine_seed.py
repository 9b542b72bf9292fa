"""Seeded boot offsets and timer phases: runs differ between seeds, repeat within one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flexlab.design import load_design
from flexlab.sim.engine.lab import Lab

HUB2_WAN = "100.64.0.6"


def failover_delays(make_lab: Callable[..., Lab], failover: Any, seed: int, spokes: int = 20) -> dict[str, float]:
    plan = load_design().with_spokes(spokes).plan()
    lab = make_lab(lab_plan=plan, seed=seed)
    track = failover(lab, "hub1", "interface-shutdown")
    lab.run_for(150)
    moved = [n.name for n in plan.nodes if n.role == "spoke" and n.preferred_hub == "hub1"]
    delays = {name: track.delay(name, HUB2_WAN) for name in moved}
    assert all(d is not None for d in delays.values()), delays
    return delays  # type: ignore[return-value]


def test_same_seed_repeats_the_run_exactly(make_lab: Callable[..., Lab], failover: Any) -> None:
    first = failover_delays(make_lab, failover, seed=7, spokes=4)
    again = failover_delays(make_lab, failover, seed=7, spokes=4)
    assert first == again


def test_moved_spokes_measure_a_distribution_not_one_value(make_lab: Callable[..., Lab], failover: Any) -> None:
    delays = failover_delays(make_lab, failover, seed=1)
    assert len(delays) == 10
    assert len({round(d, 3) for d in delays.values()}) >= 8      # no lock-step
    other = failover_delays(make_lab, failover, seed=2)
    assert other != delays


def test_nodes_boot_at_seeded_offsets_core_first(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(seed=3, settle=0)
    boots = {e.node: e.detail for e in lab.truth() if e.kind == "node-boot"}
    assert set(boots) == set(lab.nodes) and {d["seed"] for d in boots.values()} == {3}
    spread = lab.timing.boot_spread_s
    core = [d["offset"] for n, d in boots.items() if not n.startswith("spoke")]
    spokes = [d["offset"] for n, d in boots.items() if n.startswith("spoke")]
    assert all(0 <= o < spread for o in core) and all(spread <= o < 2 * spread for o in spokes)
    assert len(set(core + spokes)) == len(boots)
    assert {n: round(lab.nodes[n].booted, 6) for n in lab.nodes} == {n: d["offset"] for n, d in boots.items()}
