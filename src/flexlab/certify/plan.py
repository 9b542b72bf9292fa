"""Which rows one `flexlab certify` runs (--row/--rows, --shard) and what it expects of them.

The digest and row list of the whole matrix go into every output, so `certify merge` can
tell outputs of one matrix from another's and name the rows no output holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from flexlab import __version__
from flexlab.certify.history import History
from flexlab.certify.matrix import Matrix
from flexlab.certify.shard import ShardSpec, expected_durations, matrix_digest, parse_shard, split
from flexlab.results.certify import CertifyRun, MatrixRef, ShardPart


@dataclass
class RunPlan:
    """The rows one `flexlab certify` runs out of the matrix, and the durations it expects of them."""

    full: Matrix                      # the matrix file's every row
    matrix: Matrix                    # the rows this run certifies
    shard: ShardSpec | None = None
    expected_s: dict[str, float] = field(default_factory=dict)   # from the history only (ETAs)
    balance: dict[str, str] = field(default_factory=dict)        # row -> what its expected duration came from

    def describe(self, run: CertifyRun) -> None:
        """Stamp the run with the matrix it is part of (and the shard it is)."""
        run.matrix.digest = matrix_digest(self.full)
        run.matrix.rows = [row.name for row in self.full.rows]
        if self.shard is not None:
            run.shard = ShardPart(shard=str(self.shard), index=self.shard.index, total=self.shard.total,
                                  rows=[row.name for row in self.matrix.rows], balanced_by=self.balance)

    def empty_run(self, out_dir: Path) -> CertifyRun:
        """A run with no rows (a shard left nothing to do), still stamped with its matrix."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        matrix = MatrixRef(name=self.full.name, path=str(self.full.path.resolve()))
        return CertifyRun(matrix=matrix, out_dir=str(out_dir), started_at=now, finished_at=now,
                          flexlab_version=__version__)


def plan_run(full: Matrix, names: list[str], shard_text: str | None, history: History | None) -> RunPlan:
    """``names`` (--row/--rows) first, then the shard of what is left; expected durations
    from ``history`` (None: --no-history, estimates only)."""
    selected = full.select(names) if names else full
    past = history.durations(full.name) if history is not None and history.path.exists() else {}
    expectations = expected_durations(selected, past)
    plan = RunPlan(full=full, matrix=selected,
                   expected_s={e.name: e.seconds for e in expectations if e.source != "estimate"},
                   balance={e.name: f"{e.source}: {e.seconds:.1f} s" for e in expectations})
    if shard_text is not None:
        plan.shard = parse_shard(shard_text)
        plan.matrix = selected.select(split(expectations, plan.shard.total)[plan.shard.index - 1])
    return plan
