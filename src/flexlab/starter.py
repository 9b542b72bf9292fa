"""`flexlab init DIR`: a starter project a user edits, built from the files the package ships.

The project holds inputs only, none of them secret (the PSK and the router logins stay
environment variables, named in design.yaml), so every file is written 0644. What flexlab
writes later (configs/, topologies/, reports/) goes beside them when run from DIR.
"""

from __future__ import annotations

import os
from pathlib import Path

from flexlab.errors import FlexlabError
from flexlab.packaged import DEFAULT_DESIGN, EMBEDDED_MATRIX, EMBEDDED_TESTBED

#: Mode of the starter files: readable by all, they hold no secret.
STARTER_FILE_MODE = 0o644
DESIGN_FILE = "design.yaml"
MATRIX_FILE = "matrix.yaml"
TESTBED_FILE = "testbed.yaml"
README_FILE = "README.md"


class StarterError(FlexlabError):
    """The target directory is not empty (and --force was not given), or cannot be written."""


_MATRIX_HEADER = """\
# Certification matrix of this project, on the embedded lab (no routers needed):
#   flexlab certify --matrix matrix.yaml --out reports/certify
# `design:` points at this project's design.yaml. For real images on containerlab, rows take
# `lab: containerlab`, `kind` and `image` (see flexlab's docs/certification.md).
"""

_README = f"""\
# flexlab project

Started by `flexlab init`. Edit the inputs, then run flexlab from this directory: what it
writes (configs/, topologies/, reports/) goes here too.

- `{DESIGN_FILE}`: the FlexVPN design (nodes, addresses, pools, BGP, DPD, and the names of
  the environment variables holding the PSK and the router logins). Edit: your addresses
  and timers.
- `{MATRIX_FILE}`: the certification matrix (images x failure modes, on the embedded lab).
  Edit: your images.
- `{TESTBED_FILE}`: the pyATS testbed of flexlab's default embedded lab (the reference
  design, fixed local ports, the embedded lab's documented logins). Regenerate it for your
  design or a real lab (below).

Secrets never go into these files: export `FLEXLAB_PSK`, `FLEXLAB_USERNAME`,
`FLEXLAB_PASSWORD`, `FLEXLAB_ENABLE` (the names are set in `{DESIGN_FILE}`, `secrets:`).

## Commands

```sh
flexlab demo                                                # the failover job on the embedded lab
flexlab render --design {DESIGN_FILE} --kind cisco_iol --out configs/cisco_iol   # IOS configs
flexlab certify --matrix {MATRIX_FILE} --out reports/certify # certify the matrix's images
```

The failover job on your design, on the embedded lab (a testbed that matches it):

```sh
flexlab lab up --embedded --design {DESIGN_FILE} --testbed-out {TESTBED_FILE}
pyats run job "$(flexlab paths job)" --testbed-file {TESTBED_FILE} --design {DESIGN_FILE}
flexlab lab down
```

On containerlab (real images): `flexlab render --design {DESIGN_FILE} --kind cisco_iol --lab`,
`flexlab topology --design {DESIGN_FILE} --kind cisco_iol`, `containerlab deploy -t
topologies/flexvpn-cisco_iol.clab.yml`, then `flexlab testbed --lab
topologies/flexvpn-cisco_iol.clab.yml -o {TESTBED_FILE}` and the `pyats run job` line above.
"""


def starter_matrix(packaged_text: str) -> str:
    """The packaged embedded matrix with this project's header and ``design: design.yaml``."""
    body = [line for line in packaged_text.splitlines(keepends=True) if not line.startswith("#")]
    lines: list[str] = []
    for line in body:
        lines.append(line)
        if line.startswith("name:"):
            lines.append(f"design: {DESIGN_FILE}   # relative to this file\n")
    return _MATRIX_HEADER + "".join(lines)


def starter_files() -> dict[str, str]:
    """File name -> content of the starter project."""
    return {
        DESIGN_FILE: DEFAULT_DESIGN.read_text(),
        MATRIX_FILE: starter_matrix(EMBEDDED_MATRIX.read_text()),
        TESTBED_FILE: EMBEDDED_TESTBED.read_text(),
        README_FILE: _README,
    }


def write_starter(directory: Path, *, force: bool = False) -> list[Path]:
    """Write the starter project into ``directory`` (created if missing); refuse a non-empty
    directory unless ``force`` (then the starter files are overwritten, others kept)."""
    if directory.exists() and not directory.is_dir():
        raise StarterError(f"{directory} exists and is not a directory")
    if not force and directory.is_dir() and any(directory.iterdir()):
        raise StarterError(f"{directory} is not empty: choose a new directory or pass --force "
                           "(overwrites the starter files)")
    written: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in starter_files().items():
            path = directory / name
            path.write_text(text)
            os.chmod(path, STARTER_FILE_MODE)   # explicit: not left to the umask
            written.append(path)
    except OSError as exc:
        raise StarterError(f"cannot write the starter project in {directory}: {exc.strerror}") from None
    return written
