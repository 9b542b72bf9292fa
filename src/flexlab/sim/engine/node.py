"""One simulated router: implements :class:`flexlab.sim.device_api.SimDevice`.

The node owns its running configuration (a ConfigTree the CLI edits in place), its
startup configuration (``write memory``), and the protocol state derived from them:
interfaces, routing table, IKEv2/FlexVPN, BGP, IP SLA, NTP and the logging buffer. All of
it lives on the lab clock; every timer is owned by the node, so a stop discards them and a
freeze holds them until the node resumes.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flexlab.iosconfig import ConfigTree
from flexlab.sim.engine import syslog, views
from flexlab.sim.engine.bgp import BgpSpeaker
from flexlab.sim.engine.cpu import NodeCpu
from flexlab.sim.engine.echo import EchoService
from flexlab.sim.engine.flexvpn import FlexManager
from flexlab.sim.engine.hardware import install_interfaces, startup_interfaces
from flexlab.sim.engine.ifaces import Iface, InterfaceTable
from flexlab.sim.engine.ikev2 import IkeManager
from flexlab.sim.engine.ntp import NtpClient
from flexlab.sim.engine.password_hash import verify_secret
from flexlab.sim.engine.rib import Rib, Route
from flexlab.sim.engine.scheduler import Gate, Timer
from flexlab.sim.engine.sla import SlaManager
from flexlab.sim.engine.underlay import Packet
from flexlab.sim.engine.views_bgp import bgp_view, policy_view
from flexlab.sim.engine.views_crypto import CryptoView, crypto_view
from flexlab.sim.platforms import Platform, platform_for
from flexlab.sim.state import LoggingConfig, NodeSnapshot

if TYPE_CHECKING:
    from flexlab.sim.engine.lab import Lab

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network


@dataclass(frozen=True)
class NodeViews:
    """Every typed view of the running config, parsed once per reconcile."""

    interfaces: dict[str, views.InterfaceView]
    statics: list[views.StaticRouteView]
    crypto: CryptoView
    logging: LoggingConfig
    ntp: views.NtpView
    slas: dict[int, views.SlaView]
    tracks: dict[int, views.TrackView]

    @classmethod
    def parse(cls, tree: ConfigTree) -> NodeViews:
        """Parse every view from one running-config tree."""
        return cls(
            views.interfaces(tree), views.static_routes(tree), crypto_view(tree), views.logging_view(tree),
            views.ntp_view(tree), views.slas(tree), views.tracks(tree),
        )


class Node:
    """One router: its running config, protocol processes, interfaces, clock offset and log buffer."""
    def __init__(self, lab: Lab, name: str, role: str, boot_text: str) -> None:
        self.lab = lab
        self.name = name
        self.role = role
        self._platform: Platform | None = None
        self.startup_text = boot_text
        self.generation = 0
        self.running = False
        self.frozen = False
        self.blackholed = False
        self.booted = 0.0
        self.boots = 0
        self.rng = random.Random(f"{lab.seed}/{self.name}")
        # boot offset and timer phases: own stream, so they leave SPIs, serials and offsets as they were
        self.phases = random.Random(f"{lab.seed}/{self.name}/phases")
        spread = lab.timing.boot_spread_s
        # the core (ISP, hubs) comes up first, then the spokes, each at its own instant
        self.boot_offset = self.phases.uniform(0.0, spread) + (spread if role == "spoke" else 0.0)
        self.own_offset = self.rng.uniform(-1.0, 1.0) * lab.timing.clock_offset_max_s
        self.clock_offset = self.own_offset
        self.clock_synced = False
        self.serial = str(self.rng.randrange(100_000_000, 999_999_999))
        self._config = ConfigTree()
        self._deferred: list[Timer] = []
        self._loading = False
        self._reconcile_timer: Timer | None = None
        self.config_modified = False    # running config changed since boot or `write memory`
        self.reload_listeners: list[Callable[[], None]] = []   # told when `reload` drops the sessions
        self.logbuf = syslog.LogBuffer()
        self.cpu = NodeCpu()
        self._build_state()

    # -- SimDevice ------------------------------------------------------------------------
    @property
    def hostname(self) -> str:
        """The configured `hostname`, else the topology node name."""
        return views.hostname(self._config, self.name)

    @property
    def config(self) -> ConfigTree:
        """The running-config tree (read-only use; change it through the config session)."""
        return self._config

    @property
    def platform(self) -> Platform:
        """The hardware ports of this node's kind (the CLI refuses others)."""
        if self._platform is None:
            self._platform = platform_for(self.lab.kind, self.lab.data_interfaces(self.name))
        return self._platform

    @property
    def responsive(self) -> bool:
        """Whether the router answers (running and not frozen)."""
        return self.running and not self.frozen

    def check_login(self, username: str, password: str) -> bool:
        """Whether a `username` line accepts this password (VTY `login local`)."""
        user = views.users(self._config).get(username)
        return user is not None and _secret_matches(user.encryption, user.secret, password)

    def check_enable(self, password: str) -> bool:
        """Whether ``password`` opens privileged EXEC; with neither `enable secret` nor `enable password` any does."""
        secret = views.enable_secret(self._config)
        return secret is None or _secret_matches(secret[0], secret[1], password)

    def config_changed(self) -> None:
        """Re-read the config on the lab clock (coalesced: one reconcile per instant)."""
        if self._loading or not self.running:
            return
        self.config_modified = True
        self.lab.sync()  # real-time mode: the change happens at the wall-mapped instant
        if self._reconcile_timer is None or not self._reconcile_timer.pending:
            self._reconcile_timer = self.after(0.0, self.reconcile)

    def snapshot(self) -> NodeSnapshot:
        """The read model the show commands render, after processing due events."""
        from flexlab.sim.engine.snapshot import build_snapshot

        self.lab.sync()
        return build_snapshot(self)

    def clear(self, words: list[str]) -> str:
        """Run a `clear ...` command (words after `clear`) and return its output."""
        from flexlab.sim.engine.commands import run_clear

        self.lab.sync()
        return run_clear(self, words)

    def log_message(self, message: syslog.Message) -> None:
        """A syslog message the CLI raises (%SYS-5-CONFIG_I), stamped now."""
        self.lab.sync()
        self.log(message)

    def probes(self, request: Any) -> Any:
        """A `ping`/`traceroute` run (engine/ping.py); raises ProbeError for a bad source."""
        from flexlab.sim.engine.ping import start_probes

        self.lab.sync()
        return start_probes(self, request)

    def exec_cpu(self) -> AbstractContextManager[None]:
        """Wrap one CLI command: its own time is charged to `Virtual Exec` (engine/cpu.py)."""
        return self.lab.cpu_meter.exec_work(self)

    def write_memory(self) -> None:
        """`write memory`: the running config becomes the startup config."""
        self.startup_text = self._config.render()
        self.config_modified = False

    @property
    def startup_config(self) -> ConfigTree:
        """What `show startup-config` shows: the config the node booted from or last saved."""
        return ConfigTree.from_text(self.startup_text)

    def reload(self) -> None:
        """`reload` (engine/reload.py): sessions drop, the node is down for the image's
        boot time, then boots from its startup config."""
        from flexlab.sim.engine.reload import reload_node

        self.lab.sync()
        reload_node(self)

    # -- clock, timers, logging -----------------------------------------------------------
    def now(self) -> float:
        """The current lab time in seconds (scheduler time, not the node's clock)."""
        return self.lab.scheduler.now

    def after(self, delay: float, fn: Callable[..., Any], *args: Any) -> Timer:
        """Schedule ``fn`` in ``delay`` lab seconds, owned by this node (dropped if it stops, held while frozen)."""
        return self.lab.scheduler.after(delay, fn, *args, owner=self)

    def at(self, time: float, fn: Callable[..., Any], *args: Any) -> Timer:
        """Schedule ``fn`` at lab time ``time``, owned by this node."""
        return self.lab.scheduler.at(time, fn, *args, owner=self)

    def timer_gate(self, timer: Timer) -> Gate:
        """What the scheduler does with this node's due timer: drop when stopped, defer when frozen, else run."""
        if not self.running:
            return "drop"
        if self.frozen:
            self._deferred.append(timer)
            return "defer"
        return "run"

    def device_time(self, t: float | None = None) -> Any:
        """The node's clock (UTC plus its offset) at lab time ``t``, default now."""
        return self.lab.clock.to_datetime(self.now() if t is None else t, self.clock_offset)

    def log(self, message: syslog.Message) -> None:
        """Add a syslog message to the buffer, stamped with the node's clock."""
        self.logbuf.add(self.now(), message, synced=self.clock_synced, stamp=self.device_time())

    def truth(self, kind: str, peer: Any = None, **detail: Any) -> None:
        """Record a ground-truth event of ``kind`` on this node (see Lab.record_truth)."""
        self.lab.record_truth(self, kind, peer, detail)

    @property
    def timing(self) -> Any:
        """The image's timing parameters (lab seconds), shared by every node of the lab."""
        return self.lab.timing

    def phase(self, period: float) -> float:
        """A seeded random instant in [0, period): where a periodic timer of this node starts."""
        return self.phases.uniform(0.0, period) if period > 0 else 0.0

    # -- lifecycle ------------------------------------------------------------------------
    def _build_state(self) -> None:
        self.interfaces = InterfaceTable(
            self.now, self.log, lambda ifname: self.lab.fabric.carrier(self.name, ifname),
            on_admin_change=lambda ifname, up: self.truth(
                "interface-admin-up" if up else "interface-admin-down", None, interface=ifname),
        )
        self.rib = Rib(self._rib_changed)
        self.views = NodeViews.parse(ConfigTree())
        self.ike = IkeManager(self)
        self.flex = FlexManager(self)
        self.bgp = BgpSpeaker(self)
        self.echo = EchoService(self)
        self.sla = SlaManager(self)
        self.ntp = NtpClient(self)

    def boot(self) -> list[Any]:
        """Boot from the startup config at the current lab instant; returns loader errors."""
        self.generation += 1
        self.boots += 1
        self.running, self.frozen = True, False
        self._deferred.clear()
        self.booted = self.now()
        self.clock_offset, self.clock_synced = self.own_offset, False
        self.logbuf = syslog.LogBuffer()
        self.cpu = NodeCpu()
        self._config = ConfigTree()
        self._build_state()
        self._loading = True
        try:
            install_interfaces(self._config, self.platform, startup_interfaces(self.startup_text))
            errors = self.lab.config_loader(self, self.startup_text)
            install_interfaces(self._config, self.platform)
        finally:
            self._loading = False
        self.startup_text = self._config.render()   # NVRAM holds IOS's own form (secrets hashed)
        self.config_modified = False
        self.log(syslog.sys_restart())
        self.reconcile()
        self.lab.refresh_link_peers(self)
        return list(errors or [])

    def stop(self) -> None:
        """Power off: every timer and all protocol state are gone; links go down."""
        self.running = False
        self.frozen = False
        self.generation += 1
        self._deferred.clear()
        self._build_state()
        self.lab.refresh_link_peers(self)

    def freeze(self) -> None:
        """Hang the router: timers are deferred, packets dropped, the CLI stops answering."""
        self.frozen = True

    def unfreeze(self) -> None:
        """Resume: overdue timers fire now, in their original order."""
        self.frozen = False
        deferred, self._deferred = self._deferred, []
        for timer in sorted(deferred, key=lambda t: t.time):
            self.lab.scheduler.rearm(timer, self.now())

    @property
    def forwarding(self) -> bool:
        """Whether the router forwards packets (running and not frozen)."""
        return self.running and not self.frozen

    # -- configuration ---------------------------------------------------------------------
    def reconcile(self) -> None:
        """Re-read the running config and bring every subsystem in line with it."""
        self.views = v = NodeViews.parse(self._config)
        self.logbuf.configure(v.logging.buffered_size, v.logging.buffered_level)
        admin_before = {i.name: i.admin_up for i in self.interfaces if i.kind == "ethernet"}
        removed = self.interfaces.apply(v.interfaces)
        self.update_interfaces(removed=set(removed))
        if any(i.admin_up != admin_before.get(i.name) for i in self.interfaces if i.kind == "ethernet"):
            self.lab.refresh_link_peers(self)
        self.ike.apply(v.crypto)
        self.bgp.apply(bgp_view(self._config), policy_view(self._config))
        self.sla.apply(v.slas, v.tracks)
        self.flex.apply(v.crypto.flex_clients)
        self.ntp.apply(v.ntp)

    # -- interfaces and routes ---------------------------------------------------------------
    def update_interfaces(self, removed: set[str] | None = None) -> list[Iface]:
        """Recompute line states; on change refresh connected/IKE/static routes and tell
        the protocols (BGP resets sessions whose interface or local address vanished)."""
        changed = self.interfaces.refresh()
        if changed or removed:
            self._sync_routes()
            self.bgp.interfaces_changed(removed or set())
            self.sla.interfaces_changed()
            self.flex.interfaces_changed()
        return changed

    def _sync_routes(self) -> None:
        now = self.now()
        connected: dict[IPv4Network, Route] = {}
        pushed: dict[IPv4Network, Route] = {}
        for iface in self.interfaces:
            if not iface.line_up:
                continue
            address = iface.address
            if address is not None:
                net = address.network
                old = self.rib.get(net)
                since = old.since if old is not None and old.interface == iface.name else now
                connected[net] = Route(net, "C", 0, 0, None, iface.name, since, "connected")
                if net.prefixlen < 32:
                    host = IPv4Network(f"{address.ip}/32")
                    connected[host] = Route(host, "L", 0, 0, None, iface.name, since, "connected")
            for prefix in iface.pushed:
                old = self.rib.get(prefix)
                since = old.since if old is not None and old.interface == iface.name else now
                pushed[prefix] = Route(prefix, "S", 1, 0, None, iface.name, since, "ike")
        self.rib.replace_source("connected", connected)
        self.rib.replace_source("ike", pushed)
        self._sync_static(now)

    def _sync_static(self, now: float) -> None:
        statics: dict[IPv4Network, Route] = {}
        for view in self.views.statics:
            route = self._static_route(view, now)
            if route is not None and (view.prefix not in statics or route.distance < statics[view.prefix].distance):
                statics[view.prefix] = route
        self.rib.replace_source("static", statics)

    def _static_route(self, view: views.StaticRouteView, now: float) -> Route | None:
        code = "S*" if view.prefix.prefixlen == 0 else "S"
        if view.interface is not None:
            if view.interface.lower().startswith("null"):
                return Route(view.prefix, code, view.distance, 0, None, "Null0", now, "static")
            iface = self.interfaces.get(view.interface)
            if iface is None or not iface.line_up:
                return None
        elif view.next_hop is not None:
            via = self.rib.lookup(view.next_hop, igp_only=True)
            if via is None or via.source == "static" or via.interface is None:
                return None
        old = self.rib.get(view.prefix)
        since = old.since if old is not None and old.source == "static" else now
        return Route(view.prefix, code, view.distance, 0, view.next_hop, view.interface, since, "static")

    def _rib_changed(self, prefix: IPv4Network, igp_changed: bool) -> None:
        if igp_changed:
            self.bgp.schedule_scan()

    # -- packets ---------------------------------------------------------------------------
    def send(self, packet: Packet) -> bool:
        """Put a packet on the fabric from this node; True when it reaches its destination, False if dropped."""
        return self.lab.fabric.transmit(self, packet)

    def schedule_arrival(self, packet: Packet, latency: float) -> None:
        """Deliver a packet after ``latency`` lab seconds (dropped if the node reboots meanwhile)."""
        if latency <= 0.0:
            self.receive(packet)
        else:
            self.lab.scheduler.after(latency, self._arrive, packet, self.generation)

    def _arrive(self, packet: Packet, generation: int) -> None:
        if generation == self.generation and self.forwarding:
            self.receive(packet)

    def receive(self, packet: Packet) -> None:
        """A packet for this router: ESP is decrypted and forwarded, the rest goes to its protocol."""
        proto = packet.proto
        if proto == "esp":
            inner = self.ike.decapsulate(packet)
            if inner is not None:
                self.lab.fabric.transmit(self, inner)
        elif proto == "icmp":
            self._icmp(packet)
        elif proto == "ike":
            self.ike.receive(packet)
        elif proto == "tcp":
            self.bgp.receive(packet)
        elif proto == "ntp":
            self.ntp.receive(packet)

    def _icmp(self, packet: Packet) -> None:
        kind = packet.payload[0]
        if kind == "echo":
            self.send(Packet(packet.dst, packet.src, "icmp", ("reply",) + tuple(packet.payload[1:]), packet.size))
        else:
            self.echo.on_icmp(packet)

    def source_for(self, destination: IPv4Address) -> tuple[IPv4Address, str] | None:
        """Source address and egress interface for a locally generated packet."""
        hop = self.rib.resolve(destination)
        if hop is None:
            return None
        address = self.interfaces.ip_of(hop.interface)
        return (address, hop.interface) if address is not None else None


def _decode_type7(encoded: str) -> str | None:
    key = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"
    try:
        seed = int(encoded[:2])
        data = bytes.fromhex(encoded[2:])
    except ValueError:
        return None
    return "".join(chr(b ^ ord(key[(seed + i) % len(key)])) for i, b in enumerate(data))


def _secret_matches(encryption: int, stored: str, given: str) -> bool:
    """Plain-text (type 0), type 7, and type 8/9 hashes are checked; type 5 (MD5-crypt)
    is compared literally."""
    if encryption == 7:
        return _decode_type7(stored) == given
    if encryption in (8, 9):
        return verify_secret(encryption, stored, given)
    return stored == given
