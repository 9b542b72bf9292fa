"""Embedded-lab protocol engine at scale: boot N spokes and run until converged.

    .venv/bin/python -m benchmarks.bench_engine_scale [--spokes 200] [--seconds 90] [--no-cpu-meter]

``--no-cpu-meter`` runs the engine without the per-event timing of `show processes cpu`
(engine/cpu.py), to measure what that accounting costs.

Prints CPU/wall time for boot and for the simulated run, events processed, and the
convergence check (every spoke ACTIVE with BGP Established, hubs holding every spoke LAN).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from flexlab.design import LabPlan, load_design
from flexlab.labs.embedded_default import write_plan_topology
from flexlab.sim.engine.lab import Lab
from flexlab.sim.topology import load_topology


def converged(lab: Lab, plan: LabPlan) -> tuple[int, int, int]:
    """(spokes with an active FlexVPN client and BGP Established, spoke LANs on hub1, on hub2)."""
    ready = 0
    for node in lab.nodes.values():
        if node.role != "spoke":
            continue
        clients = list(node.flex.clients.values())
        if clients and clients[0].state == "ACTIVE" and any(n.established for n in node.bgp.neighbors.values()):
            ready += 1
    lans = {str(n.lan) for n in plan.spokes}
    on_hub = [
        sum(1 for prefix in lab.nodes[hub].bgp.best if str(prefix) in lans) for hub in ("hub1", "hub2")
    ]
    return ready, on_hub[0], on_hub[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spokes", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--no-cpu-meter", action="store_true", help="leave out the per-event CPU accounting")
    args = parser.parse_args()
    plan = load_design().with_spokes(args.spokes).plan()
    with tempfile.TemporaryDirectory() as lab_dir:
        topology = load_topology(write_plan_topology(Path(lab_dir), plan, profile="iol-17.12"))
        configs = {name: node.startup_text(topology.source) or "" for name, node in topology.nodes.items()}
    cpu0, wall0 = time.process_time(), time.perf_counter()
    lab = Lab(topology, configs=configs)
    if args.no_cpu_meter:
        lab.scheduler.meter = None
    lab.boot()
    cpu1, wall1 = time.process_time(), time.perf_counter()
    lab.run_for(args.seconds)
    cpu2, wall2 = time.process_time(), time.perf_counter()
    ready, hub1, hub2 = converged(lab, plan)
    print(f"spokes={args.spokes} simulated={args.seconds:.0f}s events={lab.scheduler.processed}")
    print(f"boot: cpu {cpu1 - cpu0:.2f}s wall {wall1 - wall0:.2f}s")
    print(f"run:  cpu {cpu2 - cpu1:.2f}s wall {wall2 - wall1:.2f}s")
    print(f"converged spokes {ready}/{args.spokes}; spoke LANs in BGP: hub1 {hub1}, hub2 {hub2}")


if __name__ == "__main__":
    main()
