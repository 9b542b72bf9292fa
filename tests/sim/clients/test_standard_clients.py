"""The embedded lab driven with the tools network engineers use against IOS: netmiko,
scrapli, NAPALM (ios driver), ntc-templates (TextFSM) and Genie `learn`.

One embedded lab for the module (`flexlab lab up --embedded`, named, own state dir), as a
user starts it. Expected values come from the design (src/flexlab/data/design.yaml), by hand:
AS 65001; hub1 router ID 10.0.1.1 (its LAN .1); hub1 WAN 100.64.0.2/30 on Ethernet0/1
(first /30 of 100.64.0.0/16, ISP .1) and 10.255.0.1/30 on Ethernet0/2 towards hub2
(10.255.0.2, router ID 10.0.2.1); spoke1 (prefers hub1) WAN 100.64.0.10, LAN 10.1.1.0/24,
tunnel address 172.16.1.1 (first of hub1's pool), BGP neighbour the overlay 172.16.0.1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from genie.testbed import load
from napalm import get_network_driver
from netmiko import ConnectHandler
from scrapli import Scrapli

pytestmark = pytest.mark.slow  # starts the embedded lab and talks to it over SSH

BIN = Path(sys.executable).parent
LAB = "clients"
SCALE = 20.0
USER, PASSWORD = "admin", "admin"       # the embedded lab's documented default login
AS = 65001
SETTLE_WALL_S = 60.0


def _flexlab(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(BIN / "flexlab"), *args], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _netmiko(port: int) -> Any:
    return ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=port, username=USER, password=PASSWORD,
                          fast_cli=True)


def _settled(port: int) -> bool:
    """hub1 has both BGP sessions (hub2, spoke1) Established."""
    with _netmiko(port) as conn:
        rows = conn.send_command("show ip bgp neighbors", use_textfsm=True)
    return {r["neighbor"] for r in rows if r["bgp_state"] == "Established"} == {"10.255.0.2", "172.16.1.1"}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("clients")
    env = {**os.environ, "FLEXLAB_STATE_DIR": str(tmp / "state")}
    testbed_file = tmp / "tb.yaml"
    _flexlab(env, "lab", "up", "--embedded", "--name", LAB, "--time-scale", str(SCALE),
             "--testbed-out", str(testbed_file))
    try:
        ports = {name: dev["connections"]["cli"]["port"]
                 for name, dev in yaml.safe_load(testbed_file.read_text())["devices"].items()}
        deadline = time.monotonic() + SETTLE_WALL_S
        while not _settled(ports["hub1"]):
            assert time.monotonic() < deadline, "hub1's BGP sessions did not come up"
            time.sleep(0.5)
        yield {"ports": ports, "testbed": str(testbed_file)}
    finally:
        _flexlab(env, "lab", "down", "--name", LAB)


def _napalm(lab, node: str):
    driver = get_network_driver("ios")("127.0.0.1", USER, PASSWORD, optional_args={"port": lab["ports"][node]})
    driver.open()
    yield driver
    driver.close()


@pytest.fixture(scope="module")
def napalm_hub1(lab):
    yield from _napalm(lab, "hub1")


@pytest.fixture(scope="module")
def napalm_spoke1(lab):
    yield from _napalm(lab, "spoke1")


# ---------------------------------------------------------------- netmiko + ntc-templates


def test_netmiko_reads_and_configures(lab) -> None:
    with _netmiko(lab["ports"]["spoke1"]) as conn:
        brief = {r["interface"]: r for r in conn.send_command("show ip interface brief", use_textfsm=True)}
        assert brief["Ethernet0/1"]["ip_address"] == "100.64.0.10"
        assert brief["Tunnel1"]["ip_address"] == "172.16.1.1" and brief["Tunnel1"]["proto"] == "up"
        conn.send_config_set(
            ["interface Loopback77", "description netmiko-probe", "ip address 192.0.2.77 255.255.255.255"]
        )
        running = conn.send_command("show running-config interface Loopback77")
        assert " description netmiko-probe\n ip address 192.0.2.77 255.255.255.255\nend" in running
        described = {r["port"]: r for r in conn.send_command("show interfaces description", use_textfsm=True)}
        assert described["Lo77"]["description"] == "netmiko-probe"
        users = conn.send_command("show users", use_textfsm=True)
        assert [u["user"] for u in users if u["line"].endswith("vty 0")] == [USER]
        conn.send_config_set(["no interface Loopback77"])
        assert "Loopback77" not in conn.send_command("show ip interface brief")


def test_ntc_templates_on_the_hub(lab) -> None:
    with _netmiko(lab["ports"]["hub1"]) as conn:
        arp = {r["ip_address"]: r["interface"] for r in conn.send_command("show ip arp", use_textfsm=True)}
        cdp = {
            r["neighbor_name"]: r["local_interface"] for r in conn.send_command("show cdp neighbors", use_textfsm=True)
        }
        neighbors = {r["neighbor"]: r for r in conn.send_command("show ip bgp neighbors", use_textfsm=True)}
        sas = conn.send_command("show crypto ipsec sa detail", use_textfsm=True)
    assert arp["100.64.0.1"] == "Ethernet0/1" and arp["10.255.0.2"] == "Ethernet0/2"
    assert cdp == {"isp": "Eth 0/1", "hub2": "Eth 0/2"}
    assert {n["remote_as"] for n in neighbors.values()} == {str(AS)}
    assert neighbors["172.16.1.1"]["remote_router_id"] == "10.1.1.1"
    assert {sa["current_peer"] for sa in sas} == {"100.64.0.10"}       # spoke1's WAN address


def test_ntc_templates_read_the_hubs_measured_processes(lab) -> None:
    """NAPALM's get_environment reads its CPU figure from this header (it also needs `show
    memory statistics`, which the lab does not model); the rows are the hub's own work."""
    with _netmiko(lab["ports"]["hub1"]) as conn:
        first = {r["process_name"]: r for r in conn.send_command("show processes cpu", use_textfsm=True)}
        second = {r["process_name"]: r for r in conn.send_command("show processes cpu sorted", use_textfsm=True)}
    assert {"BGP Router", "BGP I/O", "Crypto IKEv2", "NTP"} <= set(first)
    assert all(int(row["process_invoked"]) > 0 for row in first.values())
    assert 0 <= int(first["NTP"]["cpu_usage_1_min"]) <= 100
    # the first show was charged to the vty's exec once it had printed
    assert int(second["Virtual Exec"]["process_invoked"]) > int(first.get("Virtual Exec", {}).get("process_invoked", 0))
    assert int(second["BGP I/O"]["process_invoked"]) >= int(first["BGP I/O"]["process_invoked"])


# ---------------------------------------------------------------- scrapli


def test_scrapli_reads_and_configures(lab) -> None:
    conn = Scrapli(host="127.0.0.1", port=lab["ports"]["hub1"], auth_username=USER, auth_password=PASSWORD,
                   auth_strict_key=False, platform="cisco_iosxe", transport="system", ssh_config_file=False)
    conn.open()
    try:
        version = conn.send_command("show version").textfsm_parse_output()[0]
        assert version["hostname"] == "hub1" and version["version"] == "17.12.1"   # image iol-17.12
        conn.send_configs(["interface Loopback78", "description scrapli-probe"])
        described = {r["port"]: r for r in conn.send_command("show interfaces description").textfsm_parse_output()}
        assert described["Lo78"]["description"] == "scrapli-probe"
        assert described["Et0/1"]["description"] == "WAN to isp"
        conn.send_configs(["no interface Loopback78"])
        route = conn.send_command("show ip route 10.1.1.1").result
        assert route.startswith("Routing entry for 10.1.1.0/24") and f'Known via "bgp {AS}"' in route
    finally:
        conn.close()


# ---------------------------------------------------------------- NAPALM


def test_napalm_get_facts(napalm_hub1) -> None:
    facts = napalm_hub1.get_facts()
    assert facts["hostname"] == "hub1"
    assert "Version 17.12.1" in facts["os_version"]
    assert {"Loopback0", "Loopback1", "Ethernet0/1", "Ethernet0/2"} <= set(facts["interface_list"])
    assert facts["uptime"] > 0


def test_napalm_get_interfaces(napalm_hub1) -> None:
    interfaces = napalm_hub1.get_interfaces()
    wan = interfaces["Ethernet0/1"]
    assert wan["is_enabled"] and wan["is_up"]
    assert wan["description"] == "WAN to isp"
    assert interfaces["Loopback0"]["description"] == "hub1 LAN"
    assert not interfaces["Virtual-Template1"]["is_up"]          # a template never carries traffic


def test_napalm_get_interfaces_ip(napalm_hub1, napalm_spoke1) -> None:
    hub = napalm_hub1.get_interfaces_ip()
    assert hub["Ethernet0/1"]["ipv4"] == {"100.64.0.2": {"prefix_length": 30}}
    assert hub["Ethernet0/2"]["ipv4"] == {"10.255.0.1": {"prefix_length": 30}}
    assert hub["Loopback0"]["ipv4"] == {"10.0.1.1": {"prefix_length": 24}}
    assert hub["Loopback1"]["ipv4"] == {"172.16.0.1": {"prefix_length": 32}}
    spoke = napalm_spoke1.get_interfaces_ip()
    assert spoke["Tunnel1"]["ipv4"] == {"172.16.1.1": {"prefix_length": 32}}   # negotiated from hub1's pool


def test_napalm_get_bgp_neighbors(napalm_hub1, napalm_spoke1) -> None:
    hub = napalm_hub1.get_bgp_neighbors()["global"]
    assert hub["router_id"] == "10.0.1.1"
    assert set(hub["peers"]) == {"10.255.0.2", "172.16.1.1"}
    assert {p["remote_as"] for p in hub["peers"].values()} == {AS}
    assert all(p["is_up"] and p["is_enabled"] for p in hub["peers"].values())
    assert hub["peers"]["10.255.0.2"]["remote_id"] == "10.0.2.1"
    assert hub["peers"]["172.16.1.1"]["remote_id"] == "10.1.1.1"
    assert hub["peers"]["172.16.1.1"]["address_family"]["ipv4 unicast"]["accepted_prefixes"] == 1   # spoke1's LAN
    spoke = napalm_spoke1.get_bgp_neighbors()["global"]
    peer = spoke["peers"]["172.16.0.1"]
    assert peer["remote_id"] == "10.0.1.1" and peer["is_up"]
    assert peer["address_family"]["ipv4 unicast"]["received_prefixes"] == 1    # the 10.0.0.0/8 summary only


def test_napalm_get_route_to(napalm_hub1) -> None:
    (route,) = napalm_hub1.get_route_to("10.1.1.0/24")["10.1.1.0/24"]
    assert route["protocol"] == "bgp"
    assert route["next_hop"] == "172.16.1.1"
    assert route["protocol_attributes"]["local_as"] == AS
    assert route["protocol_attributes"]["remote_as"] == AS


def test_napalm_get_arp_table(napalm_hub1) -> None:
    arp = {entry["ip"]: entry for entry in napalm_hub1.get_arp_table()}
    assert arp["100.64.0.1"]["interface"] == "Ethernet0/1"
    assert arp["10.255.0.2"]["interface"] == "Ethernet0/2"
    assert arp["100.64.0.2"]["age"] == -1.0                      # own address


def test_napalm_get_config(napalm_hub1) -> None:
    config = napalm_hub1.get_config()
    assert "hostname hub1" in config["running"]
    assert (
        f"router bgp {AS}" in config["running"]
        and "bgp listen range 172.16.0.0/16 peer-group Spokes" in config["running"]
    )
    # the node booted from its startup config: NVRAM holds it in IOS's own form
    assert "hostname hub1" in config["startup"] and f"router bgp {AS}" in config["startup"]


def test_napalm_get_users(napalm_hub1) -> None:
    users = napalm_hub1.get_users()
    assert users[USER]["level"] == 15


# ---------------------------------------------------------------- Genie learn


def _learn(lab, device_name: str, *features: str) -> dict[str, Any]:
    testbed = load(lab["testbed"])
    device = testbed.devices[device_name]
    device.connect(log_stdout=False, learn_hostname=False)
    try:
        return {feature: device.learn(feature) for feature in features}
    finally:
        device.disconnect()


def test_genie_learn_on_the_hub(lab) -> None:
    learned = _learn(lab, "hub1", "bgp", "interface", "routing")
    neighbors = learned["bgp"].info["instance"]["default"]["vrf"]["default"]["neighbor"]
    assert set(neighbors) == {"10.255.0.2", "172.16.1.1"}
    assert {n["session_state"] for n in neighbors.values()} == {"Established"}
    assert {n["remote_as"] for n in neighbors.values()} == {AS}
    interfaces = learned["interface"].info
    assert interfaces["Ethernet0/1"]["ipv4"]["100.64.0.2/30"]["ip"] == "100.64.0.2"
    assert interfaces["Ethernet0/2"]["ipv4"]["10.255.0.1/30"]["prefix_length"] == "30"
    routes = learned["routing"].info["vrf"]["default"]["address_family"]["ipv4"]["routes"]
    hops = routes["10.1.1.0/24"]["next_hop"]["next_hop_list"].values()
    assert [hop["next_hop"] for hop in hops] == ["172.16.1.1"]


def test_genie_learn_on_the_spoke(lab) -> None:
    learned = _learn(lab, "spoke1", "bgp", "interface")
    neighbors = learned["bgp"].info["instance"]["default"]["vrf"]["default"]["neighbor"]
    assert set(neighbors) == {"172.16.0.1"}
    assert neighbors["172.16.0.1"]["session_state"] == "Established"
    assert neighbors["172.16.0.1"]["remote_as"] == AS
    interfaces = learned["interface"].info
    assert interfaces["Tunnel1"]["ipv4"]["172.16.1.1/32"]["ip"] == "172.16.1.1"
    assert interfaces["Ethernet0/1"]["ipv4"]["100.64.0.10/30"]["ip"] == "100.64.0.10"
