"""show crypto ikev2 sa [detailed] / crypto session [detail] / crypto ikev2 client flexvpn.

Genie has IKEv2 parsers only for iosxe (facts.md §5), so the iosxe classes are used for
every image. The crypto-session parsers are used with os iosxe too: the ios class cannot
parse any IKEv2 session (shown below on the real sample)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from genie.libs.parser.ios.show_crypto_session import ShowCryptoSession as IosShowCryptoSession
from genie.libs.parser.iosxe.show_crypto import (
    ShowCryptoIkev2Sa,
    ShowCryptoIkev2SaDetail,
    ShowCryptoSession,
    ShowCryptoSessionDetail,
)
from genie.metaparser.util.exceptions import SchemaMissingKeyError
from show_genie import golden_text, parse, parse_golden
from show_snapshots import HUB1_WAN, HUB2_WAN, IOSV_15_9, NOW, SPOKE1_WAN, hub1, spoke1_failover, spoke1_up

from flexlab.sim.show import render
from flexlab.sim.state import NodeSnapshot

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed" / "116413.txt"


def _xe(parser, text: str) -> dict:
    return parse(parser, text, "iosxe")


# ---------------------------------------------------------------- show crypto ikev2 sa


@pytest.mark.parametrize("factory", [hub1, spoke1_up, spoke1_failover])
def test_ikev2_sa_values_and_schema(factory) -> None:
    snap: NodeSnapshot = factory()
    parsed = _xe(ShowCryptoIkev2Sa, render(snap, ["show", "crypto", "ikev2", "sa"]))
    golden = parse_golden(ShowCryptoIkev2Sa, "iosxe", "ShowCryptoIkev2Sa", "golden_output_output.txt")
    assert set(parsed) == set(golden) == {"ipv4", "ipv6"}
    assert parsed["ipv6"] == {}
    assert {frozenset(sa) for sa in parsed["ipv4"].values()} == {frozenset(golden["ipv4"][1])}
    assert set(parsed["ipv4"]) == {sa.tunnel_id for sa in snap.ike_sas}
    for sa in snap.ike_sas:
        row = parsed["ipv4"][sa.tunnel_id]
        assert (row["local_ip"], row["local_port"]) == (str(sa.local), sa.local_port)
        assert (row["remote_ip"], row["remote_port"]) == (str(sa.remote), sa.remote_port)
        assert row["status"] == sa.status
        assert (row["encryption"], row["keysize"], row["prf"], row["dh_group"]) == (
            sa.encryption, sa.keysize, sa.prf, sa.dh_group)
        assert (row["life_time"], row["active_time"]) == (sa.lifetime, int(NOW - sa.created))


def test_ikev2_sa_header_and_columns() -> None:
    lines = render(spoke1_up(), ["show", "crypto", "ikev2", "sa"]).splitlines()
    assert lines[0] == " IPv4 Crypto IKEv2  SA "
    assert lines[2] == "Tunnel-id Local                 Remote                fvrf/ivrf            Status "
    assert lines[3] == "1         100.64.0.10/500       100.64.0.2/500        none/none            READY  "


@pytest.mark.parametrize("factory", [hub1, spoke1_up, spoke1_failover])
def test_ikev2_sa_detailed_values_and_schema(factory) -> None:
    snap: NodeSnapshot = factory()
    parsed = _xe(ShowCryptoIkev2SaDetail, render(snap, ["show", "crypto", "ikev2", "sa", "detailed"]))
    golden = parse_golden(ShowCryptoIkev2SaDetail, "iosxe", "ShowCryptoIkev2SaDetail", "golden_output6_output.txt")
    assert set(parsed) == set(golden) == {"tunnel_id"}
    # qr / quantum_encry_type: the sample uses post-quantum PPK; pushed_ip: only with mode config.
    optional = {"qr", "quantum_encry_type", "pushed_ip"}
    reference_keys = set(golden["tunnel_id"][5]) - optional
    for sa in snap.ike_sas:
        row = parsed["tunnel_id"][sa.tunnel_id]
        assert set(row) - optional == reference_keys
        assert row["status"] == sa.status.lower()
        assert (row["local"], row["remote"]) == (f"{sa.local}/500", f"{sa.remote}/500")
        assert (row["dpd_configured_time"], row["retry"]) == (sa.dpd_interval, sa.dpd_retry)
        assert row["initiator_of_sa"] == ("yes" if sa.is_initiator else "no")
        assert row["remote_subnets"] == [f"{n.network_address} {n.netmask}" for n in sa.remote_subnets]
        assert (row["local_spi"], row["remote_spi"], row["session_id"]) == (sa.local_spi, sa.remote_spi, sa.session_id)
        assert row.get("pushed_ip") == (str(sa.assigned_address) if sa.assigned_address else None)
        assert row["active_time"] == int(NOW - sa.created)


def test_ikev2_sa_detail_spoke_shows_dpd_and_pushed_address() -> None:
    text = render(spoke1_up(), ["show", "crypto", "ikev2", "sa", "detail"])
    assert "      DPD configured for 30 seconds, retry 5\n" in text
    assert "      Pushed IP address: 172.16.1.1\n" in text
    assert "      Remote subnets:\n      172.16.0.1 255.255.255.255\n" in text


# ---------------------------------------------------------------- show crypto session


@pytest.mark.parametrize(("parser", "words", "golden"), [
    (ShowCryptoSession, ["show", "crypto", "session"], ("ShowCryptoSession", "golden_output2_output.txt")),
    (ShowCryptoSessionDetail, ["show", "crypto", "session", "detail"],
     ("ShowCryptoSessionDetail", "golden_output2_output.txt")),
])
@pytest.mark.parametrize("factory", [spoke1_up, spoke1_failover])
def test_crypto_session_spoke_values_and_schema(factory, parser, words, golden) -> None:
    snap: NodeSnapshot = factory()
    parsed = _xe(parser, render(snap, words))
    reference = parse_golden(parser, "iosxe", *golden)
    assert set(parsed) == set(reference) == {"interface"}
    session = snap.crypto_sessions[0]
    entry = parsed["interface"][session.interface]
    assert set(entry) == set(reference["interface"]["Tunnel0"])
    assert entry["session_status"] == session.status
    assert entry["profile"] == "Flex_IKEv2"
    port = entry["peer"][str(session.peer)]["port"]["500"]
    assert set(port) == set(reference["interface"]["Tunnel0"]["peer"]["1.1.1.1"]["port"]["500"])
    sa = port["ike_sa"]["1"]
    assert (sa["local"], sa["remote"], sa["version"]) == (str(SPOKE1_WAN), str(session.peer), "IKEv2")
    assert sa["sa_status"] == ("Active" if session.ike_sa.status == "READY" else "Inactive")
    flow = port["ipsec_flow"][f"permit 47 host {SPOKE1_WAN} host {session.peer}"]
    assert flow["active_sas"] == session.flows[0].active_sas
    if "detail" in words:
        assert entry["uptime"] == ("00:25:00" if session.status == "UP-ACTIVE" else "00:00:01")
        assert flow["inbound_pkts_decrypted"] == session.flows[0].packets_decrypted
        assert flow["outbound_pkts_encrypted"] == session.flows[0].packets_encrypted
        assert sa["capabilities"] == "DU"


def test_crypto_session_hub_lists_each_virtual_access() -> None:
    """Genie's parser never resets its per-session state, so a multi-session output (any
    real hub) folds later sessions into the first; each block is parsed on its own here."""
    text = render(hub1(), ["show", "crypto", "session", "detail"])
    header, *blocks = text.split("\nInterface: ")
    assert [b.split("\n", 1)[0] for b in blocks] == ["Virtual-Access1", "Virtual-Access2"]
    for block, peer in zip(blocks, ["100.64.0.10", "100.64.0.14"], strict=True):
        parsed = _xe(ShowCryptoSessionDetail, f"{header}\nInterface: {block}")
        entry = next(iter(parsed["interface"].values()))
        port = entry["peer"][peer]["port"]["500"]
        assert entry["session_status"] == "UP-ACTIVE"
        assert port["ike_sa"]["1"]["local"] == str(HUB1_WAN)
        assert port["ike_sa"]["1"]["remote"] == peer


def test_ios_crypto_session_parser_rejects_ikev2_like_on_a_real_device() -> None:
    """The os-ios class only knows `IKE SA:`/`IKEv1 SA:` lines: it fails the same way on the
    real IOS XE IKEv2 sample and on our output, so tests must use the iosxe class."""
    for text in (golden_text("iosxe", "ShowCryptoSession", "golden_output2_output.txt"),
                 render(spoke1_up(IOSV_15_9), ["show", "crypto", "session"])):
        with pytest.raises(SchemaMissingKeyError):
            parse(IosShowCryptoSession, text)


# ---------------------------------------------------------------- show crypto ikev2 client flexvpn


def _seed_client_block() -> list[str]:
    lines = SEED.read_text().splitlines()
    start = lines.index("Spoke2# show crypto ikev2 client flexvpn") + 1
    end = lines.index("", start)
    return lines[start:end]


def _labels(lines: list[str]) -> list[str]:
    return [line.split(":", 1)[0] + ":" for line in lines]


def test_flexvpn_client_15x_matches_seed_layout() -> None:
    text = render(spoke1_up(IOSV_15_9), ["show", "crypto", "ikev2", "client", "flexvpn"])
    lines = text.splitlines()
    assert _labels(lines) == _labels(_seed_client_block())
    assert lines == [
        "Profile : Flex_Client",
        "Current state:ACTIVE",
        f"Peer : {HUB1_WAN}",
        "Source : Ethernet0/1",
        "Backup group: None",
        "Tunnel interface : Tunnel1",
        "Assigned IP address: 172.16.1.1",
    ]


def test_flexvpn_client_17x_adds_vrf_lines_of_the_config_guide() -> None:
    lines = render(spoke1_up(), ["show", "crypto", "ikev2", "client", "flexvpn"]).splitlines()
    seed_labels = _labels(_seed_client_block())
    assert _labels(lines) == seed_labels[:4] + ["ivrf :", "fvrf :"] + seed_labels[4:]
    assert lines[4:6] == ["ivrf : IP DEFAULT", "fvrf : IP DEFAULT"]
    assert re.search(r"^Current state:ACTIVE$", "\n".join(lines), re.M)


def test_flexvpn_client_during_failover() -> None:
    lines = render(spoke1_failover(), ["show", "crypto", "ikev2", "client", "flexvpn", "Flex_Client"]).splitlines()
    assert "Current state:CONNECTING" in lines
    assert f"Peer : {HUB2_WAN}" in lines
    assert "Assigned IP address: None" in lines
