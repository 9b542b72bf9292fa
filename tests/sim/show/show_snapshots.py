"""Realistic NodeSnapshots of the FlexVPN redundant-hub design (Cisco doc 116413) with the
project's address plan (src/flexlab/data/design.yaml): transport /30s from 100.64.0.0/16 (hub1
.2, hub2 .6, spoke1 .10, spoke2 .14, ISP the odd .1/.5/.9/.13), overlay 172.16.0.1 on
every hub's Loopback1, hub1's pool 172.16.1.0/24, summary 10.0.0.0/8.

- ``hub1``: both spokes on it (spoke2 failed over earlier): Virtual-Access1/2, two IKEv2
  SAs, dynamic BGP neighbours *172.16.1.1 and *172.16.1.2, iBGP to hub2 10.255.0.2.
- ``spoke1_up``: Tunnel1 up to hub1, one SA, BGP Established holding only the summary.
- ``spoke1_failover``: hub1 declared dead: Tunnel1 down, IKE_SA_INIT in progress with
  hub2, BGP Idle, IP SLA failing, NTP (hub1 is the master) lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from ipaddress import IPv4Address as A
from ipaddress import IPv4Network as N

from flexlab.sim.engine.images import IMAGES
from flexlab.sim.state import (
    BgpListenRange,
    BgpNeighborState,
    BgpPathState,
    BgpState,
    CryptoSessionState,
    FlexClientState,
    IkeSaState,
    InterfaceState,
    IpsecFlow,
    LogEntry,
    LoggingConfig,
    NodeSnapshot,
    NtpAssociationState,
    NtpState,
    PoolState,
    RouteState,
    SlaState,
    VersionInfo,
)

EPOCH = dt.datetime(2026, 11, 27, 9, 50, 0, tzinfo=dt.UTC)
NOW = 1553.627  # lab seconds: device clocks read about 10:15:53.627

# The image profiles the embedded lab plays (their `show version` facts).
IOL_17_12 = IMAGES["iol-17.12"].version
IOSV_15_9 = IMAGES["iosv-15.9"].version
CSR_17_3 = IMAGES["csr-17.3"].version

HUB1_WAN = A("100.64.0.2")
HUB2_WAN = A("100.64.0.6")
SPOKE1_WAN = A("100.64.0.10")
SPOKE2_WAN = A("100.64.0.14")
OVERLAY = A("172.16.0.1")
SPOKE1_TUNNEL = A("172.16.1.1")
SPOKE2_TUNNEL = A("172.16.1.2")


def _eth(name: str, address: str | None, prefixlen: int | None, description: str = "", up: bool = True,
         mac: str = "aabb.cc00.0110", packets: int = 0, last_packet: float | None = None) -> InterfaceState:
    return InterfaceState(
        name=name, kind="ethernet", admin_up=up, line_up=up, address=A(address) if address else None,
        prefixlen=prefixlen, method="NVRAM" if address else "unset", description=description, mac=mac,
        packets_in=packets, packets_out=packets, bytes_in=packets * 110, bytes_out=packets * 112,
        last_input=last_packet, last_output=last_packet,
    )


def _loopback(name: str, address: str, prefixlen: int, description: str) -> InterfaceState:
    return InterfaceState(
        name=name, kind="loopback", admin_up=True, line_up=True, address=A(address), prefixlen=prefixlen,
        method="NVRAM", description=description, mtu=1514, bandwidth_kbit=8000000, delay_usec=5000,
    )


def _flow(local: A, remote: A, packets: int) -> IpsecFlow:
    return IpsecFlow(f"{local}/255.255.255.255/47/0", f"{remote}/255.255.255.255/47/0", packets, packets + 3)


def _log(time: float, facility: str, severity: int, mnemonic: str, text: str) -> LogEntry:
    return LogEntry(time=time, facility=facility, severity=severity, mnemonic=mnemonic, text=text)


def _tunnel_up_logs(time: float, interface: str, peer: A) -> list[LogEntry]:
    return [
        _log(time, "LINK", 3, "UPDOWN", f"Interface {interface}, changed state to up"),
        _log(time + 0.004, "CRYPTO", 5, "IKEV2_SESSION_STATUS", f"Crypto tunnel v2 is UP.  Peer {peer}:500 Id: {peer}"),
        _log(time + 0.011, "LINEPROTO", 5, "UPDOWN", f"Line protocol on Interface {interface}, changed state to up"),
    ]


# ------------------------------------------------------------------------- hub1


def _hub_sa(tunnel_id: int, spoke_wan: A, spoke_tunnel: A, created: float) -> IkeSaState:
    return IkeSaState(
        tunnel_id=tunnel_id, local=HUB1_WAN, local_port=500, remote=spoke_wan, remote_port=500,
        status="READY", is_initiator=False, created=created, dpd_interval=30, dpd_retry=5,
        local_spi=f"9F1C2B3A4D5E6F{tunnel_id:02X}", remote_spi=f"1A2B3C4D5E6F70{tunnel_id:02X}",
        local_req_msg_id=0, remote_req_msg_id=tunnel_id + 1, local_next_msg_id=0,
        remote_next_msg_id=tunnel_id + 1, session_id=tunnel_id, remote_subnets=(N(f"{spoke_tunnel}/32"),),
    )


def hub1(version: VersionInfo = IOL_17_12) -> NodeSnapshot:
    sa1 = _hub_sa(1, SPOKE1_WAN, SPOKE1_TUNNEL, created=NOW - 1500)
    sa2 = _hub_sa(2, SPOKE2_WAN, SPOKE2_TUNNEL, created=NOW - 300)
    interfaces = (
        _eth("Ethernet0/0", None, None, up=False, mac="aabb.cc00.0100"),
        _eth("Ethernet0/1", "100.64.0.2", 30, "WAN to isp", packets=9421, last_packet=NOW - 1),
        _eth("Ethernet0/2", "10.255.0.1", 30, "DC link to hub2", mac="aabb.cc00.0120", packets=377,
             last_packet=NOW - 12),
        _loopback("Loopback0", "10.0.1.1", 24, "hub1 LAN"),
        _loopback("Loopback1", "172.16.0.1", 32, "FlexVPN overlay address, the same on every hub"),
        _virtual_access("Virtual-Access1", SPOKE1_WAN, NOW - 1500),
        _virtual_access("Virtual-Access2", SPOKE2_WAN, NOW - 300),
        InterfaceState(name="Virtual-Template1", kind="virtual-template", admin_up=True, line_up=False,
                       address=None, prefixlen=None, method="unset", unnumbered="Loopback1",
                       tunnel_source="Ethernet0/1", tunnel_protection="default", mtu=17878),
    )
    sessions = (
        CryptoSessionState("Virtual-Access1", "Flex_IKEv2", "UP-ACTIVE", SPOKE1_WAN, 500, NOW - 1500,
                           ike_sa=sa1, flows=(_flow(HUB1_WAN, SPOKE1_WAN, 1893),)),
        CryptoSessionState("Virtual-Access2", "Flex_IKEv2", "UP-ACTIVE", SPOKE2_WAN, 500, NOW - 300,
                           ike_sa=sa2, flows=(_flow(HUB1_WAN, SPOKE2_WAN, 371),)),
    )
    bgp = BgpState(
        router_id=A("10.0.1.1"), local_as=65001, table_version=11,
        neighbors=(
            BgpNeighborState(A("10.255.0.2"), 65001, False, "Established", NOW - 1520, 31, 35, 11, 2),
            BgpNeighborState(SPOKE1_TUNNEL, 65001, True, "Established", NOW - 1495, 29, 31, 11, 1, peer_group="Spokes"),
            BgpNeighborState(SPOKE2_TUNNEL, 65001, True, "Established", NOW - 295, 7, 8, 11, 1, peer_group="Spokes"),
        ),
        listen_ranges=(BgpListenRange("Spokes", N("172.16.0.0/16"), (SPOKE1_TUNNEL, SPOKE2_TUNNEL)),),
        paths=(
            BgpPathState(N("10.0.0.0/8"), A("0.0.0.0"), None, None, 32768, "", "i", best=True, atomic_aggregate=True),
            BgpPathState(N("10.0.0.0/8"), A("10.255.0.2"), None, 100, 0, "", "i", best=False, internal=True,
                         atomic_aggregate=True, from_neighbor=A("10.255.0.2")),
            BgpPathState(N("10.0.1.0/24"), A("0.0.0.0"), 0, None, 32768, "", "i", best=True, suppressed=True),
            BgpPathState(N("10.0.2.0/24"), A("10.255.0.2"), 0, 100, 0, "", "i", best=True, suppressed=True,
                         internal=True, from_neighbor=A("10.255.0.2")),
            BgpPathState(N("10.1.1.0/24"), SPOKE1_TUNNEL, 0, 100, 0, "", "i", best=True, suppressed=True,
                         internal=True, from_neighbor=SPOKE1_TUNNEL),
            BgpPathState(N("10.1.2.0/24"), SPOKE2_TUNNEL, 0, 100, 0, "", "i", best=True, suppressed=True,
                         internal=True, from_neighbor=SPOKE2_TUNNEL),
        ),
    )
    routes = (
        RouteState(N("0.0.0.0/0"), "S*", 1, 0, A("100.64.0.1"), None, 0.0),
        RouteState(N("10.0.0.0/8"), "B", 200, 0, None, "Null0", NOW - 1530),
        RouteState(N("10.0.1.0/24"), "C", None, None, None, "Loopback0", 0.0),
        RouteState(N("10.0.1.1/32"), "L", None, None, None, "Loopback0", 0.0),
        RouteState(N("10.0.2.0/24"), "B", 200, 0, A("10.255.0.2"), None, NOW - 1520),
        RouteState(N("10.1.1.0/24"), "B", 200, 0, SPOKE1_TUNNEL, None, NOW - 1494),
        RouteState(N("10.1.2.0/24"), "B", 200, 0, SPOKE2_TUNNEL, None, NOW - 294),
        RouteState(N("10.255.0.0/30"), "C", None, None, None, "Ethernet0/2", 0.0),
        RouteState(N("10.255.0.1/32"), "L", None, None, None, "Ethernet0/2", 0.0),
        RouteState(N("100.64.0.0/30"), "C", None, None, None, "Ethernet0/1", 0.0),
        RouteState(N("100.64.0.2/32"), "L", None, None, None, "Ethernet0/1", 0.0),
        RouteState(N("172.16.0.1/32"), "C", None, None, None, "Loopback1", 0.0),
        RouteState(N("172.16.1.1/32"), "S", 1, 0, None, "Virtual-Access1", NOW - 1500),
        RouteState(N("172.16.1.2/32"), "S", 1, 0, None, "Virtual-Access2", NOW - 300),
    )
    log = [
        _log(21.214, "SYS", 5, "CONFIG_I", "Configured from memory by console"),
        _log(28.031, "BGP", 5, "ADJCHANGE", "neighbor 10.255.0.2 Up "),
        *_tunnel_up_logs(NOW - 1500, "Virtual-Access1", SPOKE1_WAN),
        _log(NOW - 1495, "BGP", 5, "ADJCHANGE", f"neighbor *{SPOKE1_TUNNEL} Up "),
        *_tunnel_up_logs(NOW - 300, "Virtual-Access2", SPOKE2_WAN),
        _log(NOW - 295, "BGP", 5, "ADJCHANGE", f"neighbor *{SPOKE2_TUNNEL} Up "),
    ]
    return NodeSnapshot(
        hostname="hub1", version=version, now=NOW, booted=0.0, clock_offset=0.0, clock_synced=True,
        epoch=EPOCH, interfaces=interfaces, ike_sas=(sa1, sa2), crypto_sessions=sessions, bgp=bgp,
        routes=routes, log=tuple(log), logging=LoggingConfig(buffered_size=64000, console=False),
        pools=(PoolState("FlexSpokes", A("172.16.1.1"), A("172.16.1.254"), (SPOKE1_TUNNEL, SPOKE2_TUNNEL)),),
        ntp=NtpState(
            synchronized=True, stratum=3, reference="127.127.1.1", last_update=NOW - 9, root_dispersion_ms=2.31,
            poll_interval=16,
            associations=(NtpAssociationState(A("127.127.1.1"), ".LOCL.", 2, NOW - 9, poll=16, reach=0o377,
                                              dispersion_ms=1.204, selection="sys.peer"),),
        ),
    )


def _virtual_access(name: str, destination: A, since: float) -> InterfaceState:
    return InterfaceState(
        name=name, kind="virtual-access", admin_up=True, line_up=True, address=None, prefixlen=None,
        method="unset", unnumbered="Loopback1", mtu=17878, ip_mtu=1400, bandwidth_kbit=100, delay_usec=50000,
        tunnel_source="Ethernet0/1", tunnel_destination=str(destination), tunnel_protection="default",
        last_change=since, packets_in=400, packets_out=397, bytes_in=48000, bytes_out=47640,
        last_input=NOW - 2, last_output=NOW - 2,
    )


# ------------------------------------------------------------------------- spoke1


def _spoke_interfaces(tunnel_up: bool) -> tuple[InterfaceState, ...]:
    tunnel = InterfaceState(
        name="Tunnel1", kind="tunnel", admin_up=True, line_up=tunnel_up,
        address=SPOKE1_TUNNEL if tunnel_up else None, prefixlen=32 if tunnel_up else None,
        method="NVRAM", description="FlexVPN tunnel", mtu=17862, ip_mtu=1400, bandwidth_kbit=100,
        delay_usec=20000, tunnel_source="Ethernet0/1", tunnel_destination=str(HUB1_WAN) if tunnel_up else "dynamic",
        tunnel_protection="default", last_change=NOW - 1500 if tunnel_up else NOW - 40,
        packets_in=1893, packets_out=1896, bytes_in=170370, bytes_out=170640,
        last_input=NOW - 2 if tunnel_up else NOW - 75, last_output=NOW - 2 if tunnel_up else NOW - 41,
    )
    return (
        _eth("Ethernet0/0", None, None, up=False, mac="aabb.cc00.0300"),
        _eth("Ethernet0/1", "100.64.0.10", 30, "WAN to isp", mac="aabb.cc00.0310", packets=2411, last_packet=NOW - 1),
        _loopback("Loopback1", "10.1.1.1", 24, "spoke1 LAN"),
        tunnel,
        InterfaceState(name="Virtual-Template1", kind="virtual-template", admin_up=True, line_up=False,
                       address=None, prefixlen=None, method="unset", unnumbered="Tunnel1",
                       tunnel_protection="default", mtu=17878),
    )


def _spoke_sa(status: str, remote: A, created: float) -> IkeSaState:
    ready = status == "READY"
    return IkeSaState(
        tunnel_id=1, local=SPOKE1_WAN, local_port=500, remote=remote, remote_port=500, status=status,
        is_initiator=True, created=created, dpd_interval=30, dpd_retry=5,
        local_spi="1A2B3C4D5E6F7001", remote_spi="9F1C2B3A4D5E6F01" if ready else "0000000000000000",
        local_req_msg_id=2, remote_req_msg_id=0, local_next_msg_id=2, remote_next_msg_id=0, session_id=1,
        assigned_address=SPOKE1_TUNNEL if ready else None,
        remote_subnets=(N(f"{OVERLAY}/32"),) if ready else (),
    )


def _spoke_common(version: VersionInfo) -> dict[str, object]:
    return dict(hostname="spoke1", version=version, now=NOW, booted=0.0, epoch=EPOCH,
                logging=LoggingConfig(buffered_size=64000, console=False))


def spoke1_up(version: VersionInfo = IOL_17_12) -> NodeSnapshot:
    sa = _spoke_sa("READY", HUB1_WAN, NOW - 1500)
    bgp = BgpState(
        router_id=A("10.1.1.1"), local_as=65001, table_version=5,
        neighbors=(BgpNeighborState(OVERLAY, 65001, False, "Established", NOW - 1495, 30, 29, 5, 1),),
        listen_ranges=(),
        paths=(
            BgpPathState(N("10.0.0.0/8"), OVERLAY, None, 100, 0, "", "i", best=True, internal=True,
                         atomic_aggregate=True, from_neighbor=OVERLAY),
            BgpPathState(N("10.1.1.0/24"), A("0.0.0.0"), 0, None, 32768, "", "i", best=True),
        ),
    )
    routes = (
        RouteState(N("0.0.0.0/0"), "S*", 1, 0, A("100.64.0.9"), None, 0.0),
        RouteState(N("10.0.0.0/8"), "B", 200, 0, OVERLAY, None, NOW - 1475),
        RouteState(N("10.1.1.0/24"), "C", None, None, None, "Loopback1", 0.0),
        RouteState(N("10.1.1.1/32"), "L", None, None, None, "Loopback1", 0.0),
        RouteState(N("100.64.0.8/30"), "C", None, None, None, "Ethernet0/1", 0.0),
        RouteState(N("100.64.0.10/32"), "L", None, None, None, "Ethernet0/1", 0.0),
        RouteState(N("172.16.0.1/32"), "S", 1, 0, None, "Tunnel1", NOW - 1500),
        RouteState(N("172.16.1.1/32"), "C", None, None, None, "Tunnel1", NOW - 1500),
    )
    log = [
        _log(20.871, "SYS", 5, "CONFIG_I", "Configured from memory by console"),
        _log(NOW - 1500, "CRYPTO", 5, "IKEV2_SESSION_STATUS",
             f"Crypto tunnel v2 is UP.  Peer {HUB1_WAN}:500 Id: {HUB1_WAN}"),
        _log(NOW - 1499.98, "FLEXVPN", 6, "FLEXVPN_CONNECTION_UP",
             f"FlexVPN(Flex_Client) Client_public_addr = {SPOKE1_WAN} Server_public_addr = {HUB1_WAN} "
             f"Assigned_Tunnel_v4_addr = {SPOKE1_TUNNEL}"),
        _log(NOW - 1499.97, "LINEPROTO", 5, "UPDOWN", "Line protocol on Interface Tunnel1, changed state to up"),
        _log(NOW - 1495, "BGP", 5, "ADJCHANGE", f"neighbor {OVERLAY} Up "),
    ]
    return NodeSnapshot(
        **_spoke_common(version), clock_offset=0.0004, clock_synced=True,
        interfaces=_spoke_interfaces(tunnel_up=True), ike_sas=(sa,),
        crypto_sessions=(CryptoSessionState("Tunnel1", "Flex_IKEv2", "UP-ACTIVE", HUB1_WAN, 500, NOW - 1500,
                                            ike_sa=sa, flows=(_flow(SPOKE1_WAN, HUB1_WAN, 1896),)),),
        flex_clients=(FlexClientState("Flex_Client", "ACTIVE", HUB1_WAN, "Ethernet0/1", "Tunnel1", SPOKE1_TUNNEL,
                                      peers=((1, HUB1_WAN), (2, HUB2_WAN))),),
        bgp=bgp, routes=routes, log=tuple(log),
        slas=(SlaState(10, "icmp-echo", OVERLAY, "Loopback1", 5, 15.0, NOW - 3.627, 1, True, 301, 3),),
        ntp=NtpState(
            synchronized=True, stratum=4, reference=str(HUB1_WAN), last_update=NOW - 25, root_delay_ms=1.0,
            root_dispersion_ms=3.45,
            associations=(NtpAssociationState(HUB1_WAN, "127.127.1.1", 3, NOW - 25, reach=0o377, delay_ms=1.0,
                                              offset_ms=0.5, dispersion_ms=1.938, selection="sys.peer"),),
        ),
    )


def spoke1_failover(version: VersionInfo = IOL_17_12) -> NodeSnapshot:
    """40 s after DPD declared hub1 dead; the client is negotiating with hub2."""
    up = spoke1_up(version)
    sa = _spoke_sa("IN-NEG", HUB2_WAN, NOW - 1)
    down_at = NOW - 40
    failover_log = [
        _log(down_at, "CRYPTO", 5, "IKEV2_SESSION_STATUS",
             f"Crypto tunnel v2 is DOWN.  Peer {HUB1_WAN}:500 Id: {HUB1_WAN}"),
        _log(down_at + 0.002, "FLEXVPN", 6, "FLEXVPN_CONNECTION_DOWN",
             f"FlexVPN(Flex_Client) Client_public_addr = {SPOKE1_WAN} Server_public_addr = {HUB1_WAN}"),
        _log(down_at + 0.004, "LINEPROTO", 5, "UPDOWN", "Line protocol on Interface Tunnel1, changed state to down"),
        _log(down_at + 0.006, "BGP", 5, "NBR_RESET", f"Neighbor {OVERLAY} reset (Interface flap)"),
        _log(down_at + 0.008, "BGP", 5, "ADJCHANGE", f"neighbor {OVERLAY} Down Interface flap"),
    ]
    bgp = replace(
        up.bgp,
        table_version=7,
        neighbors=(BgpNeighborState(OVERLAY, 65001, False, "Idle", down_at, 0, 0, 1, 0),),
        paths=tuple(p for p in up.bgp.paths if p.from_neighbor is None),
    )
    return replace(
        up, clock_offset=0.31, clock_synced=False,
        interfaces=_spoke_interfaces(tunnel_up=False), ike_sas=(sa,),
        crypto_sessions=(CryptoSessionState("Tunnel1", "Flex_IKEv2", "DOWN-NEGOTIATING", HUB2_WAN, 500, NOW - 1,
                                            ike_sa=sa,
                                            flows=(IpsecFlow(f"{SPOKE1_WAN}/255.255.255.255/47/0",
                                                             f"{HUB2_WAN}/255.255.255.255/47/0", 0, 0, 0),)),),
        flex_clients=(replace(up.flex_clients[0], state="CONNECTING", peer=HUB2_WAN, assigned_address=None),),
        bgp=bgp,
        routes=tuple(r for r in up.routes if r.interface != "Tunnel1" and r.code != "B"),
        log=tuple(
            [replace(e, synced=True, stamp=up.device_time(e.time)) for e in up.log]
            + failover_log
        ),
        slas=(replace(up.slas[0], latest_start=NOW - 3.627, latest_rtt_ms=None, latest_ok=False, failures=11),),
        ntp=NtpState(
            synchronized=False, stratum=16, reference=None, last_update=NOW - 265,
            associations=(NtpAssociationState(HUB1_WAN, "127.127.1.1", 3, NOW - 265, reach=0o1, delay_ms=1.0,
                                              offset_ms=0.5, dispersion_ms=15937.0, selection="none"),),
        ),
    )
