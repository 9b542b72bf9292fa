"""Merge the per-run result files the testscript writes into one failover report."""

from __future__ import annotations

from pathlib import Path

from flexlab.harness.report import FailoverReport
from flexlab.results.job import RunRecord
from flexlab.results.versioning import load_document


def merge_run_files(report_dir: Path, extra_dirs: list[Path] | None = None) -> list[Path]:
    """Read ``report_dir/runs/*.json`` and write failover_report.{json,md} (also into extra dirs).

    Each run file is validated (flexlab.results.versioning.ResultFileError, one line, when not a run record).
    """
    run_files = sorted((report_dir / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    if not run_files:
        return []
    records = [load_document(path, RunRecord) for path in run_files]
    images: dict[str, str] = {}
    for record in records:
        images.update(record.images)
    last = records[-1]
    report = FailoverReport(lab=last.lab, images=images, clock_method=last.clock_method,
                            runs=[record.run for record in records], dpd_model=last.dpd_model)
    written: list[Path] = []
    for directory in [report_dir, *(extra_dirs or [])]:
        if directory.resolve() in {p.parent.resolve() for p in written}:
            continue
        written.extend(report.write(directory))
    return written
