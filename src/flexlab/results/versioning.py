"""Schema versions and the validating loader every reader of a result file goes through.

Every document carries ``schema_version`` ("MAJOR.MINOR"). A reader accepts its own major
version (a new minor only adds optional fields) and refuses any other with one line naming
the file, the field and what was found. Any other defect (not JSON, a missing or mistyped
field) is also one line: file, pydantic's location of the field, the cause.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from flexlab.errors import FlexlabError

VERSION_FIELD = "schema_version"
_Document = TypeVar("_Document", bound=BaseModel)


class ResultFileError(FlexlabError):
    """A result file that cannot be loaded: the message names the file, the field and the cause."""


class ResultModel(BaseModel):
    """Base of every result model: fields documented in the JSON schema; a model passed where
    another is built is validated again (a record mutated in place is checked when written)."""

    model_config = ConfigDict(revalidate_instances="always", use_attribute_docstrings=True)


def major(version: str) -> str:
    """"1" of "1.0"."""
    return version.split(".", 1)[0]


def check_version(found: str, supported: str) -> str:
    """``found`` when its major version is ``supported``'s; ValueError naming both otherwise."""
    if major(str(found)) != major(supported):
        raise ValueError(f"found {found!r}, supported {major(supported)}.x ({supported})")
    return found


def _location(error: ErrorDetails) -> str:
    return ".".join(str(part) for part in error["loc"]) or "(document)"


def describe_error(path: Path, exc: ValidationError) -> str:
    """One line for a validation error: the file, the first failing field (the version first) and the cause."""
    errors = exc.errors(include_url=False)
    first = next((e for e in errors if e["loc"][:1] == (VERSION_FIELD,)), errors[0])
    cause = first["msg"].removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{path}: field {_location(first)}: {cause}{more}"


def load_document(path: Path, model: type[_Document]) -> _Document:
    """The document in ``path`` validated by ``model``; ResultFileError (one line) when it is not one."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ResultFileError(f"{path}: not found") from None
    except OSError as exc:
        raise ResultFileError(f"{path}: unreadable: {exc.strerror or exc}") from None
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        raise ResultFileError(describe_error(path, exc)) from None
