"""What every benchmark shares: the machine, result files, embedded labs and job runs.

Labs live in a temporary ``FLEXLAB_STATE_DIR`` of their own (so concurrent users of the
machine are not disturbed) and are always brought down again. Jobs run exactly as a user
runs them: ``pyats run job src/flexlab/job/flexvpn_failover_job.py`` in a subprocess.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from flexlab.labs.base import LabInfo
from flexlab.labs.embedded import EmbeddedLab, UpOptions
from flexlab.labs.embedded_testbed import write_embedded_testbed
from flexlab.packaged import JOB_FILE

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
JOB = JOB_FILE
RESULTS_DIR = ROOT / "benchmarks" / "results"


# -- machine and results ------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _git_commit() -> str:
    """HEAD, marked ``+modified`` when the working tree has uncommitted changes."""
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{commit}+modified" if _git("status", "--porcelain", "--untracked-files=no") else commit


def machine_info() -> dict[str, Any]:
    """The machine a figure was measured on (cores, model, memory, software versions)."""
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_mb": _mem_total_mb(),
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pyats": _version("pyats"),
        "unicon": _version("unicon"),
        "genie": _version("genie"),
        "git_commit": _git_commit(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def write_result(name: str, params: dict[str, Any], figures: Any, out_dir: Path | None = None) -> Path:
    """benchmarks/results/<name>.json: the figures plus the machine and parameters."""
    directory = out_dir or RESULTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    payload = {"benchmark": name, "machine": machine_info(), "params": params, "figures": figures}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def stats(values: list[float]) -> dict[str, float] | None:
    """count / min / mean / median / max of a sample (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {"count": len(values), "min": ordered[0], "mean": sum(values) / len(values),
            "median": median, "max": ordered[-1]}


# -- labs ------------------------------------------------------------------------------------
def process_memory_mb(pid: int) -> dict[str, float | None]:
    """Resident set size now (VmRSS) and at its peak (VmHWM) of a process, in MiB."""
    found: dict[str, float | None] = {"rss_mb": None, "peak_rss_mb": None}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                found["rss_mb"] = round(int(line.split()[1]) / 1024, 1)
            elif line.startswith("VmHWM:"):
                found["peak_rss_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return found


@dataclass
class BenchLab:
    """One embedded lab in a private state directory; use as a context manager."""

    name: str
    spokes: int | None = None
    time_scale: float = 50.0
    config_dir: Path | None = None     # boot from these <node>.cfg files instead of the design's
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="flexlab-bench-")))
    info: LabInfo | None = None
    boot_wall_s: float = 0.0

    def __post_init__(self) -> None:
        self.lab = EmbeddedLab(self.name, root=self.root / "state")

    @property
    def testbed(self) -> Path:
        return self.root / f"{self.name}.yaml"

    @property
    def env(self) -> dict[str, str]:
        """Environment for `pyats run job` against this lab."""
        env = dict(os.environ)
        env["FLEXLAB_STATE_DIR"] = str(self.root / "state")
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        env["FLEXLAB_TIME_SCALE"] = f"{self.time_scale:g}"
        return env

    def __enter__(self) -> BenchLab:
        start = time.perf_counter()
        try:
            self.info = self.lab.up(UpOptions(spokes=self.spokes, time_scale=self.time_scale,
                                              config_dir=self.config_dir, timeout_s=600))
            self.boot_wall_s = time.perf_counter() - start
            write_embedded_testbed(self.info, self.lab.credentials, self.testbed)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.lab.down()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def memory(self) -> dict[str, float | None]:
        assert self.info is not None
        return process_memory_mb(self.info.pid)

    def lab_time(self) -> float:
        return float(self.lab.status()["lab_time"])

    def truth(self) -> list[dict[str, Any]]:
        return self.lab.request({"op": "truth"}, timeout_s=120)


# -- jobs ------------------------------------------------------------------------------------
@dataclass
class JobRun:
    wall_s: float
    returncode: int
    report: dict[str, Any]
    archive: Path | None        # extracted pyATS archive (results.json, *-cli-*.log)
    output_tail: str
    lab_time_at_start: float

    @property
    def passed(self) -> bool:
        return self.returncode == 0 and bool(self.report.get("passed"))


def run_job(lab: BenchLab, work: Path, *args: str, timeout_s: float = 1800) -> JobRun:
    """`pyats run job` on ``lab`` with ``args``; times it and extracts its archive."""
    report_dir = work / "report"
    command = [str(BIN / "pyats"), "run", "job", str(JOB), "--testbed-file", str(lab.testbed), "--no-mail",
               "--archive-dir", str(report_dir / "archive"), "--report-dir", str(report_dir), *args]
    lab_time = lab.lab_time()
    start = time.perf_counter()
    result = subprocess.run(command, env=lab.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s)
    wall = time.perf_counter() - start
    report_path = report_dir / "failover_report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    archive = extract_archive(report_dir / "archive", work / "archive")
    output = (result.stdout + result.stderr)[-3000:]
    if archive is not None and (result.returncode != 0 or not report.get("passed")):
        kept = Path(tempfile.mkdtemp(prefix="flexlab-bench-failed-job-"))
        shutil.copytree(archive, kept, dirs_exist_ok=True)
        output += f"\n[benchmark] the failed job's archive is kept in {kept}"
    return JobRun(wall, result.returncode, report, archive, output, lab_time)


def extract_archive(archive_dir: Path, into: Path) -> Path | None:
    zips = sorted(archive_dir.rglob("*.zip"))
    if not zips:
        return None
    with zipfile.ZipFile(zips[-1]) as archive:
        archive.extractall(into)
    return into


def section_times(archive: Path | None) -> dict[str, float]:
    """Wall seconds per testscript section, summed over the job's tasks (pyATS results.json)."""
    if archive is None or not (archive / "results.json").exists():
        return {}
    report = json.loads((archive / "results.json").read_text())["report"]
    totals: dict[str, float] = {"tasks": 0.0}
    for task in report.get("tasks", []):
        totals["tasks"] += float(task.get("runtime") or 0)
        for section in task.get("sections", []):
            children = section.get("sections", []) if section.get("type") in ("CommonSetup", "CommonCleanup") else []
            for part in children or [section]:
                key = part.get("name") or part.get("id") or "?"
                totals[key] = totals.get(key, 0.0) + float(part.get("runtime") or 0)
    totals["pyats_job_outside_tasks"] = float(report.get("runtime") or 0) - totals["tasks"]
    return {key: round(value, 3) for key, value in totals.items()}
