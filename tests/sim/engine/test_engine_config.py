"""Configuration changes through the config tree (as the CLI makes them) change behaviour;
missing DPD and the defective image never fail over."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

import pytest

from flexlab.design import load_design
from flexlab.iosconfig import ConfigLine, ConfigTree
from flexlab.sim.engine.lab import Lab

HUB1_WAN, HUB2_WAN = "100.64.0.2", "100.64.0.6"
N = ipaddress.IPv4Network


def sub_line(tree: ConfigTree, parent: tuple[str, ...], child: tuple[str, ...]) -> ConfigLine:
    top = tree.first(*parent)
    assert top is not None, parent
    for line in top.children:
        found = line.child(*child) if line.children else None
        if line.starts_with(*child):
            return line
        if found is not None:
            return found
    raise AssertionError(f"{child} not under {parent}")


def bgp_prefixes(lab: Lab, node: str) -> set[str]:
    bgp = lab.nodes[node].snapshot().bgp
    assert bgp is not None
    return {str(p.prefix) for p in bgp.paths}


def test_removing_summary_only_leaks_specifics_to_spokes(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    assert bgp_prefixes(lab, "spoke1") == {"10.0.0.0/8", "10.1.1.0/24"}
    for hub in ("hub1", "hub2"):
        line = sub_line(lab.nodes[hub].config, ("router", "bgp"), ("aggregate-address",))
        line.text = line.text.replace(" summary-only", "")
        lab.nodes[hub].config_changed()
    lab.run_for(2)
    leaked = bgp_prefixes(lab, "spoke1")
    assert {"10.0.1.0/24", "10.0.2.0/24", "10.1.2.0/24", "10.0.0.0/8"} <= leaked
    routes = {str(r.prefix): str(r.next_hop) for r in lab.nodes["spoke1"].snapshot().routes if r.code == "B"}
    assert routes["10.0.1.0/24"] == "172.16.0.1"
    for hub in ("hub1", "hub2"):
        line = sub_line(lab.nodes[hub].config, ("router", "bgp"), ("aggregate-address",))
        line.text += " summary-only"
        lab.nodes[hub].config_changed()
    lab.run_for(2)
    assert bgp_prefixes(lab, "spoke1") == {"10.0.0.0/8", "10.1.1.0/24"}


def test_wrong_psk_on_hub1_makes_spoke1_skip_it(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    hub1 = lab.nodes["hub1"]
    psk = sub_line(hub1.config, ("crypto", "ikev2", "keyring"), ("pre-shared-key", "remote"))
    psk.text = "pre-shared-key remote not-the-spoke-key"
    hub1.config_changed()
    lab.run_for(1)
    start = lab.now()
    lab.nodes["spoke1"].clear(["clear", "crypto", "ikev2", "sa"])
    lab.run_for(20)
    events = [e for e in lab.truth() if e.time >= start]
    failed = [e for e in events if e.kind == "ike-failed" and e.node == "spoke1"]
    assert failed and failed[0].peer == HUB1_WAN and failed[0].detail["reason"] == "authentication failed"
    assert any(e.kind == "ike-failed" and e.node == "hub1" for e in events)
    up = [e for e in events if e.kind == "flexvpn-up" and e.node == "spoke1"]
    assert [e.peer for e in up] == [HUB2_WAN]
    assert up[0].time - failed[0].time <= lab.timing.flex_next_peer_delay_s + 1


def test_wrong_psk_at_boot_sends_spoke1_to_hub2_from_the_start(make_lab: Callable[..., Lab]) -> None:
    def wrong(text: str) -> str:
        return text.replace("pre-shared-key remote flexlab-lab-psk", "pre-shared-key remote typo")
    lab = make_lab(edits={"hub1": wrong}, settle=30)
    (client,) = lab.nodes["spoke1"].snapshot().flex_clients
    assert str(client.peer) == HUB2_WAN and client.state == "ACTIVE"
    attempts = [e.peer for e in lab.truth() if e.node == "spoke1" and e.kind == "ike-start"]
    assert attempts == [HUB1_WAN, HUB2_WAN]


def test_a_spoke_whose_own_key_is_wrong_cycles_through_all_peers(make_lab: Callable[..., Lab]) -> None:
    def wrong(text: str) -> str:
        return text.replace("pre-shared-key local flexlab-lab-psk", "pre-shared-key local typo")
    lab = make_lab(edits={"spoke1": wrong}, settle=10)
    (client,) = lab.nodes["spoke1"].snapshot().flex_clients
    assert client.state in ("CONNECTING", "WAIT-NEXT-PEER") and client.assigned_address is None
    attempts = [e.peer for e in lab.truth() if e.node == "spoke1" and e.kind == "ike-start"]
    assert attempts[:4] == [HUB1_WAN, HUB2_WAN, HUB1_WAN, HUB2_WAN]


def test_a_tunnel_without_dynamic_destination_is_not_driven(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(edits={"spoke1": lambda t: t.replace("tunnel destination dynamic", "tunnel destination 100.64.0.2")},
                   settle=30)
    (client,) = lab.nodes["spoke1"].snapshot().flex_clients
    assert client.state == "INACTIVE"
    assert not [e for e in lab.truth() if e.node == "spoke1" and e.kind == "ike-start"]


def test_pool_exhaustion_sends_the_next_spoke_to_the_other_hub(make_lab: Callable[..., Lab]) -> None:
    plan = load_design().with_spokes(3).plan()
    def one_address(text: str) -> str:
        return text.replace("ip local pool FlexSpokes 172.16.1.1 172.16.1.254", "ip local pool FlexSpokes 172.16.1.1")
    lab = make_lab(lab_plan=plan, edits={"hub1": one_address}, settle=30)
    peers = {s: str(lab.nodes[s].snapshot().flex_clients[0].peer) for s in ("spoke1", "spoke3")}
    assert sorted(peers.values()) == [HUB1_WAN, HUB2_WAN]
    reasons = {e.detail["reason"] for e in lab.truth() if e.kind == "ike-failed" and e.node == "hub1"}
    assert reasons == {"ip local pool FlexSpokes exhausted"}


def test_without_dpd_the_spoke_stays_on_the_dead_hub_until_rekey(
    make_lab: Callable[..., Lab], set_dpd: Any, failover: Any,
) -> None:
    lab = make_lab(edits={"spoke1": set_dpd(None)})
    assert lab.nodes["spoke1"].snapshot().ike_sas[0].dpd_interval == 0
    track = failover(lab, "hub1", "interface-shutdown")
    lab.run_for(300)
    assert track.connected_to("spoke1", HUB2_WAN) is None
    assert not track.after("dpd-r-u-there", "spoke1")
    (down,) = [e for e in track.after("bgp-down", "spoke1")]
    assert down.detail["reason"] == "BGP Notification sent" and 120 <= down.time - track.t_fail <= 180
    spoke = lab.nodes["spoke1"].snapshot()
    assert spoke.flex_clients[0].state == "ACTIVE" and str(spoke.flex_clients[0].peer) == HUB1_WAN
    assert any(e.text == "sent to neighbor 172.16.0.1 4/0 (hold time expired) 0 bytes" for e in spoke.log)
    lab.run_for(3600)   # the IPsec rekey at 90 % of 3600 s times out and deletes the SA
    moved = track.connected_to("spoke1", HUB2_WAN)
    assert moved is not None
    (deleted,) = [e for e in track.after("sa-deleted", "spoke1") if e.peer == HUB1_WAN]
    assert deleted.detail["reason"] == "rekey timeout"


def test_the_defective_image_never_fails_over(make_lab: Callable[..., Lab], failover: Any) -> None:
    lab = make_lab(image="iol-17.12-dpd-bug")
    track = failover(lab, "hub1", "interface-shutdown")
    lab.run_for(600)
    assert len(track.after("dpd-r-u-there", "spoke1")) >= 6
    assert not track.after("dpd-peer-dead")
    assert track.connected_to("spoke1", HUB2_WAN) is None
    assert str(lab.nodes["spoke1"].snapshot().flex_clients[0].peer) == HUB1_WAN


def test_neighbor_shutdown_takes_the_session_down(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    spoke = lab.nodes["spoke1"]
    router = spoke.config.first("router", "bgp")
    assert router is not None
    router.children.append(ConfigLine("neighbor 172.16.0.1 shutdown"))
    spoke.config_changed()
    lab.run_for(2)
    snap = spoke.snapshot()
    assert snap.bgp is not None and snap.bgp.neighbors[0].admin_shutdown and snap.bgp.neighbors[0].state == "Idle"
    assert any(e.text == "neighbor 172.16.0.1 Down Admin. shutdown" for e in snap.log)
    assert not [r for r in snap.routes if r.code == "B"]
    hub_log = [e.text for e in lab.nodes["hub1"].snapshot().log]
    assert "received from neighbor *172.16.1.1 6/2 (Administrative Shutdown) 0 bytes" in hub_log
    router.children.pop()
    spoke.config_changed()
    lab.run_for(15)
    assert [str(r.prefix) for r in spoke.snapshot().routes if r.code == "B"] == ["10.0.0.0/8"]


@pytest.mark.parametrize("image", ["iosv-15.9", "csr-17.3", "ios-15.2m"])
def test_other_images_converge_and_report_their_version(make_lab: Callable[..., Lab], image: str) -> None:
    lab = make_lab(image=image, settle=60)
    snap = lab.nodes["spoke2"].snapshot()
    assert snap.version.image == image
    assert snap.flex_clients[0].state == "ACTIVE"
    assert [str(r.prefix) for r in snap.routes if r.code == "B"] == ["10.0.0.0/8"]


def test_route_reflection_rules_between_non_client_spokes(make_lab: Callable[..., Lab]) -> None:
    """Without summary-only, a spoke learns the other hub's spokes (reflected from the
    client hub) but not a spoke on its own hub (non-client to non-client is not reflected)."""
    plan = load_design().with_spokes(3).plan()
    def no_summary(text: str) -> str:
        return text.replace(" summary-only", "")
    lab = make_lab(lab_plan=plan, edits={"hub1": no_summary, "hub2": no_summary}, settle=30)
    spoke3 = bgp_prefixes(lab, "spoke3")      # spoke3 sits on hub1 with spoke1
    assert "10.1.2.0/24" in spoke3 and "10.1.1.0/24" not in spoke3
    hub2 = lab.nodes["hub2"].snapshot().bgp
    assert hub2 is not None
    reflected = next(p for p in hub2.paths if str(p.prefix) == "10.1.1.0/24" and p.best)
    assert str(reflected.next_hop) == "10.255.0.1"   # next-hop-self all on the reflecting hub
