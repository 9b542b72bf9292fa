"""Baseline after boot: tunnels, BGP, routes, logs, NTP, SLA — read through snapshots."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import pytest

from flexlab.design import LabPlan
from flexlab.sim.engine.lab import Lab
from flexlab.sim.state import NodeSnapshot

A = ipaddress.IPv4Address
N = ipaddress.IPv4Network


@pytest.fixture
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab(settle=100.0)


def bgp_routes(snap: NodeSnapshot) -> dict[str, str]:
    return {str(r.prefix): str(r.next_hop) for r in snap.routes if r.code == "B"}


def texts(snap: NodeSnapshot, *mnemonics: str) -> list[str]:
    return [f"%{e.facility}-{e.severity}-{e.mnemonic}: {e.text}" for e in snap.log if e.mnemonic in mnemonics]


def test_each_spoke_connects_to_its_preferred_hub_with_a_pool_address(lab: Lab) -> None:
    for spoke, hub_wan, assigned in (("spoke1", "100.64.0.2", "172.16.1.1"), ("spoke2", "100.64.0.6", "172.16.2.1")):
        snap = lab.nodes[spoke].snapshot()
        (client,) = snap.flex_clients
        assert (client.state, str(client.peer), str(client.assigned_address)) == ("ACTIVE", hub_wan, assigned)
        tunnel = next(i for i in snap.interfaces if i.name == "Tunnel1")
        assert tunnel.line_up and str(tunnel.address) == assigned and tunnel.prefixlen == 32 and tunnel.method == "IPCP"
        (sa,) = snap.ike_sas
        assert sa.is_initiator and str(sa.remote) == hub_wan and (sa.dpd_interval, sa.dpd_retry) == (30, 5)
        assert str(sa.assigned_address) == assigned and sa.remote_subnets == (N("172.16.0.1/32"),)


def test_spokes_hold_only_the_summary_and_hubs_every_spoke_lan(lab: Lab) -> None:
    for spoke in ("spoke1", "spoke2"):
        assert bgp_routes(lab.nodes[spoke].snapshot()) == {"10.0.0.0/8": "172.16.0.1"}
    hub1 = bgp_routes(lab.nodes["hub1"].snapshot())
    assert hub1["10.1.1.0/24"] == "172.16.1.1" and hub1["10.1.2.0/24"] == "10.255.0.2"
    assert hub1["10.0.2.0/24"] == "10.255.0.2" and hub1["10.0.0.0/8"] == "0.0.0.0"
    hub2 = bgp_routes(lab.nodes["hub2"].snapshot())
    assert hub2["10.1.2.0/24"] == "172.16.2.1" and hub2["10.1.1.0/24"] == "10.255.0.1"


def test_hub_bgp_table_flags_and_dynamic_neighbours(lab: Lab) -> None:
    snap = lab.nodes["hub1"].snapshot()
    bgp = snap.bgp
    assert bgp is not None
    states = {(str(n.address), n.dynamic): n.state for n in bgp.neighbors}
    assert states == {("10.255.0.2", False): "Established", ("172.16.1.1", True): "Established"}
    (listen,) = bgp.listen_ranges
    assert (listen.peer_group, listen.prefix, listen.members) == ("Spokes", N("172.16.0.0/16"), (A("172.16.1.1"),))
    best = {str(p.prefix): p for p in bgp.paths if p.best}
    assert best["10.1.1.0/24"].suppressed and best["10.1.1.0/24"].internal
    assert best["10.0.1.0/24"].suppressed and best["10.0.1.0/24"].weight == 32768
    assert not best["10.0.0.0/8"].suppressed and best["10.0.0.0/8"].atomic_aggregate
    loser = [p for p in bgp.paths if str(p.prefix) == "10.0.0.0/8" and not p.best]
    assert [str(p.next_hop) for p in loser] == ["10.255.0.2"]
    va = next(i for i in snap.interfaces if i.name == "Virtual-Access1")
    assert va.line_up and va.unnumbered == "Loopback1" and str(va.tunnel_destination) == "100.64.0.10"
    (pool,) = snap.pools
    assert pool.in_use == (A("172.16.1.1"),)


def test_logs_carry_the_exact_ios_messages_in_order(lab: Lab) -> None:
    spoke = texts(
        lab.nodes["spoke1"].snapshot(), "UPDOWN", "IKEV2_SESSION_STATUS", "FLEXVPN_CONNECTION_UP", "ADJCHANGE"
    )
    wanted = [
        "%LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel1, changed state to up",
        "%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is UP.  Peer 100.64.0.2:500 Id: 100.64.0.2",
        (
            "%FLEXVPN-6-FLEXVPN_CONNECTION_UP: FlexVPN(Flex_Client) Client_public_addr = 100.64.0.10 "
            "Server_public_addr = 100.64.0.2 Assigned_Tunnel_v4_addr = 172.16.1.1"
        ),
        "%BGP-5-ADJCHANGE: neighbor 172.16.0.1 Up",
    ]
    start = spoke.index(wanted[0])
    assert spoke[start:start + 4] == wanted
    hub = texts(lab.nodes["hub1"].snapshot(), "UPDOWN", "IKEV2_SESSION_STATUS", "ADJCHANGE")
    assert "%LINK-3-UPDOWN: Interface Virtual-Access1, changed state to up" in hub
    assert "%LINEPROTO-5-UPDOWN: Line protocol on Interface Virtual-Access1, changed state to up" in hub
    assert "%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is UP.  Peer 100.64.0.10:500 Id: 100.64.0.10" in hub
    assert "%BGP-5-ADJCHANGE: neighbor *172.16.1.1 Up" in hub


def test_ntp_synchronises_every_node_to_the_master_clock(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(settle=5.0)
    spoke = lab.nodes["spoke1"].snapshot()
    master = lab.nodes["hub1"].snapshot()
    assert master.clock_synced and not spoke.clock_synced
    assert spoke.clock_offset != master.clock_offset
    early = [e for e in spoke.log if e.mnemonic == "FLEXVPN_CONNECTION_UP"]
    assert early and early[0].synced is False
    lab.run_for(60.0)
    for name in lab.nodes:
        snap = lab.nodes[name].snapshot()
        assert snap.clock_synced, name
        assert snap.clock_offset == master.clock_offset
    ntp = lab.nodes["spoke1"].snapshot().ntp
    assert ntp is not None and ntp.reference == "100.64.0.2" and ntp.stratum == 4


def test_ip_sla_probes_over_the_tunnel_succeed(lab: Lab) -> None:
    (sla,) = lab.nodes["spoke1"].snapshot().slas
    assert sla.successes >= 15 and sla.latest_ok and sla.latest_rtt_ms is not None and sla.latest_rtt_ms >= 1
    tunnel = next(i for i in lab.nodes["spoke1"].snapshot().interfaces if i.name == "Tunnel1")
    assert tunnel.packets_out >= sla.successes and tunnel.packets_in >= sla.successes


def test_logins_use_the_config_and_the_bootstrap_user(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(settle=0.0, credentials=("netops", "s3cret"))
    node = lab.nodes["hub2"]
    assert node.check_login("netops", "s3cret")
    assert not node.check_login("netops", "wrong") and not node.check_login("admin", "admin")
    assert node.check_enable("anything")  # no enable secret configured
    assert "username netops privilege 15 secret s3cret" in node.config.render()


def test_runs_are_deterministic_for_a_seed(make_lab: Callable[..., Lab]) -> None:
    first = [e.to_dict() for e in make_lab(settle=60.0, seed=7).truth()]
    second = [e.to_dict() for e in make_lab(settle=60.0, seed=7).truth()]
    assert first == second
    other = make_lab(settle=0.0, seed=8)
    assert other.nodes["spoke1"].own_offset != make_lab(settle=0.0, seed=7).nodes["spoke1"].own_offset


def test_logging_buffer_is_size_limited(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(edits={"hub1": lambda t: t.replace("logging buffered 64000", "logging buffered 4096")}, settle=30.0)
    snap = lab.nodes["hub1"].snapshot()
    assert snap.logging.buffered_size == 4096
    assert sum(len(e.text) + 40 for e in snap.log) <= 4096


def test_snapshot_of_a_plan_node_reports_version_and_uptime(lab: Lab, plan: LabPlan) -> None:
    snap = lab.nodes["isp"].snapshot()
    assert snap.version.image == "iol-17.12" and snap.version.version == "17.12.1"
    boot = next(e for e in lab.truth() if e.kind == "node-boot" and e.node == "isp")
    assert snap.now - snap.booted == pytest.approx(lab.now() - (boot.time + boot.detail["offset"]))
    assert {i.name for i in snap.interfaces if i.line_up} == {
        "Ethernet0/1",
        "Ethernet0/2",
        "Ethernet0/3",
        "Ethernet1/0",
    }
