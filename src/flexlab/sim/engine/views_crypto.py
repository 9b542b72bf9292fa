"""Typed views of the IKEv2 / IPsec / FlexVPN configuration (see :mod:`views`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from flexlab.iosconfig import ConfigLine, ConfigTree
from flexlab.sim.engine.views import IPv4Address, IPv4Network, ip, network, to_int
from flexlab.sim.engine.views_proposals import (
    IkeProposal,
    Transform,
    aaa_network_lists,
    ike_proposals,
    profile_transforms,
)

ANY = IPv4Network("0.0.0.0/0")


def _address_match(words: list[str]) -> IPv4Network | None:
    """``A [M]``: a missing mask means any for 0.0.0.0, else the host itself."""
    if not words or ip(words[0]) is None:
        return None
    if len(words) >= 2 and ip(words[1]) is not None:
        return network(words[0], words[1])
    return ANY if words[0] == "0.0.0.0" else network(words[0], "32")


@dataclass(frozen=True)
class DpdView:
    """`dpd INTERVAL RETRY on-demand|periodic` (seconds)."""
    interval: int
    retry: int
    mode: Literal["on-demand", "periodic"]


def _dpd(words: list[str]) -> DpdView | None:
    """``I R [on-demand|periodic]`` (on-demand is the default)."""
    if len(words) < 2 or not words[0].isdigit() or not words[1].isdigit():
        return None
    mode = "periodic" if len(words) >= 3 and words[2] == "periodic" else "on-demand"
    return DpdView(int(words[0]), int(words[1]), mode)  # type: ignore[arg-type]


@dataclass(frozen=True)
class KeyringPeerView:
    """One `peer` block of a `crypto ikev2 keyring`: its match and pre-shared keys."""
    name: str
    match: IPv4Network | None          # `address A M`
    identity: IPv4Address | None       # `identity address A`
    local_psk: str | None
    remote_psk: str | None

    def matches(self, address: IPv4Address) -> bool:
        """Whether this peer block matches ``address`` by its `address` range or `identity address`."""
        if self.match is not None and address in self.match:
            return True
        return self.identity is not None and self.identity == address


@dataclass(frozen=True)
class KeyringView:
    """One `crypto ikev2 keyring` and its peer blocks."""
    name: str
    peers: tuple[KeyringPeerView, ...]

    def peer_for(self, address: IPv4Address) -> KeyringPeerView | None:
        """Most specific matching peer block (IOS picks the longest address match)."""
        matches = [p for p in self.peers if p.matches(address)]
        if not matches:
            return None
        return max(matches, key=lambda p: p.match.prefixlen if p.match is not None else 32)


def _psk_value(words: list[str]) -> str:
    return " ".join(words[1:]) if len(words) >= 2 and words[0] in ("0", "6") else " ".join(words)


def _keyring_peer(line: ConfigLine) -> KeyringPeerView:
    match = identity = None
    local = remote = None
    for sub in line.children:
        w = sub.words
        if sub.starts_with("address"):
            match = _address_match(w[1:])
        elif sub.starts_with("identity", "address") and len(w) >= 3:
            identity = ip(w[2])
        elif sub.starts_with("pre-shared-key", "local") and len(w) >= 3:
            local = _psk_value(w[2:])
        elif sub.starts_with("pre-shared-key", "remote") and len(w) >= 3:
            remote = _psk_value(w[2:])
        elif sub.starts_with("pre-shared-key") and len(w) >= 2:
            local = remote = _psk_value(w[1:])
    return KeyringPeerView(line.words[1] if len(line.words) > 1 else "", match, identity, local, remote)


@dataclass(frozen=True)
class ProfileView:
    """One `crypto ikev2 profile`: remote identities it matches, keyring, DPD, virtual template."""
    name: str
    match_remote: tuple[IPv4Network, ...]
    keyring: str | None
    auth_policy: str | None            # `aaa authorization group psk list L <policy>`
    virtual_template: int | None
    dpd: DpdView | None
    lifetime: int = 86400
    auth_list: str | None = None       # the L of `aaa authorization group psk list L`

    def matches(self, identity: IPv4Address) -> bool:
        """Whether the peer's identity falls under a `match identity remote address` of this profile."""
        return any(identity in net for net in self.match_remote)


