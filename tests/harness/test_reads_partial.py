"""Reads on parses that leave optional keys out (Genie drops empty sections and optional
fields), through a device stand-in that answers fixed parse results: no key missing from a
parse may crash a read or invent a value."""

from __future__ import annotations

from ipaddress import IPv4Address as A
from ipaddress import IPv4Network as N
from typing import Any

from flexlab.harness import reads


class Parsed:
    """A device whose `parse` returns the given dictionaries (by command) and whose
    `execute` returns the given text."""

    def __init__(self, parses: dict[str, dict[str, Any]] | None = None, text: str = "") -> None:
        self.parses = parses or {}
        self.text = text

    def parse(self, command: str, **_: Any) -> dict[str, Any]:
        return self.parses[command]

    def execute(self, command: str, **_: Any) -> str:
        return self.text


def test_flex_clients_under_a_profile_key_and_without_a_state() -> None:
    device = Parsed({"show crypto ikev2 client flexvpn": {"profile": {
        "Flex_Client": {"current_state": "active", "peer": "100.64.0.6", "tunnel_interface": "Tunnel1"},
        "Backup": {}}}})
    assert reads.flex_clients(device) == [
        reads.FlexClient("Flex_Client", "ACTIVE", A("100.64.0.6"), None, "Tunnel1"),
        reads.FlexClient("Backup", "", None, None, None)]


def test_sections_left_out_read_as_nothing() -> None:
    device = Parsed({"show crypto ikev2 sa": {}, "show ip bgp summary": {"vrf": {"default": {}}},
                     "show ip interface brief": {}, "show logging": {}})
    assert reads.ike_sas(device) == []
    assert reads.bgp_neighbors(device) == {}
    assert reads.interface_addresses(device) == {}
    assert reads.logging_lines(device) == []


def test_bgp_neighbours_without_address_family_or_fields() -> None:
    device = Parsed({"show ip bgp summary": {"vrf": {"default": {"neighbor": {
        "172.16.0.1": {},                                        # no address family: not listed
        "*172.16.2.2": {"address_family": {"": {}}},             # dynamic neighbour, no state, no timer
        "10.255.0.2": {"address_family": {"": {"state_pfxrcd": "3", "up_down": "00:01:00"}}},
    }}}}})
    assert reads.bgp_neighbors(device) == {
        A("172.16.2.2"): reads.BgpNeighbor(A("172.16.2.2"), "", None, ""),
        A("10.255.0.2"): reads.BgpNeighbor(A("10.255.0.2"), "Established", 3, "00:01:00"),
    }


def test_routes_with_sections_left_out() -> None:
    for parsed in ({}, {"vrf": {}}, {"vrf": {"default": {}}}, {"vrf": {"default": {"address_family": {}}}},
                   {"vrf": {"default": {"address_family": {"ipv4": {}}}}}):
        assert reads.bgp_routes(Parsed({"show ip route {protocol}": parsed})) == {}, parsed
    routes = {"10.0.0.0/8": {}, "10.1.1.0/24": {"source_protocol": "bgp", "next_hop": {}}}
    parsed = {"vrf": {"default": {"address_family": {"ipv4": {"routes": routes}}}}}
    assert reads.bgp_routes(Parsed({"show ip route {protocol}": parsed})) == {
        N("10.0.0.0/8"): reads.Route(N("10.0.0.0/8"), "", ()),
        N("10.1.1.0/24"): reads.Route(N("10.1.1.0/24"), "bgp", ()),
    }


def test_running_config_line_ends_are_normalised() -> None:
    assert reads.running_config(Parsed(text="hostname spoke1\r\n!\r\nend\r")) == "hostname spoke1\n!\nend"
