"""The design's spoke count scales the lab: 2 hubs + 200 spokes converge."""

from __future__ import annotations

from collections.abc import Callable

from flexlab.design import load_design
from flexlab.sim.engine.lab import Lab


def test_two_hundred_spokes_boot_and_converge(make_lab: Callable[..., Lab]) -> None:
    plan = load_design().with_spokes(200).plan()
    lab = make_lab(lab_plan=plan, settle=60)
    spokes = [n for n in plan.nodes if n.role == "spoke"]
    truth = lab.truth()
    up = {e.node: e.peer for e in truth if e.kind == "flexvpn-up"}
    established = {e.node for e in truth if e.kind == "bgp-established" and e.node.startswith("spoke")}
    assert len(up) == 200 and len(established) == 200
    for spoke in spokes:
        assert up[spoke.name] == str(spoke.peers[0]), spoke.name
    lans = {s.lan for s in spokes}
    for hub in ("hub1", "hub2"):
        routes = {r.prefix for r in lab.nodes[hub].snapshot().routes if r.code == "B"}
        assert lans <= routes, hub
        bgp = lab.nodes[hub].snapshot().bgp
        assert bgp is not None and len(bgp.listen_ranges[0].members) == 100
    assert [str(r.prefix) for r in lab.nodes["spoke200"].snapshot().routes if r.code == "B"] == ["10.0.0.0/8"]
