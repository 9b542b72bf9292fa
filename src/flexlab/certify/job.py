"""Run the failover job (``pyats run job``) for one matrix row and failure mode.

The job runs in its own process group with its output in a log file, under a timeout;
on timeout or Ctrl-C the group gets SIGINT first (pyATS then runs CommonCleanup, which
restores failed hubs), SIGKILL after a grace period.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flexlab.certify.progress import Progress
from flexlab.errors import FlexlabError
from flexlab.packaged import JOB_FILE

#: Overrides the command that runs pyATS (e.g. "python -m pyats"); split like a shell would.
PYATS_ENV = "FLEXLAB_PYATS"
#: Seconds pyATS gets to clean up (restore hubs) after SIGINT before it is killed.
INTERRUPT_GRACE_S = 30.0


class JobError(FlexlabError):
    """The job cannot be started (no pyATS, no job file)."""


@dataclass(frozen=True)
class JobRequest:
    """One `pyats run job` invocation."""

    testbed: Path
    report_dir: Path
    archive_dir: Path
    log_path: Path
    failure_mode: str
    iterations: int
    timeout_s: float
    hubs: tuple[str, ...] | None = None
    design: Path | None = None
    job_file: Path = JOB_FILE
    dpd_model: str = ""              # --dpd-model: the row's declared DPD model ("" = default)


@dataclass
class JobOutcome:
    """How one job run ended: pyATS's exit code, whether it timed out, how long it took, the command run."""

    exit_code: int | None            # None when the job was stopped (timeout)
    timed_out: bool = False
    duration_s: float = 0.0
    command: list[str] = field(default_factory=list)


#: What the runner calls to run a job; tests pass a stand-in.
JobRunner = Callable[[JobRequest, Progress], JobOutcome]


def pyats_command() -> list[str]:
    """$FLEXLAB_PYATS, else the pyats next to this Python (the venv's), else pyats on PATH."""
    if override := os.environ.get(PYATS_ENV):
        return shlex.split(override)
    sibling = Path(sys.executable).with_name("pyats")
    if sibling.exists():
        return [str(sibling)]
    found = shutil.which("pyats")
    if found is None:
        raise JobError(
            f"pyats not found next to {sys.executable} nor on PATH: install flexlab with pyATS or set {PYATS_ENV}"
        )
    return [found]


def job_argv(testbed: Path, report_dir: Path, failure_mode: str, *, archive_dir: Path | None = None,
             iterations: int | None = None, hubs: tuple[str, ...] | None = None, design: Path | None = None,
             config_dir: Path | None = None, dpd_model: str = "", job_file: Path = JOB_FILE) -> list[str]:
    """The argv of a `pyats run job` of the failover job, the one place it is built (certify,
    calibrate, demo); the job's own options come after pyATS's, unset ones are left to the job."""
    command = [
        *pyats_command(), "run", "job", str(job_file),
        "--testbed-file", str(testbed),
        "--archive-dir", str(archive_dir or report_dir / "archive"),
        "--no-mail",
        "--report-dir", str(report_dir),
        "--failure-mode", failure_mode,
    ]
    if iterations is not None:
        command += ["--iterations", str(iterations)]
    if hubs:
        command += ["--hubs", ",".join(hubs)]
    if design:
        command += ["--design", str(design)]
    if config_dir:
        command += ["--config-dir", str(config_dir)]
    if dpd_model:
        command += ["--dpd-model", dpd_model]
    return command


def job_command(request: JobRequest) -> list[str]:
    """The argv of the job ``request`` asks for."""
    return job_argv(request.testbed, request.report_dir, request.failure_mode, archive_dir=request.archive_dir,
                    iterations=request.iterations, hubs=request.hubs, design=request.design,
                    dpd_model=request.dpd_model, job_file=request.job_file)


def job_environment(executable: str) -> dict[str, str]:
    """The job's environment: ours, with the pyats executable's directory first on PATH
    (pyATS plugins run `pyats ...` through the shell, e.g. when flexlab was started as
    .venv/bin/flexlab without an activated venv)."""
    env = dict(os.environ)
    if os.path.isabs(executable):
        env["PATH"] = os.pathsep.join([str(Path(executable).parent), env.get("PATH", "")])
    return env


def check_job_runnable(job_file: Path = JOB_FILE) -> None:
    """Fail before any lab is deployed when the job cannot run at all."""
    if not job_file.exists():
        raise JobError(f"job file {job_file} not found: reinstall flexlab")
    pyats_command()


def run_job(request: JobRequest, progress: Progress) -> JobOutcome:
    """Run the job to its end or its timeout; output goes to ``request.log_path``."""
    command = job_command(request)
    for directory in (request.report_dir, request.archive_dir, request.log_path.parent):
        directory.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(request.log_path, "wb") as log:
        log.write(("$ " + shlex.join(command) + "\n").encode())
        log.flush()
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=request.log_path.parent, start_new_session=True, env=job_environment(command[0]),
            )
        except OSError as exc:
            raise JobError(f"cannot start {command[0]}: {exc.strerror}") from None
        try:
            code = _wait(process, request, started, progress)
        except BaseException:
            _stop(process)
            raise
    duration = time.monotonic() - started
    return JobOutcome(exit_code=code, timed_out=code is None, duration_s=duration, command=command)


def _wait(process: subprocess.Popen[bytes], request: JobRequest, started: float, progress: Progress) -> int | None:
    deadline = started + request.timeout_s
    while True:
        try:
            return process.wait(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            waited = time.monotonic() - started
            if waited >= request.timeout_s:
                _stop(process)
                return None
            progress.update(f"job ({request.failure_mode}): running, {waited:.0f} s of {request.timeout_s:g} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT the job's process group (pyATS cleans up), then SIGKILL what is left."""
    if process.poll() is not None:
        return
    for sig, grace in ((signal.SIGINT, INTERRUPT_GRACE_S), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            _kill_group_leftovers(process.pid)
            return
        except subprocess.TimeoutExpired:
            continue


def _kill_group_leftovers(pgid: int) -> None:
    """Children pyATS forked may outlive it; they are in its process group."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RESULT = re.compile(r"The result of (?P<what>.+?) is => (?P<result>FAILED|ERRORED|ABORTED)\s*$")
_ERROR_LINE = re.compile(r"%AETEST-ERROR: (?P<text>.*)$")


def failed_sections(log_path: Path, limit: int = 3) -> list[str]:
    """"<section> FAILED: <reason>" for the aetest sections that did not pass, read from the
    job's log (pyATS prints the reason as AETEST-ERROR lines just before the result)."""
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    found: list[str] = []
    reason: list[str] = []
    for raw in lines:
        line = _ANSI.sub("", raw).rstrip()
        if error := _ERROR_LINE.search(line):
            reason.append(error["text"].strip().removeprefix("Failed reason: ").removeprefix("Errored reason: "))
            continue
        if result := _RESULT.search(line):
            what = result["what"]
            # "common setup"/"testcase X" repeat the result of the subsection just reported
            if reason or not found:
                text = " ".join(reason)
                found.append(f"{what} {result['result']}" + (f": {text}" if text else ""))
            reason = []
        elif "Starting " in line:
            reason = []
    return found[:limit]
