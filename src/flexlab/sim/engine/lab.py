"""The embedded lab: every router of a topology in one process, on one virtual clock.

Test mode: :meth:`Lab.advance_to` / :meth:`Lab.run_for` move the clock instantly.
Real-time mode (after :meth:`Lab.start_realtime`): lab time follows the wall clock times
``time_scale``; :meth:`Lab.catch_up` runs every event due by now (call it before any CLI
read or write) and :meth:`Lab.run_realtime` is the asyncio task that does so when the
next event is due.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
from collections.abc import Callable
from typing import Any

from flexlab.errors import FlexlabError
from flexlab.failure import FAILURE_MODES, FailureMode
from flexlab.iosconfig import ConfigLine, ConfigTree
from flexlab.sim.boot import boot_text, image_profile, lab_kind, role
from flexlab.sim.engine.capture import CaptureError, CaptureTable, PacketCapture
from flexlab.sim.engine.clock import LabClock, default_epoch
from flexlab.sim.engine.cpu import CpuMeter
from flexlab.sim.engine.image_params import apply_image_params
from flexlab.sim.engine.images import get_image
from flexlab.sim.engine.loader import ConfigLoader, tree_loader
from flexlab.sim.engine.node import Node
from flexlab.sim.engine.scheduler import Scheduler
from flexlab.sim.engine.truth import TruthEvent, TruthLog
from flexlab.sim.engine.underlay import Fabric
from flexlab.sim.topology import Topology

IPv4Address = ipaddress.IPv4Address
_MAX_IDLE_SLEEP_S = 1.0


class SimLabError(FlexlabError):
    """Misuse of the lab: unknown node or mode, time going backwards, double failure."""


class Lab:
    """The routers of one topology on one clock.

    ``configs`` replaces the text of a node's startup-config file (tests); the node's
    bootstrap and role follow from its topology entry either way (see sim/boot.py).
    ``image`` plays that profile instead of the one the nodes' images map to."""

    def __init__(
        self,
        topology: Topology,
        *,
        image: str | None = None,
        time_scale: float = 1.0,
        seed: int = 1,
        epoch: dt.datetime | None = None,
        configs: dict[str, str] | None = None,
        config_loader: ConfigLoader | None = None,
        credentials: tuple[str, str] = ("admin", "admin"),
        image_params: dict[str, str] | None = None,
    ) -> None:
        self.topology = topology
        self.kind = lab_kind(topology)
        self.image_profile = get_image(image) if image is not None else image_profile(topology)
        self.image_params = dict(image_params or {})
        self.timing = apply_image_params(self.image_profile.timing, self.image_params)
        self.seed = seed
        self.clock = LabClock(epoch or default_epoch(), time_scale)
        self.scheduler = Scheduler()
        self.cpu_meter = CpuMeter()
        self.scheduler.meter = self.cpu_meter.charge_event
        self.fabric = Fabric.from_links(topology.links, self.timing.hop_latency_s)
        self.captures = CaptureTable()
        self.fabric.captures = self.captures
        self.config_loader: Callable[[Any, str], list[Any]] = config_loader or tree_loader
        self.credentials = credentials
        self._truth = TruthLog()
        self.failures: dict[str, str] = {}
        self.boot_errors: dict[str, list[Any]] = {}
        self.nodes: dict[str, Node] = {}
        for name, entry in topology.nodes.items():
            startup = (configs or {}).get(name)
            text = boot_text(
                entry, startup if startup is not None else entry.startup_text(topology.source), credentials
            )
            self.nodes[name] = Node(self, name, role(entry, text), text)
        self.fabric.nodes = self.nodes
        self._address_owner = {address: name for name, node in self.nodes.items()
                               for address in _link_addresses(node.startup_text, self.data_interfaces(name))}
        self._bulk_boot = False
        self._wakeup: asyncio.Event | None = None
        self._sleep_until = float("inf")

    # -- lifecycle ------------------------------------------------------------------------------
    def boot(self) -> None:
        """Boot every node at its seeded offset from now (real routers never start together).

        Nodes with no offset boot at once; the others when the lab clock reaches their
        instant. Config errors of every node are known at once (the configs are checked
        before the timers start), so ``boot_errors`` is complete when this returns."""
        now = self.scheduler.now
        self._bulk_boot = True
        try:
            for name, node in self.nodes.items():
                errors = node.boot()
                if errors:
                    self.boot_errors[name] = errors
                if node.boot_offset > 0:
                    node.stop()
                    self.scheduler.at(now + node.boot_offset, self._boot_late, node)
        finally:
            self._bulk_boot = False
        for node in self.nodes.values():
            if node.running:
                node.update_interfaces()  # carriers towards nodes that booted later
        for node in self.nodes.values():
            node.truth("node-boot", offset=round(node.boot_offset, 6), seed=self.seed)

    def _boot_late(self, node: Node) -> None:
        if not node.running and node.name not in self.failures:
            node.boot()

    def node(self, name: str) -> Node:
        """The node by name; an unknown name is a SimLabError listing the lab's nodes."""
        try:
            return self.nodes[name]
        except KeyError:
            raise SimLabError(f"no node {name!r} in this lab ({', '.join(self.nodes)})") from None

    # -- time ----------------------------------------------------------------------------------
    def now(self) -> float:
        """The current lab time in seconds; in realtime mode the wall clock mapped to lab time."""
        if self.clock.realtime:
            return max(self.scheduler.now, self.clock.wall_mapped_now())
        return self.scheduler.now

    def advance_to(self, t: float) -> None:
        """Test mode: run every event up to lab time ``t`` (never backwards, never in realtime)."""
        if self.clock.realtime:
            raise SimLabError("advance_to/run_for are for test mode; this lab follows the wall clock")
        if t < self.scheduler.now:
            raise SimLabError(f"cannot go back in time from {self.scheduler.now:.3f} to {t:.3f}")
        self.scheduler.run_until(t)

    def run_for(self, dt_s: float) -> None:
        """Test mode: run the lab ``dt_s`` lab seconds forward."""
        self.advance_to(self.scheduler.now + dt_s)

    def sync(self) -> None:
        """Process everything due now (used before reading or changing node state)."""
        if self.scheduler.running:
            return
        if self.clock.realtime:
            self.catch_up()
        else:
            self.scheduler.run_until(self.scheduler.now)

    def start_realtime(self) -> None:
        """Anchor the clock to the wall now; from here lab time follows wall time times the scale."""
        self.clock.start_realtime(self.scheduler.now)

    def catch_up(self) -> None:
        """Realtime mode: run every event due up to the wall clock's lab time."""
        if not self.scheduler.running:
            self.scheduler.run_until(self.clock.wall_mapped_now())

    async def run_realtime(self) -> None:
        """Process events when they are due on the wall clock, forever (cancel to stop)."""
        if not self.clock.realtime:
            self.start_realtime()
        self._wakeup = asyncio.Event()
        self.scheduler.on_schedule = self._on_schedule
        try:
            while True:
                self.catch_up()
                upcoming = self.scheduler.peek()
                self._sleep_until = upcoming if upcoming is not None else float("inf")
                delay = _MAX_IDLE_SLEEP_S if upcoming is None else min(
                    _MAX_IDLE_SLEEP_S, self.clock.wall_delay_until(upcoming))
                self._wakeup.clear()
                try:
                    await asyncio.wait_for(self._wakeup.wait(), timeout=delay)
                except TimeoutError:
                    pass
        finally:
            self.scheduler.on_schedule = None

    def _on_schedule(self, time: float) -> None:
        if self._wakeup is not None and time < self._sleep_until:
            self._sleep_until = time
            self._wakeup.set()

    # -- failures -----------------------------------------------------------------------------------
    def wan_interface(self, name: str) -> str:
        """The node's lowest-numbered linked interface (eth1 on every design node)."""
        ports = self.topology.ports(self.node(name).name)
        if not ports:
            raise SimLabError(f"{name} has no linked interface to shut down")
        return ports[0].ifname

    def fail(self, name: str, mode: str) -> None:
        """Inject a failure mode on a node (shut its WAN, stop, freeze, blackhole), recorded as truth."""
        node = self.node(name)
        if mode not in FAILURE_MODES:
            raise SimLabError(f"unknown failure mode {mode!r}; choose one of {', '.join(FAILURE_MODES)}")
        if name in self.failures:
            raise SimLabError(f"{name} is already failed ({self.failures[name]}); restore it first")
        if not node.running:
            raise SimLabError(f"{name} is not running")
        self.sync()
        self.failures[name] = mode
        node.truth("node-failed", mode=mode)
        if mode == FailureMode.INTERFACE_SHUTDOWN:
            self._set_shutdown(node, True)
        elif mode == FailureMode.NODE_STOP:
            node.stop()
        elif mode == FailureMode.FREEZE:
            node.freeze()
        else:
            node.blackholed = True

    def restore(self, name: str) -> None:
        """Undo a node's injected failure (a stopped node boots again from its startup config)."""
        node = self.node(name)
        mode = self.failures.pop(name, None)
        if mode is None:
            raise SimLabError(f"{name} is not failed")
        self.sync()
        if mode == FailureMode.INTERFACE_SHUTDOWN:
            self._set_shutdown(node, False)
        elif mode == FailureMode.NODE_STOP:
            errors = node.boot()
            if errors:
                self.boot_errors[name] = errors
        elif mode == FailureMode.FREEZE:
            node.unfreeze()
        else:
            node.blackholed = False
        node.truth("node-restored", mode=mode)

    def _set_shutdown(self, node: Node, shut: bool) -> None:
        """Edit the WAN interface like the CLI does (`shutdown` / `no shutdown`)."""
        ifname = self.wan_interface(node.name)
        line = next((block for block in node.config.find("interface") if block.words[1:2] == [ifname]), None)
        if line is None:
            line = node.config.get_or_add(f"interface {ifname}")
        line.children = [c for c in line.children if c.text not in ("shutdown", "no shutdown")]
        if shut:
            line.children.append(ConfigLine("shutdown"))
        node.config_changed()

    # -- links ------------------------------------------------------------------------------------
    def refresh_link_peers(self, node: Node) -> None:
        """The far ends of ``node``'s links re-check their carrier."""
        if self._bulk_boot:
            return
        for (owner, _), (peer_name, _) in self.fabric.links.items():
            if owner == node.name:
                peer = self.nodes.get(peer_name)
                if peer is not None and peer.running:
                    peer.update_interfaces()

    # -- captures ----------------------------------------------------------------------------------
    def data_interfaces(self, name: str) -> tuple[str, ...]:
        """IOS names of the node's linked interfaces (eth1.. in port order)."""
        return tuple(port.ifname for port in self.topology.ports(self.node(name).name))

    def capture_interface(self, name: str, interface: str) -> str:
        """The IOS name of ``interface`` (an IOS name in any case, or the topology's ethN)."""
        ports = self.topology.ports(self.node(name).name)
        by_name = {port.ifname.lower(): port.ifname for port in ports}
        by_name.update({port.eth: port.ifname for port in ports})
        found = by_name.get(interface.strip().lower())
        if found is None:
            choices = ", ".join(f"{p.ifname} ({p.eth})" for p in ports)
            raise CaptureError(f"{name} has no data interface {interface!r}; choose one of {choices}")
        return found

    def capture_start(self, name: str, interface: str | None = None) -> PacketCapture:
        """Record what crosses ``interface`` of node ``name`` (default: all its data links)."""
        self.sync()
        interfaces = self.data_interfaces(name) if interface is None else (self.capture_interface(name, interface),)
        return self.captures.start(name, interfaces)

    def capture_stop(self, capture_id: int) -> PacketCapture:
        """Stop a packet capture (after processing due events) and return its frames."""
        self.sync()
        return self.captures.stop(capture_id)

    # -- truth & status ------------------------------------------------------------------------------
    def record_truth(self, node: Node, kind: str, peer: Any, detail: dict[str, Any]) -> None:
        """Append a ground-truth event at the current lab time, with the node's own clock reading."""
        peer_text = str(peer) if peer is not None else None
        peer_node = detail.pop("peer_node", None) or (self.peer_node(node, peer) if peer is not None else None)
        self._truth.add(TruthEvent(
            time=self.scheduler.now, device_time=node.device_time(), clock_synced=node.clock_synced,
            node=node.name, kind=kind, peer=peer_text, peer_node=peer_node, detail=detail,
        ))

    def peer_node(self, node: Node, peer: Any) -> str | None:
        """Lab node owning ``peer`` as seen from ``node``: a WAN/DC address directly, an
        overlay address through the tunnel or link the node routes it over."""
        owner = self._address_owner.get(str(peer))
        if owner is not None or not isinstance(peer, IPv4Address) or not node.running:
            return owner
        hop = node.rib.resolve(peer)
        iface = node.interfaces.get(hop.interface) if hop is not None else None
        if iface is None:
            return None
        if iface.sa is not None:
            return self._address_owner.get(str(iface.sa.remote))
        far = self.fabric.peer(node.name, iface.name)
        return far[0].name if far is not None else None

    def truth(self) -> list[TruthEvent]:
        """Every ground-truth event so far, in order."""
        return list(self._truth.events)

    def node_status(self, name: str) -> dict[str, Any]:
        """A node's run state, injected failure, boot time and whether it answers the CLI."""
        node = self.node(name)
        state = "stopped" if not node.running else "frozen" if node.frozen else "running"
        return {
            "role": node.role, "state": state, "failure": self.failures.get(name),
            "blackholed": node.blackholed, "responsive": node.responsive, "booted": node.booted,
        }


def _link_addresses(config_text: str, interfaces: tuple[str, ...]) -> list[str]:
    """The IPv4 addresses the startup config gives the node's linked interfaces."""
    tree = ConfigTree.from_text(config_text)
    addresses: list[str] = []
    for line in tree.find("interface"):
        if line.words[1:2] and line.words[1] in interfaces:
            addresses += [c.words[2] for c in line.children_starting("ip", "address") if len(c.words) >= 4]
    return addresses
