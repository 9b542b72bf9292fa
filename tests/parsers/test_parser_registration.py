"""flexlab.parsers is found by Genie's get_parser / device.parse without ``abstract=``."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

import genie.libs.parser.utils.common as genie_common
import pytest
from genie.libs.parser.asa.show_crypto_ikev2_sa import ShowCryptoIkev2Sa as AsaShowCryptoIkev2Sa
from genie.libs.parser.iosxe import show_crypto as genie_iosxe_crypto
from genie.libs.parser.iosxe import show_ip as genie_iosxe_ip
from genie.libs.parser.iosxe import show_ip_bgp as genie_iosxe_bgp
from genie.libs.parser.utils.common import ParserNotFound, get_parser
from parser_testkit import RecordingConnection, attach_connection, make_device

from flexlab.parsers.ios import iosxe_equivalents
from flexlab.parsers.ios.show_crypto_flexvpn import ShowCryptoIkev2ClientFlexvpn as IosFlexvpn
from flexlab.parsers.iosxe.show_crypto_flexvpn import ShowCryptoIkev2ClientFlexvpn as IosxeFlexvpn

EXTERNAL_PARSER_ENV = "PYATS_LIBS_EXTERNAL_PARSER"
FLEXVPN = "show crypto ikev2 client flexvpn"
SPOKE_BGP_SUMMARY = """\
BGP router identifier 10.1.1.1, local AS number 65001
BGP table version is 4, main routing table version 4

Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
172.16.0.1      4        65001      10      11        4    0    0 00:05:12        1
"""

# command -> (class for os ios, class for os iosxe, kwargs get_parser extracts)
EXPECTED: dict[str, tuple[type, type, dict[str, str]]] = {
    FLEXVPN: (IosFlexvpn, IosxeFlexvpn, {}),
    f"{FLEXVPN} Flex_Client": (IosFlexvpn, IosxeFlexvpn, {"name": "Flex_Client"}),
    "show crypto ikev2 sa": (iosxe_equivalents.ShowCryptoIkev2Sa, genie_iosxe_crypto.ShowCryptoIkev2Sa, {}),
    "show crypto ikev2 sa detail": (
        iosxe_equivalents.ShowCryptoIkev2SaDetail, genie_iosxe_crypto.ShowCryptoIkev2SaDetail, {}),
    "show ip bgp summary": (iosxe_equivalents.ShowIpBgpSummary, genie_iosxe_bgp.ShowIpBgpSummary, {}),
    "show ip bgp ipv4 unicast summary": (
        iosxe_equivalents.ShowIpBgpSummary, genie_iosxe_bgp.ShowIpBgpSummary, {"address_family": "ipv4 unicast"}),
    "show ip bgp all summary": (iosxe_equivalents.ShowIpBgpAllSummary, genie_iosxe_bgp.ShowIpBgpAllSummary, {}),
    "show ip sla statistics": (iosxe_equivalents.ShowIpSlaStatistics, genie_iosxe_ip.ShowIpSlaStatistics, {}),
    "show ip sla statistics 10": (
        iosxe_equivalents.ShowIpSlaStatistics, genie_iosxe_ip.ShowIpSlaStatistics, {"probe_id": "10"}),
}


@pytest.fixture
def fresh_parser_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next get_parser rebuild Genie's index; the original comes back afterwards."""
    monkeypatch.setattr(genie_common, "parser_data", None)


@pytest.mark.parametrize("platform", ["iol", "iosv"])
@pytest.mark.parametrize("command", sorted(EXPECTED))
def test_get_parser_for_ios(command: str, platform: str) -> None:
    ios_class, _, kwargs = EXPECTED[command]
    parser_class, parser_kwargs = get_parser(command, make_device("ios", platform))
    assert parser_class is ios_class
    assert parser_kwargs == kwargs


@pytest.mark.parametrize("command", sorted(EXPECTED))
def test_get_parser_for_iosxe_keeps_genie_classes(command: str) -> None:
    _, iosxe_class, kwargs = EXPECTED[command]
    parser_class, parser_kwargs = get_parser(command, make_device("iosxe", "c8000v"))
    assert parser_class is iosxe_class
    assert parser_kwargs == kwargs


