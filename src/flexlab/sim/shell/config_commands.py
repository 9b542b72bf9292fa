"""The configuration commands the embedded lab accepts, mode by mode.

Within a mode, commands are listed in the order IOS prints them in the running
configuration; that order is what the editor uses to place new lines. Each mode's grammar
also holds the pseudo commands every configuration mode has: ``no``, ``do``, ``exit``,
``end``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from flexlab.dpd_model import DPD_INTERVAL_RANGE_S, DPD_RETRY_RANGE_S
from flexlab.sim.shell import config_rules as rules
from flexlab.sim.shell.grammar import CommandSpec as S
from flexlab.sim.shell.grammar import Grammar
from flexlab.sim.shell.inert_lines import INERT_BLOCK, INERT_GLOBAL, INERT_VRF, INERT_VRF_AF, inert_interface, is_inert
from flexlab.sim.shell.interfaces import is_tunnel_like


@dataclass(frozen=True)
class Mode:
    """One configuration mode: its prompt suffix (`config-if`...) and the commands it accepts."""
    name: str
    prompt: str                     # shown as hostname<prompt>#
    commands: tuple[S, ...]
    related: tuple[str, ...] = ()   # modes whose lines live in the same block (ip sla / echo)


def _interface_mode(words: Sequence[str]) -> str:
    return "if-tunnel" if is_tunnel_like(words[1]) else "if"


_NB = "({ipv4}|{word})"
_ACL_HOST = "(any|host {ipv4}|{ipv4} [{wildcard}])"
_ACL_EXT_HOST = "(any|host {ipv4}|{ipv4} {wildcard})"
_HASH = "(esp-sha-hmac|esp-sha256-hmac|esp-sha384-hmac|esp-sha512-hmac|esp-md5-hmac)"
_TRANSFORMS = (
    f"(esp-gcm [(128|192|256)]|esp-gmac [(128|192|256)]|esp-aes [(128|192|256)] [{_HASH}]"
    f"|esp-3des [{_HASH}]|esp-des [{_HASH}]|esp-null [{_HASH}]|{_HASH})"
)
_IDENTITY = "(address {ipv4} [{mask}]|fqdn [domain] {word}|email [domain] {word}|key-id {word}|any)"
#: ``crypto ikev2 dpd`` and a profile's ``dpd``: INTERVAL RETRY MODE, with the ranges IOS accepts.
_DPD_ARGS = (f"{{int:{DPD_INTERVAL_RANGE_S[0]}-{DPD_INTERVAL_RANGE_S[1]}}} "
             f"{{int:{DPD_RETRY_RANGE_S[0]}-{DPD_RETRY_RANGE_S[1]}}} (on-demand|periodic)")

GLOBAL = (
    S("version {word}", store=False, negatable=False),
    S("service timestamps (debug|log) [(datetime [msec] [localtime] [show-timezone] [year]|uptime)]",
      key=3, normalize=rules.timestamps_default),
    S("service password-encryption"),
    S("service prompt config", default_on=True),
    S("hostname {word}"),
    S("logging buffered [{int:4096-2147483647}] [{level}]"),
    S("logging console", default_on=True, order_group="logging console"),
    S("logging console {level}", key=2, order_group="logging console"),
    S("logging host {ipv4}", key=None),
    S("enable secret [{int:0-9}] {word}", normalize=rules.hash_cleartext_secret),
    S("enable password [{int:0-7}] {word}", normalize=rules.drop_cleartext_type),
    S("aaa new-model"),
    S("aaa authentication login (default|{word}) (local|none) [(local|none)]", key=4),
    S("aaa authorization (network|exec) (default|{word}) (local|none)", key=4),
    S("clock timezone {word} {int:-23-23} [{int:0-59}]"),
    S("ip cef", default_on=True),
    S("ip (domain lookup|domain-lookup>domain+lookup)", default_on=True, key=3),
    S("ip (domain name|domain-name>domain+name) {word}", key=3),
    S("username {word} [privilege {int:0-15}] (secret|password) [{int:0-9}] {word}",
      key=2, normalize=rules.hash_cleartext_secret),
    S("key chain {word}", enters="keychain"),
    S("track {int:1-1000} ip sla {int:1-2147483647} [(reachability|state)]", key=2, enters="track",
      sort_key=rules.by_number(1), order_group="track"),
    S("track {int:1-1000} interface {if} (line-protocol|ip routing)", key=2, enters="track",
      sort_key=rules.by_number(1), order_group="track"),
    S("crypto ikev2 authorization policy {word}", enters="ikev2-author-policy"),
    S("crypto ikev2 proposal {word}", enters="ikev2-proposal"),
    S("crypto ikev2 policy {word}", enters="ikev2-policy"),
    S("crypto ikev2 keyring {word}", enters="ikev2-keyring"),
    S("crypto ikev2 profile {word}", enters="ikev2-profile"),
    S(f"crypto ikev2 dpd {_DPD_ARGS}"),
    S("crypto ikev2 client flexvpn {word}", enters="ikev2-flexvpn"),
    S("crypto logging session"),
    S(f"crypto ipsec transform-set {{word}} {_TRANSFORMS}", enters="crypto-trans"),
    S("crypto ipsec profile {word}", enters="ipsec-profile"),
    S("interface {if:Virtual-Template} type tunnel", key=2, enters=_interface_mode, sort_key=rules.by_interface,
      order_group="interface"),
    S("interface {if}", key=2, enters=_interface_mode, sort_key=rules.by_interface, order_group="interface",
      validate=rules.interface_exists, validate_no=rules.interface_removable),
    S("router bgp {int:1-4294967295}", enters="router", validate=rules.one_bgp_process),
    S("ip local pool {word} {ipv4} [{ipv4}]", key=None, no_min=4, validate=rules.pool_range_ordered),
    S("ip route {ipv4} {mask} ({ipv4}|{if}|{if} {ipv4}) [{int:1-255}] [name {word}] [track {int:1-1000}] "
      "[permanent]", key=None, no_min=4, validate=rules.route_consistent),
    S("ip sla {int:1-2147483647}", enters="ip-sla", sort_key=rules.by_number(2)),
    S("ip sla schedule {int:1-2147483647} [life (forever|{int:0-2147483647})] [start-time (now|pending)] "
      "[recurring]", key=4, sort_key=rules.by_number(3)),
    S(f"access-list {{int:1-99}} (permit|deny) {_ACL_HOST}", key=None, no_min=2,
      normalize=rules.standard_acl_host, sort_key=rules.by_number(1), order_group="access-list"),
    S(f"access-list {{int:100-199}} (permit|deny) (ip|tcp|udp|icmp|gre|esp|ahp) {_ACL_EXT_HOST} {_ACL_EXT_HOST}",
      key=None, no_min=2, sort_key=rules.by_number(1), order_group="access-list"),
    S("route-map {word} [(permit|deny) [{int:0-65535}]]", key=(0, 1, 3), no_min=2, enters="route-map",
      normalize=rules.route_map_defaults),
    S("line console>con {int:0-0}", enters="line"),
    S("line vty {int:0-1869} [{int:1-1869}]", key=None, enters="line"),
    S("ntp source {if}"),
    S("ntp master [{int:1-15}]"),
    S("ntp server {ipv4} [prefer]", key=3),
    *INERT_GLOBAL,
)

def _interface_commands(tunnel: bool) -> tuple[S, ...]:
    """Interface sub-mode; tunnel-like interfaces (Tunnel, Virtual-Template) get more."""
    no_unnumbered = (("ip", "unnumbered"),)
    address = (
        S("ip address {ipv4} {mask}", replaces=no_unnumbered),
        S("ip address {ipv4} {mask} secondary", key=None),
        S("ip address negotiated", key=2, replaces=no_unnumbered) if tunnel
        else S("ip address dhcp", key=2, replaces=no_unnumbered),
        S("ip unnumbered {if}", replaces=(("ip", "address"),)),
        S("ip mtu {int:68-17912}"),
    )
    nhrp = (
        S("ip nhrp network-id {int:1-4294967295}"),
        S("ip nhrp redirect [timeout {int:2-30}]"),
        S("ip nhrp shortcut [virtual-template {int:1-4095}]"),
    )
    tail = (
        S("ip tcp adjust-mss {int:500-1460}"),
        S("delay {int:1-16777215}"),
        S("keepalive [{int:0-32767} [{int:1-255}]]"),
        S("shutdown"),
    )
    tunnel_commands = (
        S("tunnel source ({if}|{ipv4})"),
        S("tunnel destination (dynamic|{ipv4})"),
        S("tunnel mode (gre (ip|multipoint)|ipsec ipv4)"),
        S("tunnel path-mtu-discovery"),
        S("tunnel protection ipsec profile {word} [shared]", key=3),
    )
    head = (S("description {line}"), S("bandwidth {int:1-10000000}"))
    if tunnel:
        return (*head, *address, *nhrp, *tail, *tunnel_commands, *inert_interface())
    return (*head, *address, *tail, *inert_interface())


IF = _interface_commands(tunnel=False)
IF_TUNNEL = _interface_commands(tunnel=True)

_NEIGHBOR: dict[str, Any] = {"key": 3, "group_word": 1, "validate": rules.neighbor_configured}
ROUTER = (
    S("bgp router-id {ipv4}"),
    S("bgp log-neighbor-changes"),
    S("bgp listen limit {int:1-2000}"),
    # No peer-group check: IOS prints the range before the peer-group and reloads that order.
    S("bgp listen range {prefix} peer-group {word}", key=None, no_min=4),
    S("timers bgp {int:0-65535} {int:0-65535} [{int:0-65535}]"),
    S("network {ipv4} [mask {mask}] [route-map {word}]", key=4, no_min=2),
    S("redistribute (connected|static) [route-map {word}]", key=2),
    S("aggregate-address {ipv4} {mask} [as-set] [summary-only]", key=3),
    S("maximum-paths {int:1-32}"),
    S("neighbor {word} peer-group", key=None, no_min=2, no_prefix=2, group_word=1),
    S(f"neighbor {_NB} remote-as {{int:1-4294967295}}", key=3, no_min=2, no_prefix=2, group_word=1),
    S("neighbor {ipv4} peer-group {word}", key=3, no_min=2, group_word=1, validate=rules.peer_group_exists),
    S(f"neighbor {_NB} description {{line}}", **_NEIGHBOR),
    S(f"neighbor {_NB} password [{{int:0-7}}] {{word}}", **_NEIGHBOR),
    S(f"neighbor {_NB} shutdown", **_NEIGHBOR),
    S(f"neighbor {_NB} update-source {{if}}", **_NEIGHBOR),
    S(f"neighbor {_NB} timers {{int:0-65535}} {{int:0-65535}} [{{int:0-65535}}]", **_NEIGHBOR),
    S(f"neighbor {_NB} fall-over [bfd]", **_NEIGHBOR),
    S(f"neighbor {_NB} ebgp-multihop [{{int:1-255}}]", **_NEIGHBOR),
    S(f"neighbor {_NB} activate", **_NEIGHBOR),
    S(f"neighbor {_NB} route-reflector-client", **_NEIGHBOR),
    S(f"neighbor {_NB} next-hop-self [all]", **_NEIGHBOR),
    S(f"neighbor {_NB} send-community [(both|standard|extended)]", **_NEIGHBOR),
    S(f"neighbor {_NB} soft-reconfiguration inbound", **_NEIGHBOR),
    S(f"neighbor {_NB} unsuppress-map {{word}}", **_NEIGHBOR),
    S(f"neighbor {_NB} route-map {{word}} (in|out)", **{**_NEIGHBOR, "key": (0, 1, 2, 4)}),
)

KEYRING = (S("peer {word}", enters="ikev2-keyring-peer"),)
KEYRING_PEER = (
    S("description {line}"),
    S("hostname {word}"),
    S("address {ipv4} [{mask}]"),
    S("identity (address {ipv4}|fqdn [domain] {word}|email [domain] {word}|key-id {word})"),
    S("pre-shared-key [{int:0-6}] {word}", normalize=rules.drop_cleartext_type),
    S("pre-shared-key (local|remote) [{int:0-6}] {word}", key=2, normalize=rules.drop_cleartext_type),
)
PROFILE = (
    S("description {line}"),
    S("match fvrf (any|{word})"),
    S(f"match identity remote {_IDENTITY}", key=None, no_min=4),
    S("identity local (address {ipv4}|fqdn {word}|email {word}|key-id {word}|dn)"),
    S("authentication remote (pre-share|rsa-sig|eap [query-identity])", key=None),
    S("authentication local (pre-share|rsa-sig|eap)"),
    S("keyring (local|aaa) {word}", key=1),
    S("aaa authorization group (psk|cert|eap) list {word} [{word}]", key=4),
    S("aaa authorization user (psk|cert|eap) (cached|list {word})", key=4),
    S(f"dpd {_DPD_ARGS}"),
    S("lifetime {int:120-86400}"),
    S("nat keepalive {int:5-3600}"),
    S("virtual-template {int:1-4095}"),
)
AUTHOR_POLICY = (
    S("pool {word}"),
    S("dns {ipv4} [{ipv4}]"),
    S("netmask {mask}"),
    S("def-domain {word}"),
    S("route set interface [{if}]"),
    S("route set access-list {word}"),
    S("route set remote ipv4 {ipv4} {mask}", key=None),
    S("route accept any [tag {int:1-4294967295}] [distance {int:1-255}]"),
)
FLEXVPN = (
    S("peer {int:1-10} {ipv4} [track {int:1-1000} [(up|down)]]", key=2, sort_key=rules.by_number(1),
      order_group="peer"),
    S("peer {int:1-10} fqdn {word} [dynamic]", key=2, sort_key=rules.by_number(1), order_group="peer"),
    S("peer reactivate"),
    S("source {int:1-4} {if} [track {int:1-1000}]", key=2, sort_key=rules.by_number(1)),
    S("connect (auto|manual|track {int:1-1000} [(up|down)])"),
    S("backup group (default|{int:1-255})"),
    S("client connect {if}"),
    S("client inside {if}", key=None),
)
_IKE_ENCRYPTION = "(aes-cbc-128|aes-cbc-192|aes-cbc-256|aes-gcm-128|aes-gcm-256|3des|des)"
_IKE_INTEGRITY = "(sha512|sha384|sha256|sha1|md5)"
_IKE_GROUP = "(1|2|5|14|15|16|19|20|21|24)"
IKE_PROPOSAL = (
    S(f"encryption {_IKE_ENCRYPTION} [{_IKE_ENCRYPTION}] [{_IKE_ENCRYPTION}]", key=1),
    S(f"integrity {_IKE_INTEGRITY} [{_IKE_INTEGRITY}] [{_IKE_INTEGRITY}]", key=1),
    S(f"prf {_IKE_INTEGRITY} [{_IKE_INTEGRITY}] [{_IKE_INTEGRITY}]", key=1),
    S(f"group {_IKE_GROUP} [{_IKE_GROUP}] [{_IKE_GROUP}]", key=1),
)
IKE_POLICY = (
    S("match fvrf (any|{word})"),
    S("match address local {ipv4}", key=None, no_min=3),
    S("proposal {word}", key=None),
)
TRANSFORM_SET = (S("mode (transport|tunnel)"),)
IPSEC_PROFILE = (
    S("description {line}"),
    S("set security-association lifetime (seconds {int:120-2592000}|kilobytes {int:2560-4294967295}|days {int:1-30})",
      key=4),
    S("set transform-set {word} [{word}] [{word}]"),
    S("set pfs [(group2|group5|group14|group15|group16|group19|group20|group21|group24)]"),
    S("set ikev2-profile {word}"),
)
ROUTE_MAP = (
    S("description {line}"),
    S("match ip address {word} [{word}] [{word}]"),
    S("match ip address prefix-list {word} [{word}]"),
    S("set local-preference {int:0-4294967295}"),
    S("set metric {int:0-4294967295}"),
    S("set weight {int:0-65535}"),
    S("set as-path prepend {int:1-4294967295} [{int:1-4294967295}] [{int:1-4294967295}]"),
)
IP_SLA = (
    S("icmp-echo {ipv4} [(source-interface {if}|source-ip {ipv4})]", switch="ip-sla-echo"),
)
IP_SLA_ECHO = (
    S("request-data-size {int:0-16384}"),
    S("tos {int:0-255}"),
    S("tag {line}"),
    S("threshold {int:0-2147483647}"),
    S("timeout {int:0-604800000}"),
    S("frequency {int:1-604800}"),
)
TRACK = (S("delay (up {int:0-180} [down {int:0-180}]|down {int:0-180} [up {int:0-180}])"),)
LINE = (
    S("exec-timeout {int:0-35791} [{int:0-2147483}]", normalize=rules.exec_timeout_seconds),
    S("privilege level {int:0-15}"),
    S("password [{int:0-7}] {word}", normalize=rules.drop_cleartext_type),
    S("logging synchronous"),
    S("login [local]"),
    S("transport input (ssh|telnet|all|none) [(ssh|telnet)]"),
    S("length {int:0-512}"),
    S("width {int:0-512}"),
)
KEYCHAIN = (S("key {int:0-2147483647}", enters="keychain-key", sort_key=rules.by_number(1)),)
KEYCHAIN_KEY = (S("key-string [{int:0-7}] {word}", normalize=rules.drop_cleartext_type),)

MODES: dict[str, Mode] = {
    m.name: m
    for m in (
        Mode("global", "(config)", GLOBAL),
        Mode("if", "(config-if)", IF),
        Mode("if-tunnel", "(config-if)", IF_TUNNEL),
        Mode("router", "(config-router)", ROUTER),
        Mode("ikev2-keyring", "(config-ikev2-keyring)", KEYRING),
        Mode("ikev2-keyring-peer", "(config-ikev2-keyring-peer)", KEYRING_PEER),
        Mode("ikev2-profile", "(config-ikev2-profile)", PROFILE),
        Mode("ikev2-author-policy", "(config-ikev2-author-policy)", AUTHOR_POLICY),
        Mode("ikev2-flexvpn", "(config-ikev2-flexvpn)", FLEXVPN),
        Mode("ikev2-proposal", "(config-ikev2-proposal)", IKE_PROPOSAL),
        Mode("ikev2-policy", "(config-ikev2-policy)", IKE_POLICY),
        Mode("crypto-trans", "(cfg-crypto-trans)", TRANSFORM_SET),
        Mode("ipsec-profile", "(ipsec-profile)", IPSEC_PROFILE),
        Mode("route-map", "(config-route-map)", ROUTE_MAP),
        Mode("ip-sla", "(config-ip-sla)", IP_SLA, related=("ip-sla-echo",)),
        Mode("ip-sla-echo", "(config-ip-sla-echo)", IP_SLA_ECHO, related=("ip-sla",)),
        Mode("track", "(config-track)", TRACK),
        Mode("line", "(config-line)", LINE),
        Mode("keychain", "(config-keychain)", KEYCHAIN),
        Mode("keychain-key", "(config-keychain-key)", KEYCHAIN_KEY),
        Mode("inert-vrf", "(config-vrf)", INERT_VRF),
        Mode("inert-vrf-af", "(config-vrf-af)", INERT_VRF_AF),
        Mode("inert-block", "(config-cp)", INERT_BLOCK),
    )
}


def _pseudo_commands() -> tuple[S, ...]:
    return (
        S("do {line}", action="do", store=False, negatable=False),
        S("end", action="end", store=False, negatable=False),
        S("exit", action="exit", store=False, negatable=False),
    )


@cache
def grammar_for(mode_name: str, inert: bool = True) -> Grammar:
    """The compiled grammar of a configuration mode (commands + pseudo commands + `no`);
    ``inert=False`` leaves out the inert lines (to measure what they add)."""
    mode = MODES[mode_name]
    mode_index = list(MODES).index(mode_name)
    first_of_group: dict[str, int] = {}
    for index, spec in enumerate(mode.commands):
        if spec.order_group is not None:
            index = first_of_group.setdefault(spec.order_group, index)
        spec.mode, spec.rank = mode_name, (mode_index, index)
    grouped = [spec.rank for spec in mode.commands if spec.group_word is not None]
    for spec in mode.commands:
        if spec.group_word is not None:
            spec.group_rank = min(grouped)
    pseudo = _pseudo_commands()
    for spec in pseudo:
        spec.mode, spec.rank = mode_name, (mode_index, 10_000)
    commands = mode.commands if inert else tuple(s for s in mode.commands if not is_inert(s))
    return Grammar((*commands, *pseudo), negation=True)
