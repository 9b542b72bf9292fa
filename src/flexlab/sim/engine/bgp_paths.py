"""BGP path attributes, paths and the IOS best-path comparison."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network
ZERO = IPv4Address("0.0.0.0")
_ORIGIN_RANK = {"i": 0, "e": 1, "?": 2}


@dataclass(frozen=True, slots=True)
class Attrs:
    """Attributes as sent in an UPDATE (comparison = "did the advertisement change")."""

    next_hop: IPv4Address
    local_pref: int = 100
    med: int = 0
    origin: str = "i"
    as_path: tuple[int, ...] = ()
    originator_id: IPv4Address | None = None
    cluster_list: tuple[IPv4Address, ...] = ()
    atomic_aggregate: bool = False
    aggregator: tuple[int, IPv4Address] | None = None


@dataclass(slots=True)
class Path:
    """One path in the BGP table: a prefix's attributes and where they came from (a peer, `network`, aggregate)."""
    prefix: IPv4Network
    attrs: Attrs
    source: Literal["network", "aggregate", "peer"]
    weight: int = 0
    peer: IPv4Address | None = None          # neighbour it came from
    peer_router_id: IPv4Address | None = None
    ibgp: bool = True
    from_client: bool = False
    received: float = 0.0
    valid: bool = True                       # next hop resolvable
    igp_metric: int = 0

    @property
    def local(self) -> bool:
        """Whether this node originated the path (`network` or `aggregate-address`), not learnt from a peer."""
        return self.source != "peer"

    def tie_router_id(self) -> int:
        """Router ID for the best-path tie-break: the ORIGINATOR_ID of a reflected path, else the peer's."""
        rid = self.attrs.originator_id or self.peer_router_id or ZERO
        return int(rid)


def better(a: Path, b: Path) -> bool:
    """True when ``a`` beats ``b`` (IOS order, iBGP-relevant steps)."""
    return _key(a) < _key(b)


def _key(p: Path) -> tuple[int, ...]:
    a = p.attrs
    return (
        -p.weight,
        -a.local_pref,
        0 if p.local else 1,
        len(a.as_path),
        _ORIGIN_RANK.get(a.origin, 2),
        a.med,
        1 if p.ibgp and not p.local else 0,     # eBGP over iBGP
        p.igp_metric,
        p.tie_router_id(),
        len(a.cluster_list),
        int(p.peer) if p.peer is not None else 0,
    )


def best_of(paths: list[Path]) -> Path | None:
    """The best valid path of a prefix by the IOS comparison, or None when none is valid."""
    best = None
    for path in paths:
        if path.valid and (best is None or better(path, best)):
            best = path
    return best
