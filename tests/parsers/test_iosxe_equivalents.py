"""The ``os: ios`` entries parse real IOS XE outputs exactly as the IOS XE classes do."""

from __future__ import annotations

from typing import Any

import pytest
from genie.libs.parser.iosxe import show_crypto, show_ip, show_ip_bgp
from parser_testkit import GENIE_GOLDEN, GoldenCase, golden_cases

from flexlab.parsers.ios import iosxe_equivalents

# (folder under golden/, command for device.parse, ios entry, iosxe class)
ALIASES = [
    (GENIE_GOLDEN / "iosxe" / "ShowCryptoIkev2Sa", "show crypto ikev2 sa",
     iosxe_equivalents.ShowCryptoIkev2Sa, show_crypto.ShowCryptoIkev2Sa),
    (GENIE_GOLDEN / "iosxe" / "ShowCryptoIkev2SaDetail", "show crypto ikev2 sa detail",
     iosxe_equivalents.ShowCryptoIkev2SaDetail, show_crypto.ShowCryptoIkev2SaDetail),
    (GENIE_GOLDEN / "iosxe" / "ShowIpBgpSummary", "show ip bgp summary",
     iosxe_equivalents.ShowIpBgpSummary, show_ip_bgp.ShowIpBgpSummary),
    ("flexlab_ios/ShowIpBgpSummary", "show ip bgp summary",
     iosxe_equivalents.ShowIpBgpSummary, show_ip_bgp.ShowIpBgpSummary),
    ("flexlab_ios/ShowIpSlaStatistics", "show ip sla statistics",
     iosxe_equivalents.ShowIpSlaStatistics, show_ip.ShowIpSlaStatistics),
]
ALIAS_CASES = [(folder, command, case) for folder, command, _, _ in ALIASES for case in golden_cases(folder)]


def _parse_arguments(case: GoldenCase) -> dict[str, Any]:
    """Non-empty golden arguments (``{"vrf": ""}`` means the plain command)."""
    return {key: value for key, value in case.arguments.items() if value}


@pytest.mark.parametrize(("ios_class", "iosxe_class"), [(a[2], a[3]) for a in ALIASES])
def test_ios_entry_is_the_iosxe_parser(ios_class: type, iosxe_class: type) -> None:
    assert issubclass(ios_class, iosxe_class)
    assert ios_class.schema is iosxe_class.schema
    assert ios_class.cli_command == iosxe_class.cli_command
    assert ios_class.cli is iosxe_class.cli


def test_every_alias_has_golden_outputs() -> None:
    assert {folder for folder, _, _ in ALIAS_CASES} == {a[0] for a in ALIASES}


@pytest.mark.parametrize(("folder", "command", "case"), ALIAS_CASES,
                         ids=[f"{folder}/{case.name}" for folder, _, case in ALIAS_CASES])
def test_ios_and_iosxe_give_the_same_result(
    folder: str, command: str, case: GoldenCase, ios_device: Any, iosxe_device: Any
) -> None:
    arguments = _parse_arguments(case)
    ios_result = ios_device.parse(command, output=case.output, **arguments)
    iosxe_result = iosxe_device.parse(command, output=case.output, **arguments)
    assert ios_result, "the golden output parsed to nothing"
    assert ios_result == iosxe_result


def _golden(folder: str, name: str) -> GoldenCase:
    return next(case for case in golden_cases(folder) if case.name == name)


def test_ikev2_sa_values(ios_device: Any) -> None:
    case = _golden(GENIE_GOLDEN / "iosxe" / "ShowCryptoIkev2Sa", "golden_output")
    sa = ios_device.parse("show crypto ikev2 sa", output=case.output)["ipv4"][1]
    assert (sa["local_ip"], sa["remote_ip"], sa["status"]) == ("66.66.66.1", "66.66.66.2", "READY")


def test_ikev2_sa_detail_values(ios_device: Any) -> None:
    case = _golden(GENIE_GOLDEN / "iosxe" / "ShowCryptoIkev2SaDetail", "golden_output")
    tunnel = ios_device.parse("show crypto ikev2 sa detail", output=case.output)["tunnel_id"][973]
    assert (tunnel["status"], tunnel["dpd_configured_time"], tunnel["retry"]) == ("ready", 60, 3)


def test_hub_summary_lists_listen_range_neighbours(ios_device: Any) -> None:
    case = _golden("flexlab_ios/ShowIpBgpSummary", "hub_listen_range")
    neighbours = ios_device.parse("show ip bgp summary", output=case.output)["vrf"]["default"]["neighbor"]
    assert set(neighbours) == {"172.16.1.1", "172.16.1.2", "10.255.0.2"}
    assert neighbours["10.255.0.2"]["address_family"][""]["state_pfxrcd"] == "2"


def test_sla_statistics_values(ios_device: Any) -> None:
    ok = ios_device.parse("show ip sla statistics",
                          output=_golden("flexlab_ios/ShowIpSlaStatistics", "spoke_probe_ok").output)
    timeout = ios_device.parse("show ip sla statistics",
                               output=_golden("flexlab_ios/ShowIpSlaStatistics", "spoke_probe_timeout").output)
    assert ok["ids"]["10"]["return_code"] == "OK"
    assert timeout["ids"]["10"]["return_code"] == "Timeout"
    assert (timeout["ids"]["10"]["no_of_success"], timeout["ids"]["10"]["no_of_failures"]) == (125, 3)
