"""Inert configuration lines: accepted and shown verbatim, with no effect in the lab.

Real IOS accepts these lines and real configurations carry them (containerlab's and
vrnetlab's bootstrap configs, typical running configs), but the embedded lab models
nothing behind them. They are stored and shown as typed (keywords expanded), take their
place after the modelled lines of their mode, and `no` removes them. Every line that is
neither modelled nor listed here still gets IOS's error: the grammar stays strict (e.g.
`exec timeout 0 0`, which is not an IOS command, is refused).

The share of lines of real configurations the lab accepts is measured by
``benchmarks/config_acceptance.py`` (results in benchmarks/results/config_acceptance.json).
"""

from __future__ import annotations

from flexlab.sim.shell.grammar import CommandSpec

_INERT_IDS: set[int] = set()


def S(pattern: str, **options: object) -> CommandSpec:  # noqa: N802 - reads like the other command tables
    """A command spec marked inert (see :func:`is_inert`)."""
    spec = CommandSpec(pattern, **options)  # type: ignore[arg-type]
    _INERT_IDS.add(id(spec))
    return spec


def is_inert(spec: CommandSpec) -> bool:
    """Whether a command is one of the inert lines (stored and shown, no effect in the lab)."""
    return id(spec) in _INERT_IDS

#: Management-plane services: the lab's SSH server is always on and there is no HTTP,
#: NETCONF or RESTCONF server; `crypto key generate rsa` is an action IOS does not store.
MANAGEMENT = (
    S("ip http server"),
    S("ip http secure-server"),
    S("ip http authentication (local|enable|aaa)"),
    S("ip forward-protocol nd", default_on=True),
    S("ip ssh version (1|2)"),
    S("ip ssh time-out {int:1-120}"),
    S("ip ssh authentication-retries {int:0-5}"),
    S("ip scp server enable"),
    S("netconf ssh"),
    S("netconf max-sessions {int:1-16}"),
    S("netconf-yang"),
    S("restconf"),
    S("crypto key generate rsa [general-keys] [modulus {int:360-4096}] [label {word}]", store=False,
      negatable=False),
)

#: SNMP, discovery protocols and banners: no agent, no CDP/LLDP neighbours, no banner shown at
#: login. Single-line banners only (`banner motd ^Ctext^C`); multi-line banners are refused.
DISCOVERY_AND_BANNERS = (
    S("snmp-server {line}", key=None),
    S("cdp run", default_on=True),
    S("lldp run"),
    S("banner (motd|login|exec|incoming) {line}", key=2, no_min=2),
)

#: Global services and boot-time lines IOS prints in every running config.
SERVICES = (
    S("service (tcp-keepalives-in|tcp-keepalives-out|sequence-numbers|compress-config|internal)", key=None),
    S("service pad", default_on=True),
    S("boot-start-marker"),
    S("boot-end-marker"),
    S("multilink bundle-name authenticated"),
    S("login on-success log"),
    S("login on-failure log"),
    S("memory-size iomem {int:0-100}"),
    S("license udi pid {word} sn {word}"),
    S("control-plane", enters="inert-block"),
)

#: IPv6 and VRFs: the lab routes IPv4 in one table. A `vrf definition` block and an
#: interface's `vrf forwarding` are kept, but the interface's IPv4 address is routed in the
#: global table; IPv6 addresses and routes are kept and ignored.
IPV6_AND_VRF = (
    S("ipv6 unicast-routing"),
    S("ipv6 route {line}", key=None),
    S("vrf definition {word}", enters="inert-vrf"),
    S("ip route vrf {word} {line}", key=None),
    S("ipv6 route vrf {word} {line}", key=None),
)

INERT_GLOBAL = (*MANAGEMENT, *DISCOVERY_AND_BANNERS, *SERVICES, *IPV6_AND_VRF)

def inert_interface() -> tuple[CommandSpec, ...]:
    """Interface lines: link negotiation and per-interface protocol switches the lab does
    not model (fresh specs per interface mode: a spec belongs to one mode)."""
    return (
        S("vrf forwarding {word}"),
        S("ipv6 address {line}", key=None),
        S("ipv6 enable"),
        S("duplex (auto|full|half)"),
        S("speed (auto|10|100|1000)"),
        S("media-type (rj45|sfp|auto-select)"),
        S("negotiation auto"),
        S("cdp enable", default_on=True),
        S("mop enabled", default_on=True),
        S("mop sysid", default_on=True),
        S("ip redirects", default_on=True),
        S("ip unreachables", default_on=True),
        S("ip proxy-arp", default_on=True),
    )


#: Sub-modes of inert blocks.
INERT_VRF = (
    S("description {line}"),
    S("rd {word}"),
    S("address-family (ipv4|ipv6) [unicast]", key=None, enters="inert-vrf-af"),
)
INERT_VRF_AF = (S("exit-address-family", action="exit", store=False, negatable=False),)
INERT_BLOCK: tuple[CommandSpec, ...] = ()
