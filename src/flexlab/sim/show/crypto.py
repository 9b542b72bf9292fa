"""`show crypto ikev2 sa [detailed]`, `show crypto ikev2 client flexvpn [NAME]` and
`show crypto session [detail]`."""

from __future__ import annotations

import ipaddress

from flexlab.sim.show.fmt import elapsed, hms, join_lines, modern
from flexlab.sim.state import CryptoSessionState, FlexClientState, IkeSaState, IpsecFlow, NodeSnapshot

_SA_STATUS_DESCRIPTION = {
    "READY": "Negotiation done",
    "IN-NEG": "Negotiation in progress",
    "DELETE": "Deleting IKE SA",
}
_IPSEC_SA_LIFETIME_S = 3600
_IPSEC_SA_LIFETIME_KB = 4608000

# ---------------------------------------------------------------- show crypto ikev2 sa


def render_ikev2_sa(snap: NodeSnapshot, detailed: bool) -> str:
    """`show crypto ikev2 sa [detailed]`: IPv4 SAs by tunnel id, then the empty IPv6 section."""
    lines = [" IPv4 Crypto IKEv2  SA ", ""]
    for sa in sorted(snap.ike_sas, key=lambda s: s.tunnel_id):
        lines += _sa_summary(snap, sa)
        if detailed:
            lines += _sa_details(snap, sa)
        lines.append("")
    lines += [" IPv6 Crypto IKEv2  SA ", ""]
    return join_lines(lines)


def _sa_summary(snap: NodeSnapshot, sa: IkeSaState) -> list[str]:
    local = f"{sa.local}/{sa.local_port}"
    remote = f"{sa.remote}/{sa.remote_port}"
    vrfs = f"{sa.fvrf}/{sa.ivrf}"
    active = max(0, int(snap.now - sa.created))
    return [
        "Tunnel-id Local                 Remote                fvrf/ivrf            Status ",
        f"{sa.tunnel_id:<9} {local:<21} {remote:<21} {vrfs:<20} {sa.status:<7}",
        f"      Encr: {sa.encryption}, keysize: {sa.keysize}, PRF: {sa.prf}, Hash: {sa.hash}, "
        f"DH Grp:{sa.dh_group}, Auth sign: {sa.auth_sign}, Auth verify: {sa.auth_verify}",
        f"      Life/Active Time: {sa.lifetime}/{active} sec",
    ]


def _sa_details(snap: NodeSnapshot, sa: IkeSaState) -> list[str]:
    lines = [
        f"      CE id: 0, Session-id: {sa.session_id}",
        f"      Local spi: {sa.local_spi}       Remote spi: {sa.remote_spi}",
        f"      Status Description: {_SA_STATUS_DESCRIPTION[sa.status]}",
        f"      Local id: {sa.local_id or sa.local}",
        f"      Remote id: {sa.remote_id or sa.remote}",
        _msg_pair("Local req msg id: ", sa.local_req_msg_id, "Remote req msg id: ", sa.remote_req_msg_id),
        _msg_pair("Local next msg id:", sa.local_next_msg_id, "Remote next msg id:", sa.remote_next_msg_id),
        _msg_pair("Local req queued: ", sa.local_req_msg_id, "Remote req queued: ", sa.remote_req_msg_id),
        _msg_pair("Local window:     ", 5, "Remote window:     ", 5),
        f"      DPD configured for {sa.dpd_interval} seconds, retry {sa.dpd_retry}",
        "      Fragmentation not  configured.",
        "      Dynamic Route Update: enabled",
        "      Extended Authentication not configured.",
        "      NAT-T is not detected  ",
        "      Cisco Trust Security SGT is disabled",
        f"      Initiator of SA : {'Yes' if sa.is_initiator else 'No'}",
    ]
    if sa.assigned_address is not None:
        lines.append(f"      Pushed IP address: {sa.assigned_address}")
    if sa.remote_subnets:
        lines.append("      Remote subnets:")
        lines += [f"      {net.network_address} {net.netmask}" for net in sa.remote_subnets]
    if modern(snap.version):
        lines.append("      PEER TYPE: Other")
    return lines


def _msg_pair(left: str, left_value: int, right: str, right_value: int) -> str:
    """``Local req msg id:  2              Remote req msg id:  0         ``."""
    return f"      {left} {left_value:<14} {right} {right_value:<10}"


# ---------------------------------------------------------------- show crypto ikev2 client flexvpn


def render_flexvpn_client(snap: NodeSnapshot, name: str | None) -> str:
    """`show crypto ikev2 client flexvpn [NAME]`: one block per FlexVPN client."""
    clients = [c for c in snap.flex_clients if name is None or c.name == name]
    lines: list[str] = []
    for client in clients:
        lines += _flexvpn_client_block(snap, client)
    return join_lines(lines) if lines else ""


