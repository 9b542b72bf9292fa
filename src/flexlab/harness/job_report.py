"""Merge the per-run result files the testscript writes into one failover report."""

from __future__ import annotations

import json
from pathlib import Path

from flexlab.harness.report import FailoverReport, HubRun, SpokeFailover


def merge_run_files(report_dir: Path, extra_dirs: list[Path] | None = None) -> list[Path]:
    """Read ``report_dir/runs/*.json`` and write failover_report.{json,md} (also into extra dirs)."""
    run_files = sorted((report_dir / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    if not run_files:
        return []
    payloads = [json.loads(p.read_text()) for p in run_files]
    runs = []
    for payload in payloads:
        raw = payload["run"]
        runs.append(HubRun(**{**raw, "spokes": [SpokeFailover(**s) for s in raw.get("spokes", [])]}))
    images: dict[str, str] = {}
    for payload in payloads:
        images.update(payload.get("images") or {})
    last = payloads[-1]
    report = FailoverReport(lab=last["lab"], images=images, clock_method=last.get("clock_method", ""), runs=runs,
                            dpd_model=dict(last.get("dpd_model") or {}))
    written: list[Path] = []
    for directory in [report_dir, *(extra_dirs or [])]:
        if directory.resolve() in {p.parent.resolve() for p in written}:
            continue
        written.extend(report.write(directory))
    return written
