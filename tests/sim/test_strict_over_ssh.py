"""Issue 13 part C through SSH (unicon): platform interfaces, inert lines, and the strict
IKEv2/FlexVPN semantics, on an embedded lab started with `flexlab lab up`.

One lab for the module (time scale 50). Each test restores what it changed and sends the
spokes home (`clear crypto ikev2 sa` restarts the client from peer 1).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sshlabkit import embedded_testbed, wait_lab  # noqa: E402

pytestmark = pytest.mark.slow  # starts the embedded lab and talks to it over SSH

SCALE = 50.0
HUB1_WAN, HUB2_WAN = "100.64.0.2", "100.64.0.6"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with embedded_testbed(tmp_path_factory.mktemp("lab"), "strict", SCALE, ("hub1", "spoke1", "spoke2")) as (tb, _):
        yield tb


def _wait(check, device_seconds: float, what: str):
    return wait_lab(check, device_seconds, SCALE, what)


def _on_peer(device, peer: str) -> bool:
    client = next(iter(device.parse("show crypto ikev2 client flexvpn").values()))
    return client["current_state"] == "ACTIVE" and client.get("peer") == peer


def _brief(device) -> dict[str, list[str]]:
    """`show ip interface brief` rows: name -> [address, ok, method, status..., protocol]."""
    rows = device.execute("show ip interface brief").replace("\r", "").splitlines()[1:]
    return {row.split()[0]: row.split()[1:] for row in rows if row.strip()}


def _home(spoke, peer: str = HUB1_WAN) -> None:
    spoke.execute("clear crypto ikev2 sa")
    _wait(lambda: _on_peer(spoke, peer), 120, f"{spoke.name} back on {peer}")


def test_platform_interfaces_exist_and_foreign_or_physical_edits_are_refused(lab):
    spoke1 = lab.devices["spoke1"]
    brief = _brief(spoke1)
    for port in ("Ethernet0/0", "Ethernet0/2", "Ethernet0/3"):
        assert brief[port] == ["unassigned", "YES", "unset", "administratively", "down", "down"]
    assert brief["Ethernet0/1"][3:] == ["up", "up"]
    refused = spoke1.configure(["interface GigabitEthernet0/0/0"], error_pattern=[])
    assert "% Invalid input detected at '^' marker." in refused
    kept = spoke1.configure(["no interface Ethernet0/2"], error_pattern=[])
    assert "% Removal of physical interfaces is not permitted" in kept
    spoke1.configure(["interface Loopback77"])
    assert "Loopback77" in _brief(spoke1)
    spoke1.configure(["no interface Loopback77"])
    brief = _brief(spoke1)
    assert "Ethernet0/2" in brief and "Loopback77" not in brief


def test_inert_lines_are_kept_verbatim(lab):
    hub1 = lab.devices["hub1"]
    lines = ["snmp-server community public RO", "ip http server", "cdp run", "ipv6 unicast-routing"]
    hub1.configure(lines)
    try:
        running = hub1.execute("show running-config").replace("\r", "").splitlines()
        assert all(line in running for line in lines[:2] + lines[3:])   # `cdp run` is the default
    finally:
        hub1.configure(["no snmp-server community public RO", "no ip http server", "no ipv6 unicast-routing"])
    assert "ip http server" not in hub1.execute("show running-config")


def _hub_refuses(lab, change: list[str], undo: list[str], log_text: str) -> None:
    """Change hub1, send spoke1 to peer 1 again: it must land on hub2, hub1 logging why."""
    hub1, spoke1 = lab.devices["hub1"], lab.devices["spoke1"]
    hub1.configure(change)
    try:
        spoke1.execute("clear crypto ikev2 sa")
        _wait(lambda: _on_peer(spoke1, HUB2_WAN), 120, "spoke1 moves on to hub2")
        assert log_text in hub1.execute("show logging")
    finally:
        hub1.configure(undo)
    _home(spoke1)


def test_hub_without_the_aaa_network_list_does_not_authorise(lab):
    _hub_refuses(lab, ["no aaa authorization network default local"], ["aaa authorization network default local"],
                 "%IKEV2-3-NEG_ABORT: Negotiation aborted due to ERROR: AAA authorization failed")


def test_ike_proposal_mismatch_sends_the_spoke_to_the_next_peer(lab):
    _hub_refuses(lab, ["crypto ikev2 proposal GCM", "encryption aes-gcm-256", "prf sha384", "group 19",
                       "crypto ikev2 policy GCM", "proposal GCM"],
                 ["no crypto ikev2 policy GCM", "no crypto ikev2 proposal GCM"], "Failed to find a matching policy")


def test_transform_set_mismatch_sends_the_spoke_to_the_next_peer(lab):
    profile = re.search(r"^crypto ipsec profile (\S+)", lab.devices["hub1"].execute("show running-config"),
                        re.MULTILINE)
    assert profile is not None
    _hub_refuses(lab, [f"crypto ipsec profile {profile.group(1)}", "set transform-set IKEv2"],
                 [f"crypto ipsec profile {profile.group(1)}", "no set transform-set IKEv2"],
                 "There was no IPSEC policy found for received TS")


def test_spoke_tunnel_without_ip_address_negotiated_gets_no_address(lab):
    spoke2 = lab.devices["spoke2"]
    assert _brief(spoke2)["Tunnel1"][0].startswith("172.16.")
    spoke2.configure(["interface Tunnel1", "no ip address negotiated"])
    try:
        _wait(lambda: _on_peer(spoke2, HUB2_WAN) and _brief(spoke2)["Tunnel1"][0] == "unassigned", 120,
              "spoke2 connected without an address")
    finally:
        spoke2.configure(["interface Tunnel1", "ip address negotiated"])
    _home(spoke2, HUB2_WAN)
    _wait(lambda: _brief(spoke2)["Tunnel1"][0].startswith("172.16."), 60, "address negotiated again")


def test_live_removal_of_client_connect_and_tunnel_destination_takes_effect(lab):
    spoke2 = lab.devices["spoke2"]
    client = re.search(r"^crypto ikev2 client flexvpn (\S+)", spoke2.execute("show running-config"), re.MULTILINE)
    assert client is not None
    for change, undo in (
        ([f"crypto ikev2 client flexvpn {client.group(1)}", "no client connect Tunnel1"],
         [f"crypto ikev2 client flexvpn {client.group(1)}", "client connect Tunnel1"]),
        (["interface Tunnel1", "no tunnel destination dynamic"], ["interface Tunnel1", "tunnel destination dynamic"]),
    ):
        spoke2.configure(change)
        try:
            tunnel = _brief(spoke2)["Tunnel1"]   # read right after the change: no waiting
            assert tunnel[0] == "unassigned" and tunnel[-1] == "down", (change, tunnel)
        finally:
            spoke2.configure(undo)
        _wait(lambda: _on_peer(spoke2, HUB2_WAN), 120, "spoke2 reconnects after the undo")
