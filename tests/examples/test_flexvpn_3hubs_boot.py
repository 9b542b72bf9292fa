"""The hand-written three-hub topology (src/flexlab/topologies/examples/flexvpn-3hubs.clab.yml) boots
on the simulator engine in-process (test clock, no SSH) and fails over as 116413 says.

The engine is fed the topology's own links and startup configs (tests/fixtures/live):
node names, cabling (``node:ethN``) and addresses come from the files, nothing from
configs/design.yaml. This
shows the configs are accepted line for line and the three-hub protocol behaviour the job
relies on (peer order, skipping a dead peer); the job itself runs on it in
tests/jobs/test_job_three_hubs.py once `flexlab lab up --embedded -t` exists.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from flexlab.sim.engine.lab import Lab

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "live"))
from live_lab import THREE_HUBS, engine_lab  # noqa: E402

HUB_WAN = {"hub1": "100.64.0.2", "hub2": "100.64.0.6", "hub3": "100.64.0.10"}   # from the configs, by hand
#: Hand-derived worst cases (docs/timing.md, fixed model, dpd 30 5, IP SLA every 5 s):
#: T + I + (N+1)*R + S = 5 + 30 + 30 + 5 = 70 s; a dead peer tried on the way costs the
#: IKE_SA_INIT give-up (2+4+8+16 = 30 s) plus the next-peer pause (2 s): 102 s.
BOUND_S = 70.0
BOUND_ONE_DEAD_PEER_S = 102.0


def test_every_node_has_its_partial_startup_config_and_every_link_end_is_a_node() -> None:
    """Each node's startup config exists, is partial (containerlab keeps its management
    bootstrap) and names the node as hostname; every link end is a node. (containerlab's
    schema: tests/test_clab.py.)"""
    doc = yaml.safe_load(THREE_HUBS.read_text())
    for name, node in doc["topology"]["nodes"].items():
        config = THREE_HUBS.parent / node["startup-config"]
        assert ".partial." in config.name and re.match(rf"hostname {name}\n", config.read_text()), name
    ends = {end.split(":")[0] for link in doc["topology"]["links"] for end in link["endpoints"]}
    assert ends == set(doc["topology"]["nodes"])


def client(lab: Lab, spoke: str) -> tuple[str, str]:
    (flex,) = lab.nodes[spoke].snapshot().flex_clients
    return flex.state, str(flex.peer)


def up_events(lab: Lab, spoke: str, since: float) -> list[tuple[float, str]]:
    return [(e.time - since, str(e.peer)) for e in lab.truth()
            if e.kind == "flexvpn-up" and e.node == spoke and e.time >= since]


@pytest.fixture
def lab() -> Lab:
    lab = engine_lab(THREE_HUBS)
    lab.boot()
    lab.run_for(max(node.boot_offset for node in lab.nodes.values()) + 100)
    return lab


def test_every_startup_config_line_is_accepted(lab: Lab) -> None:
    assert lab.boot_errors == {}
    assert sorted(lab.nodes) == ["hub1", "hub2", "hub3", "isp", "spoke1", "spoke2"]


def test_spokes_start_on_their_peer_1_and_every_hub_learns_every_spoke_lan(lab: Lab) -> None:
    assert client(lab, "spoke1") == ("ACTIVE", HUB_WAN["hub1"])
    assert client(lab, "spoke2") == ("ACTIVE", HUB_WAN["hub2"])
    for hub in ("hub1", "hub2", "hub3"):
        prefixes = {str(r.prefix) for r in lab.nodes[hub].snapshot().routes if r.code == "B"}
        assert {"10.1.1.0/24", "10.1.2.0/24"} <= prefixes, hub
    spoke_routes = {str(r.prefix) for r in lab.nodes["spoke1"].snapshot().routes if r.code == "B"}
    assert spoke_routes == {"10.0.0.0/8"}


def test_cumulative_failures_move_spoke1_hub1_hub2_hub3_and_spoke2_skips_dead_hub1(lab: Lab) -> None:
    t1 = lab.now()
    lab.fail("hub1", "interface-shutdown")
    lab.run_for(BOUND_S + 20)
    assert up_events(lab, "spoke1", t1)[0][1] == HUB_WAN["hub2"]
    assert up_events(lab, "spoke1", t1)[0][0] <= BOUND_S
    assert client(lab, "spoke2") == ("ACTIVE", HUB_WAN["hub2"])   # not on the failed hub: stays

    t2 = lab.now()
    lab.fail("hub2", "interface-shutdown")
    lab.run_for(BOUND_ONE_DEAD_PEER_S + 20)
    assert client(lab, "spoke1") == ("ACTIVE", HUB_WAN["hub3"])
    assert client(lab, "spoke2") == ("ACTIVE", HUB_WAN["hub3"])
    (spoke1_up,) = up_events(lab, "spoke1", t2)
    (spoke2_up,) = up_events(lab, "spoke2", t2)
    assert spoke1_up[0] <= BOUND_S
    # spoke2's next peer after hub2 is hub1 (dead): it must try it and give up first
    tried_hub1 = [e for e in lab.truth() if e.node == "spoke2" and e.time >= t2 and str(e.peer) == HUB_WAN["hub1"]]
    assert tried_hub1, "spoke2 went to hub3 without trying its peer 2 (hub1)"
    assert BOUND_S < spoke2_up[0] <= BOUND_ONE_DEAD_PEER_S
    hub3_routes = {str(r.prefix) for r in lab.nodes["hub3"].snapshot().routes if r.code == "B"}
    assert {"10.1.1.0/24", "10.1.2.0/24"} <= hub3_routes
