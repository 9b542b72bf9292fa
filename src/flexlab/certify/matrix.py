"""The certification matrix: which images to certify, on which lab, with which failures.

A matrix file is YAML::

    name: nightly
    defaults: {lab: containerlab, failure_modes: [interface-shutdown], iterations: 3}
    rows:
      - {name: iol-17.12, kind: cisco_iol, image: vrnetlab/cisco_iol:17.12.01,
         dpd_model: models/iol-17.12.yaml}

``dpd_model`` declares the image's DPD behaviour (flexlab.dpd_model): a name, a key=value
list, a model file (relative to the matrix) written by `flexlab calibrate`, or a mapping
of keys; left out, the job assumes the default model and says so.

``defaults`` fills every field a row leaves out. The whole file is validated, and every
problem reported at once, before any lab is deployed (see docs/certification.md).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from flexlab.design import NODE_NAME, DesignError, load_design
from flexlab.dpd_model import DpdModel, DpdModelError, parse_model
from flexlab.errors import FlexlabError
from flexlab.failure import DEFAULT_FAILURE_MODE, FAILURE_MODES
from flexlab.labs.factory import DEFAULT_READY_TIMEOUT_S
from flexlab.labs.interface import CONTAINERLAB, LAB_KINDS
from flexlab.render import KINDS
from flexlab.yamlio import read_yaml

DEFAULT_JOB_TIMEOUT_S = 1800.0
ROW_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class MatrixError(FlexlabError):
    """The matrix file is missing, not YAML, or has invalid rows (every problem named)."""


@cache
def embedded_images() -> tuple[str, ...]:
    """The embedded lab's image profiles (its registry is the single source of the names)."""
    from flexlab.labs.embedded import available_images

    return available_images()


class MatrixRow(BaseModel):
    """One image to certify, with the lab it runs on and the failures it must survive."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=ROW_NAME_PATTERN)
    lab: str
    image: str = Field(min_length=1)
    kind: str | None = None
    failure_modes: tuple[str, ...] = (DEFAULT_FAILURE_MODE,)
    iterations: int = Field(1, ge=1, le=1000, strict=True)
    hubs: tuple[str, ...] | None = None
    spokes: int | None = Field(None, ge=1, le=64, strict=True)
    time_scale: float | None = Field(None, gt=0, le=1000, allow_inf_nan=False)
    ready_timeout_s: float | None = Field(None, gt=0, allow_inf_nan=False)
    job_timeout_s: float = Field(DEFAULT_JOB_TIMEOUT_S, gt=0, allow_inf_nan=False)
    description: str = ""
    dpd_model: str | dict[str, Any] | None = None

    @field_validator("lab")
    @classmethod
    def _known_lab(cls, value: str) -> str:
        if value not in LAB_KINDS:
            raise ValueError(f"unknown lab type {value!r}; use one of {', '.join(LAB_KINDS)}")
        return value

    @field_validator("image")
    @classmethod
    def _image_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("image must not be blank")
        if any(c.isspace() or not c.isprintable() for c in value.strip()):
            raise ValueError("image must be one word (no spaces, newlines or control characters)")
        return value.strip()

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str | None) -> str | None:
        if value is not None and value not in KINDS:
            raise ValueError(f"unknown kind {value!r}; supported kinds: {', '.join(KINDS)}")
        return value

    @field_validator("failure_modes")
    @classmethod
    def _known_modes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one failure mode is needed")
        unknown = [mode for mode in value if mode not in FAILURE_MODES]
        if unknown:
            raise ValueError(
                f"unknown failure mode{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))};"
                f" known modes: {', '.join(FAILURE_MODES)}"
            )
        if len(set(value)) != len(value):
            raise ValueError("a failure mode is listed twice")
        return value

    @field_validator("hubs")
    @classmethod
    def _hubs_not_empty(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and not value:
            raise ValueError("hubs must name at least one hub (leave it out for every hub)")
        if value is not None and any(not re.fullmatch(NODE_NAME, hub) for hub in value):
            raise ValueError(f"hubs: every hub must be a node name ({NODE_NAME})")
        return value

    @model_validator(mode="after")
    def _fits_the_lab(self) -> MatrixRow:
        if self.lab == CONTAINERLAB:
            if self.kind is None:
                raise ValueError(f"a {CONTAINERLAB} row needs 'kind' (one of {', '.join(KINDS)})")
            if self.time_scale is not None:
                raise ValueError("time_scale applies to the embedded lab only (real routers run in real time)")
        elif self.image not in embedded_images():
            raise ValueError(
                f"unknown embedded-lab image {self.image!r}; available: {', '.join(embedded_images())}"
            )
        return self

    @property
    def ready_timeout(self) -> float:
        """Seconds the lab may take to come up: the row's own value, else its lab type's default."""
        return self.ready_timeout_s if self.ready_timeout_s is not None else DEFAULT_READY_TIMEOUT_S[self.lab]

    def declared_dpd_model(self, base_dir: Path) -> DpdModel:
        """The row's declared DPD model (files are relative to the matrix)."""
        return parse_model(self.dpd_model, base_dir=base_dir, where=f"row {self.name!r}: dpd_model")

    def dpd_model_arg(self, base_dir: Path) -> str:
        """The job's --dpd-model value for this row ("" = the default model)."""
        if self.dpd_model is None:
            return ""
        if isinstance(self.dpd_model, str) and self.dpd_model.strip().endswith((".yaml", ".yml")):
            path = Path(self.dpd_model.strip())
            return str(path if path.is_absolute() else (base_dir / path).resolve())
        if isinstance(self.dpd_model, str):
            return self.dpd_model.strip()
        return self.declared_dpd_model(base_dir).spec()


