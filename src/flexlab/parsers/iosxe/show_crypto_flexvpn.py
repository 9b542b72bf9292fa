"""IOS XE parser for ``show crypto ikev2 client flexvpn [<name>]``.

Genie has no parser for this command. Two layouts are known (facts.md section 2)::

    Profile : flexblk                      Profile : Flex_Client
    Current state:ACTIVE                   Current state:ACTIVE
    Peer : 4001::2000:1                    Peer : 192.0.2.1
    Source : Ethernet0/0                   Source : Ethernet0/0
    ivrf : IP DEFAULT                      Backup group: Default
    fvrf : IP DEFAULT                      Tunnel interface : Tunnel1
    Backup group: None                     Assigned IP address: 10.0.0.5
    Tunnel interface : Tunnel0
        (17.x configuration guide)             (IOS 15.2M, Cisco doc 116413)

Every line is ``<label> : <value>`` with irregular spacing around the colon
(``Current state:ACTIVE`` has none) and possibly an empty value. Labels are matched
case-insensitively with whitespace collapsed; lines with unknown labels are ignored so a
release that adds a line does not break the parser. A line that is present with an empty
value yields ``''``; a line that is absent yields no key.
"""

from __future__ import annotations

import re
from typing import Any as AnyType

from genie.metaparser import MetaParser
from genie.metaparser.util.schemaengine import Any, Optional

# label as printed (lower-case, single spaces) -> schema key
FIELD_BY_LABEL: dict[str, str] = {
    "current state": "current_state",
    "peer": "peer",
    "source": "source",
    "ivrf": "ivrf",
    "fvrf": "fvrf",
    "backup group": "backup_group",
    "tunnel interface": "tunnel_interface",
    "assigned ip address": "assigned_ip_address",
}
PROFILE_LABEL = "profile"

# Current state:ACTIVE   /   Peer : 4001::2000:1   /   Assigned IP address:
# The label is letters and spaces only, so a prompt line ("Spoke2# show ...") never matches;
# the value is everything after the first colon (IPv6 addresses keep their colons).
LABEL_VALUE_RE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ]*?)\s*:\s*(?P<value>.*?)\s*$")


def normalise_label(label: str) -> str:
    """'Tunnel   interface' -> 'tunnel interface'."""
    return " ".join(label.split()).lower()


class ShowCryptoIkev2ClientFlexvpnSchema(MetaParser):
    """Schema for ``show crypto ikev2 client flexvpn [<name>]``: keyed by profile name."""

    schema = {
        Any(): {
            "current_state": str,
            Optional("peer"): str,
            Optional("source"): str,
            Optional("ivrf"): str,
            Optional("fvrf"): str,
            Optional("backup_group"): str,
            Optional("tunnel_interface"): str,
            Optional("assigned_ip_address"): str,
        }
    }


class ShowCryptoIkev2ClientFlexvpn(ShowCryptoIkev2ClientFlexvpnSchema):
    """Parser for:
    * 'show crypto ikev2 client flexvpn'
    * 'show crypto ikev2 client flexvpn {name}'
    """

    cli_command = [
        "show crypto ikev2 client flexvpn {name}",
        "show crypto ikev2 client flexvpn",
    ]

    def cli(self, name: str = "", output: str | None = None) -> dict[str, AnyType]:
        """Parse the command's output (run on the device when ``output`` is None)."""
        if output is None:
            command = self.cli_command[0].format(name=name) if name else self.cli_command[1]
            output = self.device.execute(command)
        return parse_flexvpn_client_blocks(output)


def parse_flexvpn_client_blocks(output: str) -> dict[str, dict[str, str]]:
    """Profile blocks of ``show crypto ikev2 client flexvpn`` as {profile: {key: value}}.

    Lines before the first ``Profile`` line (prompt, echoed command) are skipped.
    """
    profiles: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in output.splitlines():
        match = LABEL_VALUE_RE.match(line.strip())
        if not match:
            continue
        label = normalise_label(match.group("label"))
        value = match.group("value")
        if label == PROFILE_LABEL:
            current = profiles.setdefault(value, {})
            continue
        field = FIELD_BY_LABEL.get(label)
        if current is not None and field is not None:
            current[field] = value
    return profiles
