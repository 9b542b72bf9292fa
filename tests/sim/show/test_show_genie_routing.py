"""show ip bgp summary / bgp all summary / ip bgp / ip route [bgp] / ip sla statistics /
ip local pool, parsed by the stock Genie parsers against the snapshots' values."""

from __future__ import annotations

import pytest
from genie.libs.parser.ios.show_bgp import ShowBgpAllSummary, ShowIpBgp
from genie.libs.parser.ios.show_routing import ShowIpRouteDistributor
from genie.libs.parser.iosxe.show_ip import ShowIpSlaStatistics
from genie.libs.parser.iosxe.show_ip_bgp import ShowIpBgpSummary
from genie.libs.parser.iosxe.show_routing import ShowIpRoute
from genie.metaparser.util.exceptions import SchemaEmptyParserError
from show_genie import genie_expected, parse, parse_golden
from show_snapshots import IOSV_15_9, NOW, hub1, spoke1_failover, spoke1_up

from flexlab.sim.show import render
from flexlab.sim.show.bgp import classful_text
from flexlab.sim.show.fmt import elapsed
from flexlab.sim.state import NodeSnapshot

FACTORIES = [hub1, spoke1_up, spoke1_failover]


def _expected_state(snap: NodeSnapshot, address: str) -> str:
    neighbor = next(n for n in snap.bgp.neighbors if str(n.address) == address)
    return str(neighbor.prefixes_received) if neighbor.state == "Established" else neighbor.state


def _neighbor_entries(parsed: dict, address_family: str, vrf: str = "default") -> dict[str, dict]:
    """address -> the neighbour's entry for ``address_family`` (neighbours without it left out)."""
    return {
        address: neighbor["address_family"][address_family]
        for address, neighbor in parsed["vrf"][vrf]["neighbor"].items()
        if address_family in neighbor["address_family"]
    }


# ---------------------------------------------------------------- summaries


@pytest.mark.parametrize("factory", FACTORIES)
def test_ip_bgp_summary_values_and_schema(factory) -> None:
    snap: NodeSnapshot = factory()
    parsed = parse(ShowIpBgpSummary, render(snap, ["show", "ip", "bgp", "summary"]), "iosxe")
    full = parse_golden(ShowIpBgpSummary, "iosxe", "ShowIpBgpSummary", "golden_output1_output.txt",
                        address_family="vpnv4", vrf="L3VPN-1151")
    bare = parse_golden(ShowIpBgpSummary, "iosxe", "ShowIpBgpSummary", "golden_output2_output.txt")
    assert set(parsed) == set(full) == {"bgp_id", "vrf"}
    assert parsed["bgp_id"] == 65001
    entries = _neighbor_entries(parsed, "")
    assert set(entries) == {str(n.address) for n in snap.bgp.neighbors}
    full_keys = set(next(iter(_neighbor_entries(full, "vpnv4", "L3VPN-1151").values())))
    bare_keys = set(next(iter(bare["vrf"]["default"]["neighbor"].values()))["address_family"]["ipv6 unicast"])
    for neighbor in snap.bgp.neighbors:
        entry = entries[str(neighbor.address)]
        # rrinfo / AS-PATH / extended-community lines only appear when such entries exist.
        assert bare_keys <= set(entry) <= full_keys
        assert entry["state_pfxrcd"] == _expected_state(snap, str(neighbor.address))
        assert (entry["msg_rcvd"], entry["msg_sent"], entry["tbl_ver"]) == (
            neighbor.msg_rcvd, neighbor.msg_sent, neighbor.table_version)
        assert entry["up_down"] == elapsed(None if neighbor.since is None else NOW - neighbor.since)
        assert entry["route_identifier"] == str(snap.bgp.router_id)
        assert entry["prefixes"]["total_entries"] == len({p.prefix for p in snap.bgp.paths})
        assert entry["path"]["total_entries"] == len(snap.bgp.paths)


def test_hub_summary_lists_dynamic_neighbours_with_listen_range_footer() -> None:
    text = render(hub1(), ["show", "ip", "bgp", "summary"])
    lines = text.splitlines()
    assert "*172.16.1.1     4        65001      29      31       11    0    0 00:24:55        1" in lines
    assert "*172.16.1.2     4        65001       7       8       11    0    0 00:04:55        1" in lines
    assert "10.255.0.2      4        65001      31      35       11    0    0 00:25:20        2" in lines
    footer = lines[lines.index("* Dynamically created based on a listen range command"):]
    assert footer == [
        "* Dynamically created based on a listen range command",
        "Dynamically created neighbors: 2, Subnet ranges: 1",
        "",
        "BGP peergroup Spokes listen range group members: ",
        "  172.16.0.0/16 ",
        "",
        "Total dynamically created neighbors: 2/(100 max), Subnet ranges: 1",
        "",
    ]


def test_spoke_summary_has_no_listen_range_footer_and_idle_neighbour_during_failover() -> None:
    assert "Dynamically" not in render(spoke1_up(), ["show", "ip", "bgp", "summary"])
    lines = render(spoke1_failover(), ["show", "ip", "bgp", "summary"]).splitlines()
    assert lines[-1] == "172.16.0.1      4        65001       0       0        1    0    0 00:00:40 Idle"


