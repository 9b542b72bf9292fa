"""Which config lines a router does not run yet: the job configures only devices that lack some."""

from __future__ import annotations

import pytest

from flexlab.design import load_design
from flexlab.harness.config_replace import unapplied_lines
from flexlab.labs.embedded_default import write_plan_topology
from flexlab.render import render_node
from flexlab.sim.engine.lab import Lab
from flexlab.sim.shell import apply_config_text
from flexlab.sim.shell.session import CliSession
from flexlab.sim.topology import load_topology


def _rendered(node: str) -> str:
    plan = load_design().plan()
    return render_node(plan, plan.node(node), "cisco_iol", "embedded")


@pytest.fixture(scope="module")
def booted_running_configs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """`show running-config` of every node of the embedded lab booted from the design's configs."""
    topology = write_plan_topology(tmp_path_factory.mktemp("lab"), load_design().plan(), profile="iol-17.12")
    lab = Lab(load_topology(topology), config_loader=apply_config_text)
    lab.boot()
    return {name: CliSession(node, username="admin").execute("show running-config").output
            for name, node in lab.nodes.items()}


def test_a_router_booted_from_its_config_runs_every_line(booted_running_configs):
    for name, running in booted_running_configs.items():
        assert unapplied_lines(running, _rendered(name)) == [], name


def test_changed_value_is_reported_with_its_block(booted_running_configs):
    target = _rendered("spoke1").replace("crypto ikev2 dpd 30 5 on-demand", "crypto ikev2 dpd 40 5 on-demand")
    target = target.replace(" peer 2 100.64.0.6\n", " peer 2 100.64.0.6\n peer 3 100.64.0.99\n")
    assert unapplied_lines(booted_running_configs["spoke1"], target) == [
        "crypto ikev2 dpd 40 5 on-demand", "crypto ikev2 client flexvpn Flex_Client / peer 3 100.64.0.99",
    ]


def test_negations_hold_when_the_router_lacks_the_line():
    running = "interface Ethernet0/1\n ip address 10.0.0.1 255.255.255.0\n shutdown\nip domain lookup\n"
    target = "interface Ethernet0/1\n ip address 10.0.0.1 255.255.255.0\n no shutdown\nno ip domain lookup\n"
    assert unapplied_lines(running, target) == ["interface Ethernet0/1 / no shutdown", "no ip domain lookup"]
    unshut = "interface Ethernet0/1\n ip address 10.0.0.1 255.255.255.0\nno ip domain lookup\n"
    assert unapplied_lines(unshut, target) == []


def test_order_extra_lines_and_spacing_do_not_count():
    running = "username admin secret x\nrouter bgp 1\n network 10.0.0.0  mask 255.0.0.0\n bgp log-neighbor-changes\n"
    target = "router bgp 1\n bgp log-neighbor-changes\n network 10.0.0.0 mask 255.0.0.0\n!\nend\n"
    assert unapplied_lines(running, target) == []
    assert unapplied_lines(running, "router bgp 2\n bgp log-neighbor-changes\n") == [
        "router bgp 2", "router bgp 2 / bgp log-neighbor-changes",
    ]
