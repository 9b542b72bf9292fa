"""Exec patterns of the show commands the standard tools need (NAPALM, Genie `learn`,
ntc-templates); rendered by :mod:`flexlab.sim.show.tool_commands`."""

from __future__ import annotations

_NEIGHBOR_VIEW = "[{ipv4} [(advertised-routes|routes|received-routes)]]"

TOOL_SHOWS: tuple[str, ...] = (
    f"show ip bgp neighbors {_NEIGHBOR_VIEW}",
    "show bgp ipv4 unicast [(summary|{ipv4} [{mask}]|{prefix})]",
    f"show bgp ipv4 unicast neighbors {_NEIGHBOR_VIEW}",
    f"show bgp all neighbors {_NEIGHBOR_VIEW}",
    "show bgp all [detail]",
    "show bgp summary",
    "show crypto ipsec sa [peer {ipv4}] [detail]",
    "show ip interface [{if}]",
    "show interfaces description",
    "show ip route ({ipv4} [{mask}]|summary)",
    "show ip protocols",
    "show ip arp",
    "show arp",
    "show cdp neighbors [detail]",
    "show inventory",
    "show processes cpu [sorted [(5sec|1min|5min)]]",
)
