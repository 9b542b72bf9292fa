"""Platform interfaces (issue 13): the ports each kind has, refused names and removals.

Expected sets are written out from containerlab's and vrnetlab's sources (see
flexlab.sim.platforms), not derived from the code under test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flexlab.design import load_design
from flexlab.iosconfig import ConfigTree
from flexlab.labs.embedded_default import write_plan_topology
from flexlab.render import render_node
from flexlab.sim.engine.lab import Lab
from flexlab.sim.platforms import PHYSICAL_REMOVAL, platform_for
from flexlab.sim.shell import ConfigInterpreter, apply_config_text
from flexlab.sim.shell.errors import INVALID_INPUT
from flexlab.sim.topology import load_topology


def test_iol_slots_follow_the_highest_data_port() -> None:
    assert platform_for("cisco_iol", ["Ethernet0/1"]).physical == (
        "Ethernet0/0",
        "Ethernet0/1",
        "Ethernet0/2",
        "Ethernet0/3",
    )
    # a link on Ethernet1/0 (containerlab eth4) provisions slot 1: all four of its ports appear
    five = platform_for("cisco_iol", ["Ethernet0/1", "Ethernet1/0"]).physical
    assert len(five) == 8 and five[4:] == ("Ethernet1/0", "Ethernet1/1", "Ethernet1/2", "Ethernet1/3")


@pytest.mark.parametrize(("kind", "first", "last", "count"), [
    ("cisco_vios", "GigabitEthernet0/0", "GigabitEthernet0/15", 16),
    ("cisco_csr1000v", "GigabitEthernet1", "GigabitEthernet32", 32),
    ("cisco_c8000v", "GigabitEthernet1", "GigabitEthernet10", 10),
])
def test_vm_kinds_have_their_fixed_nic_count(kind: str, first: str, last: str, count: int) -> None:
    physical = platform_for(kind, [first]).physical
    assert (physical[0], physical[-1], len(physical)) == (first, last, count)


def test_ports_a_topology_wires_beyond_the_nic_count_are_added() -> None:
    assert platform_for("cisco_c8000v", ["GigabitEthernet12"]).physical[-1] == "GigabitEthernet12"


def _interpreter(kind: str = "cisco_iol") -> ConfigInterpreter:
    return ConfigInterpreter(ConfigTree(), platform_for(kind, []))


@pytest.mark.parametrize(("kind", "line"), [
    ("cisco_iol", "interface GigabitEthernet0/0/0"),
    ("cisco_iol", "interface Ethernet1/0"),           # slot 1 not provisioned with one link
    ("cisco_vios", "interface GigabitEthernet0/16"),
    ("cisco_vios", "interface GigabitEthernet2"),
    ("cisco_c8000v", "interface GigabitEthernet11"),
])
def test_ports_the_box_lacks_are_refused_at_the_name(kind: str, line: str) -> None:
    result = _interpreter(kind).feed(line)
    assert result.error is not None and result.error.message == INVALID_INPUT
    assert result.error.position == len("interface ")


@pytest.mark.parametrize("line", ["interface Ethernet0/3", "interface e0/2.100", "interface Loopback7",
                                  "interface Tunnel9", "interface Virtual-Template3 type tunnel"])
def test_own_ports_subinterfaces_and_logical_interfaces_are_accepted(line: str) -> None:
    assert _interpreter().feed(line).error is None


def test_physical_ports_cannot_be_removed_but_logical_ones_can() -> None:
    interpreter = _interpreter()
    for line in ("interface Ethernet0/1", " ip address 10.0.0.1 255.255.255.0", "interface Loopback3", "exit"):
        assert interpreter.feed(line).error is None
    refused = interpreter.feed("no interface Ethernet0/1")
    assert refused.error is not None and refused.error.message == PHYSICAL_REMOVAL
    assert interpreter.tree.first("interface", "Ethernet0/1") is not None
    assert interpreter.feed("no interface Loopback3").error is None
    assert interpreter.tree.first("interface", "Loopback3") is None


def test_a_lab_boots_with_every_port_and_unused_ones_shut_down(tmp_path: Path) -> None:
    plan = load_design().plan()
    configs = {n.name: render_node(plan, n, "cisco_iol", "embedded") for n in plan.nodes}
    topology = load_topology(write_plan_topology(tmp_path, plan, profile="iol-17.12"))
    lab = Lab(topology, epoch=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), configs=configs, config_loader=apply_config_text)
    lab.boot()
    lab.run_for(max(node.boot_offset for node in lab.nodes.values()) + 5)
    interfaces = {i.name: i for i in lab.nodes["spoke1"].snapshot().interfaces}
    for port in ("Ethernet0/0", "Ethernet0/2", "Ethernet0/3"):
        assert (interfaces[port].admin_up, interfaces[port].address) == (False, None)
    assert interfaces["Ethernet0/1"].admin_up and interfaces["Ethernet0/1"].address is not None