def _flexvpn_client_block(snap: NodeSnapshot, client: FlexClientState) -> list[str]:
    """Layout of the seed's 15.2M sample; 16.x/17.x add the ivrf/fvrf lines (config guide)."""
    lines = [
        f"Profile : {client.name}",
        f"Current state:{client.state}",
        f"Peer : {client.peer if client.peer is not None else 'None'}",
        f"Source : {client.source}",
    ]
    if modern(snap.version):
        lines += [f"ivrf : {client.ivrf}", f"fvrf : {client.fvrf}"]
    lines += [
        f"Backup group: {client.backup_group}",
        f"Tunnel interface : {client.tunnel_interface}",
        f"Assigned IP address: {client.assigned_address if client.assigned_address is not None else 'None'}",
    ]
    return lines


# ---------------------------------------------------------------- show crypto session

_SESSION_CODES = [
    "Code: C - IKE Configuration mode, D - Dead Peer Detection     ",
    "K - Keepalives, N - NAT-traversal, T - cTCP encapsulation     ",
    "X - IKE Extended Authentication, F - IKE Fragmentation",
    "R - IKE Auto Reconnect, U - IKE Dynamic Route Update",
    "S - SIP VPN",
    "",
]


def render_crypto_session(snap: NodeSnapshot, detail: bool) -> str:
    """`show crypto session [detail]`: one block per crypto session (tunnel or Virtual-Access)."""
    lines = ["Crypto session current status", ""]
    if detail:
        lines += _SESSION_CODES
    for session in snap.crypto_sessions:
        lines += _session_block(snap, session, detail)
        lines.append("")
    return join_lines(lines)


def _session_block(snap: NodeSnapshot, session: CryptoSessionState, detail: bool) -> list[str]:
    lines = [f"Interface: {session.interface}"]
    if session.username:
        lines.append(f"Username: {session.username}")
    if session.profile:
        lines.append(f"Profile: {session.profile}")
    if detail:
        lines.append(f"Uptime: {elapsed(snap.now - session.since)}")
    lines.append(f"Session status: {session.status:<14}")
    if detail:
        lines += [
            f"Peer: {session.peer} port {session.peer_port} fvrf: {session.fvrf} ivrf: {session.ivrf}",
            f"      Phase1_id: {session.phase1_id or session.peer}",
            "      Desc: (none)",
        ]
    else:
        lines.append(f"Peer: {session.peer} port {session.peer_port} ")
    sa = session.ike_sa
    if sa is not None:
        lines += _session_sa_lines(snap, sa, detail)
    for flow in session.flows:
        lines += _flow_lines(snap, session, flow, detail)
    return lines


def _session_sa_lines(snap: NodeSnapshot, sa: IkeSaState, detail: bool) -> list[str]:
    state = "Active" if sa.status == "READY" else "Inactive"
    lines = [
        f"  Session ID: {sa.session_id}  ",
        f"  IKEv2 SA: local {sa.local}/{sa.local_port} remote {sa.remote}/{sa.remote_port} {state} ",
    ]
    if detail:
        capabilities = ("D" if sa.dpd_interval else "") + "U"
        remaining = sa.lifetime - (snap.now - sa.created)
        lines.append(f"          Capabilities:{capabilities} connid:{sa.tunnel_id} lifetime:{hms(remaining)}")
    return lines


def _flow_lines(snap: NodeSnapshot, session: CryptoSessionState, flow: IpsecFlow, detail: bool) -> list[str]:
    lines = [
        f"  IPSEC FLOW: permit {_flow_spec(flow.local_ident, flow.remote_ident)} ",
        f"        Active SAs: {flow.active_sas}, origin: {flow.origin}",
    ]
    if detail:
        age = max(0.0, snap.now - session.since)
        life_s = _IPSEC_SA_LIFETIME_S - int(age) % _IPSEC_SA_LIFETIME_S
        kb_in = _IPSEC_SA_LIFETIME_KB - flow.packets_decrypted // 10
        kb_out = _IPSEC_SA_LIFETIME_KB - flow.packets_encrypted // 10
        lines += [
            f"        Inbound:  #pkts dec'ed {flow.packets_decrypted} drop 0 life (KB/Sec) {kb_in}/{life_s}",
            f"        Outbound: #pkts enc'ed {flow.packets_encrypted} drop 0 life (KB/Sec) {kb_out}/{life_s}",
        ]
    return lines


def _flow_spec(local_ident: str, remote_ident: str) -> str:
    """``47 host 100.64.0.10 host 100.64.0.2`` from ``addr/mask/proto/port`` identities."""
    local_addr, local_mask, proto, _ = _split_ident(local_ident)
    remote_addr, remote_mask, _, _ = _split_ident(remote_ident)
    protocol = "ip" if proto == "0" else proto
    return f"{protocol} {_flow_host(local_addr, local_mask)} {_flow_host(remote_addr, remote_mask)}"


def _split_ident(ident: str) -> tuple[str, str, str, str]:
    parts = ident.split("/")
    parts += ["255.255.255.255", "0", "0"][len(parts) - 1 :]
    address, netmask, proto, port = parts[:4]
    return address, netmask, proto, port


def _flow_host(address: str, netmask: str) -> str:
    if netmask == "255.255.255.255":
        return f"host {address}"
    network = ipaddress.IPv4Network(f"{address}/{netmask}", strict=False)
    return f"{network.network_address} {network.netmask}"
