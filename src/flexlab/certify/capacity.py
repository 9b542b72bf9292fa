"""How many matrix rows fit on this host at once: a memory estimate per row from its lab
and kind, checked against the memory the kernel says is available (/proc/meminfo).

The figures per node are assumptions (facts.md: IOL ~768 MB, IOSv 512 MB, CSR and c8000v
4 GB per VM, plus the container's or QEMU's own share), used to decide what may start,
never as a measurement. A row larger than the whole budget still runs, alone.
"""

from __future__ import annotations

from pathlib import Path

from flexlab.certify.matrix import MatrixRow
from flexlab.design import load_design
from flexlab.errors import FlexlabError

#: MiB per router of each containerlab kind (image's RAM + container/QEMU overhead). Assumed.
NODE_MEMORY_MIB: dict[str, float] = {
    "cisco_iol": 1024.0, "cisco_vios": 768.0, "cisco_csr1000v": 4352.0, "cisco_c8000v": 4352.0,
}
#: MiB of one embedded lab (one Python process holding every router's state). Assumed.
EMBEDDED_LAB_MIB = 256.0
MEMINFO = Path("/proc/meminfo")


class CapacityError(FlexlabError):
    """The host's free memory cannot be read."""


def row_node_count(row: MatrixRow, design: Path | None) -> int:
    """Routers in the row's lab (ISP, hubs and the row's spokes) as the design plans them."""
    return len(load_design(design, spokes=row.spokes).plan().nodes)


def row_memory_mib(row: MatrixRow, design: Path | None) -> float:
    """What the row's lab is expected to hold while it is up."""
    if row.lab == "embedded":
        return EMBEDDED_LAB_MIB
    return row_node_count(row, design) * NODE_MEMORY_MIB[str(row.kind)]


def available_memory_mib(meminfo: Path = MEMINFO) -> float:
    """MemAvailable: what the kernel can give without swapping (page cache included)."""
    try:
        text = meminfo.read_text()
    except OSError as exc:
        raise CapacityError(f"cannot read {meminfo} for --jobs: {exc.strerror}") from None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key == "MemAvailable" and value.split():
            return float(value.split()[0]) / 1024.0
    raise CapacityError(f"{meminfo} has no MemAvailable line: cannot size --jobs")
