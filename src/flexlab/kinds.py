"""The router kinds a topology file may name, and what differs between them.

Neutral ground shared by the renderer (interface names in the templates), the topology
files and the embedded lab (cabling, boot): each fact about a kind is defined here once.
Port ``ethN`` of a topology link is the router's N-th data interface; the names and the
aliases a link endpoint may use follow the kinds' node drivers (nodes/iol/iol.go,
nodes/cisco_vios/cisco-vios.go, nodes/vr_csr/vr-csr.go, nodes/vr_c8000v/vr-c8000v.go).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from flexlab.errors import FlexlabError

#: ``image: flexlab/sim:<profile>`` in a topology: the embedded lab plays that image profile.
SIM_IMAGE_REPOSITORY = "flexlab/sim"
#: ``labels: {flexlab-role: hub}`` on a topology node names its role where its config does not tell.
ROLE_LABEL = "flexlab-role"


class KindError(FlexlabError):
    """Unknown kind or an interface name the kind does not accept."""


def _iol_name(port: int) -> str:
    # IOL: 4 ports per slot; Ethernet0/0 is the management port.
    return f"Ethernet{port // 4}/{port % 4}"


def _vios_name(port: int) -> str:
    # IOSv: GigabitEthernet0/0 is management, data ports from 0/1.
    return f"GigabitEthernet0/{port}"


def _csr_name(port: int) -> str:
    # CSR1000v / Cat8000v: GigabitEthernet1 is management, eth1 -> GigabitEthernet2.
    return f"GigabitEthernet{port + 1}"


_ETH = re.compile(r"eth([1-9]\d*)$")
#: IOL endpoint aliases: Ethernet<slot>/<port> or e<slot>/<port>; slot 0 ports 1-3, slots 1-9 ports 0-3.
_IOL_ALLOWED = re.compile(r"(e|Ethernet)((0/[123])|([1-9]/[0-3]))$")
_IOL_SLOT_PORT = re.compile(r"(?:e|Ethernet)\s?(\d+)/(\d+)$")
#: vrnetlab kinds: GiX / GigabitEthernetX, eth index = X - offset + 1.
_VR_ALIAS = re.compile(r"(?:Gi|GigabitEthernet)\s?(\d+)$")


def _iol_alias(name: str) -> int | None:
    if not _IOL_ALLOWED.search(name):
        return None
    match = _IOL_SLOT_PORT.search(name)
    return int(match.group(1)) * 4 + int(match.group(2)) if match else None


def _vr_alias(offset: int) -> Callable[[str], int | None]:
    def alias(name: str) -> int | None:
        match = _VR_ALIAS.search(name)
        return int(match.group(1)) - offset + 1 if match else None
    return alias


@dataclass(frozen=True)
class Kind:
    """A router kind flexlab supports, with what differs between kinds."""

    name: str
    ifname: Callable[[int], str]
    os: Literal["ios", "iosxe"]
    platform: str
    default_image: str
    image_env: str
    #: The node replaces its management bootstrap with a full startup config unless the file
    #: name contains ".partial" (then it appends it): cisco_iol, and cisco_vios since
    #: the lab tool 0.72. The other kinds always apply the bootstrap, then the startup config.
    partial_startup_config: bool = False
    #: Most data ports the image offers (None: more than any design here needs).
    max_data_ports: int | None = None
    #: ethN index of an endpoint alias (Ethernet0/1, Gi2, ...), None when it is none.
    alias_index: Callable[[str], int | None] = lambda name: None
    alias_help: str = ""

    def eth_index(self, interface: str) -> int:
        """The ``ethN`` index of a link endpoint's interface, as the kind's driver maps it."""
        match = _ETH.fullmatch(interface.strip())
        index = int(match.group(1)) if match else self.alias_index(interface)
        if index is None or index < 1:
            raise KindError(f"interface {interface!r} is not a {self.name} data interface: {self.alias_help}")
        if self.max_data_ports is not None and index > self.max_data_ports:
            raise KindError(f"interface {interface!r} (eth{index}) is beyond the {self.max_data_ports} "
                            f"data ports {self.name} offers")
        return index


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("cisco_iol", _iol_name, "ios", "iol", "vrnetlab/cisco_iol:17.12.01", "FLEXLAB_IOL_IMAGE", True,
             alias_index=_iol_alias,
             alias_help="ethX (X >= 1), Ethernet<slot>/<port> or e<slot>/<port> (slot 0-9, port 0-3, not 0/0)"),
        Kind("cisco_vios", _vios_name, "ios", "iosv", "vrnetlab/cisco_vios:159-3.M10", "FLEXLAB_VIOS_IMAGE",
             True, max_data_ports=15,  # vrnetlab: Gi0/0 management + 15 data NICs
             alias_index=_vr_alias(0), alias_help="ethX (X >= 1), GiX or GigabitEthernetX (X >= 0)"),
        Kind("cisco_csr1000v", _csr_name, "iosxe", "csr1000v", "vrnetlab/cisco_csr1000v:17.03.08",
             "FLEXLAB_CSR_IMAGE", alias_index=_vr_alias(2),
             alias_help="ethX (X >= 1), GiX or GigabitEthernetX (X >= 2)"),
        Kind("cisco_c8000v", _csr_name, "iosxe", "c8000v", "vrnetlab/cisco_c8000v:17.11.01a", "FLEXLAB_C8000V_IMAGE",
             max_data_ports=9,  # vrnetlab c8000v: Gi1 management + at most 9 data NICs
             alias_index=_vr_alias(2), alias_help="ethX (X >= 1), GiX or GigabitEthernetX (X >= 2)"),
    )
}


def get_kind(name: str) -> Kind:
    """The kind called ``name`` (KindError names the supported kinds otherwise)."""
    try:
        return KINDS[name]
    except KeyError:
        raise KindError(f"unknown kind {name!r}; supported: {', '.join(KINDS)}") from None
