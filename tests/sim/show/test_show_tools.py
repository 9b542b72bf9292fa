"""The show commands added for the standard tools, parsed by Genie and ntc-templates.

The lab is the reference design (src/flexlab/data/design.yaml) booted in the engine. Expected
values are derived by hand from the design, not from the renderers:
- AS 65001; router IDs are the LAN .1 addresses: hub1 10.0.1.1, hub2 10.0.2.1, spoke1 10.1.1.1.
- transport /30s carved from 100.64.0.0/16 hubs first: hub1 100.64.0.2 (ISP .1),
  hub2 .6, spoke1 .10 (ISP .9), spoke2 .14; first data port Ethernet0/1.
- hubs' interconnect 10.255.0.0/30 on Ethernet0/2: hub1 .1, hub2 .2.
- spoke1 prefers hub1, so it holds the first address of hub1's pool 172.16.1.0/24 and
  hub1's BGP neighbours are hub2 (10.255.0.2) and spoke1's tunnel address 172.16.1.1
  (dynamic, listen range 172.16.0.0/16); spoke1's neighbour is the overlay 172.16.0.1.
"""

from __future__ import annotations

from dataclasses import replace

from tool_lab import design_lab, genie, ntc, output

from flexlab.sim import show

AS = 65001
HUB1_NEIGHBORS = {"10.255.0.2", "172.16.1.1"}


# ---------------------------------------------------------------- BGP


def test_bgp_neighbors_give_state_remote_as_and_router_ids() -> None:
    text = output("hub1", "show ip bgp neighbors")
    parsed = genie("show ip bgp neighbors", text, "iosxe")
    neighbors = parsed["vrf"]["default"]["neighbor"]
    assert set(neighbors) == HUB1_NEIGHBORS
    for entry in neighbors.values():
        assert entry["remote_as"] == AS
        assert entry["session_state"] == "Established"
    rows = {row["neighbor"]: row for row in ntc("show ip bgp neighbors", text)}
    assert set(rows) == HUB1_NEIGHBORS
    assert rows["10.255.0.2"]["remote_router_id"] == "10.0.2.1"
    assert rows["172.16.1.1"]["remote_router_id"] == "10.1.1.1"
    assert rows["172.16.1.1"]["peer_group"] == "Spokes"
    assert {row["bgp_state"] for row in rows.values()} == {"Established"}


def test_bgp_all_neighbors_on_the_spoke() -> None:
    parsed = genie("show bgp all neighbors", output("spoke1", "show bgp all neighbors"))
    neighbor = parsed["vrf"]["default"]["neighbor"]["172.16.0.1"]
    assert neighbor["remote_as"] == AS
    assert neighbor["session_state"] == "Established"
    transport = neighbor["bgp_session_transport"]["transport"]
    assert (transport["local_host"], transport["foreign_host"]) == ("172.16.1.1", "172.16.0.1")
    # the spoke opens the session (the hub only listens): the spoke's far port is 179
    assert transport["foreign_port"] == "179"


def test_session_ports_match_across_the_two_ends() -> None:
    hub = genie("show ip bgp neighbors", output("hub1", "show ip bgp neighbors 172.16.1.1"), "iosxe")
    spoke = genie("show ip bgp neighbors", output("spoke1", "show ip bgp neighbors 172.16.0.1"), "iosxe")
    hub_tcp = hub["vrf"]["default"]["neighbor"]["172.16.1.1"]["bgp_session_transport"]["transport"]
    spoke_tcp = spoke["vrf"]["default"]["neighbor"]["172.16.0.1"]["bgp_session_transport"]["transport"]
    assert hub_tcp["local_port"] == spoke_tcp["foreign_port"] == "179"
    assert hub_tcp["foreign_port"] == spoke_tcp["local_port"]


