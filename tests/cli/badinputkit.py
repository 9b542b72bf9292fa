"""The bad-input corpus: hostile files and arguments every flexlab entry point must refuse
with one line, exit code 2 and nothing written. Each case builds its input files under a
directory and returns the argument lists that feed them to the CLI entry points."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flexlab.packaged import DEFAULT_DESIGN, EMBEDDED_MATRIX

ROOT = Path(__file__).resolve().parents[2]
DESIGN_TEXT = DEFAULT_DESIGN.read_text()
MATRIX_TEXT = EMBEDDED_MATRIX.read_text()
INSPECT_TEXT = (ROOT / "tests" / "fixtures" / "inspect-0.68-flexvpn-iol.json").read_text()


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"corpus base text lacks {old!r}"
    return text.replace(old, new, 1)


#: Design files: (case id, file bytes, what the one-line error must mention).
DESIGNS: list[tuple[str, bytes, str]] = [
    ("names-newline",
     _replace(DESIGN_TEXT, "keyring: Flex_key",
              'keyring: "Flex_key\\nusername evil privilege 15 secret 0 evil"').encode(),
     "names.keyring"),
    ("names-space", _replace(DESIGN_TEXT, "route_map: ALL", 'route_map: "ALL permit"').encode(), "names.route_map"),
    ("names-too-long", _replace(DESIGN_TEXT, "pool: FlexSpokes", "pool: " + "P" * 40).encode(), "names.pool"),
    ("isp-path", _replace(DESIGN_TEXT, "  name: isp", "  name: ../../x").encode(), "isp.name"),
    ("isp-is-hub1", _replace(DESIGN_TEXT, "  name: isp", "  name: hub1").encode(), "isp.name"),
    ("isp-is-a-spoke", _replace(DESIGN_TEXT, "  name: isp", "  name: spoke2").encode(), "isp.name"),
    ("hub-slash", _replace(DESIGN_TEXT, "  - name: hub2", "  - name: hub/2").encode(), "hubs.1.name"),
    ("plans-overlap", _replace(DESIGN_TEXT, "supernet: 100.64.0.0/16", "supernet: 172.16.0.0/16").encode(),
     "overlaps"),
    ("interconnect-in-lan", _replace(DESIGN_TEXT, "hub_interconnect: 10.255.0.0/30",
                                     "hub_interconnect: 10.0.1.0/30").encode(), "overlaps"),
    ("duplicate-key", _replace(DESIGN_TEXT, "bgp_as: 65001", "bgp_as: 65001\nbgp_as: 65002").encode(),
     "duplicate key 'bgp_as'"),
    ("count-true", _replace(DESIGN_TEXT, "count: 2", "count: true").encode(), "spokes.count"),
    ("count-string", _replace(DESIGN_TEXT, "count: 2", 'count: "2"').encode(), "spokes.count"),
    ("psk-env-empty", _replace(DESIGN_TEXT, "psk_env: FLEXLAB_PSK", 'psk_env: ""').encode(), "secrets.psk_env"),
    ("psk-env-injection", _replace(DESIGN_TEXT, "psk_env: FLEXLAB_PSK", 'psk_env: "A B"').encode(),
     "secrets.psk_env"),
    ("latin1", DESIGN_TEXT.replace("flexvpn", "flexvpn # caf\xe9", 1).encode("latin-1"), "not UTF-8"),
    ("binary", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)), "binary"),
    ("utf16", DESIGN_TEXT.encode("utf-16"), "UTF-16"),
    ("nested-block", ("a:\n" + "".join("  " * i + "  b:\n" for i in range(2000))).encode(), "nests deeper"),
    ("nested-flow", ("[" * 5000 + "]" * 5000).encode(), "nests deeper"),
    ("alias-bomb", ("a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))).encode(),
     "values"),
    ("not-a-mapping", b"- 1\n- 2\n", "mapping"),
    ("empty", b"", "mapping"),
]

#: Matrix files.
MATRICES: list[tuple[str, bytes, str]] = [
    ("duplicate-key", _replace(MATRIX_TEXT, "name: embedded", "name: embedded\nname: other").encode(), "duplicate key"),
    ("latin1", MATRIX_TEXT.replace("name: embedded", "name: embedded # \xe9", 1).encode("latin-1"), "not UTF-8"),
    ("binary", b"\x00\x01\x02", "binary"),
    ("utf16", MATRIX_TEXT.encode("utf-16"), "UTF-16"),
    ("nested", ("{a: " * 3000 + "1" + "}" * 3000).encode(), "nests deeper"),
    ("iterations-true", _replace(MATRIX_TEXT, "iterations: 1", "iterations: true").encode(), "iterations"),
    ("time-scale-nan", _replace(MATRIX_TEXT, "time_scale: 50", "time_scale: .nan").encode(), "time_scale"),
    ("job-timeout-inf", _replace(MATRIX_TEXT, "job_timeout_s: 300", "job_timeout_s: .inf").encode(), "job_timeout_s"),
    ("image-newline", _replace(MATRIX_TEXT, "image: iol-17.12\n", 'image: "iol-17.12\\nrm -rf /"\n').encode(), "image"),
]


def _inspect_with(change: Callable[[dict], None]) -> bytes:
    data = json.loads(INSPECT_TEXT)
    change(data)
    return json.dumps(data).encode()


def _first(data: dict) -> dict:
    return next(iter(data.values()))[0]


#: containerlab inspect outputs for `flexlab testbed --from-inspect`.
INSPECTS: list[tuple[str, bytes, str]] = [
    ("ip-injection", _inspect_with(lambda d: _first(d).update(ipv4_address="not-an-ip; rm -rf /")), "ipv4_address"),
    ("ip-nan", INSPECT_TEXT.replace('"ipv4_address": "', '"ipv4_address": NaN, "x": "', 1).encode(), "NaN"),
    ("name-list", _inspect_with(lambda d: _first(d).update(name=["a", "b"])), "'name' must be a string"),
    ("name-newline", _inspect_with(lambda d: _first(d).update(name="clab-x-hub1\nevil")), "'name'"),
    ("node-name-path", _inspect_with(lambda d: _first(d).update(nodeName="../../etc/x")), "'nodeName'"),
    ("duplicate-node", _inspect_with(lambda d: next(iter(d.values())).append(dict(_first(d)))), "listed twice"),
    ("latin1", INSPECT_TEXT.replace("{", '{"x": "\xe9",', 1).encode("latin-1"), "not UTF-8"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
    ("utf16", INSPECT_TEXT.encode("utf-16"), "UTF-16"),
    ("nested", ("[" * 100000 + "]" * 100000).encode(), "nests deeper"),
]


def history_files(directory: Path) -> list[tuple[str, Path, str]]:
    """History databases `flexlab trend` must refuse: empty, foreign tables, not SQLite."""
    empty = directory / "empty.sqlite"
    empty.write_bytes(b"")
    foreign = directory / "foreign.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE users (id INTEGER, name TEXT)")
    noise = directory / "noise.sqlite"
    noise.write_bytes(b"this is not a database\n" * 100)
    return [("empty", empty, "not a flexlab history"), ("foreign", foreign, "tables: users"),
            ("not-sqlite", noise, "history database")]


@dataclass(frozen=True)
class Case:
    """One invocation: its id, the flexlab argv, and text the error line must contain."""

    id: str
    argv: list[str]
    expect: str
