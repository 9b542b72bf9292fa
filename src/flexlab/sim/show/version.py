"""`show version` and `show clock`."""

from __future__ import annotations

import re
from collections import Counter

from flexlab.sim.show.fmt import clock_line, device_now, join_lines, uptime_words
from flexlab.sim.state import NodeSnapshot, VersionInfo

_CRYPTO_NOTICE = """\
This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

A summary of U.S. laws governing Cisco cryptographic products may be found at:
http://www.cisco.com/wwl/export/crypto/tool/stqrg.html

If you require further assistance please contact us by sending email to
export@cisco.com."""

_XE_GPL_NOTICE = """\
Cisco IOS-XE software, Copyright (c) 2005-{year} by cisco Systems, Inc.
All rights reserved.  Certain components of Cisco IOS-XE software are
licensed under the GNU General Public License ("GPL") Version 2.0.  The
software code licensed under GPL Version 2.0 is free software that comes
with ABSOLUTELY NO WARRANTY.  You can redistribute and/or modify such
GPL code under the terms of GPL Version 2.0.  For more details, see the
documentation or "License Notice" file accompanying the IOS-XE software,
or the applicable URL provided on the flyer accompanying the IOS-XE
software."""

# Interface-name prefix -> the hardware summary words of `show version`.
_HARDWARE_WORDS = {
    "Ethernet": "Ethernet",
    "FastEthernet": "FastEthernet",
    "GigabitEthernet": "Gigabit Ethernet",
    "TenGigabitEthernet": "Ten Gigabit Ethernet",
}


def build_year(version: VersionInfo) -> int:
    """Copyright end year, from the build date in ``Compiled Fri 01-Sep-23 18:31 by mcpre``."""
    match = re.search(r"-(\d{2}) ", version.compiled)
    return 2000 + int(match.group(1)) if match else 2023


def _interface_summary(snap: NodeSnapshot) -> list[str]:
    counts: Counter[str] = Counter()
    for intf in snap.interfaces:
        if intf.kind != "ethernet":
            continue
        prefix = re.match(r"[A-Za-z]+", intf.name)
        words = _HARDWARE_WORDS.get(prefix.group() if prefix else "", "Ethernet")
        counts[words] += 1
    return [f"{n} {words} interface{'s' if n != 1 else ''}" for words, n in counts.items()]


def _storage_lines(info: VersionInfo) -> list[str]:
    """Memory/storage summary, by platform (recognised from the image location)."""
    if info.image_file.startswith("unix:"):  # IOL
        return ["1024K bytes of NVRAM."]
    if info.image_file.startswith("flash0:"):  # IOSv
        return [
            "DRAM configuration is 72 bits wide with parity disabled.",
            "256K bytes of non-volatile configuration memory.",
            "2097152K bytes of ATA System CompactFlash 0 (Read/Write)",
            "0K bytes of ATA CompactFlash 1 (Read/Write)",
            "0K bytes of ATA CompactFlash 2 (Read/Write)",
            "10080K bytes of ATA CompactFlash 3 (Read/Write)",
        ]
    return [  # IOS XE virtual routers
        "32768K bytes of non-volatile configuration memory.",
        "3978420K bytes of physical memory.",
        "6188032K bytes of virtual hard disk at bootflash:.",
    ]


def _hardware_line(info: VersionInfo) -> str:
    """``Linux Unix (i686) processor with 710305K bytes of memory.`` when ``memory_line``
    starts with "with"; otherwise ``memory_line`` carries everything after the chassis
    (``Cisco IOSv`` + ``(revision 1.0) with  with 435457K/87040K bytes of memory.``)."""
    if info.memory_line.startswith("with "):
        return f"{info.chassis} ({info.processor}) processor {info.memory_line}"
    return f"{info.chassis} {info.memory_line}"


def render_version(snap: NodeSnapshot) -> str:
    """`show version`: image, uptime, serial and hardware, in the classic IOS or IOS XE layout."""
    info = snap.version
    year = build_year(info)
    uptime = uptime_words(snap.now - snap.booted)
    is_xe = info.os_family == "iosxe"
    lines: list[str] = []
    if is_xe:
        lines.append(f"Cisco IOS XE Software, Version {info.version}")
    lines += [
        info.platform_line,
        "Technical Support: http://www.cisco.com/techsupport",
        f"Copyright (c) 1986-{year} by Cisco Systems, Inc.",
        info.compiled,
        "",
        "",
    ]
    if is_xe:
        lines += _XE_GPL_NOTICE.format(year=year).splitlines() + ["", ""]
    lines += [f"ROM: {info.rom}", "", f"{snap.hostname} uptime is {uptime}"]
    if is_xe:
        lines.append(f"Uptime for this control processor is {uptime}")
    lines += [
        "System returned to ROM by reload",
        f'System image file is "{info.image_file}"',
        "Last reload reason: Unknown reason",
        "",
        "",
        "",
    ]
    lines += _CRYPTO_NOTICE.splitlines()
    lines += ["", _hardware_line(info), f"Processor board ID {info.serial}"]
    lines += _interface_summary(snap)
    lines += _storage_lines(info)
    lines += ["", f"Configuration register is {info.config_register}", ""]
    return join_lines(lines)


def render_clock(snap: NodeSnapshot) -> str:
    """`show clock`: the router's time, `*` in front while it is not authoritative (not NTP-synced)."""
    line = clock_line(device_now(snap), snap.clock_timezone, snap.clock_synced, snap.clock_authoritative)
    return join_lines([line])
