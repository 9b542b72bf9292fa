"""The lab of one matrix row: a Lab (flexlab.labs.interface) described by the row.

The runner prepares every row's lab before anything starts (``Lab.prepare``), then brings
each up (``Lab.up`` returns the testbed), runs the job on it and tears it down. What each
backend does is in flexlab.labs; certify names none of them.
"""

from __future__ import annotations

from pathlib import Path

from flexlab.certify.matrix import MatrixRow
from flexlab.labs.factory import LabSpec, make_lab
from flexlab.labs.interface import Lab


def row_lab(row: MatrixRow, work_dir: Path, lab_name: str, design: Path | None = None, *,
            ssh_port: int = 22, ssh_interval_s: float = 2.0, mgmt_first_host: int | None = None) -> Lab:
    """The row's lab under ``lab_name``; its testbed, topology, configs and log go to ``work_dir``."""
    return make_lab(LabSpec(
        lab=row.lab, name=lab_name, image=row.image, work_dir=work_dir, node_kind=row.kind, spokes=row.spokes,
        design=design, time_scale=row.time_scale, ready_timeout_s=row.ready_timeout,
        failure_modes=tuple(row.failure_modes), ssh_port=ssh_port, ssh_interval_s=ssh_interval_s,
        mgmt_first_host=mgmt_first_host,
    ))
