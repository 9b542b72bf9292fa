"""A Lab from a neutral description (certify's matrix rows), so callers name no backend."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flexlab.defaults import DEFAULT_TIME_SCALE
from flexlab.labs import clab
from flexlab.labs.base import LabError
from flexlab.labs.containerlab_backend import READY_TIMEOUT_S, ContainerlabBackend, RenderedTopology
from flexlab.labs.embedded import UpOptions
from flexlab.labs.embedded_backend import EmbeddedBackend
from flexlab.labs.interface import CONTAINERLAB, EMBEDDED, Lab

#: Seconds to wait for every node to answer, per backend (embedded: SSH login; else: SSH banner).
DEFAULT_READY_TIMEOUT_S = {EMBEDDED: 120.0, CONTAINERLAB: READY_TIMEOUT_S}


@dataclass(frozen=True)
class LabSpec:
    """A lab to bring up from the design: which backend, which image, where its files go."""

    lab: str                       # EMBEDDED or CONTAINERLAB
    name: str                      # lab name (unique on this host while it runs)
    image: str
    work_dir: Path                 # testbed (and topology, configs, log) go here
    node_kind: str | None = None   # containerlab: the nodes' kind (cisco_iol, ...)
    spokes: int | None = None
    design: Path | None = None
    time_scale: float | None = None
    ready_timeout_s: float | None = None
    failure_modes: tuple[str, ...] = ()
    ssh_port: int = 22
    ssh_interval_s: float = 2.0
    mgmt_first_host: int | None = None   # containerlab: first management host number (rows up at once differ)


def make_lab(spec: LabSpec) -> Lab:
    """The backend ``spec.lab`` names; LabError for an unknown one."""
    ready_timeout_s = spec.ready_timeout_s or DEFAULT_READY_TIMEOUT_S.get(spec.lab, READY_TIMEOUT_S)
    testbed = spec.work_dir / "testbed.yaml"
    if spec.lab == EMBEDDED:
        options = UpOptions(spokes=spec.spokes, time_scale=spec.time_scale or DEFAULT_TIME_SCALE, image=spec.image,
                            kind=spec.node_kind,
                            design=spec.design, timeout_s=ready_timeout_s, owner_pid=os.getpid())
        return EmbeddedBackend(spec.name, options, testbed_path=testbed, log_dir=spec.work_dir)
    if spec.lab == CONTAINERLAB:
        if spec.node_kind is None:
            raise LabError(f"lab {spec.name!r}: a {CONTAINERLAB} lab needs the nodes' kind")
        rendered = RenderedTopology(kind=spec.node_kind, image=spec.image, lab_name=spec.name, work_dir=spec.work_dir,
                                    mgmt_first_host=spec.mgmt_first_host or clab.MGMT_FIRST_HOST,
                                    design=spec.design, spokes=spec.spokes)
        return ContainerlabBackend(None, rendered=rendered, testbed_path=testbed, design=spec.design,
                                   failure_modes=spec.failure_modes, ready_timeout_s=ready_timeout_s,
                                   ssh_port=spec.ssh_port, ssh_interval_s=spec.ssh_interval_s)
    raise LabError(f"unknown lab {spec.lab!r}; known: {', '.join((CONTAINERLAB, EMBEDDED))}")
