"""Which peer of a FlexVPN client block a spoke must be on, given the hubs that are down.

facts.md section 2: peers are tried in sequence order; when the active peer dies (DPD),
the client selects the next peer after it in that order, wrapping round after the last;
a peer that does not answer the IKE_SA_INIT fails the negotiation and the client goes on
to the one after it. With no pre-emption, a spoke that only ever lost peers therefore sits
on the first live peer of its list.

Which peer the client tries first after losing one is not verified for IOS: the next one
after it (wrapping round; what the embedded lab does) or, on another reading, the first
possible peer from peer 1 on (the peer that just died excluded: a *new* peer is selected).
Both end on the same live peer here; only the dead peers tried on the way differ, so
:attr:`NextPeer.worst_dead_tried` (what the bound counts) takes the larger of the two.
Peers with track objects are not modelled here: every
peer counts as possible (the three-hub topology has none).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address


@dataclass(frozen=True)
class NextPeer:
    """Where a spoke leaving ``left`` must end up, and the dead peers it tries on the way."""

    peer: IPv4Address | None                  # None: every other peer is dead
    dead_tried: tuple[IPv4Address, ...]       # in the order the client tries them
    dead_before: tuple[IPv4Address, ...] = ()  # the other dead peers ahead of ``peer`` from peer 1

    @property
    def worst_dead_tried(self) -> int:
        """Dead peers tried on the way under either reading of the client's restart."""
        return max(len(self.dead_tried), len(self.dead_before))


def first_alive(peers: Sequence[IPv4Address], dead: Collection[IPv4Address]) -> IPv4Address | None:
    """The peer a spoke sits on when it only lost peers: the first one that is not dead."""
    return next((p for p in peers if p not in dead), None)


def next_alive(peers: Sequence[IPv4Address], left: IPv4Address, dead: Collection[IPv4Address]) -> NextPeer:
    """The peer the client reaches after ``left`` died: the peers after it in sequence
    order, wrapping round, skipping (after trying) the dead ones. ``left`` itself is dead.

    A ``left`` that is not in the list (the spoke was on an address it does not configure)
    is treated as the client does on connect: from the first peer.
    """
    start = peers.index(left) + 1 if left in peers else 0
    order = [peers[(start + k) % len(peers)] for k in range(len(peers))] if peers else []
    tried: list[IPv4Address] = []
    for peer in order:
        if peer == left:
            continue
        if peer in dead:
            tried.append(peer)
            continue
        ahead = tuple(p for p in peers[:peers.index(peer)] if p in dead and p != left)
        return NextPeer(peer, tuple(tried), ahead)
    return NextPeer(None, tuple(tried))
