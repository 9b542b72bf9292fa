"""A user's topology beyond the design: a spoke with a second uplink, cabled by an alias."""

from __future__ import annotations

import yaml

from flexlab.design import LabPlan
from flexlab.labs.embedded_default import write_plan_topology
from flexlab.render import render_node
from flexlab.sim.engine.lab import Lab
from flexlab.sim.topology import load_topology

SECOND_UPLINK = {
    "isp": "interface Ethernet1/1\n ip address 100.64.1.1 255.255.255.252\n no shutdown\n!\n",
    "spoke1": "interface Ethernet0/2\n ip address 100.64.1.2 255.255.255.252\n no shutdown\n!\n",
}


def test_a_second_uplink_given_by_alias_is_cabled_and_the_wan_stays_eth1(plan: LabPlan, tmp_path) -> None:
    path = write_plan_topology(tmp_path, plan, profile="iol-17.12")
    document = yaml.safe_load(path.read_text())
    document["topology"]["links"].append({"endpoints": ["isp:Ethernet1/1", "spoke1:e0/2"]})   # eth5, eth2
    path.write_text(yaml.safe_dump(document))
    configs = {n.name: render_node(plan, n, "cisco_iol", "embedded") for n in plan.nodes}
    for name, block in SECOND_UPLINK.items():
        configs[name] = configs[name].replace("\nend\n", f"\n{block}end\n")
    lab = Lab(load_topology(path), configs=configs)
    lab.boot()
    lab.run_for(30)
    assert lab.data_interfaces("spoke1") == ("Ethernet0/1", "Ethernet0/2")
    assert lab.wan_interface("spoke1") == "Ethernet0/1"
    assert lab.nodes["spoke1"].interfaces.get("Ethernet0/2").line_up
    assert lab.nodes["isp"].interfaces.get("Ethernet1/1").line_up
    assert lab.peer_node(lab.nodes["isp"], "100.64.1.2") == "spoke1"
    lab.fail("isp", "node-stop")
    lab.run_for(1)
    assert not lab.nodes["spoke1"].interfaces.get("Ethernet0/2").line_up   # the far end is gone