def test_advertised_routes_to_the_spoke_are_the_summary_only() -> None:
    text = output("hub1", "show ip bgp neighbors 172.16.1.1 advertised-routes")
    rows = ntc("show ip bgp neighbors 172.16.1.1 advertised-routes", text)
    assert [row["network"] for row in rows] == ["10.0.0.0"]   # aggregate-address ... summary-only


def test_routes_from_the_spoke_are_its_lan() -> None:
    text = output("hub1", "show ip bgp neighbors 172.16.1.1 routes")
    assert "10.1.1.0/24" in text and "Total number of prefixes 1 " in text
    assert "10.0.2.0/24" not in text


def test_bgp_ipv4_unicast_summary_lists_the_neighbours() -> None:
    parsed = genie("show bgp ipv4 unicast summary", output("hub1", "show bgp ipv4 unicast summary"))
    assert parsed["bgp_id"] == AS
    assert set(parsed["vrf"]["default"]["neighbor"]) == HUB1_NEIGHBORS


def test_ip_bgp_prefix_detail() -> None:
    text = output("hub1", "show ip bgp 10.1.1.5")
    assert text.startswith("BGP routing table entry for 10.1.1.0/24")
    assert "172.16.1.1 from 172.16.1.1 (10.1.1.1)" in text
    assert "valid, internal, best" in text
    assert output("hub1", "show ip bgp 192.0.2.0/24") == "% Network not in table\n"


# ---------------------------------------------------------------- IPsec


def test_ipsec_sa_on_the_spoke() -> None:
    text = output("spoke1", "show crypto ipsec sa")
    parsed = genie("show crypto ipsec sa", text, "iosxe")
    tunnel = parsed["interface"]["Tunnel1"]
    assert tunnel["crypto_map_tag"] == "Tunnel1-head-0"
    assert tunnel["local_addr"] == "100.64.0.10"
    (ident,) = tunnel["ident"].values()
    assert ident["peer_ip"] == "100.64.0.2" and ident["port"] == 500
    assert ident["local_ident"]["prot"] == ident["remote_ident"]["prot"] == "47"     # GRE between the WAN addresses
    assert (ident["local_crypto_endpt"], ident["remote_crypto_endpt"]) == ("100.64.0.10", "100.64.0.2")
    (inbound,) = ident["inbound_esp_sas"]["spi"].values()
    assert inbound["transform"] == "esp-gcm"                                      # transform-set IKEv2
    assert inbound["in_use_settings"].startswith("Transport")                     # mode transport
    assert ident["pkts_encaps"] > 0 and ident["pkts_decaps"] > 0                  # IP SLA + BGP traffic


def test_ipsec_spis_match_across_the_tunnel() -> None:
    spoke = ntc("show crypto ipsec sa detail", output("spoke1", "show crypto ipsec sa detail"))
    hub = ntc("show crypto ipsec sa detail", output("hub1", "show crypto ipsec sa peer 100.64.0.10 detail"))
    spoke_in = {r["sa_spi_hex"] for r in spoke if r["sa_orientation"] == "inbound"}
    spoke_out = {r["sa_spi_hex"] for r in spoke if r["sa_orientation"] == "outbound"}
    hub_in = {r["sa_spi_hex"] for r in hub if r["sa_orientation"] == "inbound"}
    hub_out = {r["sa_spi_hex"] for r in hub if r["sa_orientation"] == "outbound"}
    assert spoke_in == hub_out and spoke_out == hub_in
    assert {r["current_peer"] for r in hub} == {"100.64.0.10"}


def test_ipsec_sa_for_an_unknown_peer() -> None:
    assert output("hub1", "show crypto ipsec sa peer 192.0.2.1") == "No SAs found\n"


# ---------------------------------------------------------------- interfaces


