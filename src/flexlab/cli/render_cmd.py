"""`flexlab render` (startup configs) and `flexlab topology` (containerlab topology files)."""

from __future__ import annotations

import argparse
from pathlib import Path

from flexlab.cli.argtypes import design_options
from flexlab.design import Design, load_design
from flexlab.errors import FlexlabError
from flexlab.labs import clab
from flexlab.render import KINDS, LAB_CONFIG_DIR, RENDERED_DIR, render_all, write_reference_configs


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `flexlab render` and `flexlab topology`."""
    _register_render(subparsers)
    _register_topology(subparsers)


def _register_render(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render",
        help="render the IOS startup configs of every node",
        description=(
            "Render <node>.cfg for every node of the design for one containerlab kind "
            "(--kind K --out DIR, or --kind K --lab for the configs a containerlab topology uses), "
            "or refresh the committed reference copies (--all-kinds)."
        ),
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--kind", choices=list(KINDS), help="containerlab kind (sets interface names)")
    target.add_argument(
        "--all-kinds",
        action="store_true",
        help=f"refresh {RENDERED_DIR.parent.name}/{RENDERED_DIR.name}/<kind>/ (secrets redacted) "
        "and the committed topologies from the default design",
    )
    parser.add_argument("--out", type=Path, help="output directory")
    parser.add_argument(
        "--lab",
        action="store_true",
        help=f"write the configs the containerlab topology points at: {LAB_CONFIG_DIR.parent.name}/"
        f"{LAB_CONFIG_DIR.name}/<kind>/ (unless --out), file names as containerlab expects (cisco_iol:"
        " <node>.partial.cfg); implied when --out is that directory. The files hold the real PSK",
    )
    parser.add_argument(
        "--secrets",
        choices=["env", "redacted", "embedded"],
        default=None,
        help="env (default): PSK from the environment; redacted: placeholder; embedded: lab defaults",
    )
    design_options(parser)
    parser.set_defaults(func=run_render)


def _register_topology(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "topology",
        help="write the containerlab topology for one kind",
        description="Write the containerlab topology (hubs, spokes, ISP, point-to-point links) for one kind.",
    )
    parser.add_argument("--kind", choices=list(KINDS), required=True, help="containerlab kind")
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="topology file (default: topologies/flexvpn-<kind>.clab.yml)"
    )
    parser.add_argument(
        "--lab-config-dir",
        type=Path,
        default=LAB_CONFIG_DIR,
        help="where the startup configs rendered with secrets live (default: configs/lab); <kind>/ is appended",
    )
    design_options(parser)
    parser.set_defaults(func=run_topology)


def _design(args: argparse.Namespace) -> Design:
    return load_design(args.design, spokes=args.spokes)


def run_render(args: argparse.Namespace) -> int:
    """`flexlab render`: write each node's startup config for one kind (or refresh the committed copies)."""
    if args.all_kinds:
        return _refresh_reference_files(args)
    if args.out is None and not args.lab:
        raise FlexlabError("render --kind needs --out DIR (or --lab for the containerlab lab configs)")
    lab_dir = LAB_CONFIG_DIR / args.kind
    out_dir = args.out or lab_dir
    # Whatever goes where the topology points gets the names the topology expects.
    containerlab_names = args.lab or out_dir.resolve() == lab_dir.resolve()
    plan = _design(args).plan()
    written = render_all(plan, args.kind, out_dir, args.secrets or "env", containerlab_names=containerlab_names)
    for path in written:
        print(path)
    return 0


def _refresh_reference_files(args: argparse.Namespace) -> int:
    """The committed copies always come from the default design, redacted: refuse options
    that would make them differ."""
    conflicting = [
        flag
        for flag, given in (
            ("--out", args.out is not None),
            ("--lab", args.lab),
            ("--design", args.design is not None),
            ("--spokes", args.spokes is not None),
            ("--secrets", args.secrets not in (None, "redacted")),
        )
        if given
    ]
    if conflicting:
        raise FlexlabError(
            "--all-kinds refreshes the committed reference files from the packaged design with secrets"
            f" redacted; it does not take {', '.join(conflicting)}"
        )
    plan = load_design().plan()
    for path in write_reference_configs(plan) + clab.write_reference_topologies(plan):
        print(path)
    return 0


def run_topology(args: argparse.Namespace) -> int:
    """`flexlab topology`: write the containerlab topology for one kind and print its path."""
    plan = _design(args).plan()
    output = args.output or clab.topology_path(args.kind)
    print(clab.write_topology(plan, args.kind, output, args.lab_config_dir))
    return 0
