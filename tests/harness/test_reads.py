"""Reads used by the job: running-config reads, and Genie reads on real and recorded outputs."""

from ipaddress import IPv4Address as A
from ipaddress import IPv4Network as N

import pytest
from verdictkit import PlaybackDevice, RecordedWorld, recorded_text, sample

from flexlab.design import load_design
from flexlab.harness import reads
from flexlab.render import render_node


def _config(node: str, kind: str = "cisco_iol") -> str:
    plan = load_design().plan()
    return render_node(plan, plan.node(node), kind, "redacted")


def test_configured_peers_in_preference_order():
    assert reads.configured_peers(_config("spoke1")) == [A("100.64.0.2"), A("100.64.0.6")]
    assert reads.configured_peers(_config("spoke2")) == [A("100.64.0.6"), A("100.64.0.2")]
    shuffled = "crypto ikev2 client flexvpn X\n peer 2 1.1.1.2\n peer 1 1.1.1.1\n client connect Tunnel1\n"
    assert reads.configured_peers(shuffled) == [A("1.1.1.1"), A("1.1.1.2")]
    assert reads.configured_peers(_config("hub1")) == []


def test_peer_reactivate_detected_only_inside_client_block():
    assert not reads.has_peer_reactivate(_config("spoke1"))
    text = _config("spoke1").replace(" client connect Tunnel1", " peer reactivate\n client connect Tunnel1")
    assert reads.has_peer_reactivate(text)


def test_tunnel_source_interface_per_kind():
    assert reads.tunnel_source_interface(_config("hub1")) == "Ethernet0/1"
    assert reads.tunnel_source_interface(_config("hub1", "cisco_csr1000v")) == "GigabitEthernet2"
    assert reads.tunnel_source_interface(_config("isp")) is None


# -- Genie reads on real outputs ---------------------------------------------------------------
# Outputs: real IOS / IOS XE samples (tests/fixtures/genie-golden, the seed) and the embedded
# lab's recorded answers (tests/fixtures/recorded). Expected values are read off the texts.


def answering(command: str, text: str) -> PlaybackDevice:
    """A device whose answer to ``command`` is ``text`` (parsed by the real parsers)."""
    world = RecordedWorld("iol-17.12")
    world.overrides[("spoke1", command)] = text
    return PlaybackDevice("spoke1", world, "spoke")


def _summary_with_state(state: str) -> str:
    """The embedded lab's recorded spoke1 summary (BGP down after the failure), its one
    neighbour line ending in ``state`` (constructed: no recorded or real sample shows it)."""
    text = recorded_text("iol-17.12", "moving", "spoke1", "show ip bgp summary")
    assert text.count(" Idle\n") == 1
    return text.replace(" Idle\n", f" {state}\n")


@pytest.mark.parametrize(("case", "text", "expected"), [
    ("real IOS XE, never up", sample("iosxe/ShowIpBgpSummary/golden_output1_output.txt"),
     {"192.168.10.253": ("Idle", None, "never")}),
    ("hub: iBGP to the other hub and a listen-range spoke",
     recorded_text("iol-17.12", "failed", "hub2", "show ip bgp summary"),
     {"10.255.0.1": ("Established", 2, "00:07:19"), "172.16.2.1": ("Established", 1, "00:07:19"),
      "172.16.2.2": ("Established", 1, "00:02:53")}),
    ("spoke whose hub died (SYN sent)", recorded_text("iol-17.12-dpd-bug", "failed", "spoke1", "show ip bgp summary"),
     {"172.16.0.1": ("Connect", None, "00:01:18")}),
    ("spoke up on the new hub, BGP not yet", recorded_text("iol-17.12", "moving", "spoke1", "show ip bgp summary"),
     {"172.16.0.1": ("Idle", None, "00:00:03")}),
    ("Active is not Established", _summary_with_state("Active"), {"172.16.0.1": ("Active", None, "00:00:03")}),
    ("OpenSent is not Established", _summary_with_state("OpenSent"), {"172.16.0.1": ("OpenSent", None, "00:00:03")}),
    ("zero prefixes received is Established", _summary_with_state("0"), {"172.16.0.1": ("Established", 0, "00:00:03")}),
])
def test_bgp_neighbors_state_from_state_pfxrcd(case: str, text: str, expected: dict) -> None:
    found = reads.bgp_neighbors(answering("show ip bgp summary", text))
    assert {str(a): (n.state, n.prefixes, n.up_down) for a, n in found.items()} == expected, case