def test_ip_interface_addresses() -> None:
    text = output("hub1", "show ip interface")
    parsed = genie("show ip interface", text)
    assert parsed["Ethernet0/1"]["ipv4"]["100.64.0.2/30"]["prefix_length"] == "30"
    assert parsed["Ethernet0/2"]["ipv4"]["10.255.0.1/30"]["ip"] == "10.255.0.1"
    rows = {row["interface"]: row for row in ntc("show ip interface", text)}
    assert rows["Loopback0"]["ip_address"] == ["10.0.1.1"] and rows["Loopback0"]["prefix_length"] == ["24"]
    single = output("hub1", "show ip interface Virtual-Access1")
    assert "Interface is unnumbered. Using address of Loopback1 (172.16.0.1)" in single


def test_ip_interface_of_a_negotiated_tunnel() -> None:
    text = output("spoke1", "show ip interface Tunnel1")
    assert "Internet address is 172.16.1.1/32" in text
    assert "Address determined by IPCP" in text


def test_interfaces_description() -> None:
    text = output("hub1", "show interfaces description")
    rows = {row["port"]: row for row in ntc("show interfaces description", text)}
    assert rows["Et0/1"]["description"] == "WAN to isp"
    assert rows["Et0/2"]["description"] == "DC link to hub2"
    assert rows["Lo0"]["description"] == "hub1 LAN"
    parsed = genie("show interfaces description", text)
    assert parsed["interfaces"]["Ethernet0/1"]["status"] == "up"


def test_running_config_of_one_interface() -> None:
    text = output("spoke1", "show running-config interface Ethernet0/1")
    assert "interface Ethernet0/1\n description WAN to isp\n ip address 100.64.0.10 255.255.255.252\nend" in text
    parsed = genie("show running-config interface Ethernet0/1", text, "iosxe")["interfaces"]["Ethernet0/1"]
    assert parsed["description"] == "WAN to isp"
    assert parsed["ipv4"] == {"ip": "100.64.0.10", "netmask": "255.255.255.252"}
    refused = output("spoke1", "show running-config interface Tunnel9")
    assert "% Invalid input detected at '^' marker." in refused


# ---------------------------------------------------------------- routing


def test_ip_route_entry_of_a_bgp_route() -> None:
    text = output("hub1", "show ip route 10.1.1.5")
    parsed = genie("show ip route 10.1.1.5", text)
    entry = parsed["entry"]["10.1.1.0/24"]
    assert entry["known_via"] == f"bgp {AS}"
    assert entry["distance"] == "200"
    assert "172.16.1.1" in entry["paths"][1]["nexthop"]


def test_ip_route_entry_exact_and_missing() -> None:
    assert output("hub1", "show ip route 0.0.0.0 0.0.0.0").startswith("Routing entry for 0.0.0.0/0, supernet")
    assert output("hub1", "show ip route 192.0.2.1") == "% Network not in table\n"
    assert output("hub1", "show ip route 10.1.1.0 255.255.0.0") == "% Subnet not in table\n"


def test_ip_route_summary_counts() -> None:
    # hub1: connected Lo0 C+L, Lo1 /32 C, Et0/1 C+L, Et0/2 C+L = 7; static: default +
    # spoke1's pushed /32 = 2; BGP: summary 10/8, hub2 LAN, spoke1 LAN, spoke2 LAN = 4
    rows = {row["route_source"]: row for row in ntc("show ip route summary", output("hub1", "show ip route summary"))}
    assert int(rows["connected"]["networks"]) + int(rows["connected"]["subnets"]) == 7
    assert int(rows["static"]["networks"]) + int(rows["static"]["subnets"]) == 2
    bgp = rows[f"bgp {AS}"] if f"bgp {AS}" in rows else rows["bgp"]
    assert int(bgp["networks"]) + int(bgp["subnets"]) == 4


def test_ip_protocols_names_bgp() -> None:
    text = output("hub1", "show ip protocols")
    assert f'Routing Protocol is "bgp {AS}"' in text
    parsed = genie("show ip protocols", text)["protocols"]["bgp"]["instance"]["default"]
    assert parsed["bgp_id"] == AS
    ipv4 = parsed["vrf"]["default"]["address_family"]["ipv4"]
    assert set(ipv4["neighbors"]) == {"10.255.0.2"}                     # configured (not listen-range) neighbours
    assert set(ipv4["routing_information_sources"]) == HUB1_NEIGHBORS


