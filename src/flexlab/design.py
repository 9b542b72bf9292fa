"""The design model: one source of truth for nodes, addresses, pools, BGP and DPD.

The design file (default: the packaged ``flexlab/data/design.yaml``) holds the facts;
:func:`load_design` validates them and :meth:`Design.plan` derives every per-node value
(WAN /30s, overlay pools, peer order, router ids) the templates, topologies, testbeds and
the embedded lab need. Nothing else in flexlab repeats an address.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from flexlab.dpd_model import DPD_INTERVAL_RANGE_S, DPD_RETRY_RANGE_S
from flexlab.errors import FlexlabError
from flexlab.packaged import DEFAULT_DESIGN
from flexlab.yamlio import read_yaml

IPv4Network = ipaddress.IPv4Network
IPv4Address = ipaddress.IPv4Address


#: Lab defaults, used only by the embedded lab when the environment does not set them.
EMBEDDED_LAB_SECRETS = {"psk": "flexlab-lab-psk", "username": "admin", "password": "admin", "enable": "admin"}


class DesignError(FlexlabError):
    """The design file is missing, not YAML, or violates the model (names the field)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: A name that goes into an IOS configuration line (keyring, profile, pool, route-map...):
#: one word, no whitespace or control characters, at most 32 characters.
IOS_NAME = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$"
#: A node name: it becomes a hostname and a file name (<node>.cfg), so no path separators.
NODE_NAME = r"^[A-Za-z][A-Za-z0-9_-]{0,31}$"
#: An environment variable name.
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"


def _ios_name(default: str) -> str:
    return Field(default, pattern=IOS_NAME)


class DpdSettings(_Strict):
    """The design's ``crypto ikev2 dpd INTERVAL RETRY MODE``.

    Not the image's retransmission model: that is flexlab.dpd_model.DpdModel.
    """

    interval: int = Field(30, ge=DPD_INTERVAL_RANGE_S[0], le=DPD_INTERVAL_RANGE_S[1], strict=True)
    retry: int = Field(5, ge=DPD_RETRY_RANGE_S[0], le=DPD_RETRY_RANGE_S[1], strict=True)
    mode: Literal["on-demand", "periodic"] = "on-demand"


class SecretsModel(_Strict):
    """``secrets:``: the names of the environment variables that hold the PSK and the login (never the values)."""

    psk_env: str = Field("FLEXLAB_PSK", pattern=ENV_NAME)
    username_env: str = Field("FLEXLAB_USERNAME", pattern=ENV_NAME)
    password_env: str = Field("FLEXLAB_PASSWORD", pattern=ENV_NAME)
    enable_env: str = Field("FLEXLAB_ENABLE", pattern=ENV_NAME)


class NamesModel(_Strict):
    """``names:``: the names the IOS configuration gives its keyring, profiles, pool, peer group and route-map."""

    keyring: str = _ios_name("Flex_key")
    keyring_peer: str = _ios_name("Spokes")
    ikev2_profile: str = _ios_name("Flex_IKEv2")
    flex_client: str = _ios_name("Flex_Client")
    pool: str = _ios_name("FlexSpokes")
    peer_group: str = _ios_name("Spokes")
    transform_set: str = _ios_name("IKEv2")
    ipsec_profile: str = _ios_name("default")
    route_map: str = _ios_name("ALL")


class TransportModel(_Strict):
    """``transport:``: the underlay supernet the ISP's /30 to each hub and spoke is carved from."""

    supernet: IPv4Network


class OverlayModel(_Strict):
    """``overlay:``: the address both hubs answer on and the range their ``bgp listen`` accepts."""

    hub_address: IPv4Address
    listen_range: IPv4Network


class HubModel(_Strict):
    """One entry of ``hubs:``: its name, its spoke address pool and its LAN."""

    name: str = Field(pattern=NODE_NAME)
    pool: IPv4Network
    lan: IPv4Network


class SpokesModel(_Strict):
    """``spokes:``: how many, the supernet their LAN /24s come from, and how each picks its preferred hub."""

    count: int = Field(2, ge=1, le=2000, strict=True)  # one hub must take every spoke: `bgp listen limit` <= 2000
    lan_supernet: IPv4Network
    preference: Literal["alternate"] = "alternate"


