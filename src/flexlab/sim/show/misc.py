"""`show ip local pool`, `show ip sla statistics`, `show ntp status|associations`."""

from __future__ import annotations

import datetime as dt

from flexlab.sim.show.fmt import clock_line, join_lines, long_date, modern
from flexlab.sim.state import NodeSnapshot, NtpAssociationState, NtpState, PoolState, SlaState

_NTP_EPOCH_OFFSET = 2208988800  # seconds from 1900-01-01 to 1970-01-01
_NTP_MODE_CODES = {"sys.peer": "*", "selected": "#", "candidate": "+", "outlyer": "-", "falseticker": "x", "none": " "}

# ---------------------------------------------------------------- show ip local pool


def render_ip_local_pool(snap: NodeSnapshot, name: str | None) -> str:
    """`show ip local pool [NAME]`: free and in-use counts per pool, or `%Pool NAME not found`."""
    pools = [p for p in snap.pools if name is None or p.name == name]
    if name is not None and not pools:
        return f"%Pool {name} not found\n"
    if not pools:
        return ""
    lines = [f" {'Pool':<24} {'Begin':<15} {'End':<15}{'Free':>5}{'In use':>8}"]
    lines += [_pool_row(pool) for pool in pools]
    return join_lines(lines)


def _pool_row(pool: PoolState) -> str:
    size = int(pool.end) - int(pool.start) + 1
    in_use = len(pool.in_use)
    return f" {pool.name:<24} {str(pool.start):<15} {str(pool.end):<15}{size - in_use:>5}{in_use:>8}"


# ---------------------------------------------------------------- show ip sla statistics


def render_ip_sla_statistics(snap: NodeSnapshot, operation: int | None) -> str:
    """`show ip sla statistics [N]`: latest RTT, return code and counts per operation."""
    slas = [s for s in snap.slas if operation is None or s.operation == operation]
    lines = ["IPSLAs Latest Operation Statistics", ""]
    for sla in sorted(slas, key=lambda s: s.operation):
        lines += _sla_block(snap, sla)
        lines.append("")
    return join_lines(lines)


def _sla_block(snap: NodeSnapshot, sla: SlaState) -> list[str]:
    lines = [f"IPSLA operation id: {sla.operation}"]
    if sla.latest_start is None or sla.latest_ok is None:
        lines += ["        Latest RTT: Unknown", "Latest operation return code: Unknown"]
    else:
        rtt = f"{sla.latest_rtt_ms} milliseconds" if sla.latest_ok else "NoConnection/Busy/Timeout"
        lines += [
            f"        Latest RTT: {rtt}",
            f"Latest operation start time: {_sla_time(snap, sla.latest_start)}",
            f"Latest operation return code: {'OK' if sla.latest_ok else 'Timeout'}",
        ]
    lines += [
        f"Number of successes: {sla.successes}",
        f"Number of failures: {sla.failures}",
        f"Operation time to live: {'Forever' if sla.started is not None else '0'}",
    ]
    return lines


def _sla_time(snap: NodeSnapshot, instant: float) -> str:
    """16.x/17.x print ``10:15:53 UTC Fri Nov 27 2026``; 15.x the `show clock` format."""
    when = snap.device_time(instant)
    if modern(snap.version):
        return long_date(when, snap.clock_timezone)
    return clock_line(when, snap.clock_timezone, snap.clock_synced, snap.clock_authoritative)


# ---------------------------------------------------------------- show ntp


def render_ntp_associations(snap: NodeSnapshot) -> str:
    """`show ntp associations`, or `%NTP is not enabled.` without NTP config."""
    if snap.ntp is None:
        return "%NTP is not enabled.\n"
    lines = ["", "  address         ref clock       st   when   poll reach  delay  offset   disp"]
    lines += [_association_row(snap, assoc) for assoc in snap.ntp.associations]
    lines.append(" * sys.peer, # selected, + candidate, - outlyer, x falseticker, ~ configured")
    return join_lines(lines)


def _association_row(snap: NodeSnapshot, assoc: NtpAssociationState) -> str:
    mode = _NTP_MODE_CODES[assoc.selection]
    configured = "~" if assoc.configured else " "
    when = "-" if assoc.last_received is None else str(max(0, int(snap.now - assoc.last_received)))
    return (
        f"{mode}{configured}{str(assoc.address):<16}{assoc.ref_clock:<16}{assoc.stratum:>2}"
        f"{when:>7}{assoc.poll:>7}{assoc.reach:>6o} {_fit(assoc.delay_ms, 6)} {_fit(assoc.offset_ms, 7)}"
        f" {_fit(assoc.dispersion_ms, 6)}"
    )


def _fit(value: float, width: int) -> str:
    """Milliseconds in at most ``width`` columns, dropping decimals as IOS does (``15937.``)."""
    for decimals in (3, 2, 1):
        text = f"{value:.{decimals}f}"
        if len(text) <= width:
            return text.rjust(width)
    return f"{value:.0f}.".rjust(width)


def render_ntp_status(snap: NodeSnapshot) -> str:
    """`show ntp status`: sync state, stratum, reference, uptime in centiseconds, last update."""
    ntp = snap.ntp
    if ntp is None:
        return "%NTP is not enabled.\n"
    uptime_cs = int((snap.now - snap.booted) * 100)
    peer = _sys_peer(ntp)
    lines = [_ntp_clock_state(ntp)]
    lines += [
        "nominal freq is 250.0000 Hz, actual freq is 250.0000 Hz, precision is 2**10",
        f"ntp uptime is {uptime_cs} (1/100 of seconds), resolution is 4000",
        f"reference time is {_reference_time(snap, ntp)}",
        f"clock offset is {abs(peer.offset_ms) if peer else 0.0:.4f} msec, root delay is {ntp.root_delay_ms:.2f} msec",
        f"root dispersion is {ntp.root_dispersion_ms:.2f} msec, peer dispersion is "
        f"{peer.dispersion_ms if peer else 0.0:.2f} msec",
        "loopfilter state is 'CTRL' (Normal Controlled Loop), drift is 0.000000000 s/s",
        f"system poll interval is {ntp.poll_interval}, last update was {_last_update(snap, ntp)}.",
    ]
    return join_lines(lines)


def _ntp_clock_state(ntp: NtpState) -> str:
    if not ntp.synchronized or ntp.reference is None:
        return f"Clock is unsynchronized, stratum {ntp.stratum}, no reference clock"
    return f"Clock is synchronized, stratum {ntp.stratum}, reference is {ntp.reference:<15}"


def _sys_peer(ntp: NtpState) -> NtpAssociationState | None:
    return next((a for a in ntp.associations if a.selection == "sys.peer"), None)


def _reference_time(snap: NodeSnapshot, ntp: NtpState) -> str:
    """``E1D2C3B4.A0C49BA5 (10:15:53.627 UTC Fri Nov 27 2026)``; zero before the first update."""
    if ntp.last_update is None:
        return "00000000.00000000 (00:00:00.000 UTC Mon Jan 1 1900)"
    when = snap.device_time(ntp.last_update)
    seconds = when.replace(tzinfo=dt.UTC).timestamp() if when.tzinfo is None else when.timestamp()
    whole = int(seconds) + _NTP_EPOCH_OFFSET
    fraction = int((seconds - int(seconds)) * 2**32)
    text = clock_line(when, snap.clock_timezone, synced=True)
    return f"{whole:08X}.{fraction:08X} ({text})"


def _last_update(snap: NodeSnapshot, ntp: NtpState) -> str:
    if ntp.last_update is None:
        return "never"
    return f"{max(0, int(snap.now - ntp.last_update))} sec ago"
