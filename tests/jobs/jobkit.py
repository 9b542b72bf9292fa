"""Helpers to run the real failover job (`pyats run job`) against embedded labs started by the tests."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from flexlab.packaged import JOB_FILE
from flexlab.results.schema import committed

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
JOB = JOB_FILE
TIME_SCALE = "50"

#: The reference design's DPD bound, derived by hand (facts.md section 1, docs/timing.md):
#: `crypto ikev2 dpd 30 5 on-demand` with an IP SLA probe every 5 s as the traffic, 5
#: retransmissions (the assumed IOS count) and the 5 s set-up allowance:
#: T + I + (N+1)*R + S = 5 + 30 + (5+1)*5 + 5.
# W: the sum of the waits of the probe and the five retransmissions, (5+1) x 5 s under the fixed model
REFERENCE_BOUND_TERMS = {"T": 5.0, "I": 30.0, "N": 5.0, "R": 5.0, "W": 30.0, "S": 5.0}
REFERENCE_BOUND_S = 70.0


@dataclass
class JobEnv:
    env: dict[str, str]
    tmp: Path

    def flexlab(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(BIN / "flexlab"), *args], env=self.env, capture_output=True, text=True, timeout=300
        )
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
    """failover_report.json, after checking it and the run records against the committed schemas."""
    path = report_dir / "failover_report.json"
    assert path.exists(), f"the job wrote no report in {report_dir}"
    report = json.loads(path.read_text())
    jsonschema.validate(report, committed("failover_report.schema.json"))
    for run_file in sorted((report_dir / "runs").glob("*.json")):
        jsonschema.validate(json.loads(run_file.read_text()), committed("run_record.schema.json"))
    return report


def truth_failover(truth: list[dict], hub: str, spoke: str, failed_kind: str = "interface-admin-down") -> float:
    """Ground truth: the lab's failure of ``hub`` to ``spoke``'s FlexVPN up on another hub.

    ``failed_kind`` is the truth event that marks the failure: ``interface-admin-down`` for a
    CLI shutdown of the WAN interface, ``node-failed`` for the lab-made failure modes.
    """
    failed = [e for e in truth if e["node"] == hub and e["kind"] == failed_kind]
    assert len(failed) == 1, f"expected one {failed_kind} of {hub} in the truth, got {failed}"
    t0 = failed[0]["time"]
    up = next(e for e in truth if e["node"] == spoke and e["kind"] == "flexvpn-up"
              and e["time"] > t0 and e["peer_node"] != hub)
    return up["time"] - t0


def render_configs(job: JobEnv, out: Path) -> Path:
    job.flexlab("render", "--kind", "cisco_iol", "--out", str(out), "--secrets", "embedded")
    return out


def edit_config(path: Path, pattern: str, replacement: str) -> None:
    """Edit a rendered config as an engineer would; the pattern must match (multi-line mode)."""
    text = path.read_text()
    changed, count = re.subn(pattern, replacement, text, flags=re.M)
    assert count, f"{pattern!r} not found in {path}"
    path.write_text(changed)


def problems_of(report: dict, testcase: str) -> list[str]:
    """Every problem the report lists for ``testcase``, over all runs."""
    return [p for run in report["runs"] for p in run["problems"].get(testcase, [])]
