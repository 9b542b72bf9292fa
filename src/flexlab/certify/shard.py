"""Splitting a matrix across machines: `flexlab certify --shard K/N` and `--shard auto`.

The split is stable (the same matrix and the same history give every runner the same
split, whatever the order runners start in) and balanced by expected duration: rows are
dealt longest first to the shard with the least expected work so far (ties: the lower
shard number), the longest-processing-time rule. A row's expected duration is its median
duration in the history when the history has it, else an estimate from its lab, kind and
job count (:data:`BOOT_ESTIMATE_S`, :data:`JOB_ESTIMATE_S`): a named assumption, never a
measurement, and the plan says which rows it used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from flexlab.certify.matrix import Matrix, MatrixError, MatrixRow

#: Seconds until a lab of this kind answers (facts.md: IOL ~45 s, CSR ~6 min, c8000v ~5 min);
#: "embedded" is the embedded lab at any kind. Assumed, for balancing only.
BOOT_ESTIMATE_S: dict[str, float] = {
    "embedded": 2.0, "cisco_iol": 60.0, "cisco_vios": 300.0, "cisco_csr1000v": 420.0, "cisco_c8000v": 360.0,
}
#: Seconds of one job run (one failure mode x hub x iteration): the embedded lab at its time
#: scale (about 15 s with pyATS's start-up), real routers in real time (DPD bound + recovery).
JOB_ESTIMATE_S: dict[str, float] = {"embedded": 15.0, "containerlab": 300.0}
#: Hubs a row fails when it names none (the design's two hubs).
DEFAULT_HUB_COUNT = 2
#: GitLab CI's `parallel: N` sets these (1-based index).
GITLAB_INDEX_ENV, GITLAB_TOTAL_ENV = "CI_NODE_INDEX", "CI_NODE_TOTAL"
_SPEC = re.compile(r"^(?P<index>[0-9]+)/(?P<total>[0-9]+)$")


class ShardError(MatrixError):
    """A --shard value that names no shard, or `auto` without a CI engine's variables."""


@dataclass(frozen=True)
class ShardSpec:
    """Shard ``index`` of ``total`` (--shard K/N)."""

    index: int       # 1-based
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


def parse_shard(text: str, env: Mapping[str, str] | None = None) -> ShardSpec:
    """``K/N`` (1 <= K <= N), or ``auto``: GitLab's CI_NODE_INDEX/CI_NODE_TOTAL."""
    if text == "auto":
        return _shard_from_env(os.environ if env is None else env)
    match = _SPEC.match(text.strip())
    if not match:
        raise ShardError(f"--shard {text!r}: expected K/N (e.g. 2/3) or auto")
    return _checked(int(match["index"]), int(match["total"]), f"--shard {text!r}")


def _shard_from_env(env: Mapping[str, str]) -> ShardSpec:
    index, total = env.get(GITLAB_INDEX_ENV), env.get(GITLAB_TOTAL_ENV)
    if index is None or total is None:
        raise ShardError(
            f"--shard auto: {GITLAB_INDEX_ENV} and {GITLAB_TOTAL_ENV} are not set (GitLab sets them with"
            " `parallel: N`; on GitHub pass the matrix value as --shard K/N)"
        )
    if not (index.isdigit() and total.isdigit()):
        raise ShardError(f"--shard auto: {GITLAB_INDEX_ENV}={index!r} and {GITLAB_TOTAL_ENV}={total!r} must be numbers")
    return _checked(int(index), int(total), f"--shard auto ({GITLAB_INDEX_ENV}={index}, {GITLAB_TOTAL_ENV}={total})")


def _checked(index: int, total: int, where: str) -> ShardSpec:
    if total < 1 or not 1 <= index <= total:
        raise ShardError(f"{where}: the shard number must be between 1 and the shard count (and the count >= 1)")
    return ShardSpec(index, total)


def job_runs(row: MatrixRow) -> int:
    """How many times the row's job fails a hub: modes x hubs x iterations."""
    hubs = len(row.hubs) if row.hubs else DEFAULT_HUB_COUNT
    return len(row.failure_modes) * hubs * row.iterations


def estimated_duration_s(row: MatrixRow) -> float:
    """The row's assumed duration (s): its lab's boot estimate plus one job estimate per job run."""
    boot = BOOT_ESTIMATE_S["embedded" if row.lab == "embedded" else str(row.kind)]
    return boot + job_runs(row) * JOB_ESTIMATE_S[row.lab]


@dataclass(frozen=True)
class RowExpectation:
    """How long a row is expected to take (s), and whether that comes from the history or an estimate."""

    name: str
    seconds: float
    source: str      # "history (n runs)" or "estimate"


def expected_durations(matrix: Matrix, history: Mapping[str, list[float]]) -> list[RowExpectation]:
    """Per row: the median of its past durations (``history``: row name -> seconds), else the estimate."""
    found = []
    for row in matrix.rows:
        past = [seconds for seconds in history.get(row.name, []) if seconds > 0]
        if past:
            found.append(RowExpectation(row.name, statistics.median(past), f"history ({len(past)} runs)"))
        else:
            found.append(RowExpectation(row.name, estimated_duration_s(row), "estimate"))
    return found


def split(expectations: list[RowExpectation], total: int) -> list[list[str]]:
    """Row names per shard (index 0 = shard 1), longest first onto the least-loaded shard;
    each shard's rows in matrix order. Shards may be empty when rows are fewer than shards."""
    order = {item.name: position for position, item in enumerate(expectations)}
    loads = [0.0] * total
    shards: list[list[str]] = [[] for _ in range(total)]
    for item in sorted(expectations, key=lambda e: (-round(e.seconds, 3), order[e.name])):
        target = min(range(total), key=lambda i: (round(loads[i], 3), i))
        shards[target].append(item.name)
        loads[target] += item.seconds
    return [sorted(names, key=order.__getitem__) for names in shards]


def matrix_digest(matrix: Matrix) -> str:
    """What every shard of one matrix shares: its name and every row's definition (not its
    path, which differs between runners' checkouts). Merge refuses outputs that differ."""
    canonical = json.dumps(
        {"name": matrix.name, "rows": [row.model_dump(mode="json") for row in matrix.rows]},
        sort_keys=True, separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