@pytest.mark.parametrize("factory", FACTORIES)
def test_bgp_all_summary_values_and_schema(factory) -> None:
    snap: NodeSnapshot = factory()
    parsed = parse(ShowBgpAllSummary, render(snap, ["show", "bgp", "all", "summary"]))
    golden = parse_golden(ShowBgpAllSummary, "ios", "ShowBgpAllSummary", "golden_output1_output.txt")
    assert set(parsed) == set(golden)
    golden_ipv4 = next(iter(_neighbor_entries(golden, "ipv4 unicast").values()))
    entries = _neighbor_entries(parsed, "ipv4 unicast")
    assert set(entries) == {str(n.address) for n in snap.bgp.neighbors}
    for address, entry in entries.items():
        assert set(entry) == set(golden_ipv4)
        assert entry["state_pfxrcd"] == _expected_state(snap, address)
        assert entry["local_as"] == 65001 and entry["as"] == 65001


def test_bgp_memory_figures_follow_the_image_word_size() -> None:
    classic = parse(ShowIpBgpSummary, render(hub1(IOSV_15_9), ["show", "ip", "bgp", "summary"]), "iosxe")
    modern = parse(ShowIpBgpSummary, render(hub1(), ["show", "ip", "bgp", "summary"]), "iosxe")
    classic_entry = _neighbor_entries(classic, "")["10.255.0.2"]
    modern_entry = _neighbor_entries(modern, "")["10.255.0.2"]
    assert classic_entry["prefixes"] == {"total_entries": 5, "memory_usage": 5 * 144}
    assert modern_entry["prefixes"] == {"total_entries": 5, "memory_usage": 5 * 248}
    assert modern_entry["total_memory"] == 5 * 248 + 6 * 136 + 6 * 296


# ---------------------------------------------------------------- show ip bgp


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("version_factory", [lambda f: f(), lambda f: f(IOSV_15_9)])
def test_ip_bgp_table_values_and_schema(factory, version_factory) -> None:
    snap: NodeSnapshot = version_factory(factory)
    parsed = parse(ShowIpBgp, render(snap, ["show", "ip", "bgp"]))
    sample = genie_expected("iosxe", "ShowIpBgp", "golden_output")
    assert set(parsed) == set(sample) == {"vrf"}
    routes = parsed["vrf"]["default"]["address_family"][""]["routes"]
    sample_routes = sample["vrf"]["default"]["address_family"][""]["routes"]
    sample_index_keys = set().union(*(set(i) for r in sample_routes.values() for i in r["index"].values()))
    expected_prefixes = {classful_text(p.prefix) for p in snap.bgp.paths}
    assert set(routes) == expected_prefixes
    for prefix in expected_prefixes:
        paths = sorted((p for p in snap.bgp.paths if classful_text(p.prefix) == prefix), key=lambda p: not p.best)
        index = routes[prefix]["index"]
        assert len(index) == len(paths)
        for position, path in enumerate(paths, start=1):
            row = index[position]
            assert set(row) <= sample_index_keys
            assert row["next_hop"] == str(path.next_hop)
            assert row["weight"] == path.weight
            assert row.get("metric") == path.metric
            assert row.get("localpref") == path.local_pref
            assert row["origin_codes"] == path.origin
            validity = "s" if path.suppressed else "*"
            expected_codes = f"{validity}{'>' if path.best else ' '}{'i' if path.internal else ''}".rstrip()
            assert row["status_codes"] == expected_codes


def test_hub_bgp_table_shows_summary_and_suppressed_specifics() -> None:
    lines = render(hub1(), ["show", "ip", "bgp"]).splitlines()
    assert " *>   10.0.0.0         0.0.0.0                            32768 i" in lines
    assert " s>i  10.1.1.0/24      172.16.1.1               0    100      0 i" in lines
    classic = render(hub1(IOSV_15_9), ["show", "ip", "bgp"]).splitlines()
    assert " s>i 10.1.1.0/24      172.16.1.1               0    100      0 i" in classic


# ---------------------------------------------------------------- show ip route


def _route_golden() -> dict:
    return parse_golden(ShowIpRoute, "ios", "ShowIpRoute", "golden_output_1_output.txt")


@pytest.mark.parametrize("factory", FACTORIES)
def test_ip_route_values_and_schema(factory) -> None:
    snap: NodeSnapshot = factory()
    text = render(snap, ["show", "ip", "route"])
    parsed = parse(ShowIpRoute, text)
    assert parse(ShowIpRouteDistributor, text) == parsed
    golden = _route_golden()
    assert set(parsed) == set(golden) == {"vrf"}
    routes = parsed["vrf"]["default"]["address_family"]["ipv4"]["routes"]
    golden_routes = golden["vrf"]["default"]["address_family"]["ipv4"]["routes"]
    golden_keys = set().union(*(set(r) for r in golden_routes.values()))
    assert set(routes) == {str(r.prefix) for r in snap.routes}
    for route in snap.routes:
        entry = routes[str(route.prefix)]
        assert set(entry) <= golden_keys
        assert entry["source_protocol_codes"] == route.code
        directly_connected = route.next_hop is None and route.code != "B"
        assert entry.get("route_preference") == (None if directly_connected else route.distance)
        next_hop = entry["next_hop"]
        if route.next_hop is not None:
            hop = next_hop["next_hop_list"][1]
            assert hop["next_hop"] == str(route.next_hop)
            if route.code == "B":
                assert hop["updated"] == elapsed(NOW - route.since)
        else:
            assert set(next_hop["outgoing_interface"]) == {route.interface}