def _profile(line: ConfigLine) -> ProfileView:
    matches: list[IPv4Network] = []
    keyring = policy = auth_list = None
    vt = None
    dpd = None
    lifetime = 86400
    for sub in line.children:
        w = sub.words
        if sub.starts_with("match", "identity", "remote", "address"):
            net = _address_match(w[4:])
            if net is not None:
                matches.append(net)
        elif sub.starts_with("keyring", "local") and len(w) >= 3:
            keyring = w[2]
        elif sub.starts_with("aaa", "authorization", "group") and "list" in w:
            rest = w[w.index("list") + 1:]
            auth_list = rest[0] if rest else None
            policy = rest[1] if len(rest) >= 2 else "default"
        elif sub.starts_with("virtual-template") and len(w) >= 2:
            vt = to_int(w[1])
        elif sub.starts_with("dpd"):
            dpd = _dpd(w[1:])
        elif sub.starts_with("lifetime") and len(w) >= 2:
            lifetime = to_int(w[1], 86400) or 86400
    return ProfileView(line.words[3], tuple(matches), keyring, policy, vt, dpd, lifetime, auth_list)


@dataclass(frozen=True)
class AuthPolicyView:
    """One `crypto ikev2 authorization policy`: its address `pool`, `route set interface`."""
    name: str
    pool: str | None
    route_set_interface: bool


@dataclass(frozen=True)
class PoolView:
    """One `ip local pool NAME START END` (addresses handed to FlexVPN clients)."""
    name: str
    start: IPv4Address
    end: IPv4Address

    def addresses(self) -> range:
        """The pool's addresses as integers, first to last inclusive."""
        return range(int(self.start), int(self.end) + 1)


@dataclass(frozen=True)
class FlexPeerView:
    """One `peer SEQ ADDRESS [track N]` line of a FlexVPN client block."""
    sequence: int
    address: IPv4Address
    track: int | None


@dataclass(frozen=True)
class FlexClientView:
    """One `crypto ikev2 client flexvpn NAME` block: peers, tunnel, `peer reactivate`, source."""
    name: str
    peers: tuple[FlexPeerView, ...]
    tunnel: str | None                 # `client connect TunnelX`
    reactivate: bool
    source_interface: str | None


def _flex_client(line: ConfigLine) -> FlexClientView:
    peers: list[FlexPeerView] = []
    tunnel = source = None
    reactivate = False
    for sub in line.children:
        w = sub.words
        if sub.starts_with("peer", "reactivate"):
            reactivate = True
        elif sub.starts_with("peer") and len(w) >= 3 and w[1].isdigit() and ip(w[2]):
            track = to_int(w[4]) if len(w) >= 5 and w[3] == "track" else None
            peers.append(FlexPeerView(int(w[1]), ip(w[2]), track))  # type: ignore[arg-type]
        elif sub.starts_with("client", "connect") and len(w) >= 3:
            tunnel = w[2]
        elif sub.starts_with("source") and len(w) >= 3:
            source = source or w[2]
    peers.sort(key=lambda p: p.sequence)
    return FlexClientView(line.words[4], tuple(peers), tunnel, reactivate, source)