class Matrix(BaseModel):
    """A validated matrix file: its rows and the design they share (relative to the matrix file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    path: Path
    description: str = ""
    design: Path | None = None
    rows: tuple[MatrixRow, ...]

    def select(self, names: list[str]) -> Matrix:
        """Only the named rows (in matrix order); unknown names are an error."""
        known = {row.name for row in self.rows}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise MatrixError(
                f"matrix {self.path}: no row named {', '.join(map(repr, unknown))}; rows: {', '.join(sorted(known))}"
            )
        return self.model_copy(update={"rows": tuple(row for row in self.rows if row.name in names)})


_TOP_KEYS = {"name", "description", "design", "defaults", "rows"}


def load_matrix(path: Path) -> Matrix:
    """Read and validate a matrix file; raises MatrixError naming every problem."""
    data = _read_yaml(path)
    problems: list[str] = []
    unknown_top = sorted(set(data) - _TOP_KEYS)
    if unknown_top:
        problems.append(f"unknown top-level key(s) {', '.join(unknown_top)}; allowed: {', '.join(sorted(_TOP_KEYS))}")
    defaults = data.get("defaults") or {}
    raw_rows = data.get("rows")
    if not isinstance(defaults, dict):
        problems.append("'defaults' must be a mapping of row fields")
        defaults = {}
    if "name" in defaults:
        problems.append("'defaults' cannot set 'name': every row needs its own")
    if not isinstance(raw_rows, list) or not raw_rows:
        problems.append("'rows' must be a non-empty list of rows")
        raw_rows = []
    rows: list[MatrixRow] = []
    for index, raw in enumerate(raw_rows, start=1):
        row, row_problems = _validate_row(index, raw, defaults)
        problems += row_problems
        if row is not None:
            rows.append(row)
    problems += _duplicate_names(raw_rows)
    problems += _dpd_model_problems(rows, path.parent)
    design = _design_path(path, data.get("design"))
    if not problems:
        problems += _unknown_hubs(rows, design)
    if problems:
        raise MatrixError(f"matrix {path} is invalid:\n" + "\n".join(f"  - {p}" for p in problems))
    return Matrix(
        name=str(data.get("name") or path.stem), path=path, description=str(data.get("description") or ""),
        design=design, rows=tuple(rows),
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    data = read_yaml(path, "matrix", MatrixError)
    if not isinstance(data, dict):
        raise MatrixError(f"matrix {path} must be a YAML mapping with 'rows', got {type(data).__name__}")
    return data


def _row_label(index: int, raw: object) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    return f"row {index}" + (f" ({name!r})" if isinstance(name, str) and name else "")


def _validate_row(index: int, raw: object, defaults: dict[str, Any]) -> tuple[MatrixRow | None, list[str]]:
    label = _row_label(index, raw)
    if not isinstance(raw, dict):
        return None, [f"{label}: must be a mapping of fields, got {type(raw).__name__}"]
    try:
        return MatrixRow.model_validate({**defaults, **raw}), []
    except ValidationError as exc:
        return None, [f"{label}: {_describe(err)}" for err in exc.errors()]


def _describe(err: Any) -> str:
    loc = ".".join(str(part) for part in err["loc"])
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "missing":
        return f"missing required field {loc!r}"
    if err["type"] == "extra_forbidden":
        return f"unknown field {loc!r} (allowed: {', '.join(MatrixRow.model_fields)})"
    if loc == "lab" and err["type"] == "value_error":
        return message
    if err["type"] == "string_pattern_mismatch" and loc == "name":
        return f"row name {err.get('input')!r} must be 1-64 letters, digits, '.', '_' or '-' (it names files)"
    return f"{loc}: {message}" if loc else message


def _duplicate_names(raw_rows: list[Any]) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for index, raw in enumerate(raw_rows, start=1):
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            problems.append(f"duplicate row name {name!r} (rows {seen[name]} and {index}): row names must be unique")
        else:
            seen[name] = index
    return problems


def _dpd_model_problems(rows: list[MatrixRow], base_dir: Path) -> list[str]:
    problems = []
    for row in rows:
        try:
            row.declared_dpd_model(base_dir)
        except DpdModelError as exc:
            problems.append(str(exc))
    return problems


def _design_path(matrix_path: Path, value: object) -> Path | None:
    if not value:
        return None
    design = Path(str(value))
    return design if design.is_absolute() else (matrix_path.parent / design).resolve()


def _unknown_hubs(rows: list[MatrixRow], design_path: Path | None) -> list[str]:
    """Hubs a row names must be hubs of the design."""
    if not any(row.hubs for row in rows):
        return []
    try:
        hubs = {node.name for node in load_design(design_path).plan().hubs}
    except DesignError as exc:
        return [f"design: {exc}"]
    return [
        f"row {row.name!r}: unknown hub(s) {', '.join(sorted(set(row.hubs) - hubs))};"
        f" the design's hubs: {', '.join(sorted(hubs))}"
        for row in rows
        if row.hubs and set(row.hubs) - hubs
    ]
