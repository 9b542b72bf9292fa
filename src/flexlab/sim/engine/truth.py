"""Ground truth: the simulated instants of protocol events, for checking measurements.

Kinds (``TruthEvent.kind``):

=====================  ======================================================  =================
kind                   meaning                                                 detail keys
=====================  ======================================================  =================
node-failed            failure injected (``Lab.fail``)                          mode
node-restored          failure removed (``Lab.restore``)                        mode
node-reload            `reload` typed: down for the image's boot time           boot_s
ike-start              IKE_SA_INIT sent to a peer (initiator)                   —
ike-failed             negotiation failed                                       reason
ike-up                 IKE + IPsec SA established (both ends)                   role
sa-deleted             IKE SA removed                                           reason
dpd-r-u-there          DPD R-U-THERE sent (0 = first, then retransmissions)     attempt
dpd-peer-dead          DPD declared the peer dead                               —
flexvpn-up             FlexVPN client connected                                 assigned
flexvpn-down           FlexVPN client lost its connection                       assigned, reason
bgp-established        BGP session Established                                  —
bgp-down               BGP session left Established                             reason
prefix-received        a new/changed prefix in the adj-RIB-in                   prefix
prefix-withdrawn       a prefix left the adj-RIB-in (withdraw or session down)  prefix
=====================  ======================================================  =================

``peer`` is the peer's address (underlay for IKE/DPD/FlexVPN, BGP neighbour address for
BGP) and ``peer_node`` the lab node owning it when known.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TruthEvent:
    """One protocol event at its lab instant and at the node's clock, for checking what the harness measures."""
    time: float                    # lab instant
    device_time: dt.datetime       # what the node's clock showed at that instant
    clock_synced: bool
    node: str
    kind: str
    peer: str | None = None
    peer_node: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: lab time in seconds, device time ISO with ms, detail values as text if not scalar."""
        return {
            "time": round(self.time, 6),
            "device_time": self.device_time.isoformat(timespec="milliseconds"),
            "clock_synced": self.clock_synced,
            "node": self.node,
            "kind": self.kind,
            "peer": self.peer,
            "peer_node": self.peer_node,
            **{
                k: (v if isinstance(v, (int, float, bool, str, type(None))) else str(v))
                for k, v in self.detail.items()
            },
        }


class TruthLog:
    """Every ground-truth event of the lab, in lab-time order."""
    def __init__(self) -> None:
        self.events: list[TruthEvent] = []

    def add(self, event: TruthEvent) -> None:
        """Append one event."""
        self.events.append(event)

    def of_kind(self, kind: str, node: str | None = None) -> list[TruthEvent]:
        """The events of ``kind``, optionally only those of ``node``."""
        return [e for e in self.events if e.kind == kind and (node is None or e.node == node)]
