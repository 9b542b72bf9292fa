"""The Genie classes these tests parse with are the ones pyATS picks for the command
(`device.parse(cmd)` resolves through get_parser), for os ios or, where Genie has no ios
parser (facts.md §5), os iosxe."""

from __future__ import annotations

import pytest
from genie.libs.parser.utils.common import get_parser
from show_genie import mock_device

MAPPING = [
    ("show version", "ios", "genie.libs.parser.ios.show_platform.ShowVersion"),
    ("show clock", "ios", "genie.libs.parser.ios.show_system.ShowClock"),
    ("show ip interface brief", "ios", "genie.libs.parser.ios.show_interface.ShowIpInterfaceBrief"),
    ("show interfaces", "ios", "genie.libs.parser.ios.show_interface.ShowInterfaces"),
    ("show interfaces Tunnel1", "ios", "genie.libs.parser.ios.show_interface.ShowInterfaces"),
    ("show crypto session", "ios", "genie.libs.parser.ios.show_crypto_session.ShowCryptoSession"),
    ("show crypto session detail", "ios", "genie.libs.parser.ios.show_crypto_session.ShowCryptoSessionDetail"),
    ("show crypto session", "iosxe", "genie.libs.parser.iosxe.show_crypto.ShowCryptoSession"),
    ("show crypto session detail", "iosxe", "genie.libs.parser.iosxe.show_crypto.ShowCryptoSessionDetail"),
    ("show bgp all summary", "ios", "genie.libs.parser.ios.show_bgp.ShowBgpAllSummary"),
    ("show ip bgp", "ios", "genie.libs.parser.ios.show_bgp.ShowIpBgp"),
    ("show ip route", "ios", "genie.libs.parser.ios.show_routing.ShowIpRouteDistributor"),
    ("show ip route bgp", "ios", "genie.libs.parser.ios.show_routing.ShowIpRouteDistributor"),
    ("show logging", "ios", "genie.libs.parser.ios.show_logging.ShowLogging"),
    ("show ntp associations", "ios", "genie.libs.parser.ios.show_ntp.ShowNtpAssociations"),
    ("show ntp status", "ios", "genie.libs.parser.ios.show_ntp.ShowNtpStatus"),
    ("show crypto ikev2 sa", "iosxe", "genie.libs.parser.iosxe.show_crypto.ShowCryptoIkev2Sa"),
    ("show crypto ikev2 sa detail", "iosxe", "genie.libs.parser.iosxe.show_crypto.ShowCryptoIkev2SaDetail"),
    ("show ip bgp summary", "iosxe", "genie.libs.parser.iosxe.show_ip_bgp.ShowIpBgpSummary"),
    ("show ip sla statistics", "iosxe", "genie.libs.parser.iosxe.show_ip.ShowIpSlaStatistics"),
]


@pytest.mark.parametrize(("command", "os_name", "class_path"), MAPPING)
def test_pyats_resolves_the_command_to_the_tested_class(command: str, os_name: str, class_path: str) -> None:
    parser_class, _ = get_parser(command, mock_device(os_name))
    assert f"{parser_class.__module__}.{parser_class.__name__}" == class_path
