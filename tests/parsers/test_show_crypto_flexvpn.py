"""Golden-output tests for ``show crypto ikev2 client flexvpn [<name>]`` (ios and iosxe)."""

from __future__ import annotations

from typing import Any

import pytest
from genie.metaparser.util.exceptions import SchemaEmptyParserError, SchemaMissingKeyError
from parser_testkit import GoldenCase, RecordingConnection, attach_connection, golden_cases, make_device

from flexlab.parsers.ios.show_crypto_flexvpn import ShowCryptoIkev2ClientFlexvpn as IosFlexvpn
from flexlab.parsers.iosxe.show_crypto_flexvpn import ShowCryptoIkev2ClientFlexvpn as IosxeFlexvpn

CASES = golden_cases("ShowCryptoIkev2ClientFlexvpn")
COMMAND = "show crypto ikev2 client flexvpn"


def test_every_golden_case_has_an_expected_result() -> None:
    assert {case.name for case in CASES} >= {"seed_116413", "guide_17x", "inactive_no_address",
                                              "two_profiles_irregular_spacing"}
    assert all(case.expected is not None for case in CASES)


@pytest.mark.parametrize("os_name", ["ios", "iosxe"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_output_through_device_parse(case: GoldenCase, os_name: str) -> None:
    device = make_device(os_name, "iol" if os_name == "ios" else "c8000v")
    command = f"{COMMAND} {case.arguments['name']}" if "name" in case.arguments else COMMAND
    assert device.parse(command, output=case.output) == case.expected


@pytest.mark.parametrize("parser_class", [IosFlexvpn, IosxeFlexvpn])
def test_parser_class_directly(parser_class: type) -> None:
    seed = next(c for c in CASES if c.name == "seed_116413")
    assert parser_class(device=None).parse(output=seed.output) == seed.expected


def test_seed_sample_keeps_blank_values_apart_from_absent_lines() -> None:
    seed = next(c for c in CASES if c.name == "seed_116413")
    parsed = IosFlexvpn(device=None).parse(output=seed.output)["Flex_Client"]
    assert parsed["peer"] == "" and parsed["assigned_ip_address"] == ""
    assert "ivrf" not in parsed and "fvrf" not in parsed


def test_unknown_lines_are_ignored() -> None:
    output = ("Profile : Flex_Client\nCurrent state:ACTIVE\nPeer : 100.64.0.2\n"
              "Dial backup : disabled\n  some continuation text\nTunnel interface : Tunnel1\n")
    assert IosxeFlexvpn(device=None).parse(output=output) == {
        "Flex_Client": {"current_state": "ACTIVE", "peer": "100.64.0.2", "tunnel_interface": "Tunnel1"}}


def test_lines_before_the_first_profile_are_ignored() -> None:
    output = "Current state:ACTIVE\nspoke1#show crypto ikev2 client flexvpn\nProfile : P\nCurrent state:ACTIVE\n"
    assert IosFlexvpn(device=None).parse(output=output) == {"P": {"current_state": "ACTIVE"}}


@pytest.mark.parametrize("output", ["", "spoke1#\n", "% Invalid input detected at '^' marker.\n"])
def test_no_profile_is_an_empty_parser_error(output: str) -> None:
    with pytest.raises(SchemaEmptyParserError):
        IosFlexvpn(device=None).parse(output=output)


def test_profile_without_state_fails_the_schema() -> None:
    with pytest.raises(SchemaMissingKeyError):
        IosFlexvpn(device=None).parse(output="Profile : P\nPeer : 100.64.0.2\n")


@pytest.mark.parametrize(("arguments", "sent"), [
    ({}, COMMAND),
    ({"name": "Flex_Client"}, f"{COMMAND} Flex_Client"),
])
def test_cli_sends_the_command_for_its_arguments(arguments: dict[str, Any], sent: str) -> None:
    connection = RecordingConnection({sent: "Profile : Flex_Client\nCurrent state:ACTIVE\n"})
    assert IosFlexvpn(device=connection).parse(**arguments) == {"Flex_Client": {"current_state": "ACTIVE"}}
    assert connection.commands == [sent]


def test_device_parse_with_name_through_a_connection() -> None:
    device = make_device("iosxe", "c8000v")
    connection = RecordingConnection({f"{COMMAND} flexblk": "Profile : flexblk\nCurrent state:ACTIVE\n"})
    attach_connection(device, connection)
    assert device.parse(f"{COMMAND} flexblk") == {"flexblk": {"current_state": "ACTIVE"}}
    assert connection.commands == [f"{COMMAND} flexblk"]