@dataclass(frozen=True)
class CryptoView:
    """The IKEv2/IPsec/FlexVPN config of a node: keyrings, profiles, policies, pools, clients, proposals."""
    keyrings: dict[str, KeyringView]
    profiles: dict[str, ProfileView]
    auth_policies: dict[str, AuthPolicyView]
    ipsec_profiles: dict[str, str | None]      # IPsec profile -> `set ikev2-profile`
    global_dpd: DpdView | None
    ipsec_lifetime: int
    flex_clients: dict[str, FlexClientView]
    pools: dict[str, PoolView]
    logging_session: bool
    proposals: tuple[IkeProposal, ...] = ()
    ipsec_transforms: dict[str | None, tuple[Transform, ...]] = field(default_factory=dict)
    aaa_network_lists: frozenset[str] = frozenset()

    def transforms_for(self, ipsec_profile: str | None) -> tuple[Transform, ...]:
        """Transform sets of an IPsec profile (`None` or unknown: what a profile without
        `set transform-set` has, the defaults)."""
        return self.ipsec_transforms.get(ipsec_profile, self.ipsec_transforms.get(None, ()))

    def profile_for_tunnel(self, protection: str | None) -> ProfileView | None:
        """IKEv2 profile an initiating tunnel uses (through its IPsec profile)."""
        if protection is None:
            return None
        name = self.ipsec_profiles.get(protection)
        return self.profiles.get(name) if name else None

    def dpd_for(self, profile: ProfileView | None) -> DpdView | None:
        """Profile `dpd` wins over the global `crypto ikev2 dpd`."""
        if profile is not None and profile.dpd is not None:
            return profile.dpd
        return self.global_dpd


def crypto_view(tree: ConfigTree) -> CryptoView:
    """Read every crypto block of the running config."""
    keyrings = {
        line.words[3]: KeyringView(line.words[3], tuple(_keyring_peer(p) for p in line.children_starting("peer")))
        for line in tree.find("crypto", "ikev2", "keyring") if len(line.words) >= 4
    }
    profiles = {
        line.words[3]: _profile(line) for line in tree.find("crypto", "ikev2", "profile") if len(line.words) >= 4
    }
    policies = {}
    for line in tree.find("crypto", "ikev2", "authorization", "policy"):
        name = line.words[4] if len(line.words) >= 5 else "default"
        pool_line = line.child("pool")
        policies[name] = AuthPolicyView(
            name, pool_line.words[1] if pool_line and len(pool_line.words) >= 2 else None,
            line.has("route", "set", "interface"),
        )
    ipsec_profiles = {}
    for line in tree.find("crypto", "ipsec", "profile"):
        if len(line.words) >= 4:
            setter = line.child("set", "ikev2-profile")
            ipsec_profiles[line.words[3]] = setter.words[2] if setter and len(setter.words) >= 3 else None
    dpd_line = tree.first("crypto", "ikev2", "dpd")
    lifetime_line = tree.first("crypto", "ipsec", "security-association", "lifetime", "seconds")
    lifetime = to_int(lifetime_line.words[5], 3600) if lifetime_line and len(lifetime_line.words) >= 6 else 3600
    pools = {}
    for line in tree.find("ip", "local", "pool"):
        w = line.words
        start = ip(w[4]) if len(w) >= 5 else None
        if start is not None:
            end = ip(w[5]) if len(w) >= 6 and ip(w[5]) else start
            pools[w[3]] = PoolView(w[3], start, end)  # type: ignore[arg-type]
    return CryptoView(
        keyrings=keyrings, profiles=profiles, auth_policies=policies, ipsec_profiles=ipsec_profiles,
        global_dpd=_dpd(dpd_line.words[3:]) if dpd_line else None, ipsec_lifetime=lifetime or 3600,
        flex_clients={
            line.words[4]: _flex_client(line)
            for line in tree.find("crypto", "ikev2", "client", "flexvpn") if len(line.words) >= 5
        },
        pools=pools, logging_session=bool(tree.find("crypto", "logging", "session")),
        proposals=ike_proposals(tree),
        ipsec_transforms={None: profile_transforms(tree, None),
                          **{name: profile_transforms(tree, name) for name in ipsec_profiles}},
        aaa_network_lists=aaa_network_lists(tree),
    )


__all__ = [
    "ANY", "AuthPolicyView", "CryptoView", "DpdView", "FlexClientView", "FlexPeerView", "KeyringPeerView",
    "KeyringView", "PoolView", "ProfileView", "crypto_view",
]