def test_spoke_route_table_layout() -> None:
    lines = render(spoke1_up(), ["show", "ip", "route"]).splitlines()
    assert "Gateway of last resort is 100.64.0.9 to network 0.0.0.0" in lines
    table = lines[lines.index("Gateway of last resort is 100.64.0.9 to network 0.0.0.0") + 2:]
    assert table[:5] == [
        "S*    0.0.0.0/0 [1/0] via 100.64.0.9",
        "      10.0.0.0/8 is variably subnetted, 3 subnets, 3 masks",
        "B        10.0.0.0/8 [200/0] via 172.16.0.1, 00:24:35",
        "C        10.1.1.0/24 is directly connected, Loopback1",
        "L        10.1.1.1/32 is directly connected, Loopback1",
    ]
    assert table[-3:] == [
        "      172.16.0.0/32 is subnetted, 2 subnets",
        "S        172.16.0.1 is directly connected, Tunnel1",
        "C        172.16.1.1 is directly connected, Tunnel1",
    ]


def test_legend_follows_the_release() -> None:
    modern = render(spoke1_up(), ["show", "ip", "route"]).splitlines()
    classic = render(spoke1_up(IOSV_15_9), ["show", "ip", "route"]).splitlines()
    assert "       & - replicated local route overrides by connected" in modern
    assert classic[8] == "       + - replicated route, % - next hop override, p - overrides from PfR"
    assert len(classic) == len(modern) - 3


@pytest.mark.parametrize("factory", FACTORIES)
def test_ip_route_bgp_lists_only_bgp_routes(factory) -> None:
    snap: NodeSnapshot = factory()
    text = render(snap, ["show", "ip", "route", "bgp"])
    bgp_routes = {str(r.prefix) for r in snap.routes if r.code == "B"}
    if not bgp_routes:  # legend and gateway only: Genie reports an empty parse, as on a device
        assert "Gateway of last resort is 100.64.0.9 to network 0.0.0.0" in text
        with pytest.raises(SchemaEmptyParserError):
            parse(ShowIpRouteDistributor, text, protocol="bgp")
        return
    parsed = parse(ShowIpRouteDistributor, text, protocol="bgp")
    assert set(parsed["vrf"]["default"]["address_family"]["ipv4"]["routes"]) == bgp_routes


# ---------------------------------------------------------------- ip sla / ip local pool


@pytest.mark.parametrize("factory", [spoke1_up, spoke1_failover])
def test_ip_sla_statistics_values_and_schema(factory) -> None:
    snap: NodeSnapshot = factory()
    parsed = parse(ShowIpSlaStatistics, render(snap, ["show", "ip", "sla", "statistics"]), "iosxe")
    sample = genie_expected("iosxe", "ShowIpSlaStatistics", "golden_output_1")
    assert set(parsed) == set(sample) == {"ids"}
    sla = snap.slas[0]
    entry = parsed["ids"][str(sla.operation)]
    assert set(entry) == set(sample["ids"]["1"])
    assert (entry["no_of_success"], entry["no_of_failures"], entry["ttl"]) == (sla.successes, sla.failures, "Forever")
    assert entry["return_code"] == ("OK" if sla.latest_ok else "Timeout")
    assert entry["rtt_stats"] == (f"{sla.latest_rtt_ms} milliseconds" if sla.latest_ok else "NoConnection/Busy/Timeout")
    start = snap.device_time(sla.latest_start)
    assert entry["start_time"] == f"{start:%H:%M:%S} UTC {start:%a %b} {start.day} {start.year}"


def test_ip_sla_statistics_classic_start_time_uses_clock_format() -> None:
    parsed = parse(
        ShowIpSlaStatistics, render(spoke1_up(IOSV_15_9), ["show", "ip", "sla", "statistics", "10"]), "iosxe"
    )
    assert parsed["ids"]["10"]["start_time"] == "10:15:50.000 UTC Fri Nov 27 2026"


def test_ip_local_pool_counts_free_and_used_addresses() -> None:
    assert render(hub1(), ["show", "ip", "local", "pool"]).splitlines() == [
        " Pool                     Begin           End             Free  In use",
        " FlexSpokes               172.16.1.1      172.16.1.254     252       2",
    ]
    assert render(hub1(), ["show", "ip", "local", "pool", "Other"]) == "%Pool Other not found\n"
    assert render(spoke1_up(), ["show", "ip", "local", "pool"]) == ""