def test_other_os_entries_of_extended_commands_survive() -> None:
    parser_class, _ = get_parser("show crypto ikev2 sa", make_device("asa", "asav"))
    assert parser_class is AsaShowCryptoIkev2Sa


def test_flexvpn_command_is_not_offered_to_unrelated_os() -> None:
    with pytest.raises(ParserNotFound):
        get_parser(FLEXVPN, make_device("nxos", "n9k"))


def test_entry_point_is_installed() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="genie.libs.parser")}
    assert found.get("flexlab") == "flexlab.parsers"


def _no_entry_points(group: str) -> list[Any]:
    return []


def test_without_entry_point_the_parsers_are_unknown(
    fresh_parser_index: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Control for the next tests: the entry point is what makes the default case work."""
    monkeypatch.setattr(genie_common, "get_entry_points", _no_entry_points)
    monkeypatch.setattr(genie_common, "cfg", {})
    monkeypatch.delenv(EXTERNAL_PARSER_ENV, raising=False)
    with pytest.raises(ParserNotFound):
        get_parser(FLEXVPN, make_device("ios", "iol"))


def test_environment_variable_alone_registers_the_package(
    fresh_parser_index: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(genie_common, "get_entry_points", _no_entry_points)
    monkeypatch.setattr(genie_common, "cfg", {})
    monkeypatch.setenv(EXTERNAL_PARSER_ENV, "flexlab.parsers")
    assert get_parser(FLEXVPN, make_device("ios", "iol"))[0] is IosFlexvpn
    assert get_parser("show ip bgp summary", make_device("ios", "iol"))[0] is iosxe_equivalents.ShowIpBgpSummary


def test_pyats_configuration_alone_registers_the_package(
    fresh_parser_index: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(genie_common, "get_entry_points", _no_entry_points)
    monkeypatch.delenv(EXTERNAL_PARSER_ENV, raising=False)
    monkeypatch.setattr(genie_common, "cfg", {genie_common.PYATS_EXT_PARSER: "flexlab.parsers"})
    assert get_parser(FLEXVPN, make_device("iosxe", "c8000v"))[0] is IosxeFlexvpn


def test_entry_point_and_environment_variable_together(
    fresh_parser_index: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(EXTERNAL_PARSER_ENV, "flexlab.parsers")
    assert get_parser(FLEXVPN, make_device("ios", "iol"))[0] is IosFlexvpn


def test_plain_device_parse_in_a_fresh_interpreter() -> None:
    """No test-time imports or patches: a new process finds the parsers by itself."""
    script = (
        "import sys\n"
        "from genie.testbed import load\n"
        "tb = load({'devices': {'spoke1': {'os': 'ios', 'type': 'router', 'connections': "
        "{'cli': {'protocol': 'ssh', 'ip': '127.0.0.1'}}}}})\n"
        "d = tb.devices['spoke1']\n"
        "print(d.parse('show crypto ikev2 client flexvpn', output=sys.argv[1])['P']['current_state'])\n"
        "print(d.parse('show ip bgp summary', output=sys.argv[2])['bgp_id'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != EXTERNAL_PARSER_ENV}
    result = subprocess.run(
        [sys.executable, "-c", script, "Profile : P\nCurrent state:ACTIVE\n", SPOKE_BGP_SUMMARY],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ACTIVE", "65001"]


def test_device_parse_sends_the_command_through_the_connection() -> None:
    device = make_device("ios", "iol")
    connection = RecordingConnection({
        f"{FLEXVPN} Flex_Client": "Profile : Flex_Client\nCurrent state:ACTIVE\nPeer : 100.64.0.2\n",
        "show ip bgp summary": SPOKE_BGP_SUMMARY,
    })
    attach_connection(device, connection)

    flexvpn = device.parse(f"{FLEXVPN} Flex_Client")
    bgp = device.parse("show ip bgp summary")

    assert connection.commands == [f"{FLEXVPN} Flex_Client", "show ip bgp summary"]
    assert flexvpn == {"Flex_Client": {"current_state": "ACTIVE", "peer": "100.64.0.2"}}
    assert bgp["bgp_id"] == 65001
    assert bgp["vrf"]["default"]["neighbor"]["172.16.0.1"]["address_family"][""]["state_pfxrcd"] == "1"
