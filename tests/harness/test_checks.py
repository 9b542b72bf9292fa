"""Checks on parsed state: each must find the problem it exists for."""

from ipaddress import IPv4Address as A
from ipaddress import IPv4Network as N

from flexlab.harness import checks
from flexlab.harness.reads import BgpNeighbor, FlexClient, IkeSa, Route

HUB1, HUB2 = A("100.64.0.2"), A("100.64.0.6")
SUMMARY = N("10.0.0.0/8")


def client(state: str = "ACTIVE", peer: A | None = HUB1, assigned: str | None = "172.16.1.1") -> FlexClient:
    return FlexClient("Flex_Client", state, peer, A(assigned) if assigned else None, "Tunnel1")


def test_client_on_peer_accepts_active_client_on_expected_peer():
    assert checks.client_on_peer("spoke1", [client()], HUB1) == []


def test_client_on_peer_names_wrong_peer_and_state():
    problems = checks.client_on_peer("spoke1", [client("INACTIVE", HUB2)], HUB1)
    assert any("INACTIVE" in p for p in problems)
    assert any("100.64.0.6" in p and "expected 100.64.0.2" in p for p in problems)
    assert checks.client_on_peer("spoke1", [], HUB1) == [
        "spoke1: no FlexVPN client block in `show crypto ikev2 client flexvpn`"
    ]


def test_only_active_counts_as_connected():
    for state in ("CONNECTING", "WAIT-NEXT-PEER", "INACTIVE", ""):
        problems = checks.client_on_peer("spoke1", [client(state)], HUB1)
        assert problems == [f"spoke1: FlexVPN client Flex_Client is {state or 'not active'}, expected ACTIVE"]


def test_sa_ready_needs_ready_sa_to_that_peer():
    assert checks.sa_ready("s", [IkeSa(A("100.64.0.10"), HUB1, "READY")], HUB1) == []
    assert checks.sa_ready("s", [IkeSa(A("100.64.0.10"), HUB1, "IN-NEG")], HUB1)
    assert checks.sa_ready("s", [IkeSa(A("100.64.0.10"), HUB2, "READY")], HUB1)


def test_bgp_established():
    overlay = A("172.16.0.1")
    up = {overlay: BgpNeighbor(overlay, "Established", 1, "00:01:00")}
    idle = {overlay: BgpNeighbor(overlay, "Idle", None, "never")}
    assert checks.bgp_established("s", up, overlay) == []
    assert "Idle" in checks.bgp_established("s", idle, overlay)[0]
    assert "no BGP neighbour" in checks.bgp_established("s", {}, overlay)[0]


def test_only_summary_flags_specifics_and_missing_summary():
    summary_only = {SUMMARY: Route(SUMMARY, "bgp", (A("172.16.0.1"),))}
    assert checks.only_summary("s", summary_only, SUMMARY) == []
    leaked = {**summary_only, N("10.1.2.0/24"): Route(N("10.1.2.0/24"), "bgp", (A("172.16.0.1"),))}
    assert "10.1.2.0/24" in checks.only_summary("s", leaked, SUMMARY)[0]
    assert "missing" in checks.only_summary("s", {}, SUMMARY)[0]


def test_holds_prefixes_checks_next_hop():
    lan = N("10.1.1.0/24")
    routes = {lan: Route(lan, "bgp", (A("172.16.1.1"),))}
    assert checks.holds_prefixes("hub1", routes, {lan: A("172.16.1.1")}) == []
    assert checks.holds_prefixes("hub1", routes, {lan: None}) == []
    assert "expected via 172.16.2.1" in checks.holds_prefixes("hub1", routes, {lan: A("172.16.2.1")})[0]
    assert "no BGP route" in checks.holds_prefixes("hub1", {}, {lan: None})[0]


def test_unique_addresses():
    assert checks.unique_addresses({"spoke1": A("172.16.1.1"), "spoke2": A("172.16.2.1")}) == []
    dup = checks.unique_addresses({"spoke1": A("172.16.1.1"), "spoke2": A("172.16.1.1")})
    assert dup == ["overlay address 172.16.1.1 assigned to several spokes: spoke1, spoke2"]
    assert checks.unique_addresses({"spoke1": None}) == ["spoke1: no overlay address assigned"]


def test_covered_by_summary():
    routes = {SUMMARY: Route(SUMMARY, "bgp", ())}
    assert checks.covered_by_summary("s", routes, N("10.1.1.0/24")) == []
    assert checks.covered_by_summary("s", {}, N("10.1.1.0/24"))


def test_poll_stops_as_soon_as_check_holds_and_reports_last_problems():
    answers = iter([["not yet"], ["not yet"], []])
    result = checks.poll(lambda: next(answers), max_wall_s=5, interval_s=0)
    assert result.ok and result.polls == 3
    never = checks.poll(lambda: ["still broken"], max_wall_s=0.05, interval_s=0.01)
    assert not never.ok and never.problems == ["still broken"] and never.polls >= 2
