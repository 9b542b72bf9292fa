"""`show inventory` and `show clock detail`, from the image profile and the clock state."""

from __future__ import annotations

from flexlab.sim.show.fmt import clock_line, device_now, join_lines
from flexlab.sim.state import NodeSnapshot, VersionInfo

# Chassis entry per platform, keyed by a word of VersionInfo.chassis: (NAME, DESCR, PID,
# VID). vIOS and CSR1000V follow their real outputs; IOL's is [assumed].
_CHASSIS = {
    "iosv": ("IOSv", "IOSv chassis, Hw Serial#: {serial}, Hw Revision: 1.0", "IOSv", "1.0"),
    "csr1000v": ("Chassis", "Cisco CSR1000V Chassis", "CSR1000V", "V00"),
    "cisco2911/k9": ("CISCO2911/K9 chassis", "CISCO2911/K9 chassis, Hw Serial#: {serial}, Hw Revision: 1.0",
                     "CISCO2911/K9", "V06"),
}
_IOL = ("IOL", "IOL chassis, Hw Serial#: {serial}, Hw Revision: 1.0", "IOL", "1.0")


def _chassis(version: VersionInfo) -> tuple[str, str, str, str]:
    words = version.chassis.lower().split()
    return next((entry for key, entry in _CHASSIS.items() if key in words), _IOL)


def render_inventory(snap: NodeSnapshot) -> str:
    """`show inventory`: the chassis entry with this router's serial number."""
    name, descr, pid, vid = _chassis(snap.version)
    serial = snap.version.serial
    return join_lines([
        f'NAME: "{name}", DESCR: "{descr.format(serial=serial)}"',
        f"PID: {pid:<18}, VID: {vid:<4}, SN: {serial}",
        "",
    ])


def render_clock_detail(snap: NodeSnapshot) -> str:
    """`show clock detail`: the time, then `Time source is NTP` or `No time source`."""
    line = clock_line(device_now(snap), snap.clock_timezone, snap.clock_synced, snap.clock_authoritative)
    source = "Time source is NTP" if snap.clock_synced else "No time source"
    return join_lines([line, source])
