"""Certify every row of a matrix: lab up, failover job per failure mode, collect, lab down.

Every row's lab is prepared (configs rendered, topology written, tools and secrets
checked) before the first deploy, so a broken matrix or environment fails before anything
runs. A row that fails in any way is recorded and the next row runs. Ctrl-C (or SIGTERM)
tears down the lab of the current row, then stops the run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flexlab import __version__
from flexlab.certify.capacity import available_memory_mib, row_memory_mib, row_node_count
from flexlab.certify.job import JobRequest, JobRunner, check_job_runnable, failed_sections, run_job
from flexlab.certify.matrix import Matrix, MatrixRow
from flexlab.certify.parallel import Slot, run_parallel
from flexlab.certify.progress import Progress, RowBoard, RowProgress, RowState, paint_verdict
from flexlab.certify.results import bound_formulas, job_check, measurements, read_report, report_checks
from flexlab.certify.rowlabs import row_lab
from flexlab.errors import FlexlabError
from flexlab.labs import clab
from flexlab.labs.interface import CONTAINERLAB, EMBEDDED, Lab
from flexlab.packaged import JOB_FILE
from flexlab.results.certify import CertifyRun, Check, CheckStatus, DpdCheck, MatrixRef, ModeRun, RowResult
from flexlab.results.job import JobReportDocument
from flexlab.results.versioning import ResultFileError

LAB_UP = "lab up"
LAB_DOWN = "lab down"


class PreflightError(FlexlabError):
    """Something every run needs is missing; nothing was deployed."""


@dataclass
class RunnerOptions:
    """How `flexlab certify` runs its rows: where outputs go, what runs a job, SSH waits, parallel rows."""

    out_dir: Path
    job_runner: JobRunner = run_job
    progress: Progress = field(default_factory=Progress)
    job_file: Path = JOB_FILE
    ssh_port: int = 22
    ssh_interval_s: float = 2.0
    jobs: int = 1                                          # rows at once (--jobs)
    expected_s: dict[str, float] = field(default_factory=dict)   # row name -> seconds: ETAs, start order


def rows_dir(out_dir: Path) -> Path:
    """Where each row's files go: ``<out_dir>/rows/<row name>``."""
    return out_dir / "rows"


def make_row_lab(matrix: Matrix, index: int, row: MatrixRow, options: RunnerOptions) -> Lab:
    """The lab of row ``index`` (1-based); tests replace it with a stand-in.

    Embedded labs share the host, so each gets a name per run and row; a deployed topology is
    named after its row.
    """
    lab_name = f"cert-{os.getpid()}-{index}" if row.lab == EMBEDDED else f"flexlab-cert-{row.name}"
    first_host = mgmt_first_host(matrix, index) if row.lab == CONTAINERLAB else None
    return row_lab(row, rows_dir(options.out_dir) / row.name, lab_name, matrix.design,
                   ssh_port=options.ssh_port, ssh_interval_s=options.ssh_interval_s, mgmt_first_host=first_host)


def mgmt_first_host(matrix: Matrix, index: int) -> int:
    """The first management address of row ``index`` (1-based): after every earlier
    containerlab row's nodes, so rows deployed at the same time (--jobs) never share an
    address on the one management network; wraps around past the subnet's last address."""
    earlier = sum(row_node_count(row, matrix.design) for row in matrix.rows[:index - 1] if row.lab == CONTAINERLAB)
    usable = clab.MGMT_HOSTS - row_node_count(matrix.rows[index - 1], matrix.design) + 1
    return clab.MGMT_FIRST_HOST + earlier % max(usable, 1)


def preflight(matrix: Matrix, labs: list[Lab], options: RunnerOptions) -> None:
    """Check tools and secrets and prepare every row's files; deploys nothing."""
    problems: list[str] = []
    if options.job_runner is run_job:
        try:
            check_job_runnable(options.job_file)
        except FlexlabError as exc:
            problems.append(str(exc))
    for row, lab in zip(matrix.rows, labs, strict=True):
        shutil.rmtree(rows_dir(options.out_dir) / row.name, ignore_errors=True)  # results of an earlier run
        try:
            lab.prepare()
        except FlexlabError as exc:
            problems.append(f"row {row.name!r}: {exc}")
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise PreflightError(f"cannot start the certification (nothing was deployed):\n{listed}")