# ---------------------------------------------------------------- ARP and CDP (cabling)


def test_arp_holds_the_link_neighbours() -> None:
    text = output("hub1", "show ip arp")
    rows = {row["ip_address"]: row for row in ntc("show ip arp", text)}
    assert rows["100.64.0.1"]["interface"] == "Ethernet0/1"     # the ISP
    assert rows["10.255.0.2"]["interface"] == "Ethernet0/2"     # hub2
    assert rows["100.64.0.2"]["age"] == "-"                     # own address
    assert set(rows) == {"100.64.0.1", "100.64.0.2", "10.255.0.1", "10.255.0.2"}
    assert genie("show arp", output("hub1", "show arp"))["interfaces"]["Ethernet0/1"]["ipv4"]["neighbors"]["100.64.0.1"]


def test_cdp_neighbours_follow_the_cabling() -> None:
    text = output("hub1", "show cdp neighbors")
    rows = {row["neighbor_name"]: row for row in ntc("show cdp neighbors", text)}
    assert set(rows) == {"isp", "hub2"}
    assert rows["isp"]["local_interface"] == "Eth 0/1" and rows["hub2"]["local_interface"] == "Eth 0/2"
    detail = {
        row["neighbor_name"]: row
        for row in ntc("show cdp neighbors detail", output("hub1", "show cdp neighbors detail"))
    }
    assert detail["hub2"]["mgmt_address"] == "10.255.0.2"
    assert detail["isp"]["neighbor_interface"] == "Ethernet0/1"
    parsed = genie("show cdp neighbors detail", output("spoke1", "show cdp neighbors detail"))
    (entry,) = parsed["index"].values()
    assert entry["device_id"] == "isp" and entry["local_interface"] == "Ethernet0/1"


# ---------------------------------------------------------------- system


def test_inventory_serial_is_the_version_serial() -> None:
    version = ntc("show version", output("hub1", "show version"))[0]
    inventory = ntc("show inventory", output("hub1", "show inventory"))[0]
    assert inventory["sn"] == version["serial"][0]


def test_clock_detail_names_ntp_once_synchronised() -> None:
    spoke = output("spoke1", "show clock detail")
    assert spoke.splitlines()[1] == "Time source is NTP"          # spoke1 `ntp server` hub1
    assert not spoke.startswith("*")                               # synchronised: no '*'


def test_clock_detail_without_ntp() -> None:
    unsynced = replace(design_lab().node("spoke1").snapshot(), clock_synced=False)
    text = show.render(unsynced, ["show", "clock", "detail"])
    assert text.startswith("*") and text.splitlines()[1] == "No time source"


def test_bgp_all_detail_on_the_spoke() -> None:
    parsed = genie("show bgp all detail", output("spoke1", "show bgp all detail"))
    prefixes = parsed["instance"]["default"]["vrf"]["default"]["address_family"]["ipv4 unicast"]["prefixes"]
    assert set(prefixes) == {"10.0.0.0/8", "10.1.1.0/24"}       # hub1's summary and its own LAN
    (summary,) = prefixes["10.0.0.0/8"]["index"].values()
    assert (summary["next_hop"], summary["originator"]) == ("172.16.0.1", "10.0.1.1")
    assert summary["atomic_aggregate"] is True
    assert summary["route_status"] == f"aggregated by {AS} 10.0.1.1"     # hub1 made the aggregate


def test_bgp_summary_is_the_ipv4_unicast_summary() -> None:
    assert output("hub1", "show bgp summary") == output("hub1", "show ip bgp summary")
    assert output("hub1", "show bgp all").startswith("For address family: IPv4 Unicast\n\nBGP table version is")
