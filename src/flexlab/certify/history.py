"""Certification history in SQLite: one ``runs`` row per `flexlab certify`, one ``results``
row per (run, matrix row) with every figure, so trends need nothing but this file."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flexlab.errors import FlexlabError
from flexlab.results.certify import CertifyRun, RowResult

SCHEMA_VERSION = 1
_STATS = ("count", "min", "median", "p95", "max")
_FIGURES = {"failover": "failover_s", "bgp": "bgp_converged_s", "bound": "dpd_bound_s"}

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    matrix_name TEXT NOT NULL,
    matrix_path TEXT NOT NULL,
    out_dir TEXT NOT NULL,
    flexlab_version TEXT NOT NULL,
    passed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    row_name TEXT NOT NULL,
    lab TEXT NOT NULL,
    kind TEXT,
    image TEXT NOT NULL,
    version TEXT,
    verdict TEXT NOT NULL,
    failed_checks TEXT NOT NULL,
    {", ".join(f"{p}_{stat} {'INTEGER' if stat == 'count' else 'REAL'}" for p in _FIGURES for stat in _STATS)},
    bound_formulas TEXT NOT NULL,
    archives TEXT NOT NULL,
    duration_s REAL NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (run_id, row_name)
);
CREATE TABLE IF NOT EXISTS row_digests (
    digest TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    row_name TEXT NOT NULL
);
PRAGMA user_version = {SCHEMA_VERSION};
"""


class HistoryError(FlexlabError):
    """The history database cannot be opened, or was written by an unknown flexlab version."""


