"""The checks a real IOS makes during IKEv2 negotiation that the lab once skipped.

- IKE_SA_INIT (responder): one of the offered IKEv2 proposals must meet one of ours, else
  NO_PROPOSAL_CHOSEN (responder debug: "Failed to find a matching policy"; initiator:
  "Received no proposal chosen notify").
- IKE_AUTH (responder): group authorization needs the method list the IKEv2 profile names
  (`aaa authorization group psk list L ...`) to exist as `aaa authorization network L local`
  under `aaa new-model`; and one offered transform set must match one of the IPsec profile
  on the virtual template the session will clone (else NO_PROPOSAL_CHOSEN for the child SA).

Each failure is logged on the router that detects it (see :func:`syslog.ikev2_neg_abort`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flexlab.sim.engine import syslog
from flexlab.sim.engine.views_crypto import CryptoView, ProfileView
from flexlab.sim.engine.views_proposals import (
    DEFAULT_PROPOSAL,
    DEFAULT_TRANSFORMS,
    IkeProposal,
    Transform,
    ike_match,
    transforms_match,
)

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node

NO_PROPOSAL = "Failed to find a matching policy"
NO_PROPOSAL_NOTIFY = "Received no proposal chosen notify"
NO_TRANSFORM = "There was no IPSEC policy found for received TS"


def offered_proposals(data: dict[str, object]) -> tuple[IkeProposal, ...]:
    """The IKEv2 proposals an IKE_SA_INIT offered; a message without any offers the IOS default proposal."""
    offered = data.get("proposals")
    return offered if isinstance(offered, tuple) else (DEFAULT_PROPOSAL,)


def init_refusal(node: Node, crypto: CryptoView, data: dict[str, object]) -> str | None:
    """Responder, IKE_SA_INIT: the NO_PROPOSAL_CHOSEN reason, logged, or None."""
    if ike_match(offered_proposals(data), crypto.proposals):
        return None
    node.log(syslog.ikev2_neg_abort(NO_PROPOSAL))
    return NO_PROPOSAL_NOTIFY


def authorization_refusal(crypto: CryptoView, profile: ProfileView) -> str | None:
    """Responder, IKE_AUTH: the AAA method list of the profile's group authorization must exist."""
    if profile.auth_list is None:
        return None
    if profile.auth_list in crypto.aaa_network_lists:
        return None
    return f"AAA authorization failed: method list '{profile.auth_list}' not defined"


def transform_refusal(node: Node, profile: ProfileView, offered: object) -> str | None:
    """Responder, IKE_AUTH: the transform sets offered must meet the virtual template's."""
    template = f"Virtual-Template{profile.virtual_template}" if profile.virtual_template is not None else None
    iface = node.interfaces.get(template)
    protection = iface.view.tunnel_protection if iface is not None else None
    own = node.ike.crypto.transforms_for(protection)
    theirs: tuple[Transform, ...] = offered if isinstance(offered, tuple) else DEFAULT_TRANSFORMS
    return None if transforms_match(theirs, own) else NO_TRANSFORM


def auth_refusal(node: Node, profile: ProfileView, data: dict[str, object]) -> str | None:
    """Responder, IKE_AUTH after the PSK check: authorization, then transform sets. Logs the
    reason here and returns what the initiator is told (None: accepted)."""
    reason = authorization_refusal(node.ike.crypto, profile)
    if reason is not None:
        node.log(syslog.ikev2_neg_abort(reason))
        return reason
    if transform_refusal(node, profile, data.get("transforms")) is not None:
        node.log(syslog.ikev2_neg_abort(NO_TRANSFORM))
        return NO_PROPOSAL_NOTIFY
    return None


def initiator_refused(node: Node, reason: str) -> None:
    """Initiator: a NO_PROPOSAL_CHOSEN answer is logged as IOS logs it."""
    if reason == NO_PROPOSAL_NOTIFY:
        node.log(syslog.ikev2_neg_abort(NO_PROPOSAL_NOTIFY))
