"""CommonSetup's `learn`: what the job reads from the devices before it judges them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from typing import Any

from flexlab.clock import ClockOffset
from flexlab.harness import expectations, reads
from flexlab.harness.checks import problems_of
from flexlab.harness.peers import first_alive
from flexlab.harness.steps.errors import JobStepError
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.resources import JobResources, measure_clock, now_utc, parallel
from flexlab.syslog_events import LogEvent, parse_log

#: How each case's failover was timed (the report states it per case).
CLOCK_NTP = "NTP-synchronised device clocks: failover = spoke log time - hub log time"
CLOCK_UNSYNCED = "unsynchronised clocks: times corrected by offsets measured with `show clock`"

WAN_LEARNT = "every hub's WAN interface and address are learnt"
PEERS_LEARNT = "every spoke's FlexVPN peers are learnt"
EXPECTATIONS_LEARNT = "the checks' expectations are learnt (from the design or the running configs)"
#: The checks `learn` makes (clocks and versions are read and reported, not judged).
CHECKS = (WAN_LEARNT, PEERS_LEARNT, EXPECTATIONS_LEARNT)


@dataclass(frozen=True)
class LearnedLab:
    """The lab as read from its devices at setup (and the problems met reading it)."""

    hub_wan: Mapping[str, IPv4Address]
    """Hub -> the address of its WAN interface (the spokes' peer)."""
    hub_wan_if: Mapping[str, str]
    """Hub -> its WAN interface (tunnel source of the Virtual-Template)."""
    spoke_configs: Mapping[str, str]
    """Spoke -> its running config (peers, DPD, BGP timers)."""
    offsets: Mapping[str, ClockOffset]
    """Device -> its clock anchored to the harness clock (`show clock`)."""
    clock_method: str
    """How times are compared across devices (NTP-synced or offset-corrected)."""
    images: Mapping[str, str]
    """Device -> the version `show version` gives."""
    expect: expectations.Expectations | None
    """The routing the checks expect (None: it could not be learnt; see :attr:`problems`)."""
    checks: Mapping[str, list[str]] = field(default_factory=dict)
    """Check name (:data:`CHECKS`) -> what it could not learn (empty: it holds); setup fails on any."""

    @property
    def problems(self) -> tuple[str, ...]:
        """What could not be learnt, every check's problems in check order."""
        return tuple(problems_of(self.checks))

    def expected(self) -> expectations.Expectations:
        """The routing the checks expect."""
        if self.expect is None:
            raise JobStepError("the checks' expectations were not learnt: " + "; ".join(self.problems))
        return self.expect

    def with_spoke_configs(self, configs: Mapping[str, str]) -> LearnedLab:
        """The same lab with some spokes' running configs read again."""
        return dataclasses.replace(self, spoke_configs={**self.spoke_configs, **configs})

    def dead_addresses(self, down: Iterable[str]) -> set[IPv4Address]:
        """WAN addresses of the hubs in ``down``."""
        return {self.hub_wan[h] for h in down if h in self.hub_wan}

    def live_peer(self, spoke: str, down: Iterable[str]) -> IPv4Address | None:
        """The peer the spoke must be on: its first configured peer not on a hub in ``down``."""
        return first_alive(reads.configured_peers(self.spoke_configs[spoke]), self.dead_addresses(down))

    def hub_by_address(self, address: IPv4Address | None) -> str | None:
        """The hub whose WAN address is ``address``, if any."""
        return next((h for h, a in self.hub_wan.items() if a == address), None)


def device_events(resources: JobResources, learned: LearnedLab, name: str) -> list[LogEvent]:
    """The device's logging buffer as parsed log events."""
    lines = reads.logging_lines(resources.devices[name])
    return parse_log("\n".join(lines), reference=learned.offsets[name].to_device(now_utc()))


def learn(resources: JobResources, inputs: JobInputs) -> LearnedLab:
    """Read what the job needs from the devices: WAN addresses, peers, clocks, versions."""
    reachable = resources.reachable(inputs)
    configs = parallel(lambda n: reads.running_config(resources.devices[n]), reachable)
    hub_wan: dict[str, IPv4Address] = {}
    hub_wan_if: dict[str, str] = {}
    found: dict[str, list[str]] = {check: [] for check in CHECKS}
    for hub in resources.hubs:
        if hub not in configs:
            found[WAN_LEARNT] += _known_wan(inputs, hub, hub_wan)
            continue
        wan_if = reads.tunnel_source_interface(configs[hub])
        addresses = reads.interface_addresses(resources.devices[hub])
        if wan_if is None or wan_if not in addresses:
            found[WAN_LEARNT].append(f"{hub}: cannot find its WAN interface (tunnel source of the Virtual-Template)")
            continue
        hub_wan_if[hub], hub_wan[hub] = wan_if, addresses[wan_if]
    spoke_configs = {spoke: configs[spoke] for spoke in resources.spokes}
    found[PEERS_LEARNT] += [f"{spoke}: no `peer N <address>` in its FlexVPN client block"
                            for spoke, config in spoke_configs.items() if not reads.configured_peers(config)]
    expect, found[EXPECTATIONS_LEARNT] = _expectations(resources, inputs, configs)
    offsets = parallel(lambda n: measure_clock_of(resources, n), reachable)
    synced = all(offset.device_synced for offset in offsets.values())
    return LearnedLab(
        hub_wan=hub_wan, hub_wan_if=hub_wan_if, spoke_configs=spoke_configs, offsets=offsets,
        clock_method=CLOCK_NTP if synced else CLOCK_UNSYNCED,
        images=parallel(lambda n: _version(resources.devices[n]), reachable),
        expect=expect, checks=found)


def measure_clock_of(resources: JobResources, name: str) -> ClockOffset:
    """``name``'s clock anchored to the harness clock, at the lab's time scale."""
    return measure_clock(resources.devices[name], resources.lab.time_scale)


def _known_wan(inputs: JobInputs, hub: str, hub_wan: dict[str, IPv4Address]) -> list[str]:
    """A hub an earlier run left down: its WAN address as that run read it."""
    if hub not in inputs.known_hub_wan:
        return [f"{hub}: kept failed by an earlier run that did not record its WAN address"]
    hub_wan[hub] = IPv4Address(inputs.known_hub_wan[hub])
    return []


def _expectations(resources: JobResources, inputs: JobInputs,
                  configs: dict[str, str]) -> tuple[expectations.Expectations | None, list[str]]:
    """The routing the checks expect: from the design, or (--expect-from configs) the configs."""
    hubs, spokes = list(resources.hubs), list(resources.spokes)
    if inputs.expect_from == "configs":
        return expectations.from_configs(configs, [h for h in hubs if h in configs], spokes)
    design = resources.design
    missing = expectations.undescribed_nodes(design, hubs + spokes)
    if missing:
        return None, [f"the design {design.source} has no node {', '.join(missing)}: give the design of this lab "
                      "(--design) or take the expectations from the running configs (--expect-from configs)"]
    return expectations.from_design(design, hubs, spokes), []


def _version(device: Any) -> str:
    parsed = device.parse("show version").get("version", {})
    return str(parsed.get("version", "unknown"))