def test_flex_clients_real_seed_sample_and_recorded_states() -> None:
    (seed,) = reads.flex_clients(answering(
        "show crypto ikev2 client flexvpn", sample("ShowCryptoIkev2ClientFlexvpn/seed_116413_output.txt")))
    assert seed == reads.FlexClient("Flex_Client", "ACTIVE", None, None, "Tunnel1")  # addresses blanked in the seed
    (connecting,) = reads.flex_clients(answering("show crypto ikev2 client flexvpn", recorded_text(
        "spoke1-peer1-silent", "baseline", "spoke1", "show crypto ikev2 client flexvpn")))
    assert connecting == reads.FlexClient("Flex_Client", "CONNECTING", A("100.64.0.99"), None, "Tunnel1")
    (moved,) = reads.flex_clients(answering("show crypto ikev2 client flexvpn", recorded_text(
        "iol-17.12", "failed", "spoke1", "show crypto ikev2 client flexvpn")))
    assert moved == reads.FlexClient("Flex_Client", "ACTIVE", A("100.64.0.6"), A("172.16.2.2"), "Tunnel1")


def test_ike_sas_real_sample_and_none() -> None:
    sas = reads.ike_sas(answering("show crypto ikev2 sa", sample("iosxe/ShowCryptoIkev2Sa/golden_output_output.txt")))
    assert sas == [reads.IkeSa(A("66.66.66.1"), A("66.66.66.2"), "READY")]
    none = recorded_text("spoke1-peer1-silent", "baseline", "spoke1", "show crypto ikev2 sa")
    assert reads.ike_sas(answering("show crypto ikev2 sa", none)) == []


def test_bgp_routes_next_hops_and_empty_table() -> None:
    hub2 = reads.bgp_routes(
        answering("show ip route bgp", recorded_text("iol-17.12", "failed", "hub2", "show ip route bgp"))
    )
    assert {str(p): [str(h) for h in r.next_hops] for p, r in hub2.items()} == {
        "10.0.0.0/8": ["0.0.0.0"], "10.0.1.0/24": ["10.255.0.1"], "10.1.1.0/24": ["172.16.2.2"],
        "10.1.2.0/24": ["172.16.2.1"],
    }
    empty = recorded_text("spoke1-peer1-silent", "baseline", "spoke1", "show ip route bgp")
    assert reads.bgp_routes(answering("show ip route bgp", empty)) == {}
    real = reads.bgp_routes(answering("show ip route bgp", sample("ios/ShowIpRoute/golden_output_1_output.txt")))
    assert real[N("10.16.32.32/32")] == reads.Route(N("10.16.32.32/32"), "bgp", (A("10.66.12.12"),))


def test_interface_addresses_leave_unassigned_out() -> None:
    found = reads.interface_addresses(answering(
        "show ip interface brief", sample("iosxe/ShowIpInterfaceBrief/golden_output.txt")))
    assert found["GigabitEthernet0/0/0"] == A("10.105.44.23")
    assert "Te0/0/5" not in found and "TenGigabitEthernet0/0/5" not in found  # unassigned


def test_logging_lines_of_a_real_buffer() -> None:
    lines = reads.logging_lines(answering("show logging", sample("ios/ShowLogging/golden_output_1_output.txt")))
    assert lines[0] == ("Jun  5 05:09:30.838 EST: %IP-4-DUPADDR: Duplicate address 172.16.1.216 on "
                        "GigabitEthernet1, sourced by 5e00.80ff.0606")
    assert lines[-1] == "Jun  5 05:11:14.115 EST: %SYS-5-CONFIG_R: Config Replace is Done"


def test_an_empty_logging_buffer_has_no_lines() -> None:
    """The real sample's header up to `Log Buffer (4096 bytes):`, nothing logged after it:
    Genie leaves the 'logs' key out."""
    text = sample("ios/ShowLogging/golden_output_1_output.txt")
    header = text[:text.index("\n", text.index("Log Buffer (4096 bytes):")) + 1] + "\n"
    assert reads.logging_lines(answering("show logging", header)) == []
