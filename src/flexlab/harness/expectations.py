"""What the job expects of the routing: from the design file, or from the configs the devices run.

The checks compare what the devices show with a few expected values: the hubs' overlay
address (every spoke's BGP neighbour), the summary the hubs send, each spoke's LAN and each
hub's iBGP neighbours (the other hubs). For the reference lab they come from the design
(``--expect-from design``, the default). A user topology the design does not describe (e.g.
three hubs) declares them in its own configs (``--expect-from configs``): they are read from
the running configs at setup, so the checks then say "the devices do what their configs
say" (summary-only really hides the specifics, every hub learns every LAN, ...).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from flexlab.iosconfig import ConfigTree

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network
SOURCES = ("design", "configs")


@dataclass(frozen=True)
class Expectations:
    """What the baseline checks expect: the overlay address, the summary, spoke LANs, hub peers."""
    source: str                                   # "design <file>" or "running configs"
    overlay_hub_address: IPv4Address
    summary: IPv4Network
    spoke_lans: dict[str, IPv4Network] = field(default_factory=dict)
    hub_peers: dict[str, tuple[IPv4Address, ...]] = field(default_factory=dict)   # hub -> its iBGP hubs

    def to_dict(self) -> dict[str, Any]:
        """The expectations as JSON-ready values for the report."""
        return {"source": self.source, "overlay_hub_address": str(self.overlay_hub_address),
                "summary": str(self.summary), "spoke_lans": {s: str(n) for s, n in self.spoke_lans.items()},
                "hub_peers": {h: [str(a) for a in peers] for h, peers in self.hub_peers.items()}}


def from_design(design: Any, hubs: list[str], spokes: list[str]) -> Expectations:
    """The reference design's values (``design`` is a flexlab.design.Design)."""
    plan = design.plan()
    lans = {s: plan.node(s).lan for s in spokes if plan.node(s).lan is not None}
    peers: dict[str, tuple[IPv4Address, ...]] = {
        h: (plan.node(h).other_hub_address,) for h in hubs if plan.node(h).other_hub_address is not None
    }
    return Expectations(f"design {design.source}", design.model.overlay.hub_address, design.model.summary,
                        lans, peers)


def undescribed_nodes(design: Any, nodes: list[str]) -> list[str]:
    """Testbed nodes the design has no plan for (then its expectations cannot apply)."""
    names = {n.name for n in design.plan().nodes}
    return [n for n in nodes if n not in names]


def _bgp_lines(config: str, first_word: str) -> list[list[str]]:
    """The words of the ``router bgp`` lines that start with ``first_word``."""
    router = ConfigTree.from_text(config).first("router", "bgp")
    return [line.words for line in router.children_starting(first_word)] if router else []


def _address(word: str) -> IPv4Address | None:
    try:
        return IPv4Address(word)
    except ValueError:
        return None


def bgp_neighbor_addresses(config: str) -> list[IPv4Address]:
    """Neighbours configured by address with ``remote-as`` (peer groups left out)."""
    found = [_address(w[1]) for w in _bgp_lines(config, "neighbor") if len(w) >= 4 and w[2] == "remote-as"]
    return [address for address in found if address is not None]


def bgp_networks(config: str) -> list[IPv4Network]:
    """``network A mask M`` lines of ``router bgp``."""
    return [IPv4Network(f"{w[1]}/{w[3]}", strict=False) for w in _bgp_lines(config, "network")
            if len(w) >= 4 and w[2] == "mask"]


def summary_only_aggregates(config: str) -> list[IPv4Network]:
    """``aggregate-address A M summary-only`` lines of ``router bgp``."""
    return [IPv4Network(f"{w[1]}/{w[2]}", strict=False) for w in _bgp_lines(config, "aggregate-address")
            if len(w) >= 4 and "summary-only" in w[3:]]


def from_configs(configs: dict[str, str], hubs: list[str], spokes: list[str]) -> tuple[Expectations | None, list[str]]:
    """The values the running configs declare, or None and what is missing or inconsistent."""
    problems: list[str] = []
    overlays: dict[IPv4Address, list[str]] = {}
    lans: dict[str, IPv4Network] = {}
    for spoke in spokes:
        neighbors, networks = bgp_neighbor_addresses(configs[spoke]), bgp_networks(configs[spoke])
        if len(neighbors) != 1:
            problems.append(f"{spoke}: expected one BGP neighbour (the hubs' overlay address) in its running "
                            f"config, found {', '.join(map(str, neighbors)) or 'none'}")
        else:
            overlays.setdefault(neighbors[0], []).append(spoke)
        if len(networks) != 1:
            problems.append(f"{spoke}: expected one `network ... mask ...` (its LAN) under router bgp, found "
                            f"{', '.join(map(str, networks)) or 'none'}")
        else:
            lans[spoke] = networks[0]
    if not spokes:
        problems.append("the testbed has no spoke (role: spoke)")
    if len(overlays) > 1:
        problems.append("spokes peer with different hub overlay addresses: "
                        + "; ".join(f"{a} ({', '.join(s)})" for a, s in overlays.items()))
    summaries = {hub: summary_only_aggregates(configs[hub]) for hub in hubs}
    distinct = {tuple(found) for found in summaries.values()}
    if len(distinct) != 1 or len(next(iter(distinct), ())) != 1:
        sent = "; ".join(f"{h}: {', '.join(map(str, s)) or 'none'}" for h, s in summaries.items())
        problems.append(f"hubs must each send one summary (`aggregate-address ... summary-only`), the same on "
                        f"every hub: {sent}")
    peers = {hub: tuple(bgp_neighbor_addresses(configs[hub])) for hub in hubs}
    if problems:
        return None, problems
    summary = next(iter(distinct))[0]
    return Expectations("running configs", next(iter(overlays)), summary, lans, peers), []