def certify(matrix: Matrix, options: RunnerOptions) -> CertifyRun:
    """Run every row; returns the results (outputs are written by flexlab.certify.outputs)."""
    labs = [make_row_lab(matrix, index, row, options) for index, row in enumerate(matrix.rows, start=1)]
    preflight(matrix, labs, options)
    run = CertifyRun(
        matrix=MatrixRef(name=matrix.name, path=str(matrix.path.resolve())), out_dir=str(options.out_dir),
        started_at=_now(), flexlab_version=__version__,
    )
    board = RowBoard(options.progress, [row.name for row in matrix.rows], options.expected_s)
    for row in matrix.rows:
        board.state(row.name, "queued", f"{row.image} on {row.lab}")

    def work(index: int) -> RowResult:
        row = matrix.rows[index]
        row_options = dataclasses.replace(options, progress=board.for_row(row.name))
        return certify_row(matrix, row, labs[index], row_options)

    if options.jobs <= 1:
        run.rows = [work(index) for index in range(len(matrix.rows))]
    else:
        run.rows = run_parallel(_start_order(matrix, options), options.jobs, _memory_budget(matrix), work,
                                cancel=board.cancelled.set)
    run.finished_at = _now()
    return run


def _start_order(matrix: Matrix, options: RunnerOptions) -> list[Slot]:
    """Longest expected row first (ties: matrix order), so the last row to start is a short one."""
    expected = [options.expected_s.get(row.name, 0.0) for row in matrix.rows]
    order = sorted(range(len(matrix.rows)), key=lambda i: (-expected[i], i))
    return [Slot(i, row_memory_mib(matrix.rows[i], matrix.design)) for i in order]


def _memory_budget(matrix: Matrix) -> float | None:
    """Free memory for containerlab rows; the embedded lab's rows are bounded by --jobs alone."""
    if not any(row.lab == "containerlab" for row in matrix.rows):
        return None
    return available_memory_mib()


def _row_state(progress: Progress, state: RowState, detail: str = "") -> None:
    if isinstance(progress, RowProgress):
        progress.state(state, detail)


def certify_row(matrix: Matrix, row: MatrixRow, lab: Lab, options: RunnerOptions) -> RowResult:
    """Bring the row's lab up, run the job once per failure mode, always tear the lab down; the row's result."""
    result = RowResult(
        name=row.name, lab=row.lab, kind=row.kind, image=row.image, failure_modes=list(row.failure_modes),
        iterations=row.iterations, started_at=_now(),
        dpd_model=DpdCheck(declared=row.declared_dpd_model(matrix.path.parent).to_record()),
    )
    started = time.monotonic()
    try:
        _row_state(options.progress, "deploying")
        testbed = _lab_up(lab, result, options.progress)
        if testbed is not None:
            _row_state(options.progress, "running")
            for mode in row.failure_modes:
                _run_mode(matrix, row, mode, testbed, result, options)
    finally:
        with _interrupts_deferred():
            _row_state(options.progress, "destroying")
            _lab_down(lab, result, options.progress)
        result.duration_s = time.monotonic() - started
    stream = options.progress.stream
    failed = f": {'; '.join(result.failed_checks)}" if result.failed_checks else ""
    _row_state(options.progress, "done", f"{paint_verdict(result.verdict, stream)}{failed}")
    return result


def _lab_up(lab: Lab, result: RowResult, progress: Progress) -> Path | None:
    started = time.monotonic()
    try:
        testbed = lab.up(progress)
    except Exception as exc:  # noqa: BLE001 - any failure of one row's lab must not stop the matrix
        result.checks.append(_lab_check(LAB_UP, "errored", started, _describe(exc)))
        return None
    result.checks.append(_lab_check(LAB_UP, "passed", started))
    return testbed


