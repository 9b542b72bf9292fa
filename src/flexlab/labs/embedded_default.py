"""The default embedded lab's input: the design rendered into a topology file and startup
configs in the lab's state directory, exactly what ``-t`` would feed.

The embedded lab only ever boots a topology file; without ``-t`` this module writes one
from the design (``--design``/``--spokes``), with ``image: flexlab/sim:<profile>`` for the
profile asked for and startup configs named as the kind expects (``<node>.partial.cfg``
for cisco_iol). ``--config-dir`` files take the place of the rendered configs, on top of
the kind's bootstrap like a partial config.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from flexlab.design import LabPlan, load_design
from flexlab.kinds import ROLE_LABEL, SIM_IMAGE_REPOSITORY
from flexlab.labs import clab
from flexlab.labs.base import LabError
from flexlab.privatefs import private_dir, write_private
from flexlab.render import config_filename, render_all
from flexlab.yamlio import read_text

#: The kind the default lab's nodes are when none is asked (interface names Ethernet0/1, ...).
DEFAULT_KIND = "cisco_iol"
TOPOLOGY_FILE = "topology.clab.yml"
CONFIG_DIR = "configs"


def write_default_topology(
    state_dir: Path, *, profile: str, design: Path | None, spokes: int | None, config_dir: Path | None,
    name: str, kind: str = DEFAULT_KIND,
) -> Path:
    """Write ``<state_dir>/topology.clab.yml`` and its configs; returns the topology path."""
    plan = load_design(design, spokes=spokes).plan()
    return write_plan_topology(state_dir, plan, profile=profile, config_dir=config_dir, name=name, kind=kind)


def write_plan_topology(state_dir: Path, plan: LabPlan, *, profile: str, config_dir: Path | None = None,
                        name: str = "flexvpn", kind: str = DEFAULT_KIND) -> Path:
    """The topology file and configs of a derived design (``config_dir``: its <node>.cfg files),
    with ``kind``'s nodes: its interface names, bootstrap and startup-config file names."""
    configs = state_dir / CONFIG_DIR
    if configs.exists():
        shutil.rmtree(configs)
    private_dir(configs)
    if config_dir is None:
        render_all(plan, kind, configs / kind, "embedded", containerlab_names=True)
    else:
        private_dir(configs / kind)
        for node in plan.nodes:
            source = Path(config_dir) / f"{node.name}.cfg"
            if not source.is_file():
                raise LabError(f"--config-dir {config_dir}: no {source.name} for node {node.name}")
            target = configs / kind / config_filename(kind, node.name, containerlab=True)
            write_private(target, read_text(source, "--config-dir file", LabError))
    document = clab.build_topology(plan, kind, f"{CONFIG_DIR}/{kind}",
                                   image=f"{SIM_IMAGE_REPOSITORY}:{profile}", name=name)
    for node in plan.nodes:   # the design's roles, isp included (a config tells only hub and spoke)
        document["topology"]["nodes"][node.name]["labels"] = {ROLE_LABEL: node.role}
    path = state_dir / TOPOLOGY_FILE
    try:
        path.write_text(yaml.safe_dump(document, sort_keys=False))
    except OSError as exc:
        raise LabError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
