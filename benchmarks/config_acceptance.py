"""Share of the lines of real IOS configurations the embedded lab accepts, with and without
its inert lines (flexlab.sim.shell.inert_lines).

    .venv/bin/python -m benchmarks.run config-acceptance

Corpus: tests/fixtures/config-corpus/ (see its README.md): the seed's spoke reference
config and the bootstrap configs containerlab and vrnetlab give IOL, vIOS and CSR1000v.
Each file is typed through the CLI's configuration interpreter with the platform of its
kind, as a startup config is read (comments and blank lines are not counted; reading
stops at `end`). A line is "accepted" when the lab takes it without an error message;
"without inert lines" types the same files into the same grammar minus the inert lines
(what the lab accepted before them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flexlab.iosconfig import ConfigTree
from flexlab.sim.platforms import platform_for
from flexlab.sim.shell.interpreter import ConfigInterpreter

NAME = "config_acceptance"
CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "config-corpus"
#: corpus file name prefix -> containerlab kind whose interfaces the config names
KIND_OF_FILE = {
    "containerlab-cisco_iol": "cisco_iol",
    "containerlab-cisco_vios": "cisco_vios",
    "seed-116413-spoke": "cisco_iol",
    "vrnetlab-csr1000v": "cisco_csr1000v",
    "vrnetlab-vios": "cisco_vios",
}


@dataclass(frozen=True)
class FileAcceptance:
    name: str
    lines: int
    accepted: int
    refused: tuple[str, ...]


def measure_file(path: Path, inert: bool = True) -> FileAcceptance:
    """Type ``path`` into a fresh router of its kind; ``inert=False``: as the lab did before
    the inert lines (the same grammar without them)."""
    kind = next(k for prefix, k in KIND_OF_FILE.items() if path.name.startswith(prefix))
    interpreter = ConfigInterpreter(ConfigTree(), platform_for(kind, []), inert=inert)
    lines = 0
    refused: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.strip().startswith("!"):
            continue
        lines += 1
        result = interpreter.feed(line)
        if result.kind == "error":
            refused.append(line.strip())
        if result.kind == "end":
            break
    return FileAcceptance(path.name, lines, lines - len(refused), tuple(refused))


def measure(corpus: Path = CORPUS) -> dict[str, Any]:
    paths = sorted(corpus.glob("*.cfg"))
    after = [measure_file(path) for path in paths]
    before = [measure_file(path, inert=False) for path in paths]
    total = sum(f.lines for f in after)
    accepted, plain = sum(f.accepted for f in after), sum(f.accepted for f in before)
    return {
        "lines": total,
        "accepted": accepted,
        "accepted_without_inert": plain,
        "share_accepted": round(accepted / total, 4),
        "share_accepted_without_inert": round(plain / total, 4),
        "files": [
            {"name": a.name, "lines": a.lines, "accepted": a.accepted, "accepted_without_inert": b.accepted,
             "refused": list(a.refused)}
            for a, b in zip(after, before, strict=True)
        ],
    }


def run() -> dict[str, Any]:
    result = measure()
    print(f"{'file':40} {'lines':>5} {'without inert':>13} {'with inert':>10}")
    for f in result["files"]:
        print(f"{f['name']:40} {f['lines']:5} {f['accepted_without_inert']:13} {f['accepted']:10}")
    print(f"share accepted: {result['share_accepted_without_inert']:.1%} without inert lines, "
          f"{result['share_accepted']:.1%} with them ({result['accepted']} of {result['lines']} lines)")
    for f in result["files"]:
        for line in f["refused"]:
            print(f"  refused in {f['name']}: {line}")
    return result