def _lab_check(name: str, status: CheckStatus, started: float, message: str = "") -> Check:
    return Check(name=name, status=status, message=message, duration_s=time.monotonic() - started, category="lab")


def _lab_down(lab: Lab, result: RowResult, progress: Progress) -> None:
    started = time.monotonic()
    progress.update("tearing the lab down")
    try:
        lab.down()
    except Exception as exc:  # noqa: BLE001 - a failed teardown is this row's result, not the matrix's end
        result.checks.append(_lab_check(LAB_DOWN, "errored", started, _describe(exc)))
        return
    result.checks.append(_lab_check(LAB_DOWN, "passed", started))


def _run_mode(
    matrix: Matrix, row: MatrixRow, mode: str, testbed: Path, result: RowResult, options: RunnerOptions
) -> None:
    mode_dir = rows_dir(options.out_dir) / row.name / mode
    request = JobRequest(
        testbed=testbed, report_dir=mode_dir, archive_dir=mode_dir / "archive", log_path=mode_dir / "job.log",
        failure_mode=mode, iterations=row.iterations, timeout_s=row.job_timeout_s, hubs=row.hubs,
        design=matrix.design, job_file=options.job_file, dpd_model=row.dpd_model_arg(matrix.path.parent),
    )
    report_path = mode_dir / "failover_report.json"
    report_path.unlink(missing_ok=True)
    mode_run = ModeRun(failure_mode=mode, job_log=str(request.log_path))
    result.jobs.append(mode_run)
    options.progress.update(f"job ({mode}): starting")
    try:
        outcome = options.job_runner(request, options.progress)
    except Exception as exc:  # noqa: BLE001 - a job that cannot start errors this row, the matrix goes on
        log = str(request.log_path)
        result.checks.append(job_check(mode, None, False, row.job_timeout_s, None, [], log, _describe(exc)))
        return
    mode_run.exit_code, mode_run.duration_s = outcome.exit_code, outcome.duration_s
    mode_run.archive = _newest_archive(request.archive_dir)
    report, error = _collect(report_path)
    testcases = report_checks(report, mode) if report else []
    check = job_check(mode, outcome.exit_code, outcome.timed_out, row.job_timeout_s, report, testcases,
                      str(request.log_path), error, failed_sections(request.log_path))
    check.duration_s = outcome.duration_s
    result.checks += [check, *testcases]
    if report is not None:
        mode_run.report, mode_run.report_path = report, str(report_path)
        _merge_figures(result, report, mode)


def _collect(report_path: Path) -> tuple[JobReportDocument | None, str]:
    if not report_path.exists():
        return None, ""
    try:
        return read_report(report_path), ""
    except ResultFileError as exc:
        return None, f"unreadable failover report: {exc}"


def _merge_figures(result: RowResult, report: JobReportDocument, mode: str) -> None:
    result.measurements += measurements(report, mode)
    result.images_by_device.update(report.images)
    result.versions = sorted(set(result.images_by_device.values()))
    result.bound_formulas = sorted(set(result.bound_formulas) | set(bound_formulas(report)))
    if method := report.clock_method:   # the clock method of each failure mode (node-stop cases are offset-corrected)
        result.clock_method = "; ".join(filter(None, [result.clock_method, f"{mode}: {method}"]))
    result.dpd_model.add(report.dpd_schedule)


def _newest_archive(archive_dir: Path) -> str | None:
    zips = sorted(archive_dir.rglob("*.zip"), key=lambda p: p.stat().st_mtime) if archive_dir.exists() else []
    return str(zips[-1]) if zips else None


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, FlexlabError) else f"{type(exc).__name__}: {exc}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """A second Ctrl-C while the lab is torn down waits until the teardown is done."""
    received: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    except ValueError:  # not the main thread: signals cannot be handled here anyway
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt
