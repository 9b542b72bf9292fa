"""The exact problem each check reports (the job's reports and certification quote them),
and the branches the shorter tests in test_checks.py leave open."""

from ipaddress import IPv4Address as A
from ipaddress import IPv4Network as N

import pytest

from flexlab.harness import checks
from flexlab.harness.reads import BgpNeighbor, FlexClient, IkeSa, Route

HUB1, HUB2 = A("100.64.0.2"), A("100.64.0.6")
SPOKE1_WAN = A("100.64.0.10")
OVERLAY = A("172.16.0.1")
SUMMARY = N("10.0.0.0/8")
LAN1, LAN2 = N("10.1.1.0/24"), N("10.1.2.0/24")


def route(prefix: N, *hops: str) -> Route:
    return Route(prefix, "bgp", tuple(A(h) for h in hops))


def test_client_in_the_wrong_state_on_the_wrong_peer_gives_both_problems_in_order() -> None:
    clients = [FlexClient("Flex_Client", "CONNECTING", HUB2, None, "Tunnel1"),
               FlexClient("Other", "ACTIVE", HUB1, None, "Tunnel2")]
    assert checks.client_on_peer("spoke1", clients, HUB1) == [
        "spoke1: FlexVPN client Flex_Client is CONNECTING, expected ACTIVE",
        "spoke1: FlexVPN client peer is 100.64.0.6, expected 100.64.0.2",
    ]
    unknown_peer = [FlexClient("Flex_Client", "ACTIVE", None, None, "Tunnel1")]
    assert checks.client_on_peer("spoke1", unknown_peer, HUB1) == [
        "spoke1: FlexVPN client peer is None, expected 100.64.0.2"]


def test_sa_ready_lists_every_sa_seen() -> None:
    sas = [IkeSa(SPOKE1_WAN, HUB2, "READY"), IkeSa(SPOKE1_WAN, HUB1, "IN-NEG")]
    assert checks.sa_ready("spoke1", sas, HUB1) == [
        "spoke1: no IKEv2 SA READY to 100.64.0.2 (SAs: 100.64.0.6 READY, 100.64.0.2 IN-NEG)"]
    assert checks.sa_ready("spoke1", [], HUB1) == ["spoke1: no IKEv2 SA READY to 100.64.0.2 (SAs: none)"]
    assert checks.sa_ready("spoke1", [*sas, IkeSa(SPOKE1_WAN, HUB1, "READY")], HUB1) == []


def test_bgp_established_messages() -> None:
    active = {OVERLAY: BgpNeighbor(OVERLAY, "Active", None, "never")}
    assert checks.bgp_established("spoke1", active, OVERLAY) == [
        "spoke1: BGP neighbour 172.16.0.1 is Active, expected Established"]
    assert checks.bgp_established("spoke1", active, A("172.16.0.2")) == ["spoke1: no BGP neighbour 172.16.0.2"]


def test_only_summary_sorts_the_specifics_and_reports_both_problems() -> None:
    routes = {LAN2: route(LAN2, "172.16.0.1"), LAN1: route(LAN1, "172.16.0.1")}
    assert checks.only_summary("spoke3", routes, SUMMARY) == [
        "spoke3: summary 10.0.0.0/8 missing from its BGP routes",
        "spoke3: receives specific BGP routes 10.1.1.0/24, 10.1.2.0/24 (expected only the summary 10.0.0.0/8)",
    ]


def test_holds_prefixes_reports_every_prefix_with_its_next_hops() -> None:
    routes = {LAN1: route(LAN1, "172.16.1.1", "172.16.1.9"), LAN2: route(LAN2)}
    expected = {LAN1: A("172.16.2.1"), LAN2: A("172.16.2.1"), N("10.1.3.0/24"): None}
    assert checks.holds_prefixes("hub2", routes, expected) == [
        "hub2: route to 10.1.1.0/24 via 172.16.1.1, 172.16.1.9, expected via 172.16.2.1",
        "hub2: route to 10.1.2.0/24 via none, expected via 172.16.2.1",
        "hub2: no BGP route to 10.1.3.0/24",
    ]
    assert checks.holds_prefixes("hub2", routes, {LAN1: A("172.16.1.9")}) == []


@pytest.mark.parametrize(("held", "covered"), [
    ([N("10.0.0.0/8")], True), ([N("10.1.1.0/24")], True), ([N("10.1.0.0/16"), N("192.168.0.0/16")], True),
    ([N("10.1.1.0/25")], False), ([N("10.2.0.0/16")], False), ([], False),
])
def test_covered_by_summary_needs_a_route_that_contains_the_prefix(held: list[N], covered: bool) -> None:
    routes = {prefix: route(prefix) for prefix in held}
    expected = [] if covered else ["spoke2: no BGP route covers 10.1.1.0/24"]
    assert checks.covered_by_summary("spoke2", routes, LAN1) == expected


def test_unique_addresses_reports_missing_then_every_shared_address() -> None:
    assigned = {"spoke1": A("172.16.1.1"), "spoke2": None, "spoke3": A("172.16.1.1"), "spoke4": A("172.16.4.1"),
                "spoke5": A("172.16.1.1"), "spoke6": None}
    assert checks.unique_addresses(assigned) == [
        "spoke2: no overlay address assigned", "spoke6: no overlay address assigned",
        "overlay address 172.16.1.1 assigned to several spokes: spoke1, spoke3, spoke5",
    ]


def test_poll_result_counts_and_gives_up_with_the_last_problems() -> None:
    answers = iter([["first"], ["second"], ["third"]] + [["last"]] * 1000)
    result = checks.poll(lambda: next(answers), max_wall_s=0.0, interval_s=0.0)
    assert (result.problems, result.polls, result.ok) == (["first"], 1, False)
    assert result.wall_s >= 0.0
    held = checks.poll(lambda: [], max_wall_s=10.0)
    assert (held.problems, held.polls, held.ok) == ([], 1, True)
    assert held.wall_s < 10.0
