"""Typed config views over the rendered reference configs."""

from __future__ import annotations

import ipaddress

from flexlab.design import LabPlan
from flexlab.iosconfig import ConfigTree
from flexlab.render import render_node
from flexlab.sim.engine import views
from flexlab.sim.engine.views_bgp import bgp_view, policy_view
from flexlab.sim.engine.views_crypto import crypto_view

A = ipaddress.IPv4Address
N = ipaddress.IPv4Network


def tree(plan: LabPlan, name: str) -> ConfigTree:
    return ConfigTree.from_text(render_node(plan, plan.node(name), "cisco_iol", "embedded"))


def test_hub_crypto_view(plan: LabPlan) -> None:
    crypto = crypto_view(tree(plan, "hub1"))
    profile = crypto.profiles["Flex_IKEv2"]
    assert profile.matches(A("100.64.0.10")) and profile.virtual_template == 1
    assert profile.auth_policy == "default" and profile.keyring == "Flex_key"
    key = crypto.keyrings["Flex_key"].peer_for(A("100.64.0.10"))
    assert key is not None and key.local_psk == key.remote_psk == "flexlab-lab-psk"
    assert crypto.auth_policies["default"].pool == "FlexSpokes"
    assert crypto.pools["FlexSpokes"].start == A("172.16.1.1") and crypto.pools["FlexSpokes"].end == A("172.16.1.254")
    assert crypto.dpd_for(profile) is not None and crypto.dpd_for(profile).interval == 30  # type: ignore[union-attr]
    assert crypto.logging_session


def test_spoke_views(plan: LabPlan) -> None:
    t = tree(plan, "spoke1")
    crypto = crypto_view(t)
    client = crypto.flex_clients["Flex_Client"]
    assert [p.address for p in client.peers] == [A("100.64.0.2"), A("100.64.0.6")]
    assert client.tunnel == "Tunnel1" and not client.reactivate
    ifs = views.interfaces(t)
    assert ifs["Tunnel1"].negotiated and ifs["Tunnel1"].tunnel_destination == "dynamic"
    assert crypto.profile_for_tunnel(ifs["Tunnel1"].tunnel_protection).name == "Flex_IKEv2"  # type: ignore[union-attr]
    sla = views.slas(t)[10]
    assert sla.target == A("172.16.0.1") and sla.source_interface == "Loopback1" and sla.frequency == 5
    assert sla.scheduled and sla.start_now
    assert [r.prefix for r in views.static_routes(t)] == [N("0.0.0.0/0")]
    assert views.ntp_view(t).servers == (A("100.64.0.2"),)


def test_hub_bgp_and_policy_views(plan: LabPlan) -> None:
    t = tree(plan, "hub1")
    bgp = bgp_view(t)
    assert bgp is not None and bgp.asn == 65001 and bgp.router_id == A("10.0.1.1")
    assert bgp.listen_group_for(A("172.16.1.7")) == "Spokes"
    assert bgp.listen_group_for(A("10.9.9.9")) is None
    dc = bgp.neighbors[A("10.255.0.2")]
    assert dc.rr_client and dc.next_hop_self_all and dc.unsuppress_map == "ALL"
    assert bgp.dynamic_view(A("172.16.1.7"), "Spokes").remote_as == 65001
    assert [a.prefix for a in bgp.aggregates] == [N("10.0.0.0/8")] and bgp.aggregates[0].summary_only
    assert bgp.networks == (N("10.0.1.0/24"),)
    policy = policy_view(t)
    assert policy.route_map_permits("ALL", N("10.1.1.0/24"))
    assert not policy.route_map_permits("MISSING", N("10.1.1.0/24"))


def test_route_map_denies_what_its_acl_does_not_permit() -> None:
    t = ConfigTree.from_text(
        "access-list 5 permit 10.1.0.0 0.0.255.255\nroute-map ONLY permit 10\n match ip address 5\n"
    )
    policy = policy_view(t)
    assert policy.route_map_permits("ONLY", N("10.1.7.0/24"))
    assert not policy.route_map_permits("ONLY", N("10.0.1.0/24"))
