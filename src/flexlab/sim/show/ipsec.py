"""`show crypto ipsec sa [detail | peer ADDR]`, from the crypto sessions' child SAs.

Counters are the packets the lab's ESP encapsulated/decapsulated; the kilobyte lifetime is
shown at its full value (the lab counts packets, not bytes, per SA).
"""

from __future__ import annotations

import ipaddress

from flexlab.sim.show.errors import UnknownShowCommand
from flexlab.sim.show.fmt import join_lines
from flexlab.sim.state import CryptoSessionState, InterfaceState, IpsecFlow, NodeSnapshot

_DETAIL_ERRORS = [
    "    #pkts no sa (send) 0, #pkts invalid sa (rcv) 0",
    "    #pkts encaps failed (send) 0, #pkts decaps failed (rcv) 0",
    "    #pkts invalid prot (recv) 0, #pkts verify failed: 0",
    "    #pkts invalid identity (recv) 0, #pkts invalid len (rcv) 0",
    "    #pkts replay rollover (send): 0, #pkts replay rollover (rcv) 0",
    "    ##pkts replay failed (rcv): 0",
    "    #pkts tagged (send): 0, #pkts untagged (rcv): 0",
    "    #pkts not tagged (send): 0, #pkts not untagged (rcv): 0",
    "    #pkts internal err (send): 0, #pkts internal err (recv) 0",
]


def render_ipsec_sa(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    """`show crypto ipsec sa [detail | peer ADDR]` over the sessions that are up; bad args mark their word."""
    first_arg = len(words) - len(args)
    rest = [a.lower() for a in args]
    detail = rest[-1:] == ["detail"]
    if detail:
        rest = rest[:-1]
    peer: ipaddress.IPv4Address | None = None
    if rest[:1] == ["peer"] and len(rest) == 2:
        try:
            peer = ipaddress.IPv4Address(rest[1])
        except ValueError:
            raise UnknownShowCommand(words, first_arg + 1) from None
    elif rest:
        raise UnknownShowCommand(words, first_arg + (1 if rest[:1] == ["peer"] else 0))
    sessions = [s for s in snap.crypto_sessions if s.status.startswith("UP") and (peer is None or s.peer == peer)]
    by_name = {i.name: i for i in snap.interfaces}
    lines: list[str] = []
    for session in sessions:
        for flow in session.flows:
            lines += _interface_block(snap, session, flow, by_name, detail)
    return join_lines(lines) if lines else ("No SAs found\n" if peer is not None else "\n")


def _crypto_map(session: CryptoSessionState) -> str:
    return f"{session.interface}-head-0"


def _spi(value: int) -> str:
    return f"0x{value:08X}({value})"


def _interface_block(snap: NodeSnapshot, session: CryptoSessionState, flow: IpsecFlow,
                     interfaces: dict[str, InterfaceState], detail: bool) -> list[str]:
    sa = session.ike_sa
    local = str(sa.local) if sa is not None else "0.0.0.0"
    tunnel = interfaces.get(session.interface)
    source = interfaces.get(tunnel.tunnel_source or "") if tunnel is not None else None
    path_mtu = source.mtu if source is not None else 1500
    lines = [
        "",
        f"interface: {session.interface}",
        f"    Crypto map tag: {_crypto_map(session)}, local addr {local}",
        "",
        "   protected vrf: (none)",
        f"   local  ident (addr/mask/prot/port): ({flow.local_ident})",
        f"   remote ident (addr/mask/prot/port): ({flow.remote_ident})",
        f"   current_peer {session.peer} port {session.peer_port}",
        "     PERMIT, flags={origin_is_acl,}",
        f"    #pkts encaps: {flow.packets_encrypted}, #pkts encrypt: {flow.packets_encrypted}, "
        f"#pkts digest: {flow.packets_encrypted}",
        f"    #pkts decaps: {flow.packets_decrypted}, #pkts decrypt: {flow.packets_decrypted}, "
        f"#pkts verify: {flow.packets_decrypted}",
        "    #pkts compressed: 0, #pkts decompressed: 0",
        "    #pkts not compressed: 0, #pkts compr. failed: 0",
        "    #pkts not decompressed: 0, #pkts decompress failed: 0",
    ]
    lines += _DETAIL_ERRORS if detail else ["    #send errors 0, #recv errors 0"]
    lines += [
        "",
        f"     local crypto endpt.: {local}, remote crypto endpt.: {session.peer}",
        f"     plaintext mtu {path_mtu - flow.esp_overhead}, path mtu {path_mtu}, ip mtu {path_mtu}, "
        f"ip mtu idb {source.name if source is not None else 'none'}",
        f"     current outbound spi: {_spi(flow.outbound_spi)}",
        "     PFS (Y/N): N, DH group: none",
        "",
        "     inbound esp sas:",
        *_sa_lines(session, flow, flow.inbound_spi, 2 * (sa.session_id if sa else 1) - 1, detail),
        "",
        "     inbound ah sas:",
        "",
        "     inbound pcp sas:",
        "",
        "     outbound esp sas:",
        *_sa_lines(session, flow, flow.outbound_spi, 2 * (sa.session_id if sa else 1), detail),
        "",
        "     outbound ah sas:",
        "",
        "     outbound pcp sas:",
    ]
    return lines


def _sa_lines(session: CryptoSessionState, flow: IpsecFlow, spi: int, conn_id: int, detail: bool) -> list[str]:
    replay = "        replay detection support: Y" + ("  replay window size: 64" if detail else "")
    return [
        f"      spi: {_spi(spi)}",
        f"        transform: {flow.transform} ,",
        f"        in use settings ={{{flow.mode}, }}",
        f"        conn id: {conn_id}, flow_id: SW:{conn_id}, sibling_flags 80000040, "
        f"crypto map: {_crypto_map(session)}",
        f"        sa timing: remaining key lifetime (k/sec): ({flow.lifetime_kb}/{flow.remaining_s})",
        "        IV size: 8 bytes",
        replay,
        "        Status: ACTIVE(ACTIVE)",
    ]
