"""Interfaces of one node: configured ones (from the config views) plus dynamic
Virtual-AccessN interfaces cloned from a Virtual-Template for IKEv2 sessions.

Line protocol: loopback = admin up; ethernet = admin up and carrier (far end present, its
node running and its interface not shut down); tunnel / Virtual-Access = admin up, an
IPsec SA attached and the tunnel source interface up; Virtual-Template = always down (a
template never carries traffic). Transitions are logged like IOS does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from flexlab.sim.engine import syslog
from flexlab.sim.engine.views import IfKind, InterfaceView

if TYPE_CHECKING:
    from flexlab.sim.engine.ikev2 import IkeSa

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network


class Iface:
    """Runtime state of one interface."""

    def __init__(self, view: InterfaceView, created: float) -> None:
        self.name = view.name
        self.kind: IfKind = view.kind
        self.view = view
        self.admin_up = False
        self.link_up = False
        self.line_up = False
        self.known = False              # state logged at least once (boot)
        self.manual = False             # address changed after boot (`show ip int brief` Method)
        self.last_change = created
        self.packets_in = self.packets_out = self.bytes_in = self.bytes_out = 0
        self.last_input: float | None = None
        self.last_output: float | None = None
        self.sa: IkeSa | None = None
        self.negotiated: ipaddress.IPv4Interface | None = None
        self.pushed: tuple[IPv4Network, ...] = ()   # IKEv2-pushed routes via this interface
        self.template: str | None = None            # Virtual-Access: its Virtual-Template

    @property
    def address(self) -> ipaddress.IPv4Interface | None:
        """The interface's IPv4 address: configured, else negotiated (`ip address negotiated` via FlexVPN)."""
        return self.view.address or self.negotiated

    def count_out(self, size: int, now: float) -> None:
        """Count one sent packet of ``size`` bytes (`show interfaces` output counters, "Last output")."""
        self.packets_out += 1
        self.bytes_out += size
        self.last_output = now

    def count_in(self, size: int, now: float) -> None:
        """Count one received packet of ``size`` bytes (`show interfaces` input counters, "Last input")."""
        self.packets_in += 1
        self.bytes_in += size
        self.last_input = now


