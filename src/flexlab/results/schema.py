"""The committed JSON schemas of the result documents, generated from the models.

``python -m flexlab.results.schema`` writes them into this package's ``schemas/``
directory; ``--check`` exits 1 (naming the stale files) when a committed schema differs
from the model's. The schemas describe the files as written (pydantic's serialization
mode: fields computed from others, such as a row's verdict, are listed as read-only).
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from flexlab.results.certify import CertifyRun
from flexlab.results.job import JobReportDocument, RunRecord

#: Schema file name -> the model of the document it describes.
DOCUMENTS: dict[str, type[BaseModel]] = {
    "failover_report.schema.json": JobReportDocument,
    "run_record.schema.json": RunRecord,
    "summary.schema.json": CertifyRun,
}
REGENERATE = "python -m flexlab.results.schema (or `make schemas`)"


def schemas_dir() -> Path:
    """Where the committed schemas are (inside the installed package)."""
    return Path(str(resources.files("flexlab.results") / "schemas"))


def generated(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of ``model``'s documents as written."""
    return model.model_json_schema(mode="serialization")


def schema_text(model: type[BaseModel]) -> str:
    """The schema as the committed file holds it."""
    return json.dumps(generated(model), indent=2, sort_keys=True) + "\n"


def committed(name: str) -> dict[str, Any]:
    """A committed schema, by file name (e.g. summary.schema.json)."""
    loaded: dict[str, Any] = json.loads((schemas_dir() / name).read_text())
    return loaded


def stale(directory: Path) -> list[str]:
    """Schema files in ``directory`` that are missing or differ from the models."""
    return [name for name, model in DOCUMENTS.items()
            if not (directory / name).is_file() or (directory / name).read_text() != schema_text(model)]


def write_all(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in DOCUMENTS.items():
        path = directory / name
        path.write_text(schema_text(model))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Write the schemas (default: into the package), or check them with --check."""
    parser = argparse.ArgumentParser(prog="python -m flexlab.results.schema", description=__doc__)
    parser.add_argument("--dir", type=Path, default=None, help="where the schemas are (default: the package's)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed schema differs from the model")
    args = parser.parse_args(argv)
    directory = args.dir or schemas_dir()
    if args.check:
        if names := stale(directory):
            print(f"stale schema(s) in {directory}: {', '.join(names)}; regenerate with {REGENERATE}",
                  file=sys.stderr)
            return 1
        return 0
    for path in write_all(directory):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
