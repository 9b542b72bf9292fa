"""``os: ios`` entries for IOS XE parsers that genie.libs.parser only ships for iosxe.

Genie 26.x does not fall back from ios to iosxe (facts.md section 5), so on an ``os: ios``
device these commands raise ParserNotFound. Classic IOS 15.x and IOL print the same
layout, so each entry is a plain subclass: schema, ``cli_command`` and parsing are the
IOS XE class's own. ``show crypto ikev2 sa detail`` is Genie's command string; IOS accepts it
as the abbreviation of ``detailed``.
"""

from genie.libs.parser.iosxe.show_crypto import (
    ShowCryptoIkev2Sa as ShowCryptoIkev2Sa_iosxe,
)
from genie.libs.parser.iosxe.show_crypto import (
    ShowCryptoIkev2SaDetail as ShowCryptoIkev2SaDetail_iosxe,
)
from genie.libs.parser.iosxe.show_ip import ShowIpSlaStatistics as ShowIpSlaStatistics_iosxe
from genie.libs.parser.iosxe.show_ip_bgp import (
    ShowIpBgpAllSummary as ShowIpBgpAllSummary_iosxe,
)
from genie.libs.parser.iosxe.show_ip_bgp import (
    ShowIpBgpSummary as ShowIpBgpSummary_iosxe,
)


class ShowCryptoIkev2Sa(ShowCryptoIkev2Sa_iosxe):
    """Parser for 'show crypto ikev2 sa' (IOS XE parser)."""


class ShowCryptoIkev2SaDetail(ShowCryptoIkev2SaDetail_iosxe):
    """Parser for 'show crypto ikev2 sa detail' (IOS XE parser)."""


class ShowIpBgpSummary(ShowIpBgpSummary_iosxe):
    """Parser for 'show ip bgp [<af> [vrf <vrf> | rd <rd>]] summary' (IOS XE parser)."""


class ShowIpBgpAllSummary(ShowIpBgpAllSummary_iosxe):
    """Parser for 'show ip bgp [<af>] all summary' (IOS XE parser)."""


class ShowIpSlaStatistics(ShowIpSlaStatistics_iosxe):
    """Parser for 'show ip sla statistics [<probe_id>]' (IOS XE parser)."""
