"""Strict IKEv2/FlexVPN semantics (issue 13): AAA method lists, proposal and transform-set
intersection, `ip address negotiated`, live removal of client and tunnel lines.

Configs are edited as typed in `configure terminal` (apply_config_text, the CLI's own
interpreter) or by rewriting the rendered text before boot.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flexlab.sim.engine.lab import Lab
from flexlab.sim.shell import apply_config_text

HUB1_WAN, HUB2_WAN = "100.64.0.2", "100.64.0.6"


def configure(lab: Lab, node: str, text: str, settle: float = 5.0) -> None:
    errors = apply_config_text(lab.nodes[node], text)
    assert errors == [], [str(e) for e in errors]
    lab.run_for(settle)


def logs(lab: Lab, node: str, mnemonic: str) -> list[str]:
    return [e.text for e in lab.nodes[node].logbuf.entries() if e.mnemonic == mnemonic]


def flex_peer(lab: Lab, spoke: str) -> tuple[str, str | None]:
    client = next(iter(lab.nodes[spoke].flex.clients.values()))
    return client.state, (str(client.peer) if client.state == "ACTIVE" else None)


def tunnel_address(lab: Lab, spoke: str) -> str | None:
    iface = next(i for i in lab.nodes[spoke].snapshot().interfaces if i.name == "Tunnel1")
    return None if iface.address is None else str(iface.address)


def drop_line(pattern: str) -> Callable[[str], str]:
    return lambda text: re.sub(pattern, "", text, flags=re.MULTILINE)


def test_reference_design_still_comes_up(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    assert flex_peer(lab, "spoke1") == ("ACTIVE", HUB1_WAN)
    assert tunnel_address(lab, "spoke1") is not None
    assert logs(lab, "hub1", "NEG_ABORT") == []


def test_hub_without_its_aaa_network_list_does_not_authorise(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(edits={"hub1": drop_line(r"^aaa authorization network default local\n")})
    # hub1 refuses, spoke1 moves on to peer 2 (hub2 still has the list)
    assert flex_peer(lab, "spoke1") == ("ACTIVE", HUB2_WAN)
    refusals = logs(lab, "hub1", "NEG_ABORT")
    assert refusals and "method list 'default' not defined" in refusals[0]


def test_aaa_list_must_be_the_one_the_profile_names(make_lab: Callable[..., Lab]) -> None:
    other_list = lambda text: text.replace("aaa authorization network default local",  # noqa: E731
                                           "aaa authorization network FLEX local")
    lab = make_lab(edits={"hub1": other_list, "hub2": other_list})
    assert flex_peer(lab, "spoke1")[0] != "ACTIVE"
    assert tunnel_address(lab, "spoke1") is None


def test_ike_proposal_mismatch_fails_and_the_client_moves_on(make_lab: Callable[..., Lab]) -> None:
    proposal = ("crypto ikev2 proposal GCM\n encryption aes-gcm-256\n prf sha384\n group 19\n"
                "crypto ikev2 policy GCM\n proposal GCM\n")
    lab = make_lab(
        edits={"hub1": lambda text: text.replace("crypto logging session", proposal + "crypto logging session")}
    )
    assert flex_peer(lab, "spoke1") == ("ACTIVE", HUB2_WAN)
    assert any("Failed to find a matching policy" in t for t in logs(lab, "hub1", "NEG_ABORT"))
    assert any("Received no proposal chosen notify" in t for t in logs(lab, "spoke1", "NEG_ABORT"))


def test_matching_custom_proposals_on_both_sides_connect(make_lab: Callable[..., Lab]) -> None:
    hub = ("crypto ikev2 proposal P\n encryption aes-cbc-256 aes-cbc-128\n integrity sha256\n group 14 19\n"
           "crypto ikev2 policy P\n proposal P\n")
    spoke = ("crypto ikev2 proposal P\n encryption aes-cbc-128\n integrity sha1 sha256\n group 19\n"
             "crypto ikev2 policy P\n proposal P\n")
    add = lambda block: lambda text: text.replace("crypto logging session", block + "crypto logging session")  # noqa: E731
    lab = make_lab(edits={"hub1": add(hub), "spoke1": add(spoke)})
    assert flex_peer(lab, "spoke1") == ("ACTIVE", HUB1_WAN)


def test_transform_set_mismatch_fails_and_the_client_moves_on(make_lab: Callable[..., Lab]) -> None:
    # hub1's IPsec profile only accepts the design's esp-gcm set; the spoke offers the defaults
    uses_gcm = lambda text: re.sub(r"^(crypto ipsec profile \S+\n)", r"\1 set transform-set IKEv2\n",  # noqa: E731
                                   text, flags=re.MULTILINE)
    lab = make_lab(edits={"hub1": uses_gcm})
    assert "set transform-set IKEv2" in lab.nodes["hub1"].config.render()
    assert flex_peer(lab, "spoke1") == ("ACTIVE", HUB2_WAN)
    assert any("no IPSEC policy found" in t for t in logs(lab, "hub1", "NEG_ABORT"))


def test_same_transform_set_on_both_sides_connects(make_lab: Callable[..., Lab]) -> None:
    uses_gcm = lambda text: re.sub(r"^(crypto ipsec profile \S+\n)", r"\1 set transform-set IKEv2\n",  # noqa: E731
                                   text, flags=re.MULTILINE)
    lab = make_lab(edits={"hub1": uses_gcm, "spoke1": uses_gcm})
    assert flex_peer(lab, "spoke1") == ("ACTIVE", HUB1_WAN)


def test_spoke_tunnel_without_ip_address_negotiated_gets_no_address(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(edits={"spoke1": drop_line(r"^ ip address negotiated\n")})
    assert flex_peer(lab, "spoke1") == ("ACTIVE", HUB1_WAN)
    assert tunnel_address(lab, "spoke1") is None
    assert tunnel_address(lab, "spoke2") is not None


def test_removing_client_connect_live_brings_tunnel1_down(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    assert tunnel_address(lab, "spoke1") is not None
    client = next(iter(lab.nodes["spoke1"].flex.clients))
    configure(lab, "spoke1", f"crypto ikev2 client flexvpn {client}\n no client connect Tunnel1\nend\n")
    tunnel = next(i for i in lab.nodes["spoke1"].snapshot().interfaces if i.name == "Tunnel1")
    assert (tunnel.line_up, tunnel.address) == (False, None)
    assert flex_peer(lab, "spoke1")[0] == "INACTIVE"


def test_removing_tunnel_destination_dynamic_live_takes_effect(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    configure(lab, "spoke1", "interface Tunnel1\n no tunnel destination dynamic\nend\n")
    tunnel = next(i for i in lab.nodes["spoke1"].snapshot().interfaces if i.name == "Tunnel1")
    assert (tunnel.line_up, tunnel.address) == (False, None)
    assert flex_peer(lab, "spoke1")[0] == "INACTIVE"
    configure(lab, "spoke1", "interface Tunnel1\n tunnel destination dynamic\nend\n", settle=10.0)
    assert flex_peer(lab, "spoke1") == ("ACTIVE", HUB1_WAN)


def test_removing_ip_address_negotiated_live_drops_the_address(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    assert tunnel_address(lab, "spoke1") is not None
    configure(lab, "spoke1", "interface Tunnel1\n no ip address negotiated\nend\n", settle=10.0)
    assert tunnel_address(lab, "spoke1") is None
    assert flex_peer(lab, "spoke1") == ("ACTIVE", HUB1_WAN)   # reconnected, without an address
    routes = {str(r.prefix) for r in lab.nodes["spoke1"].snapshot().routes if r.code in ("C", "L")}
    assert not any(prefix.startswith("172.16.") for prefix in routes)
