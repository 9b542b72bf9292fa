"""Helpers to run the real failover job (`pyats run job`) against embedded labs started by the tests."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
JOB = ROOT / "aetest_scripts" / "flexvpn_failover_job.py"
TIME_SCALE = "50"


@dataclass
class JobEnv:
    env: dict[str, str]
    tmp: Path

    def flexlab(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(BIN / "flexlab"), *args], env=self.env, capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"flexlab {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def lab_up(self, name: str, *extra: str) -> Path:
        testbed = self.tmp / f"{name}.yaml"
        self.flexlab("lab", "up", "--embedded", "--name", name, "--time-scale", TIME_SCALE,
                     "--testbed-out", str(testbed), *extra)
        return testbed

    def job_command(self, testbed: Path, report_dir: Path, *args: str) -> list[str]:
        return [str(BIN / "pyats"), "run", "job", str(JOB), "--testbed-file", str(testbed), "--no-mail",
                "--archive-dir", str(report_dir / "archive"), "--report-dir", str(report_dir), *args]

    def run_job(self, testbed: Path, report_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.job_command(testbed, report_dir, *args), env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=600)

    def truth(self, name: str) -> list[dict]:
        return json.loads(self.flexlab("lab", "truth", "--name", name, "--json").stdout)


def load_report(report_dir: Path) -> dict:
    path = report_dir / "failover_report.json"
    assert path.exists(), f"the job wrote no report in {report_dir}"
    return json.loads(path.read_text())


def render_configs(job: JobEnv, out: Path) -> Path:
    job.flexlab("render", "--kind", "cisco_iol", "--out", str(out), "--secrets", "embedded")
    return out
