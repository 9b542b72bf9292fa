"""`flexlab certify merge DIR... --out DIR`: one certification run from shard outputs.

Every shard output is a complete output directory with its summary.json. The merge reads
the rows back from those (:func:`row_from_dict` is the inverse of ``RowResult.to_dict``),
refuses outputs of different matrices (their digest, :func:`flexlab.certify.shard.matrix_digest`)
and a row present twice, puts the rows in matrix order, copies each row's files (job logs,
archives) into the merged directory and points the paths there. The outputs are then
written from that run as a sequential run writes them.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

from flexlab.certify.history import row_digest
from flexlab.certify.outputs import SUMMARY
from flexlab.certify.results import SUMMARY_SCHEMA, CertifyRun, Check, ModeRun, RowResult, SpokeMeasurement
from flexlab.errors import FlexlabError

_ROWS = "rows"


class MergeError(FlexlabError):
    """Shard outputs that cannot be merged (missing, unreadable, other matrix, a row twice)."""


@dataclasses.dataclass(frozen=True)
class ShardOutput:
    """One `flexlab certify` output directory and its summary.json, as read."""

    directory: Path
    summary: dict[str, Any]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The summary's row records, as written."""
        return list(self.summary["rows"])


@dataclasses.dataclass
class MergedRun:
    """The run merged from shard outputs, with what `certify merge` records and reports about it."""

    run: CertifyRun
    digests: list[str]            # per row, of the row as its shard wrote it
    missing: list[str]            # matrix rows no shard output holds


def read_shard_output(directory: Path) -> ShardOutput:
    """The directory's summary.json, checked to be a sharded certify output (MergeError says what is not)."""
    path = directory / SUMMARY
    try:
        summary = json.loads(path.read_text())
    except FileNotFoundError:
        raise MergeError(f"{path}: not found (not a `flexlab certify` output directory)") from None
    except (OSError, ValueError) as exc:
        raise MergeError(f"{path}: unreadable: {exc}") from None
    if not isinstance(summary, dict) or summary.get("schema") != SUMMARY_SCHEMA:
        raise MergeError(f"{path}: schema is not {SUMMARY_SCHEMA}")
    if not (summary.get("matrix") or {}).get("digest"):
        raise MergeError(f"{path}: matrix.digest is missing (written by a flexlab without `certify merge`)")
    if not isinstance(summary.get("rows"), list):
        raise MergeError(f"{path}: rows is not a list")
    return ShardOutput(directory, summary)


def merge_outputs(directories: list[Path], out_dir: Path) -> MergedRun:
    """The merged run (rows' files copied into ``out_dir``); outputs are not written here."""
    shards = [read_shard_output(directory) for directory in directories]
    first = shards[0]
    _check_same_matrix(shards)
    owners = _row_owners(shards)
    matrix_rows = list(first.summary["matrix"].get("rows") or [])
    position = {name: index for index, name in enumerate(matrix_rows)}
    unknown = sorted(set(owners) - set(position))
    if unknown:
        raise MergeError(f"{owners[unknown[0]].directory / SUMMARY}: row {unknown[0]!r} is not in the matrix's rows")
    run = CertifyRun(
        matrix_name=first.summary["matrix"]["name"], matrix_path=first.summary["matrix"]["path"],
        out_dir=str(out_dir), started_at=min(s.summary["started_at"] for s in shards),
        finished_at=max(s.summary["finished_at"] for s in shards), flexlab_version=first.summary["flexlab_version"],
        matrix_digest=first.summary["matrix"]["digest"], matrix_rows=matrix_rows,
    )
    digests = []
    for name in sorted(owners, key=position.__getitem__):
        shard = owners[name]
        row = next(row for row in shard.rows if row["name"] == name)
        digests.append(row_digest(row))
        _copy_row_files(shard.directory / _ROWS / name, out_dir / _ROWS / name)
        run.rows.append(row_from_dict(_moved(row, str(shard.summary["out_dir"]), str(out_dir))))
    missing = [name for name in matrix_rows if name not in owners]
    run.shard = {"merged_from": [_shard_note(shard) for shard in shards], "missing_rows": missing}
    return MergedRun(run, digests, missing)


def _check_same_matrix(shards: list[ShardOutput]) -> None:
    first = shards[0]
    expected = (first.summary["matrix"]["name"], first.summary["matrix"]["digest"])
    for shard in shards[1:]:
        found = (shard.summary["matrix"]["name"], shard.summary["matrix"]["digest"])
        if found != expected:
            raise MergeError(
                f"{shard.directory / SUMMARY}: matrix {found[0]!r} ({found[1][:19]}) differs from"
                f" {expected[0]!r} ({expected[1][:19]}) of {first.directory}: merge outputs of one matrix only"
            )


def _row_owners(shards: list[ShardOutput]) -> dict[str, ShardOutput]:
    owners: dict[str, ShardOutput] = {}
    for shard in shards:
        for row in shard.rows:
            name = str(row.get("name"))
            if name in owners:
                raise MergeError(f"row {name!r} is in both {owners[name].directory} and {shard.directory}:"
                                 " merge each row once")
            owners[name] = shard
    return owners


def _shard_note(shard: ShardOutput) -> dict[str, Any]:
    return {"dir": str(shard.directory), "shard": shard.summary.get("shard"),
            "rows": [row["name"] for row in shard.rows]}


def _copy_row_files(source: Path, target: Path) -> None:
    if target.resolve() == source.resolve():
        return
    if target.exists():
        shutil.rmtree(target)
    if source.is_dir():
        shutil.copytree(source, target)


def _moved(value: Any, old_root: str, new_root: str) -> Any:
    """Every path under the shard's output directory, moved under the merged one."""
    if isinstance(value, str) and (value == old_root or value.startswith(old_root.rstrip("/") + "/")):
        return new_root + value[len(old_root.rstrip("/")):]
    if isinstance(value, dict):
        return {key: _moved(item, old_root, new_root) for key, item in value.items()}
    if isinstance(value, list):
        return [_moved(item, old_root, new_root) for item in value]
    return value


# Fields of RowResult that to_dict writes under another name or shape.
_SHAPED = {"checks", "measurements", "modes", "dpd_model", "dpd_observed", "dpd_matched", "dpd_differed", "dpd_not_run"}


def row_from_dict(data: dict[str, Any]) -> RowResult:
    """A RowResult from its summary.json form; ``row_from_dict(r.to_dict()).to_dict() == r.to_dict()``."""
    try:
        dpd = data.get("dpd_model") or {}
        plain = {
            f.name: data[f.name] for f in dataclasses.fields(RowResult)
            if f.name not in _SHAPED and f.name in data
        }
        return RowResult(
            **plain,
            checks=[Check(**check) for check in data["checks"]],
            measurements=[SpokeMeasurement(**m) for m in data["measurements"]],
            modes=[ModeRun(**job) for job in data["jobs"]],
            dpd_model=dict(dpd.get("declared") or {}), dpd_observed=list(dpd.get("observed") or []),
            dpd_matched=int(dpd.get("matched") or 0), dpd_differed=int(dpd.get("differed") or 0),
            dpd_not_run=list(dpd.get("not_run") or []),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise MergeError(f"row {data.get('name')!r}: not a certify row result ({type(exc).__name__}: {exc})") from None
