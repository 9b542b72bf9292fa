"""Reading the files users write (design, matrix, inspect JSON, configs) with one-line errors.

Every failure — unreadable, not UTF-8 (binary, UTF-16), malformed, duplicate keys, nested
beyond reason — raises the caller's error type with the file, the line where known, and the
cause. Nothing here lets a traceback reach the user.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

#: Deeper than any real design, matrix or inspect output; deeper input is refused before a
#: recursive parser or validator can run out of stack.
MAX_DEPTH = 32
#: More values than any real input holds (a YAML alias bomb expands far beyond it).
MAX_VALUES = 1_000_000


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping with the same key twice (YAML says keys are unique)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key that is itself a list or mapping", key_node.start_mark) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_text(path: Path, what: str, error: type[Exception]) -> str:
    """The UTF-8 text of ``path``; binary, UTF-16 and undecodable files are refused."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    return decode_text(data, f"{what} {path}", error)


def decode_text(data: bytes, where: str, error: type[Exception]) -> str:
    """``data`` as UTF-8 text, or ``error`` naming ``where`` and the first bad line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error(f"{where} is UTF-16 encoded; save it as UTF-8")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise error(f"{where} is binary, not text (NUL byte at line {line})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"{where} is not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line})") from None


def parse_yaml(text: str, where: str, error: type[Exception]) -> Any:
    """Parsed YAML text with unique keys and bounded nesting."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{where} is not valid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise error(f"{where} nests deeper than {MAX_DEPTH} levels") from None
    check_depth(data, where, error)
    return data


def parse_json(text: str, where: str, error: type[Exception]) -> Any:
    """Parsed JSON text with bounded nesting; NaN/Infinity literals are refused."""
    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON value")
    try:
        data = json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise error(f"{where} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except ValueError as exc:
        raise error(f"{where}: {exc}") from None
    except RecursionError:
        raise error(f"{where} nests deeper than {MAX_DEPTH} levels") from None
    check_depth(data, where, error)
    return data


def check_depth(data: Any, where: str, error: type[Exception]) -> None:
    """Refuse data nested deeper than :data:`MAX_DEPTH` (iteratively: no recursion limit)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise error(f"{where} holds more than {MAX_VALUES} values (a YAML alias bomb?)")
        if depth > MAX_DEPTH:
            raise error(f"{where} nests deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def read_yaml(path: Path, what: str, error: type[Exception]) -> Any:
    """Parsed YAML of ``path``; every failure raises ``error`` naming the file and the cause."""
    return parse_yaml(read_text(path, what, error), f"{what} {path}", error)


def read_json(path: Path, what: str, error: type[Exception]) -> Any:
    """Parsed JSON of ``path``; every failure raises ``error`` naming the file and the cause."""
    return parse_json(read_text(path, what, error), f"{what} {path}", error)
