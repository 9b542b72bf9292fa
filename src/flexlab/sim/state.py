"""Read model of one simulated router, as the show-command renderers see it.

The protocol engine (``sim/engine``) builds a :class:`NodeSnapshot` from its live state on
demand; the renderers (``sim/show``) turn a snapshot into IOS text. This contract keeps
the two apart: renderers never touch protocol internals and the engine never formats text.

Times: ``*_since`` fields and ``NodeSnapshot.now`` are simulated seconds on the lab clock
(float). ``NodeSnapshot.device_time(t)`` converts a lab instant into the datetime this
device's clock shows at that instant (its own offset, or the NTP master's when synced).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from typing import Literal

from flexlab.sim.state_cpu import CpuState

IPv4Address = ipaddress.IPv4Address
IPv4Network = ipaddress.IPv4Network


@dataclass(frozen=True)
class VersionInfo:
    """What `show version` reports; comes from the image profile (``--image``)."""

    image: str                 # profile name, e.g. "iol-17.12"
    os_family: Literal["ios", "iosxe"]
    version: str               # "17.12.1", "15.9(3)M10", "15.2(4)M6"
    platform_line: str         # "Cisco IOS Software [Dublin], Linux Software (X86_64BI_LINUX-ADVENTERPRISEK9-M), ..."
    image_file: str            # "unix:/iol/iol.bin" / "flash0:/vios-adventerprisek9-m"
    chassis: str               # "Linux Unix" / "IOSv" / "CSR1000V"
    processor: str             # "Intel-x86"
    memory_line: str           # "(revision 1.0) with 1104412K/29696K bytes of memory."
    serial: str                # processor board ID
    config_register: str = "0x0"
    rom: str = "Bootstrap program is Linux"
    compiled: str = "Compiled Fri 01-Sep-23 18:31 by mcpre"


@dataclass(frozen=True)
class InterfaceState:
    """One interface for `show interfaces` / `show ip interface brief`: state, address, counters, tunnel."""
    name: str                  # "Ethernet0/1", "Tunnel1", "Virtual-Access1", "Loopback1"
    kind: Literal["ethernet", "loopback", "tunnel", "virtual-access", "virtual-template", "null"]
    admin_up: bool
    line_up: bool
    address: IPv4Address | None
    prefixlen: int | None
    method: Literal["manual", "NVRAM", "IPCP", "unset", "TFTP"]  # `show ip interface brief` Method
    description: str = ""
    unnumbered: str | None = None      # "Loopback1" for `ip unnumbered Loopback1`
    mtu: int = 1500
    ip_mtu: int | None = None
    bandwidth_kbit: int = 10000
    delay_usec: int = 1000
    mac: str = "aabb.cc00.0100"
    tunnel_source: str | None = None   # interface name or address
    tunnel_destination: str | None = None
    tunnel_protection: str | None = None
    last_change: float = 0.0
    packets_in: int = 0
    packets_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    # Physical/link status ("Status" column, "X is up/down"); None: derived by the renderer
    # (ethernet: same as line_up; logical interfaces: same as admin_up).
    link_up: bool | None = None
    last_input: float | None = None    # lab instant of the last packet received; None: never
    last_output: float | None = None   # lab instant of the last packet sent; None: never


@dataclass(frozen=True)
class IkeSaState:
    """One IKEv2 SA for `show crypto ikev2 sa`: endpoints, status, algorithms, lifetimes, DPD."""
    tunnel_id: int
    local: IPv4Address
    local_port: int
    remote: IPv4Address
    remote_port: int
    status: Literal["READY", "IN-NEG", "DELETE"]
    is_initiator: bool
    created: float
    fvrf: str = "none"
    ivrf: str = "none"
    encryption: str = "AES-CBC"
    keysize: int = 256
    prf: str = "SHA512"
    hash: str = "SHA512"
    dh_group: int = 19
    auth_sign: str = "PSK"
    auth_verify: str = "PSK"
    lifetime: int = 86400
    dpd_interval: int = 0
    dpd_retry: int = 0
    local_spi: str = "0000000000000000"
    remote_spi: str = "0000000000000000"
    local_id: str = ""
    remote_id: str = ""
    local_req_msg_id: int = 2
    remote_req_msg_id: int = 0
    local_next_msg_id: int = 2
    remote_next_msg_id: int = 0
    session_id: int = 1
    assigned_address: IPv4Address | None = None   # address pushed by the hub (mode config)
    remote_subnets: tuple[IPv4Network, ...] = ()  # routes the peer pushed (`route set ...`)


@dataclass(frozen=True)
class IpsecFlow:
    """One IPsec flow (child SA pair) of a crypto session: identities, counters, SPIs, transform."""
    local_ident: str           # "100.64.0.10/255.255.255.255/47/0" for GRE transport
    remote_ident: str
    packets_encrypted: int
    packets_decrypted: int
    active_sas: int = 2
    origin: str = "crypto map"
    # child SA detail (`show crypto ipsec sa`)
    inbound_spi: int = 0
    outbound_spi: int = 0
    transform: str = "esp-aes esp-sha-hmac"
    mode: str = "Transport"
    remaining_s: int = 3600            # seconds left of the child SA's lifetime
    lifetime_kb: int = 4608000
    esp_overhead: int = 0              # bytes ESP adds to a packet (plaintext mtu = path mtu - this)


@dataclass(frozen=True)
class CryptoSessionState:
    """One crypto session for `show crypto session`: interface, profile, status, peer, IKE SA, flows."""
    interface: str             # "Tunnel1", "Virtual-Access1"
    profile: str               # IKEv2 profile name
    status: Literal["UP-ACTIVE", "UP-NO-IKE", "DOWN", "DOWN-NEGOTIATING", "UP-IDLE"]
    peer: IPv4Address
    peer_port: int
    since: float
    fvrf: str = "(none)"
    ivrf: str = "(none)"
    phase1_id: str = ""
    ike_sa: IkeSaState | None = None
    flows: tuple[IpsecFlow, ...] = ()
    username: str | None = None


@dataclass(frozen=True)
class FlexClientState:
    """One FlexVPN client for `show crypto ikev2 client flexvpn`: state, current peer, assigned address."""
    name: str                  # "Flex_Client"
    state: Literal["ACTIVE", "INACTIVE", "CONNECTING", "WAIT-NEXT-PEER"]
    peer: IPv4Address | None
    source: str                # source interface name
    tunnel_interface: str
    assigned_address: IPv4Address | None
    backup_group: str = "None"
    ivrf: str = "IP DEFAULT"
    fvrf: str = "IP DEFAULT"
    peers: tuple[tuple[int, IPv4Address], ...] = ()   # configured peer list, in order


@dataclass(frozen=True)
class BgpNeighborState:
    """One BGP neighbour for `show ip bgp summary` / `neighbors`: state, counters, session detail."""
    address: IPv4Address
    remote_as: int
    dynamic: bool              # created from a listen range (printed with a leading '*')
    state: Literal["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"]
    since: float | None        # last up/down transition; None = never
    msg_rcvd: int
    msg_sent: int
    table_version: int
    prefixes_received: int
    admin_shutdown: bool = False
    peer_group: str | None = None
    inq: int = 0
    outq: int = 0
    # session detail (`show ip bgp neighbors`); defaults for a session never opened
    remote_router_id: IPv4Address | None = None
    local_address: IPv4Address | None = None
    local_port: int | None = None      # TCP ports of the open connection (179 on the listener)
    remote_port: int | None = None
    hold_time: int = 0                 # negotiated
    keepalive: int = 0
    configured_hold: int = 180
    configured_keepalive: int = 60
    rr_client: bool = False
    next_hop_self: bool = False
    update_source: str | None = None
    advertised: tuple[BgpPathState, ...] = ()   # what the neighbour was sent (adj-RIB-out)
    sent_by_type: tuple[tuple[str, int], ...] = ()   # ("OPEN", 1), ("UPDATE", 2), ...
    rcvd_by_type: tuple[tuple[str, int], ...] = ()
    established_count: int = 0
    dropped_count: int = 0
    last_reset: str | None = None
    last_read: float | None = None     # lab instants of the last message received / sent
    last_write: float | None = None


@dataclass(frozen=True)
class BgpListenRange:
    """One `bgp listen range` with its peer group and the dynamic neighbours it accepted."""
    peer_group: str
    prefix: IPv4Network
    members: tuple[IPv4Address, ...]


@dataclass(frozen=True)
class BgpPathState:
    """One path of `show ip bgp`: attributes and status codes (best `>`, valid `*`, `s`, `i`, `r`)."""
    prefix: IPv4Network
    next_hop: IPv4Address      # 0.0.0.0 for local routes
    metric: int | None
    local_pref: int | None
    weight: int
    as_path: str               # "" for iBGP-only paths
    origin: Literal["i", "e", "?"]
    best: bool
    valid: bool = True
    suppressed: bool = False   # 's' (aggregate summary-only)
    internal: bool = False     # 'i' (learned from iBGP)
    rib_failure: bool = False  # 'r'
    atomic_aggregate: bool = False
    from_neighbor: IPv4Address | None = None
    aggregator: tuple[int, IPv4Address] | None = None   # AGGREGATOR attribute (AS, router ID)


@dataclass(frozen=True)
class BgpState:
    """The BGP process for the BGP show commands: router ID, AS, neighbours, listen ranges, table."""
    router_id: IPv4Address
    local_as: int
    table_version: int
    neighbors: tuple[BgpNeighborState, ...]
    listen_ranges: tuple[BgpListenRange, ...]
    paths: tuple[BgpPathState, ...]
    dynamic_limit: int = 100


@dataclass(frozen=True)
class RouteState:
    """One route of `show ip route`: code, distance/metric, next hop, interface, since (lab seconds)."""
    prefix: IPv4Network
    code: str                  # "C", "L", "S", "B", "S*"
    distance: int | None       # None for connected/local
    metric: int | None
    next_hop: IPv4Address | None
    interface: str | None
    since: float


@dataclass(frozen=True)
class LogEntry:
    """One buffered syslog message (`%FACILITY-SEVERITY-MNEMONIC: text`) with its lab and device time."""
    time: float                # lab instant
    facility: str              # "BGP"
    severity: int              # 5
    mnemonic: str              # "ADJCHANGE"
    text: str                  # "neighbor *172.16.1.2 Up"
    synced: bool | None = None         # clock NTP-synced when logged; None: snapshot.clock_synced
    stamp: dt.datetime | None = None   # device clock when logged; None: snapshot.device_time(time)


@dataclass(frozen=True)
class PoolState:
    """One `ip local pool` for `show ip local pool`: its range and the addresses handed out."""
    name: str
    start: IPv4Address
    end: IPv4Address
    in_use: tuple[IPv4Address, ...]


@dataclass(frozen=True)
class SlaState:
    """One IP SLA operation for `show ip sla statistics`: schedule, latest result, counts."""
    operation: int
    kind: str                  # "icmp-echo"
    target: IPv4Address
    source: str | None
    frequency: int
    started: float | None      # None: not scheduled
    latest_start: float | None
    latest_rtt_ms: int | None
    latest_ok: bool | None
    successes: int
    failures: int


@dataclass(frozen=True)
class NtpAssociationState:
    """One row of `show ntp associations`."""

    address: IPv4Address       # peer/server address; 127.127.1.1 for the `ntp master` local clock
    ref_clock: str             # the peer's reference: ".LOCL." or an address
    stratum: int
    last_received: float | None  # lab instant of the last packet from it (`when`); None: never
    poll: int = 64
    reach: int = 0             # 8-bit reachability register (printed in octal)
    delay_ms: float = 0.0
    offset_ms: float = 0.0
    dispersion_ms: float = 0.0
    selection: Literal["sys.peer", "selected", "candidate", "outlyer", "falseticker", "none"] = "none"
    configured: bool = True    # `~` flag


@dataclass(frozen=True)
class NtpState:
    """`ntp master` / `ntp server` view; None on NodeSnapshot when NTP is not configured."""

    synchronized: bool
    stratum: int               # 16 when unsynchronised
    reference: str | None      # "100.64.0.2" / "127.127.1.1"; None: no reference clock
    associations: tuple[NtpAssociationState, ...] = ()
    last_update: float | None = None   # lab instant of the last clock update
    root_delay_ms: float = 0.0
    root_dispersion_ms: float = 0.0
    poll_interval: int = 64


@dataclass(frozen=True)
class LoggingConfig:
    """Logging settings as configured (`logging buffered SIZE LEVEL`, `no logging console`,
    `service timestamps log datetime msec`): read from the config and shown by `show logging`."""

    buffered_size: int = 4096
    buffered_level: str = "debugging"
    console: bool = True
    timestamps_msec: bool = True


@dataclass(frozen=True)
class LinkNeighborState:
    """The device at the far end of one cabled interface, as CDP and ARP learn it."""

    local_interface: str       # "Ethernet0/1"
    device_id: str             # far end's hostname
    remote_interface: str
    platform: str              # "Linux Unix", "IOSv", "CSR1000V"
    version_line: str          # far end's `show version` first line
    address: IPv4Address | None  # far end's address on the link (None: unnumbered/unset)
    mac: str                   # far end interface MAC, "aabb.cc00.0310"
    since: float               # lab instant the link (both ends up) was last established
    local_mac: str = ""


@dataclass(frozen=True)
class NodeSnapshot:
    """Everything the show renderers read of one router at one lab instant (times in lab seconds)."""
    hostname: str
    version: VersionInfo
    now: float                 # lab instant of this snapshot
    booted: float              # lab instant the node booted (uptime = now - booted)
    clock_offset: float        # device clock = lab epoch + t + offset (seconds)
    clock_synced: bool         # NTP synchronised (no leading '*' on times)
    epoch: dt.datetime         # lab instant 0 as a UTC datetime
    interfaces: tuple[InterfaceState, ...] = ()
    ike_sas: tuple[IkeSaState, ...] = ()
    crypto_sessions: tuple[CryptoSessionState, ...] = ()
    flex_clients: tuple[FlexClientState, ...] = ()
    bgp: BgpState | None = None
    routes: tuple[RouteState, ...] = ()
    log: tuple[LogEntry, ...] = ()
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    pools: tuple[PoolState, ...] = ()
    slas: tuple[SlaState, ...] = ()
    ntp: NtpState | None = None
    clock_timezone: str = "UTC"        # `clock timezone` name shown by show clock / show ip sla
    # Unsynchronised but authoritative (was NTP-synced, sync since lost): IOS marks times
    # with '.' instead of '*'. Ignored while clock_synced.
    clock_authoritative: bool = False
    links: tuple[LinkNeighborState, ...] = ()   # up links to cabled neighbours (CDP, ARP)
    cpu: CpuState | None = None                 # `show processes cpu` (state_cpu.py)

    def device_time(self, t: float) -> dt.datetime:
        """The datetime this device's clock shows at lab instant ``t``."""
        return self.epoch + dt.timedelta(seconds=t + self.clock_offset)
