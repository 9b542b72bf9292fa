"""Jinja2 rendering of the reference IOS configurations, per containerlab kind.

Each node's config comes from ``flexlab/templates/<role>.j2`` (shipped in the package) and the derived
:class:`~flexlab.design.LabPlan`. Interface names follow the containerlab kind (port
``ethN`` of the topology maps to the router's N-th data interface).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import jinja2

from flexlab.design import Design, LabPlan, NodePlan
from flexlab.errors import FlexlabError
from flexlab.kinds import KINDS, Kind
from flexlab.packaged import TEMPLATE_DIR
from flexlab.privatefs import private_dir, write_private

#: Outputs, relative to the working directory (the user's project; the checkout's root for
#: `make render`): reference configs with the secrets redacted (committed in the checkout).
RENDERED_DIR = Path("configs") / "rendered"
#: Configs rendered WITH the real secrets for a containerlab lab (gitignored).
LAB_CONFIG_DIR = Path("configs") / "lab"

SecretMode = Literal["env", "embedded", "redacted"]


class RenderError(FlexlabError):
    """Unknown kind, missing template or a template error."""


def get_kind(name: str) -> Kind:
    """The kind called ``name``, raising RenderError (what render's callers catch) for an unknown one."""
    try:
        return KINDS[name]
    except KeyError:
        raise RenderError(f"unknown containerlab kind {name!r}; supported: {', '.join(KINDS)}") from None


#: Dynamic (listen-range) BGP neighbours IOS accepts without `bgp listen limit`.
IOS_DEFAULT_LISTEN_LIMIT = 100

REDACTED_PSK = "FLEXLAB_PSK_REDACTED"


def _psk(design: Design, mode: SecretMode) -> str:
    if mode == "redacted":
        return REDACTED_PSK
    return design.secret("psk", embedded=(mode == "embedded"))


def _ntp_server(plan: LabPlan, node: NodePlan) -> str | None:
    """Where a node takes its time: the NTP master hub, by the nearest of its addresses."""
    master_name = plan.design.model.ntp.master
    if master_name is None or node.name == master_name:
        return None
    master = plan.node(master_name)
    if node.role == "hub":
        return str(master.port(2).address)  # over the DC link
    return str(master.wan.address)


@functools.cache
def _environment(kind: Kind) -> jinja2.Environment:
    """One environment per kind, so each template is compiled once per process."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.globals["ifname"] = kind.ifname
    return env


def check_ports(node: NodePlan, kind_name: str) -> None:
    """RenderError when the node has more data ports than the kind's image offers."""
    kind = get_kind(kind_name)
    highest = max((port.number for port in node.ports), default=0)
    if kind.max_data_ports is not None and highest > kind.max_data_ports:
        raise RenderError(
            f"{node.name} needs {highest} data ports but {kind.name} offers {kind.max_data_ports}: use fewer spokes"
        )


def render_node(plan: LabPlan, node: NodePlan, kind_name: str = "cisco_iol", secrets: SecretMode = "env") -> str:
    """The startup configuration of one node for one kind."""
    kind = get_kind(kind_name)
    check_ports(node, kind_name)
    design = plan.design
    context = {
        "node": node,
        "d": design.model,
        "psk": _psk(design, secrets) if node.role != "isp" else "",
        "logging_buffer": 64000,
        "ntp_master": design.model.ntp.master,
        "ntp_server": _ntp_server(plan, node),
        # a surviving hub carries every spoke: above IOS's default of 100 dynamic BGP
        # neighbours the hubs need `bgp listen limit`
        "spoke_count": len(plan.spokes),
        "ios_listen_limit": IOS_DEFAULT_LISTEN_LIMIT,
    }
    if node.pool is not None:
        hosts = list(node.pool.hosts())
        context["pool_first"], context["pool_last"] = hosts[0], hosts[-1]
    try:
        text = _environment(kind).get_template(f"{node.role}.j2").render(context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"rendering {node.name} for {kind_name}: {exc}") from None
    return _tidy(text)


def _tidy(text: str) -> str:
    """Collapse runs of '!' separators and blank lines that template blocks leave."""
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line == "!" and out and out[-1] == "!":
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def config_filename(kind_name: str, node_name: str, *, containerlab: bool = False) -> str:
    """``<node>.cfg``; for containerlab, ``<node>.partial.cfg`` where the kind needs it."""
    if containerlab and get_kind(kind_name).partial_startup_config:
        return f"{node_name}.partial.cfg"
    return f"{node_name}.cfg"


def render_all(
    plan: LabPlan,
    kind_name: str,
    out_dir: Path,
    secrets: SecretMode = "env",
    *,
    containerlab_names: bool = False,
) -> list[Path]:
    """Write every node's config into ``out_dir`` (named by :func:`config_filename`).

    All configs are rendered before the first file is written, so a missing secret
    leaves ``out_dir`` untouched.
    """
    texts = {
        config_filename(kind_name, node.name, containerlab=containerlab_names): render_node(
            plan, node, kind_name, secrets
        )
        for node in plan.nodes
    }
    private = secrets != "redacted"   # the PSK is in the files: owner-only (0600 in 0700)
    try:
        private_dir(out_dir) if private else out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in texts.items():
            path = out_dir / name
            write_private(path, text) if private else path.write_text(text)
            written.append(path)
    except OSError as exc:
        raise RenderError(f"cannot write configs to {out_dir}: {exc.strerror}") from None
    return written


def write_reference_configs(plan: LabPlan, rendered_dir: Path = RENDERED_DIR) -> list[Path]:
    """Refresh ``<rendered_dir>/<kind>/<node>.cfg`` for every kind, secrets redacted.

    These are the committed reference copies; stale ``*.cfg`` files (nodes no longer in
    the design) are removed so the directory mirrors the design exactly.
    """
    written: list[Path] = []
    for kind_name in KINDS:
        kind_dir = rendered_dir / kind_name
        paths = render_all(plan, kind_name, kind_dir, "redacted")
        for stale in set(kind_dir.glob("*.cfg")) - set(paths):
            stale.unlink()
        written.extend(paths)
    return written