def default_history_path() -> Path:
    """$XDG_DATA_HOME/flexlab/history.sqlite (~/.local/share/... when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "flexlab" / "history.sqlite"


@dataclass(frozen=True)
class HistoryRecord:
    """One matrix row of one run, as stored."""

    run_id: int
    started_at: str
    matrix_name: str
    row_name: str
    lab: str
    kind: str | None
    image: str
    version: str | None
    verdict: str
    failed_checks: tuple[str, ...]
    failover: dict[str, float] | None
    bgp: dict[str, float] | None
    bound: dict[str, float] | None


class History:
    """The SQLite history of certification runs at ``path`` (created on the first record)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self, create: bool) -> sqlite3.Connection:
        if not create and not self.path.exists():
            raise HistoryError(f"history database {self.path} does not exist: run `flexlab certify` first")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path)
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                connection.close()
                raise HistoryError(
                    f"history database {self.path} has schema {version}; this flexlab knows {SCHEMA_VERSION}"
                )
            if create:
                connection.executescript(_SCHEMA)
            else:
                _check_tables(connection, self.path)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"cannot open history database {self.path}: {exc}") from None
        connection.execute("PRAGMA foreign_keys = ON")
        return connection

    def record(self, run: CertifyRun, digests: list[str] | None = None) -> int:
        """Append one run with all its rows; returns the run id. Each row is stored with its
        digest (``digests``, else :func:`row_digest` of the row), which `certify merge` uses
        to record every row once."""
        digests = digests or [row_digest(row.to_dict()) for row in run.rows]
        with closing(self._connect(create=True)) as db, db:
            cursor = db.execute(
                "INSERT INTO runs (started_at, finished_at, matrix_name, matrix_path, out_dir, flexlab_version, passed)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run.started_at, run.finished_at, run.matrix.name, run.matrix.path, run.out_dir, run.flexlab_version,
                 int(run.passed)),
            )
            run_id = int(cursor.lastrowid or 0)
            for row in run.rows:
                values = _result_values(run_id, row)
                db.execute(
                    f"INSERT INTO results ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
                    tuple(values.values()),
                )
            db.executemany(
                "INSERT OR IGNORE INTO row_digests (digest, run_id, row_name) VALUES (?, ?, ?)",
                [(digest, run_id, row.name) for digest, row in zip(digests, run.rows, strict=True)],
            )
        return run_id

    def recorded(self, digests: list[str]) -> set[str]:
        """Those of ``digests`` whose row is in the history already."""
        if not self.path.exists():
            return set()
        with closing(self._connect(create=True)) as db:
            found = db.execute(
                f"SELECT digest FROM row_digests WHERE digest IN ({', '.join('?' for _ in digests)})", digests
            ).fetchall()
        return {str(row[0]) for row in found}

    def durations(self, matrix_name: str) -> dict[str, list[float]]:
        """Row name -> past durations (s) of that matrix's rows, oldest first ({} without a history)."""
        if not self.path.exists():
            return {}
        with closing(self._connect(create=False)) as db:
            try:
                rows = db.execute(
                    "SELECT results.row_name, results.duration_s FROM results JOIN runs ON runs.id = results.run_id"
                    " WHERE runs.matrix_name = ? ORDER BY runs.id", (matrix_name,),
                ).fetchall()
            except sqlite3.Error as exc:
                raise HistoryError(f"history database {self.path} is not a flexlab history: {exc}") from None
        found: dict[str, list[float]] = {}
        for name, seconds in rows:
            found.setdefault(str(name), []).append(float(seconds))
        return found


    def records(self) -> list[HistoryRecord]:
        """Every stored result, oldest run first."""
        with closing(self._connect(create=False)) as db:
            db.row_factory = sqlite3.Row
            try:
                rows = db.execute(
                    "SELECT results.*, runs.started_at, runs.matrix_name"
                    " FROM results JOIN runs ON runs.id = results.run_id"
                    " ORDER BY runs.id, results.row_name"
                ).fetchall()
                return [_record(row) for row in rows]
            except (sqlite3.Error, KeyError, IndexError, ValueError, TypeError) as exc:
                raise HistoryError(f"history database {self.path} is not a flexlab history: {exc}") from None

    def run_count(self) -> int:
        """How many runs the history holds."""
        with closing(self._connect(create=False)) as db:
            try:
                return int(db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
            except sqlite3.Error as exc:
                raise HistoryError(f"history database {self.path} is not a flexlab history: {exc}") from None


def _check_tables(connection: sqlite3.Connection, path: Path) -> None:
    """A history to read must have flexlab's tables (an empty file or another database has not)."""
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = {"runs", "results"} - tables
    if missing:
        found = ", ".join(sorted(tables - {"sqlite_sequence"})) or "none"
        raise HistoryError(f"history database {path} is not a flexlab history (tables: {found};"
                           f" missing {', '.join(sorted(missing))})")


def _result_values(run_id: int, row: RowResult) -> dict[str, Any]:
    values: dict[str, Any] = {
        "run_id": run_id, "row_name": row.name, "lab": row.lab, "kind": row.kind, "image": row.image,
        "version": "; ".join(row.versions) or None, "verdict": row.verdict,
        "failed_checks": json.dumps(row.failed_checks),
    }
    for prefix, attribute in _FIGURES.items():
        stats = row.stats(attribute)
        values.update({f"{prefix}_{stat}": getattr(stats, stat) if stats else None for stat in _STATS})
    values.update({
        "bound_formulas": json.dumps(row.bound_formulas), "archives": json.dumps(row.archives),
        "duration_s": round(row.duration_s, 3), "detail": json.dumps(row.to_dict()),
    })
    return values


def _stats(row: sqlite3.Row, prefix: str) -> dict[str, float] | None:
    if row[f"{prefix}_count"] is None:
        return None
    return {stat: row[f"{prefix}_{stat}"] for stat in _STATS}


def _record(row: sqlite3.Row) -> HistoryRecord:
    return HistoryRecord(
        run_id=row["run_id"], started_at=row["started_at"], matrix_name=row["matrix_name"], row_name=row["row_name"],
        lab=row["lab"], kind=row["kind"], image=row["image"], version=row["version"], verdict=row["verdict"],
        failed_checks=tuple(json.loads(row["failed_checks"])), failover=_stats(row, "failover"),
        bgp=_stats(row, "bgp"), bound=_stats(row, "bound"),
    )


def row_digest(row: dict[str, Any]) -> str:
    """A matrix row's result, as summary.json holds it, reduced to one string: the same
    result read back from any copy of its output directory has the same digest."""
    canonical = json.dumps(row, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