class IpSlaModel(_Strict):
    """``ip_sla:``: the spokes' icmp-echo operation number and frequency (s), the traffic on-demand DPD needs."""

    operation: int = Field(10, ge=1, le=2147483647, strict=True)
    frequency: int = Field(5, ge=1, le=604800, strict=True)


class NtpModel(_Strict):
    """``ntp:``: the hub every other router synchronises to (None: no NTP), and its stratum."""

    master: str | None = None
    stratum: int = Field(3, ge=1, le=15, strict=True)


class IspModel(_Strict):
    """``isp:``: the name of the router that joins every WAN link."""

    name: str = Field("isp", pattern=NODE_NAME)


class DesignModel(_Strict):
    """The whole design file as validated: one model per section, plus the checks that span sections."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    bgp_as: int = Field(ge=1, le=4294967295, strict=True)
    dpd: DpdSettings = DpdSettings()
    secrets: SecretsModel = SecretsModel()
    names: NamesModel = NamesModel()
    transport: TransportModel
    overlay: OverlayModel
    summary: IPv4Network
    hubs: list[HubModel] = Field(min_length=2, max_length=2)
    hub_interconnect: IPv4Network
    spokes: SpokesModel
    ip_sla: IpSlaModel = IpSlaModel()
    ntp: NtpModel = NtpModel()
    isp: IspModel = IspModel()

    @field_validator("hub_interconnect")
    @classmethod
    def _interconnect_is_p2p(cls, net: IPv4Network) -> IPv4Network:
        if net.prefixlen != 30:
            raise ValueError("must be a /30 (point-to-point link between the hubs)")
        return net

    @model_validator(mode="after")
    def _consistent(self) -> DesignModel:
        names = [h.name for h in self.hubs]
        if len(set(names)) != len(names):
            raise ValueError(f"hubs: duplicate hub names {names}")
        pools = [h.pool for h in self.hubs]
        for i, a in enumerate(pools):
            for b in pools[i + 1:]:
                if a.overlaps(b):
                    raise ValueError(f"hubs.pool: pools {a} and {b} overlap; each hub needs its own")
        for hub in self.hubs:
            if not hub.pool.subnet_of(self.overlay.listen_range):
                raise ValueError(f"hubs.pool: {hub.pool} of {hub.name} is outside overlay.listen_range")
            if self.overlay.hub_address in hub.pool:
                raise ValueError(f"overlay.hub_address {self.overlay.hub_address} lies inside pool {hub.pool}")
            if hub.pool.num_addresses - 2 < self.spokes.count:
                raise ValueError(f"hubs.pool: {hub.pool} of {hub.name} cannot address {self.spokes.count} spokes")
            if not hub.lan.subnet_of(self.summary):
                raise ValueError(f"hubs.lan: {hub.lan} of {hub.name} is outside the summary {self.summary}")
        if not self.spokes.lan_supernet.subnet_of(self.summary):
            raise ValueError(f"spokes.lan_supernet {self.spokes.lan_supernet} is outside the summary {self.summary}")
        supernet_prefixlen = self.spokes.lan_supernet.prefixlen
        if supernet_prefixlen > 24 or 2 ** (24 - supernet_prefixlen) <= self.spokes.count:
            raise ValueError(
                f"spokes.lan_supernet {self.spokes.lan_supernet} has too few /24s for {self.spokes.count} spokes"
            )
        links_needed = len(self.hubs) + self.spokes.count
        if self.transport.supernet.prefixlen > 30 or 2 ** (30 - self.transport.supernet.prefixlen) < links_needed:
            raise ValueError(f"transport.supernet {self.transport.supernet} has too few /30s for {links_needed} links")
        if self.ntp.master is not None and self.ntp.master not in names:
            raise ValueError(f"ntp.master: {self.ntp.master!r} is not a hub ({', '.join(names)})")
        _check_node_names(self.isp.name, names)
        _check_plans_apart(self)
        return self


def _check_node_names(isp: str, hubs: list[str]) -> None:
    """Node names are hostnames and file names: unique across hubs, spokes and the ISP."""
    for field_name, name in [("isp.name", isp), *(("hubs.name", h) for h in hubs)]:
        if re.fullmatch(r"spoke\d+", name):
            raise ValueError(f"{field_name}: {name!r} is reserved for the spokes (spoke1, spoke2, ...)")
    if isp in hubs:
        raise ValueError(f"isp.name: {isp!r} is also a hub's name; every node needs its own")


def _check_plans_apart(m: DesignModel) -> None:
    """Address plans that must not share an address (each has its own role in the lab)."""
    plans: list[tuple[str, IPv4Network]] = [
        ("transport.supernet", m.transport.supernet), ("overlay.listen_range", m.overlay.listen_range),
        ("hub_interconnect", m.hub_interconnect), ("spokes.lan_supernet", m.spokes.lan_supernet),
        *((f"hubs.lan of {h.name}", h.lan) for h in m.hubs),
    ]
    for i, (name_a, a) in enumerate(plans):
        for name_b, b in plans[i + 1:]:
            if a.overlaps(b):
                raise ValueError(f"{name_a} {a} overlaps {name_b} {b}; address plans must not overlap")
    if m.summary.overlaps(m.transport.supernet) or m.summary.overlaps(m.overlay.listen_range):
        raise ValueError(f"summary {m.summary} overlaps the transport or overlay addresses")


# ---------------------------------------------------------------------------------------
# Derived plan: what every node gets. Ports are containerlab-style numbers (eth1 = 1).
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Port:
    """One point-to-point data port of a node (containerlab ``ethN``)."""

    number: int
    address: IPv4Address
    network: IPv4Network
    peer: str
    peer_port: int
    peer_address: IPv4Address
    description: str

    @property
    def netmask(self) -> str:
        """The port's mask in dotted form, as ``ip address A M`` wants it."""
        return str(self.network.netmask)


