"""`show logging`: the syslog header and the logging buffer."""

from __future__ import annotations

from flexlab.sim.show.fmt import join_lines, log_stamp
from flexlab.sim.state import LogEntry, NodeSnapshot


def log_line(snap: NodeSnapshot, entry: LogEntry) -> str:
    """``*Nov 27 10:15:53.627: %BGP-5-ADJCHANGE: neighbor *172.16.1.2 Up``."""
    when = entry.stamp if entry.stamp is not None else snap.device_time(entry.time)
    if entry.synced is None:
        synced, authoritative = snap.clock_synced, snap.clock_authoritative
    else:
        synced, authoritative = entry.synced, False
    stamp = log_stamp(when, synced, snap.logging.timestamps_msec, authoritative)
    return f"{stamp}: %{entry.facility}-{entry.severity}-{entry.mnemonic}: {entry.text}"


def buffered_lines(snap: NodeSnapshot) -> list[str]:
    """The newest messages that fit in the circular buffer (`logging buffered SIZE`)."""
    kept: list[str] = []
    used = 0
    # snap.log is in logging order; walking it backwards keeps same-instant messages in order
    for entry in reversed(snap.log):
        line = log_line(snap, entry)
        used += len(line) + 1
        if used > snap.logging.buffered_size:
            break
        kept.append(line)
    kept.reverse()
    return kept


def render_logging(snap: NodeSnapshot) -> str:
    """`show logging`: the syslog settings header, then the buffered messages."""
    config = snap.logging
    logged = len(snap.log)
    console = (
        f"    Console logging: level debugging, {logged} messages logged, xml disabled,"
        if config.console
        else "    Console logging: disabled"
    )
    lines = [
        "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, "
        "0 overruns, xml disabled, filtering disabled)",
        "",
        "No Active Message Discriminator.",
        "",
        "",
        "",
        "No Inactive Message Discriminator.",
        "",
        "",
        console,
    ]
    if config.console:
        lines.append("                     filtering disabled")
    lines += [
        "    Monitor logging: level debugging, 0 messages logged, xml disabled,",
        "                     filtering disabled",
        f"    Buffer logging:  level {config.buffered_level}, {logged} messages logged, xml disabled,",
        "                    filtering disabled",
        "    Exception Logging: size (4096 bytes)",
        "    Count and timestamp logging messages: disabled",
        "    Persistent logging: disabled",
        "",
        "No active filter modules.",
        "",
        f"    Trap logging: level informational, {logged} message lines logged",
        "        Logging Source-Interface:       VRF Name:",
        "",
        f"Log Buffer ({config.buffered_size} bytes):",
        "",
    ]
    lines += buffered_lines(snap)
    return join_lines(lines)