class InterfaceTable:
    """Interfaces of one node: configured ones plus Virtual-Access clones, and the node's local addresses."""
    def __init__(
        self,
        now: Callable[[], float],
        log: Callable[[syslog.Message], None],
        carrier: Callable[[str], bool],
        on_admin_change: Callable[[str, bool], None] | None = None,
    ) -> None:
        self._ifaces: dict[str, Iface] = {}
        self._now = now
        self._log = log
        self._carrier = carrier
        self._on_admin_change = on_admin_change
        self._local: dict[IPv4Address, str] = {}
        self._va_counter = 0

    # -- access ---------------------------------------------------------------------------
    def get(self, name: str | None) -> Iface | None:
        """The interface by IOS name, or None (also for a None name)."""
        return self._ifaces.get(name) if name else None

    def __iter__(self) -> Iterator[Iface]:
        return iter(list(self._ifaces.values()))

    def admin_up(self, name: str) -> bool:
        """Whether the interface exists and is not `shutdown`."""
        iface = self._ifaces.get(name)
        return iface is not None and iface.admin_up

    def is_local(self, address: IPv4Address) -> bool:
        """Whether ``address`` is one of this node's own interface addresses."""
        return address in self._local

    def local_addresses(self) -> dict[IPv4Address, str]:
        """The node's own addresses, each mapped to the interface that holds it."""
        return self._local

    def ip_of(self, name: str | None) -> IPv4Address | None:
        """The interface's own address, or that of its `ip unnumbered` interface."""
        iface = self.get(name)
        if iface is None:
            return None
        if iface.address is not None:
            return iface.address.ip
        unnumbered = iface.view.unnumbered
        if unnumbered is None and iface.template:
            unnumbered = self._ifaces[iface.template].view.unnumbered if iface.template in self._ifaces else None
        if unnumbered and unnumbered != iface.name:
            target = self.get(unnumbered)
            if target is not None and target.address is not None:
                return target.address.ip
        return None

    # -- configuration --------------------------------------------------------------------
    def apply(self, views: dict[str, InterfaceView]) -> list[str]:
        """Create/update configured interfaces; returns the names of removed ones."""
        removed = []
        for name, iface in list(self._ifaces.items()):
            if iface.kind != "virtual-access" and name not in views:
                removed.append(name)
                del self._ifaces[name]
        for name, view in views.items():
            existing = self._ifaces.get(name)
            if existing is None:
                self._ifaces[name] = Iface(view, self._now())
            else:
                if view.address != existing.view.address:
                    existing.manual = True
                existing.view = view
        return removed

    def create_virtual_access(self, template: str) -> Iface:
        """Virtual-AccessN (N increasing per boot) cloned from ``template``."""
        self._va_counter += 1
        name = f"Virtual-Access{self._va_counter}"
        vt = self._ifaces.get(template)
        base = vt.view if vt is not None else InterfaceView(template, "virtual-template", False, None)
        view = InterfaceView(
            name=name, kind="virtual-access", shutdown=False, address=None, unnumbered=base.unnumbered,
            ip_mtu=base.ip_mtu, tunnel_source=base.tunnel_source, tunnel_protection=base.tunnel_protection,
        )
        iface = Iface(view, self._now())
        iface.template = template
        self._ifaces[name] = iface
        return iface

    def remove(self, name: str) -> Iface | None:
        """Remove an interface (a Virtual-Access whose SA ended) and return it."""
        return self._ifaces.pop(name, None)

    # -- state ----------------------------------------------------------------------------
    def _line(self, iface: Iface) -> tuple[bool, bool, bool]:
        """(admin, link, line) as the interface's configuration and surroundings say."""
        admin = not iface.view.shutdown
        kind = iface.kind
        if kind == "loopback" or kind == "null":
            return admin, admin, admin
        if kind == "ethernet":
            link = admin and self._carrier(iface.name)
            return admin, link, link
        if kind == "virtual-template":
            return admin, admin, False
        source = self.get(iface.view.tunnel_source)
        source_up = source is not None and source.line_up
        return admin, admin, admin and iface.sa is not None and source_up

    def refresh(self) -> list[Iface]:
        """Recompute every interface's state; log and return those whose line changed."""
        changed: list[Iface] = []
        # physical/loopback first: tunnels depend on their source interfaces
        ordered = sorted(self._ifaces.values(), key=lambda i: i.kind in ("tunnel", "virtual-access"))
        for iface in ordered:
            admin, link, line = self._line(iface)
            if iface.known and (admin, link, line) == (iface.admin_up, iface.link_up, iface.line_up):
                continue
            self._log_transition(iface, admin, link, line)
            line_changed = line != iface.line_up or not iface.known
            iface.admin_up, iface.link_up, iface.line_up, iface.known = admin, link, line, True
            if line_changed:
                iface.last_change = self._now()
                changed.append(iface)
        self._local = {
            i.address.ip: i.name for i in self._ifaces.values() if i.line_up and i.address is not None
        }
        return changed

    def _log_transition(self, iface: Iface, admin: bool, link: bool, line: bool) -> None:
        if iface.kind == "virtual-template":
            return  # templates are not logged
        name = iface.name
        logical = iface.kind in ("tunnel", "virtual-access", "virtual-template")
        if iface.known and admin != iface.admin_up and self._on_admin_change is not None:
            self._on_admin_change(name, admin)
        if iface.known and iface.admin_up and not admin:
            self._log(syslog.link_admin_down(name))
            if iface.line_up:
                self._log(syslog.lineproto(name, False))
            return
        if not admin:
            if not iface.known:
                self._log(syslog.link_admin_down(name))
            return
        link_changed = not iface.known or link != iface.link_up or not iface.admin_up
        if link_changed and not (logical and iface.known) and (link or iface.known):
            self._log(syslog.link_updown(name, link))
        if line != iface.line_up and (iface.known or line):
            self._log(syslog.lineproto(name, line))
