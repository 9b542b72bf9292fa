"""IKEv2 proposals and IPsec transform sets: what each side offers and whether two offers meet.

IKE_SA_INIT: the initiator offers the proposals of its `crypto ikev2 policy` blocks (the
built-in default proposal when none is configured); the responder accepts when one of its
own proposals shares an encryption, an integrity (not needed when both use AES-GCM) and a
DH group with one offered. IKE_AUTH: the initiator offers the transform sets of its tunnel's
IPsec profile (`set transform-set`, else the default transform sets); the responder
compares them with the IPsec profile of the virtual template its IKEv2 profile clones.
Transform sets match when the ESP encryption (with key size) and the ESP integrity agree;
the mode (transport/tunnel) does not decide (IOS falls back to tunnel mode).

Defaults [assumed: IOS 15.x "smart defaults", `show crypto ikev2 proposal default` and
`show crypto ipsec default transform-set`]: proposal AES-CBC-256/192/128, SHA512/384/256/
SHA1/MD5, groups 5 and 2; transform sets `esp-aes esp-sha-hmac` and `esp-3des esp-sha-hmac`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flexlab.iosconfig import ConfigLine, ConfigTree

AEAD = frozenset({"aes-gcm-128", "aes-gcm-256"})


@dataclass(frozen=True)
class IkeProposal:
    """One `crypto ikev2 proposal`: encryption, integrity and DH groups it allows."""
    name: str
    encryption: frozenset[str]
    integrity: frozenset[str]
    groups: frozenset[str]

    def meets(self, other: IkeProposal) -> bool:
        """One encryption, one integrity (unless both are AEAD-only) and one group in common."""
        if not (self.encryption & other.encryption and self.groups & other.groups):
            return False
        aead_only = self.encryption <= AEAD and other.encryption <= AEAD
        return aead_only or bool(self.integrity & other.integrity)


@dataclass(frozen=True)
class Transform:
    """An IPsec transform set reduced to what must agree: ESP cipher (with key size) and hash."""

    name: str
    cipher: str | None
    hash: str | None


DEFAULT_PROPOSAL = IkeProposal(
    "default",
    frozenset({"aes-cbc-256", "aes-cbc-192", "aes-cbc-128"}),
    frozenset({"sha512", "sha384", "sha256", "sha1", "md5"}),
    frozenset({"5", "2"}),
)
DEFAULT_TRANSFORMS = (
    Transform("#$!default_transform_set_1", "esp-aes 128", "esp-sha-hmac"),
    Transform("#$!default_transform_set_0", "esp-3des", "esp-sha-hmac"),
)
_DEFAULT_KEY_SIZE = {"esp-aes": "128", "esp-gcm": "128", "esp-gmac": "128"}


def _proposal(line: ConfigLine) -> IkeProposal:
    values: dict[str, set[str]] = {"encryption": set(), "integrity": set(), "group": set()}
    for sub in line.children:
        words = sub.words
        if words and words[0] in values:
            values[words[0]].update(words[1:])
    return IkeProposal(line.words[3], frozenset(values["encryption"]), frozenset(values["integrity"]),
                       frozenset(values["group"]))


def ike_proposals(tree: ConfigTree) -> tuple[IkeProposal, ...]:
    """What this router offers and accepts: the proposals its IKEv2 policies name, in order."""
    defined = {line.words[3]: _proposal(line) for line in tree.find("crypto", "ikev2", "proposal")
               if len(line.words) >= 4}
    policies = [line for line in tree.find("crypto", "ikev2", "policy") if len(line.words) >= 4]
    if not policies:
        return (DEFAULT_PROPOSAL,)
    named = [sub.words[1] for policy in policies for sub in policy.children_starting("proposal")
             if len(sub.words) >= 2]
    return tuple(defined[name] for name in dict.fromkeys(named) if name in defined)


def _transform(line: ConfigLine) -> Transform:
    words = line.words[4:]
    cipher = hash_ = None
    i = 0
    while i < len(words):
        word = words[i]
        if word.endswith("-hmac"):
            hash_ = word
        else:
            size = words[i + 1] if i + 1 < len(words) and words[i + 1].isdigit() else None
            if size is not None:
                i += 1
            size = size or _DEFAULT_KEY_SIZE.get(word)
            cipher = f"{word} {size}" if size else word
        i += 1
    return Transform(line.words[3], cipher, hash_)


def transform_sets(tree: ConfigTree) -> dict[str, Transform]:
    """Every `crypto ipsec transform-set`, by name."""
    return {line.words[3]: _transform(line) for line in tree.find("crypto", "ipsec", "transform-set")
            if len(line.words) >= 5}


def profile_transforms(tree: ConfigTree, ipsec_profile: str | None) -> tuple[Transform, ...]:
    """The transform sets an IPsec profile offers/accepts (the defaults without `set transform-set`).

    A named set that is not defined offers nothing (IOS: the profile is incomplete)."""
    profile = next((line for line in tree.find("crypto", "ipsec", "profile")
                    if line.words[3:4] == [ipsec_profile]), None)
    setter = profile.child("set", "transform-set") if profile is not None else None
    if setter is None:
        return DEFAULT_TRANSFORMS
    defined = transform_sets(tree)
    return tuple(defined[name] for name in setter.words[2:] if name in defined)


def ike_match(offered: tuple[IkeProposal, ...], own: tuple[IkeProposal, ...]) -> bool:
    """Whether any of our proposals meets any the peer offered (else NO_PROPOSAL_CHOSEN)."""
    return any(mine.meets(theirs) for mine in own for theirs in offered)


def transforms_match(offered: tuple[Transform, ...], own: tuple[Transform, ...]) -> bool:
    """Whether a transform set of ours has the cipher and hash of one the peer offered."""
    return any((mine.cipher, mine.hash) == (theirs.cipher, theirs.hash) for mine in own for theirs in offered)


def aaa_network_lists(tree: ConfigTree) -> frozenset[str]:
    """Method lists `aaa authorization network L local` defines (only under `aaa new-model`)."""
    if not tree.find("aaa", "new-model"):
        return frozenset()
    return frozenset(line.words[3] for line in tree.find("aaa", "authorization", "network")
                     if len(line.words) >= 5 and "local" in line.words[4:])
