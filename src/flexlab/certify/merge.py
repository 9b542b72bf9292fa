"""`flexlab certify merge DIR... --out DIR`: one certification run from shard outputs.

Every shard output is a complete output directory with its summary.json. The merge reads
the rows back from those through the model (flexlab.results.certify, validated on load),
refuses outputs of different matrices (their digest, :func:`flexlab.certify.shard.matrix_digest`)
and a row present twice, puts the rows in matrix order, copies each row's files (job logs,
archives) into the merged directory and points the paths there. The outputs are then
written from that run as a sequential run writes them.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

from flexlab.certify.history import row_digest
from flexlab.certify.outputs import SUMMARY
from flexlab.errors import FlexlabError
from flexlab.results.certify import CertifyRun, MatrixRef, MergedShards, RowResult, ShardNote
from flexlab.results.versioning import load_document

_ROWS = "rows"


class MergeError(FlexlabError):
    """Shard outputs that cannot be merged (missing, unreadable, other matrix, a row twice)."""


@dataclasses.dataclass(frozen=True)
class ShardOutput:
    """One output directory and its summary.json, validated."""

    directory: Path
    summary: CertifyRun

    @property
    def rows(self) -> list[RowResult]:
        """The rows this output holds."""
        return self.summary.rows


@dataclasses.dataclass
class MergedRun:
    """The merged run, with each row's digest as its shard wrote it."""

    run: CertifyRun
    digests: list[str]            # per row, of the row as its shard wrote it
    missing: list[str]            # matrix rows no shard output holds


def read_shard_output(directory: Path) -> ShardOutput:
    """The summary.json of ``directory``, validated by the model (ResultFileError: one line)."""
    path = directory / SUMMARY
    if not path.exists():
        raise MergeError(f"{path}: not found (not a `flexlab certify` output directory)")
    summary = load_document(path, CertifyRun)
    if not summary.matrix.digest:
        raise MergeError(f"{path}: field matrix.digest: missing (written by a flexlab without `certify merge`)")
    return ShardOutput(directory, summary)


def merge_outputs(directories: list[Path], out_dir: Path) -> MergedRun:
    """The merged run (rows' files copied into ``out_dir``); outputs are not written here."""
    shards = [read_shard_output(directory) for directory in directories]
    first = shards[0].summary
    _check_same_matrix(shards)
    owners = _row_owners(shards)
    matrix_rows = list(first.matrix.rows)
    position = {name: index for index, name in enumerate(matrix_rows)}
    unknown = sorted(set(owners) - set(position))
    if unknown:
        raise MergeError(f"{owners[unknown[0]].directory / SUMMARY}: row {unknown[0]!r} is not in the matrix's rows")
    run = CertifyRun(
        matrix=MatrixRef(name=first.matrix.name, path=first.matrix.path, digest=first.matrix.digest, rows=matrix_rows),
        out_dir=str(out_dir), started_at=min(s.summary.started_at for s in shards),
        finished_at=max(s.summary.finished_at for s in shards), flexlab_version=first.flexlab_version,
    )
    digests = []
    for name in sorted(owners, key=position.__getitem__):
        shard = owners[name]
        row = next(row for row in shard.rows if row.name == name).to_dict()
        digests.append(row_digest(row))
        _copy_row_files(shard.directory / _ROWS / name, out_dir / _ROWS / name)
        run.rows.append(RowResult.model_validate(_moved(row, shard.summary.out_dir, str(out_dir))))
    missing = [name for name in matrix_rows if name not in owners]
    run.shard = MergedShards(merged_from=[_shard_note(shard) for shard in shards], missing_rows=missing)
    return MergedRun(run, digests, missing)


def _check_same_matrix(shards: list[ShardOutput]) -> None:
    first = shards[0]
    expected = (first.summary.matrix.name, first.summary.matrix.digest)
    for shard in shards[1:]:
        found = (shard.summary.matrix.name, shard.summary.matrix.digest)
        if found != expected:
            raise MergeError(
                f"{shard.directory / SUMMARY}: matrix {found[0]!r} ({found[1][:19]}) differs from"
                f" {expected[0]!r} ({expected[1][:19]}) of {first.directory}: merge outputs of one matrix only"
            )


def _row_owners(shards: list[ShardOutput]) -> dict[str, ShardOutput]:
    owners: dict[str, ShardOutput] = {}
    for shard in shards:
        for row in shard.rows:
            if row.name in owners:
                raise MergeError(f"row {row.name!r} is in both {owners[row.name].directory} and {shard.directory}:"
                                 " merge each row once")
            owners[row.name] = shard
    return owners


def _shard_note(shard: ShardOutput) -> ShardNote:
    return ShardNote(dir=str(shard.directory), shard=shard.summary.shard, rows=[row.name for row in shard.rows])


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
