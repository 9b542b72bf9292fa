"""Hub failures: DPD-bound failover, the four failure modes, restore and pre-emption."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

import pytest

from flexlab.sim.engine.lab import Lab, SimLabError

HUB1_WAN, HUB2_WAN = "100.64.0.2", "100.64.0.6"
SLA_FREQUENCY = 5.0
RECONNECT_SLACK = 2.0   # next-peer delay + IKE exchange
N = ipaddress.IPv4Network


def dpd_bound(interval: int, retry: int, retransmits: int = 5) -> float:
    """facts.md §1: detection ~ I + (N+1)*R after the last packet from the peer."""
    return interval + (retransmits + 1) * retry


def bgp_routes(lab: Lab, node: str) -> dict[str, str]:
    return {str(r.prefix): str(r.next_hop) for r in lab.nodes[node].snapshot().routes if r.code == "B"}


def assert_converged_on_hub2(lab: Lab) -> None:
    spoke = lab.nodes["spoke1"].snapshot()
    (client,) = spoke.flex_clients
    assert client.state == "ACTIVE" and str(client.peer) == HUB2_WAN
    assert client.assigned_address is not None and client.assigned_address in N("172.16.2.0/24")
    assert bgp_routes(lab, "spoke1") == {"10.0.0.0/8": "172.16.0.1"}
    assert bgp_routes(lab, "hub2")["10.1.1.0/24"] == str(client.assigned_address)


@pytest.mark.parametrize(("interval", "retry", "mode"), [
    (10, 2, "on-demand"), (10, 2, "periodic"), (30, 5, "on-demand"), (30, 5, "periodic"),
])
def test_interface_shutdown_moves_spoke1_within_the_dpd_bound(
    make_lab: Callable[..., Lab], set_dpd: Any, failover: Any, interval: int, retry: int, mode: str,
) -> None:
    dpd = set_dpd(interval, retry, mode)
    lab = make_lab(edits={name: dpd for name in ("spoke1", "spoke2", "hub1", "hub2")})
    track = failover(lab, "hub1", "interface-shutdown")
    lab.run_for(dpd_bound(interval, retry) + 60)
    delay = track.delay("spoke1", HUB2_WAN)
    bound = dpd_bound(interval, retry)
    assert delay is not None, "spoke1 never reached hub2"
    assert bound - SLA_FREQUENCY - 1 <= delay <= bound + SLA_FREQUENCY + RECONNECT_SLACK
    probes = [e for e in track.after("dpd-r-u-there", "spoke1") if e.peer == HUB1_WAN]
    (dead,) = [e for e in track.after("dpd-peer-dead", "spoke1")]
    assert [e.detail["attempt"] for e in probes] == [0, 1, 2, 3, 4, 5]
    assert dead.time - probes[0].time == pytest.approx(6 * retry)
    assert not track.after("flexvpn-down", "spoke2")
    lab.run_for(10)
    assert_converged_on_hub2(lab)


def test_interface_shutdown_goes_through_the_config_and_logs_like_ios(
    make_lab: Callable[..., Lab], failover: Any
) -> None:
    lab = make_lab()
    failover(lab, "hub1", "interface-shutdown")
    lab.run_for(1)
    wan = next(line for line in lab.nodes["hub1"].config.find("interface") if line.words[1] == "Ethernet0/1")
    assert wan.has("shutdown")
    hub_log = [f"%{e.facility}-{e.severity}-{e.mnemonic}: {e.text}" for e in lab.nodes["hub1"].snapshot().log]
    assert "%LINK-5-CHANGED: Interface Ethernet0/1, changed state to administratively down" in hub_log
    assert "%LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet0/1, changed state to down" in hub_log
    isp_log = [e.text for e in lab.nodes["isp"].snapshot().log]
    assert "Interface Ethernet0/1, changed state to down" in isp_log
    lab.restore("hub1")
    lab.run_for(1)
    assert not wan.has("shutdown")
    assert next(i for i in lab.nodes["hub1"].snapshot().interfaces if i.name == "Ethernet0/1").line_up


@pytest.mark.parametrize("mode", ["interface-shutdown", "node-stop", "freeze", "blackhole"])
def test_every_failure_mode_fails_spoke1_over_to_hub2(make_lab: Callable[..., Lab], failover: Any, mode: str) -> None:
    lab = make_lab()
    track = failover(lab, "hub1", mode)
    lab.run_for(120)
    delay = track.delay("spoke1", HUB2_WAN)
    assert delay is not None and delay <= dpd_bound(30, 5) + SLA_FREQUENCY + RECONNECT_SLACK
    (failed,) = track.after("node-failed")
    assert failed.node == "hub1" and failed.detail == {"mode": mode}
    assert not track.after("flexvpn-down", "spoke2")
    assert_converged_on_hub2(lab)
    hub1 = lab.nodes["hub1"]
    assert hub1.responsive == (mode in ("interface-shutdown", "blackhole"))
    isp_port = next(i for i in lab.nodes["isp"].snapshot().interfaces if i.name == "Ethernet0/1")
    assert isp_port.line_up == (mode in ("freeze", "blackhole"))


@pytest.mark.parametrize("mode", ["interface-shutdown", "node-stop", "freeze", "blackhole"])
def test_restore_does_not_pre_empt_by_default(make_lab: Callable[..., Lab], failover: Any, mode: str) -> None:
    lab = make_lab()
    track = failover(lab, "hub1", mode)
    lab.run_for(100)
    lab.restore("hub1")
    lab.run_for(300)
    assert [e.detail["mode"] for e in track.after("node-restored")] == [mode]
    assert track.connected_to("spoke1", HUB1_WAN) is None
    (client,) = lab.nodes["spoke1"].snapshot().flex_clients
    assert str(client.peer) == HUB2_WAN and client.state == "ACTIVE"
    hub_bgp = lab.nodes["hub1"].snapshot().bgp
    assert hub_bgp is not None
    dc = next(n for n in hub_bgp.neighbors if str(n.address) == "10.255.0.2")
    assert dc.state == "Established"
    assert bgp_routes(lab, "hub1")["10.1.1.0/24"] == "10.255.0.2"   # spoke1 now behind hub2


def test_peer_reactivate_returns_to_the_restored_hub(make_lab: Callable[..., Lab], failover: Any) -> None:
    def reactivate(text: str) -> str:
        return text.replace(" client connect Tunnel1", " peer reactivate\n client connect Tunnel1")
    lab = make_lab(edits={"spoke1": reactivate})
    track = failover(lab, "hub1", "node-stop")
    lab.run_for(100)
    assert track.connected_to("spoke1", HUB2_WAN) is not None
    restored_at = lab.now()
    lab.restore("hub1")
    lab.run_for(60)
    back = track.connected_to("spoke1", HUB1_WAN)
    # hub1's track (IP SLA) comes up within one SLA period, the next reactivate probe within its own
    bound = SLA_FREQUENCY + lab.timing.flex_reactivate_probe_s + RECONNECT_SLACK
    assert back is not None and back.time - restored_at <= bound
    lab.run_for(10)
    assert bgp_routes(lab, "hub1")["10.1.1.0/24"] == "172.16.1.1"
    assert "10.1.1.0/24" in bgp_routes(lab, "hub2")


def test_clearing_the_sa_reconnects_from_the_first_peer(make_lab: Callable[..., Lab], failover: Any) -> None:
    lab = make_lab()
    track = failover(lab, "hub1", "blackhole")
    lab.run_for(100)
    lab.restore("hub1")
    lab.run_for(30)
    assert lab.nodes["spoke1"].clear(["clear", "crypto", "ikev2", "sa"]) == ""
    lab.run_for(10)
    assert track.connected_to("spoke1", HUB1_WAN) is not None
    hub2_log = [e.text for e in lab.nodes["hub2"].snapshot().log]
    assert any(t.startswith("Crypto tunnel v2 is DOWN.  Peer 100.64.0.10:500") for t in hub2_log)


def test_node_stop_loses_state_and_boots_from_the_saved_config(make_lab: Callable[..., Lab], failover: Any) -> None:
    lab = make_lab()
    hub2 = lab.nodes["hub2"]
    line = hub2.config.first("logging", "buffered")
    assert line is not None
    line.text = "logging buffered 32768"
    hub2.config_changed()
    hub2.write_memory()
    hub2.config.get_or_add("ip sla 99")          # not saved: lost at reboot
    hub2.config_changed()
    lab.run_for(1)
    failover(lab, "hub2", "node-stop")
    assert not hub2.responsive
    lab.run_for(5)
    lab.restore("hub2")
    snap = hub2.snapshot()
    assert snap.booted == lab.now() and snap.logging.buffered_size == 32768
    assert not hub2.config.find("ip", "sla", "99")
    assert snap.log[0].mnemonic == "RESTART"
    assert not snap.ike_sas


def test_freeze_keeps_links_and_resumes_stale_timers(make_lab: Callable[..., Lab], failover: Any) -> None:
    lab = make_lab()
    track = failover(lab, "hub1", "freeze")
    lab.run_for(400)            # spoke1 moved; hub1's BGP hold timer to *172.16.1.1 is overdue
    assert not track.after("bgp-down", "hub1")
    restored = lab.now()
    lab.restore("hub1")
    lab.run_for(1)
    downs = track.after("bgp-down", "hub1")
    assert downs and all(e.time == pytest.approx(restored) for e in downs)
    assert any(e.peer == "172.16.1.1" for e in downs)


def test_blackhole_keeps_the_node_running_and_breaks_its_bgp_by_hold_timer(
    make_lab: Callable[..., Lab], failover: Any
) -> None:
    lab = make_lab()
    track = failover(lab, "hub1", "blackhole")
    lab.run_for(200)
    down = [e for e in track.after("bgp-down", "hub2") if e.peer == "10.255.0.1"]
    assert down and down[0].detail["reason"] == "BGP Notification sent"
    assert 120 <= down[0].time - track.t_fail <= 180
    assert lab.nodes["hub1"].snapshot().bgp is not None


def test_failure_api_refuses_misuse(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(settle=1.0)
    with pytest.raises(SimLabError, match="unknown failure mode"):
        lab.fail("hub1", "meteor")
    with pytest.raises(SimLabError, match="no node"):
        lab.fail("hub9", "freeze")
    lab.fail("hub1", "freeze")
    with pytest.raises(SimLabError, match="already failed"):
        lab.fail("hub1", "blackhole")
    with pytest.raises(SimLabError, match="not failed"):
        lab.restore("hub2")


def test_an_unreachable_first_peer_costs_the_ike_timeout(make_lab: Callable[..., Lab], failover: Any) -> None:
    lab = make_lab()
    track = failover(lab, "hub1", "node-stop")
    lab.run_for(100)
    cleared = lab.now()
    lab.nodes["spoke1"].clear(["clear", "crypto", "ikev2", "sa"])
    lab.run_for(60)
    starts = [e for e in track.after("ike-start", "spoke1") if e.time >= cleared]
    assert [e.peer for e in starts[:2]] == [HUB1_WAN, HUB2_WAN]
    (timeout,) = [e for e in track.after("ike-failed", "spoke1") if e.time >= cleared]
    assert timeout.detail["reason"] == "timeout"
    assert timeout.time - starts[0].time == pytest.approx(lab.timing.ike_timeout_s)
    back = [e for e in track.after("flexvpn-up", "spoke1") if e.time >= cleared]
    assert [e.peer for e in back] == [HUB2_WAN]