@dataclass(frozen=True)
class Link:
    """A point-to-point link between two node ports, as in a containerlab topology."""

    a: str
    a_port: int
    b: str
    b_port: int


@dataclass(frozen=True)
class NodePlan:
    """Everything one node's configuration needs: role, ports, router id, LAN, pool and hub order."""

    name: str
    role: Literal["hub", "spoke", "isp"]
    ports: tuple[Port, ...]
    router_id: IPv4Address | None = None
    lan: IPv4Network | None = None
    pool: IPv4Network | None = None
    index: int = 0
    peers: tuple[IPv4Address, ...] = ()
    preferred_hub: str | None = None
    other_hub_address: IPv4Address | None = None

    @property
    def wan(self) -> Port:
        """The transport port (eth1) of a hub or spoke."""
        return self.ports[0]

    def port(self, number: int) -> Port:
        """The port ``eth<number>`` (KeyError: the node has none)."""
        for port in self.ports:
            if port.number == number:
                return port
        raise KeyError(f"{self.name} has no port eth{number}")

    @property
    def lan_address(self) -> IPv4Address:
        """The node's own address on its LAN: the first host (hubs and spokes only)."""
        assert self.lan is not None
        return next(self.lan.hosts())


@dataclass(frozen=True)
class LabPlan:
    """The derived plan of the whole lab: every node (ISP first, then hubs, then spokes) and link."""

    design: Design
    nodes: tuple[NodePlan, ...]
    links: tuple[Link, ...]

    def node(self, name: str) -> NodePlan:
        """The node called ``name`` (KeyError: the design has none)."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node named {name!r} in the design")

    def by_role(self, role: str) -> list[NodePlan]:
        """The nodes of one role ("hub", "spoke" or "isp") in plan order."""
        return [n for n in self.nodes if n.role == role]

    @property
    def hubs(self) -> list[NodePlan]:
        """The hubs, in the design's order."""
        return self.by_role("hub")

    @property
    def spokes(self) -> list[NodePlan]:
        """The spokes, spoke1 first."""
        return self.by_role("spoke")

    @property
    def isp(self) -> NodePlan:
        """The ISP router (there is exactly one)."""
        return self.by_role("isp")[0]

    def hub_by_wan(self, address: IPv4Address | str) -> NodePlan | None:
        """The hub whose WAN address this is (a spoke's IKEv2 peer), None for any other address."""
        wanted = ipaddress.ip_address(str(address))
        return next((h for h in self.hubs if h.wan.address == wanted), None)


