"""`flexlab lab ...`: start, inspect, fail, restore and stop a lab."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from flexlab.cli.argtypes import positive_float, positive_int
from flexlab.defaults import DEFAULT_IMAGE, DEFAULT_TIME_SCALE
from flexlab.failure import DEFAULT_FAILURE_MODE, FAILURE_MODES, failure_mode
from flexlab.kinds import KINDS
from flexlab.labs.base import Capture, LabError
from flexlab.labs.embedded import DEFAULT_LAB, UpOptions, image_params_from
from flexlab.labs.embedded_backend import EmbeddedBackend
from flexlab.labs.interface import Lab
from flexlab.labs.session import lab_for_topology
from flexlab.privatefs import check_writable

TOPOLOGY_HELP = "act on the lab deployed from this topology file instead of the embedded lab --name"


def register(subparsers: argparse._SubParsersAction) -> None:
    lab = subparsers.add_parser("lab", help="manage a lab (the embedded lab runs in the background)")
    commands = lab.add_subparsers(dest="lab_command", metavar="ACTION", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text)
        parser.add_argument("--name", default=DEFAULT_LAB, help="lab name (default: %(default)s)")
        return parser

    up = add("up", "start a lab and wait until every node accepts SSH logins")
    up.add_argument("--embedded", action="store_true", required=True, help="start the embedded lab")
    up.add_argument("-t", "--topology", type=Path, metavar="FILE.clab.yml",
                    help="boot this topology file and the startup-configs it names (default: the design's)")
    up.add_argument("--spokes", type=positive_int, help="number of spokes (default: the design's)")
    up.add_argument("--time-scale", type=positive_float, default=DEFAULT_TIME_SCALE,
                    help="simulated seconds per wall second")
    up.add_argument(
        "--image", help=f"behaviour profile of the design's lab (default: {DEFAULT_IMAGE}; see docs/embedded-lab.md)"
    )
    up.add_argument(
        "--kind", choices=list(KINDS),
        help="containerlab kind of the design's nodes: their interface names and bootstrap (default: cisco_iol)",
    )
    up.add_argument("--design", type=Path, help="design file (default: the packaged design)")
    up.add_argument("--config-dir", type=Path, help="boot nodes from <node>.cfg files in this directory")
    up.add_argument("--testbed-out", type=Path, help="write the pyATS testbed here")
    up.add_argument("--timeout", type=positive_float, default=120.0, help="seconds to wait for SSH logins")
    up.add_argument("--image-param", action="append", default=[], metavar="KEY=VALUE",
                    help="override the image's DPD behaviour, e.g. dpd_retransmits=3, dpd_backoff=exponential,"
                         " dpd_backoff_factor=2, dpd_backoff_cap_s=60, dpd_periodic=always|idle (repeatable)")
    up.add_argument("--seed", type=int, default=1, help="seed of boot offsets and timer phases (default: %(default)s)")
    up.set_defaults(func=_up)

    status = add("status", "show whether the lab runs and the state of its nodes")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_status)

    add("down", "stop the lab").set_defaults(func=_down)

    fail = add("fail", "fail a node the way a real lab can")
    fail.add_argument("node")
    fail.add_argument("--mode", choices=FAILURE_MODES, default=DEFAULT_FAILURE_MODE)
    fail.add_argument("--lab", type=Path, metavar="FILE.clab.yml", help=TOPOLOGY_HELP)
    fail.set_defaults(func=_fail)

    restore = add("restore", "undo a failure")
    restore.add_argument("node")
    restore.add_argument("--mode", choices=FAILURE_MODES,
                         help="the mode the node was failed with "
                              "(default: what the lab can tell, else undo every mode)")
    restore.add_argument("--lab", type=Path, metavar="FILE.clab.yml", help=TOPOLOGY_HELP)
    restore.set_defaults(func=_restore)

    capture = add("capture", "write what crosses a node's interface to a pcap file (until Ctrl-C or --duration)")
    capture.add_argument("node")
    capture.add_argument(
        "--interface", help="IOS name (Ethernet0/1, GigabitEthernet2) or ethN; default: the node's data links"
    )
    capture.add_argument("-w", "--write", dest="output", type=Path, required=True, metavar="FILE.pcap")
    capture.add_argument("--duration", type=float, help="stop after this many wall seconds")
    capture.add_argument("--lab", type=Path, metavar="FILE.clab.yml", help=TOPOLOGY_HELP)
    capture.set_defaults(func=_capture)

    truth = add("truth", "print the simulated instants of every protocol event")
    truth.add_argument("--json", action="store_true")
    truth.set_defaults(func=_truth)


def _up(args: argparse.Namespace) -> int:
    if args.testbed_out:
        check_writable(args.testbed_out, "--testbed-out")   # before the lab starts, not after
    lab = EmbeddedBackend(args.name, UpOptions(
        spokes=args.spokes, time_scale=args.time_scale, image=args.image, kind=args.kind, design=args.design,
        config_dir=args.config_dir, timeout_s=args.timeout, seed=args.seed,
        image_params=image_params_from(args.image_param, "--image-param"), topology=args.topology,
    ), testbed_path=args.testbed_out)
    testbed = lab.up()
    info = lab.info
    assert info is not None   # up() started it
    print(f"embedded lab {info.name!r} up: {len(info.ports)} nodes on {info.host}, time scale {info.time_scale:g}, "
          f"image {info.image}{_params_text(info.image_params)}, seed {info.seed}")
    for node, errors in info.boot_errors.items():
        for error in errors:
            print(f"  warning: {node} refused a startup-config line: {error}")
    if args.testbed_out:
        print(f"testbed written to {testbed}")
    return 0


def _status(args: argparse.Namespace) -> int:
    lab = EmbeddedBackend(args.name)
    if lab.info is None:
        print(json.dumps({"name": args.name, "up": False}) if args.json else f"embedded lab {args.name!r} is not up")
        return 1
    status = lab.status()
    if args.json:
        print(json.dumps({"up": True, **status}, indent=2))
        return 0
    print(f"embedded lab {status['name']!r}: lab time {status['lab_time']:.3f} s, time scale {status['time_scale']:g}, "
          f"image {status['image']}{_params_text(status.get('image_params') or {})}, seed {status.get('seed')}")
    if model := status.get("dpd_model"):
        print("  DPD model: " + ", ".join(f"{k}={v}" for k, v in model.items()))
    for node, facts in status["nodes"].items():
        extra = f", failed ({facts['failed']})" if facts.get("failed") else ""
        print(f"  {node:<10} ssh 127.0.0.1:{facts['port']}{extra}")
    return 0


def _params_text(params: dict[str, str]) -> str:
    return f" ({', '.join(f'{k}={v}' for k, v in params.items())})" if params else ""


def _down(args: argparse.Namespace) -> int:
    lab = EmbeddedBackend(args.name)
    stopped = lab.info is not None
    lab.down()
    print(f"embedded lab {args.name!r} stopped" if stopped else f"embedded lab {args.name!r} was not up")
    return 0


def _lab(args: argparse.Namespace) -> Lab:
    """The deployed topology --lab when given, else the embedded lab --name."""
    return lab_for_topology(args.lab) if getattr(args, "lab", None) is not None else EmbeddedBackend(args.name)


def _when(lab: Lab) -> str:
    lab_time = getattr(lab, "last_lab_time", None)   # the embedded lab says when, in its own time
    return f" at lab time {lab_time:.3f} s" if lab_time is not None else ""


def _fail(args: argparse.Namespace) -> int:
    lab = _lab(args)
    lab.fail(args.node, failure_mode(args.mode))
    print(f"{args.node} failed ({args.mode}){_when(lab)}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    lab = _lab(args)
    lab.restore(args.node, failure_mode(args.mode) if args.mode else None)
    print(f"{args.node} restored{_when(lab)}")
    return 0


def _start_capture(args: argparse.Namespace) -> Capture:
    return _lab(args).start_capture(args.node, args.interface, args.output.resolve())


def _capture(args: argparse.Namespace) -> int:
    if args.duration is not None and args.duration <= 0:
        raise LabError(f"--duration {args.duration:g}: must be > 0 seconds")
    capture = _start_capture(args)
    where = f"{args.node} {args.interface or '(data links)'}"
    print(f"capturing {where} into {capture.path}" + ("" if args.duration else "; Ctrl-C stops"), flush=True)
    try:
        if args.duration is not None:
            time.sleep(args.duration)   # the user asked for this much wall time
        else:
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        path = capture.stop()
    print(f"capture written to {path} (timestamps: {capture.time_base} clock)")
    return 0


def _truth(args: argparse.Namespace) -> int:
    events = EmbeddedBackend(args.name).truth() or []
    if args.json:
        print(json.dumps(events, indent=2))
        return 0
    for event in events:
        detail = " ".join(
            f"{k}={v}"
            for k, v in event.items()
            if v not in (None, "") and k not in ("time", "node", "kind", "device_time", "clock_synced")
        )
        node, kind = event.get("node", ""), event.get("kind", "")
        print(f"{event['time']:>12.3f}  {event['device_time']:<26} {node:<8} {kind:<18} {detail}")
    return 0


__all__ = ["register", "LabError"]