@dataclass
class Design:
    """A validated design with helpers; build with :func:`load_design`."""

    model: DesignModel
    source: Path | None = None
    _plan: LabPlan | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def spoke_count(self) -> int:
        """``spokes.count`` of the validated model (load_design's ``spokes`` may have overridden the file)."""
        return self.model.spokes.count

    def with_spokes(self, count: int) -> Design:
        """The same design with another number of spokes (validated again)."""
        data = self.model.model_dump(mode="json")
        data["spokes"]["count"] = count
        return Design(_validate(data, self.source), self.source)

    def plan(self) -> LabPlan:
        """The derived per-node plan, built once (the model is frozen, so it never changes)."""
        if self._plan is None:
            self._plan = _build_plan(self)
        return self._plan

    def secret(self, which: Literal["psk", "username", "password", "enable"], *, embedded: bool = False) -> str:
        """The secret from its environment variable; lab default only for the embedded lab."""
        env_name = getattr(self.model.secrets, f"{which}_env")
        value = os.environ.get(env_name)
        if value:
            return value
        if embedded:
            return EMBEDDED_LAB_SECRETS[which]
        raise DesignError(
            f"secret '{which}' is not set: export {env_name}=... (secrets are never stored in the repo)"
        )


def _p2p(supernet: IPv4Network, index: int) -> IPv4Network:
    return ipaddress.IPv4Network((int(supernet.network_address) + 4 * index, 30))


def _build_plan(design: Design) -> LabPlan:
    m = design.model
    isp_name = m.isp.name
    isp_ports: list[Port] = []
    nodes: list[NodePlan] = []
    links: list[Link] = []
    hub_wans: dict[str, IPv4Address] = {}

    def wan_link(node_name: str, link_index: int) -> Port:
        net = _p2p(m.transport.supernet, link_index)
        isp_addr, node_addr = list(net.hosts())
        isp_port = link_index + 1
        isp_ports.append(Port(isp_port, isp_addr, net, node_name, 1, node_addr, f"to {node_name}"))
        links.append(Link(isp_name, isp_port, node_name, 1))
        return Port(1, node_addr, net, isp_name, isp_port, isp_addr, f"WAN to {isp_name}")

    ic = m.hub_interconnect
    ic_addrs = list(ic.hosts())
    hub_names = [h.name for h in m.hubs]
    for i, hub in enumerate(m.hubs):
        wan = wan_link(hub.name, i)
        hub_wans[hub.name] = wan.address
        other = hub_names[1 - i]
        ic_port = Port(2, ic_addrs[i], ic, other, 2, ic_addrs[1 - i], f"DC link to {other}")
        nodes.append(NodePlan(
            name=hub.name, role="hub", ports=(wan, ic_port), router_id=next(hub.lan.hosts()),
            lan=hub.lan, pool=hub.pool, index=i + 1, other_hub_address=ic_addrs[1 - i],
        ))
    links.append(Link(hub_names[0], 2, hub_names[1], 2))

    lan_subnets = m.spokes.lan_supernet.subnets(new_prefix=24)
    next(lan_subnets)  # spoke N gets the N-th /24; the 0th is left unused
    for n in range(1, design.spoke_count + 1):
        name = f"spoke{n}"
        wan = wan_link(name, len(m.hubs) + n - 1)
        lan = next(lan_subnets)
        preferred = hub_names[(n - 1) % len(hub_names)]
        order = [preferred] + [h for h in hub_names if h != preferred]
        nodes.append(NodePlan(
            name=name, role="spoke", ports=(wan,), router_id=next(lan.hosts()), lan=lan, index=n,
            peers=tuple(hub_wans[h] for h in order), preferred_hub=preferred,
        ))
    nodes.insert(0, NodePlan(name=isp_name, role="isp", ports=tuple(isp_ports)))
    return LabPlan(design=design, nodes=tuple(nodes), links=tuple(links))


def _field_path(loc: tuple[object, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _validate(data: object, source: Path | None) -> DesignModel:
    where = f"{source}: " if source else ""
    if not isinstance(data, dict):
        raise DesignError(f"{where}design must be a YAML mapping, got {type(data).__name__}")
    try:
        return DesignModel.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
            if not loc and err["type"] == "value_error":
                # Model-level checks already start with the field they are about.
                problems.append(str(err["msg"]).removeprefix("Value error, "))
                continue
            problems.append(f"field '{_field_path(loc)}': {err['msg']}")
        raise DesignError(f"{where}invalid design: " + "; ".join(problems)) from None


def load_design(path: Path | str | None = None, *, spokes: int | None = None) -> Design:
    """Read and validate a design YAML file; ``spokes`` overrides the spoke count."""
    source = Path(path) if path else DEFAULT_DESIGN
    data = read_yaml(source, "design file", DesignError)
    design = Design(_validate(data, source), source)
    return design.with_spokes(spokes) if spokes else design
