"""A certification run's results: summary.json (:class:`CertifyRun`), one row per matrix row.

A row's checks are the lab coming up, every job that ran (one per failure mode), every
testcase of every job run (testcase x failed hub x iteration), and the lab going down.
The verdict follows from the checks alone, so every output that lists checks agrees
with the verdict: FAIL when a check failed (the image misbehaved), ERROR when only the
infrastructure did (lab, job crash, timeout), PASS when every check passed. Figures
computed from the checks and measurements (verdict, statistics) are written into the
file (read-only in the schema) and computed again when it is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, computed_field, field_serializer, field_validator

from flexlab.failover_timing import failover_statistics
from flexlab.results.job import JobReportDocument, ScheduleSummary, SpokeFailover, SpokeMove, Statistics
from flexlab.results.records import DeclaredDpdModel, declared_from
from flexlab.results.versioning import ResultModel, check_version

#: Version of summary.json (docs/results.md).
SUMMARY_SCHEMA_VERSION = "1.0"

CheckStatus = Literal["passed", "failed", "errored", "skipped"]
CheckCategory = Literal["lab", "job", "testcase"]
Verdict = Literal["PASS", "FAIL", "ERROR"]
VERDICTS: tuple[Verdict, ...] = ("PASS", "FAIL", "ERROR")


def statistics(values: Sequence[float]) -> Statistics | None:
    """count / min / median / p95 / max of ``values``, or None without values."""
    figures = failover_statistics(values)
    return Statistics.model_validate(figures) if figures else None


class Check(ResultModel):
    """One check of a row: it passed, failed (the image), errored (the infrastructure) or was skipped."""

    name: str
    """E.g. "lab up", "job (node-stop)", "Failover (node-stop, hub1, iteration 1)"."""
    status: CheckStatus
    """passed | failed (the image) | errored (the infrastructure) | skipped (did not run)."""
    message: str = ""
    """Why it did not pass ("" when it passed)."""
    duration_s: float = 0.0
    """Wall seconds the check took (0 when not timed)."""
    category: CheckCategory = "testcase"
    """lab (up/down) | job (one per failure mode) | testcase (one per testcase run)."""


class SpokeMeasurement(SpokeMove):
    """One spoke leaving one failed hub: the figures of its job record (flexlab.results.job.SpokeFailover),
    the shared ones from :class:`SpokeMove`, the bound flat and the longest outage."""

    failure_mode: str
    """The job's failure mode."""
    iteration: int
    """The repetition it was measured in."""
    dpd_bound_s: float | None = None
    """The record's ``bound.value_s``."""
    outage_s: float | None = None
    """The longest data-plane loss window over the spoke's probe targets."""

    @classmethod
    def of(cls, record: SpokeFailover, failure_mode: str, iteration: int) -> SpokeMeasurement:
        """The figures of one job record."""
        shared = {name: getattr(record, name) for name in SpokeMove.model_fields}
        return cls(**shared, failure_mode=failure_mode, iteration=iteration, dpd_bound_s=record.bound.value_s,
                   outage_s=record.longest_outage_s())


class ModeRun(ResultModel):
    """What one job run (one failure mode) left behind."""

    failure_mode: str
    """The failure mode this job ran."""
    report: JobReportDocument | None = Field(default=None, exclude=True)
    """The job's failover report as loaded (not written into summary.json: see report_path)."""
    report_path: str | None = None
    """Its failover_report.json (null when it wrote none)."""
    archive: str | None = None
    """The pyATS archive (zip) of the job."""
    job_log: str | None = None
    """The job's log."""
    exit_code: int | None = None
    """`pyats run job`'s exit code; null when it did not start."""
    duration_s: float = 0.0
    """Wall seconds the job took."""


class DpdCheck(ResultModel):
    """The declared DPD model of a row and what the wire said about it."""

    declared: DeclaredDpdModel = None
    """The declared model (flexlab.dpd_model.DpdModel fields); null when the row declared none."""
    observed: list[str] = Field(default_factory=list)
    """The schedules seen on the wire, as text."""
    matched: int = 0
    """Spokes whose schedule matched the declared model."""
    differed: int = 0
    """Spokes whose schedule differed from the declared model."""
    not_run: list[str] = Field(default_factory=list)
    """Why a spoke had no capture, one note per spoke."""

    def add(self, summary: ScheduleSummary) -> None:
        """Fold in one job report's schedule summary."""
        self.observed += summary.observed
        self.matched += summary.matched
        self.differed += summary.differed
        self.not_run += summary.not_run

    @computed_field  # type: ignore[prop-decorator]
    @property
    def declared_from(self) -> str:
        """Where the declaration comes from: "measured: ..." or the assumption."""
        return declared_from(self.declared)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def measured(self) -> bool:
        """Whether the model is measured (calibrated, or confirmed on the wire in this row)."""
        return (self.declared is not None and self.declared.measured) or self.matched > 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def check(self) -> str:
        """What the wire said about the declared model in this row."""
        if self.differed:
            return f"DIFFERS on {self.differed} spoke(s), matches on {self.matched}"
        if self.matched:
            return f"confirmed on the wire ({self.matched} spoke(s))"
        if self.not_run:
            return f"not checked: {sorted(set(self.not_run))[0]}"
        return "not checked"

    def model_text(self) -> str:
        """The declared model in one line."""
        model = self.declared
        if model is None:
            return "-"
        spacing = "fixed" if model.backoff == "fixed" else f"exponential x{model.factor:g}"
        return f"{model.name}: N={model.retransmits}, {spacing}, periodic={model.periodic}"


_FIGURES = ("failover_s", "dpd_bound_s", "bgp_converged_s", "outage_s")


class RowResult(ResultModel):
    """One matrix row: its lab, image, checks, the figures its jobs measured, and the verdict."""

    name: str
    """The matrix row's name."""
    lab: str
    """embedded | containerlab."""
    kind: str | None
    """The containerlab kind (null for the embedded lab)."""
    image: str
    """The image the row certifies."""
    failure_modes: list[str]
    """The failure modes the row runs (one job each)."""
    iterations: int
    """Repetitions of each job's failure sequence."""
    versions: list[str] = Field(default_factory=list)
    """Distinct `show version` strings of the row's devices."""
    images_by_device: dict[str, str] = Field(default_factory=dict)
    """Device -> its `show version` string."""
    bound_formulas: list[str] = Field(default_factory=list)
    """The distinct DPD bound formulas of the row's spokes."""
    clock_method: str = ""
    """How failure instants were taken, per failure mode."""
    dpd_model: DpdCheck = Field(default_factory=DpdCheck)
    checks: list[Check] = Field(default_factory=list)
    """Every check of the row; the verdict follows from them alone."""
    measurements: list[SpokeMeasurement] = Field(default_factory=list)
    """Every spoke move the jobs measured."""
    jobs: list[ModeRun] = Field(default_factory=list)
    """One per failure mode that ran."""
    started_at: str = ""
    """ISO time the row started (UTC)."""
    duration_s: float = 0.0
    """Wall seconds the row took (lab up to lab down)."""

    @field_serializer("duration_s")
    def _rounded(self, value: float) -> float:
        return round(value, 3)

    def stats(self, attribute: str) -> Statistics | None:
        """count/min/median/p95/max of one figure over every measured spoke."""
        values = [value for m in self.measurements if (value := getattr(m, attribute)) is not None]
        return statistics(values)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def version(self) -> str | None:
        """The versions joined by "; " (null when none was read)."""
        return "; ".join(self.versions) or None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verdict(self) -> Verdict:
        """FAIL when a check failed, ERROR when one errored (or none ran), else PASS."""
        statuses = {check.status for check in self.checks}
        if "failed" in statuses:
            return "FAIL"
        if "errored" in statuses or not self.checks:
            return "ERROR"
        return "PASS"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def failed_checks(self) -> list[str]:
        """Names of the checks that failed or errored."""
        return [check.name for check in self.checks if check.status in ("failed", "errored")]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def testcases(self) -> dict[str, CheckStatus]:
        """Testcase check name -> status."""
        return testcase_results(self.checks)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def failover_s(self) -> Statistics | None:
        """Failover times over every measured spoke."""
        return self.stats("failover_s")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def dpd_bound_s(self) -> Statistics | None:
        """DPD bounds over every measured spoke."""
        return self.stats("dpd_bound_s")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def bgp_converged_s(self) -> Statistics | None:
        """BGP convergence times over every measured spoke."""
        return self.stats("bgp_converged_s")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outage_s(self) -> Statistics | None:
        """Longest data-plane outage per spoke, over every measured spoke."""
        return self.stats("outage_s")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def archives(self) -> list[str]:
        """The jobs' pyATS archives."""
        return [job.archive for job in self.jobs if job.archive]

    def to_dict(self) -> dict[str, Any]:
        """The row as summary.json holds it."""
        return self.model_dump(mode="json")


def testcase_results(checks: list[Check]) -> dict[str, CheckStatus]:
    """testcase check name -> status: the pass/fail per testcase that summary.json lists."""
    return {check.name: check.status for check in checks if check.category == "testcase"}


class MatrixRef(ResultModel):
    """The matrix a run certified (all of it, or the part in ``shard``)."""

    name: str
    """The matrix's name."""
    path: str
    """The matrix file."""
    digest: str = ""
    """flexlab.certify.shard.matrix_digest: shard outputs of one matrix share it."""
    rows: list[str] = Field(default_factory=list)
    """Every row of the matrix, in order."""


class ShardPart(ResultModel):
    """The part of the matrix a `flexlab certify --shard` run certified (flexlab.certify.plan)."""

    shard: str
    """The --shard value, e.g. "2/3"."""
    index: int
    """Which part (from 1)."""
    total: int
    """How many parts the matrix is split into."""
    rows: list[str] = Field(default_factory=list)
    """The rows of this part, in matrix order."""
    balanced_by: dict[str, str] = Field(default_factory=dict)
    """Row -> the expected duration the split balanced on, and where it came from."""


class ShardNote(ResultModel):
    """One shard output a merge read (flexlab.certify.merge)."""

    dir: str
    """The shard's output directory."""
    shard: ShardPart | MergedShards | None = None
    """The part that output certified (its own ``shard``); null for an unsharded run."""
    rows: list[str] = Field(default_factory=list)
    """The rows taken from it."""


class MergedShards(ResultModel):
    """The shard outputs a `flexlab certify merge` read."""

    merged_from: list[ShardNote]
    """Each shard output, in the order given."""
    missing_rows: list[str] = Field(default_factory=list)
    """Matrix rows no shard output holds."""


ShardNote.model_rebuild()   # its ``shard`` may be a merge's (MergedShards, defined after it)


class CertifyRun(ResultModel):
    """summary.json: every row of one `flexlab certify` (or `certify merge`) invocation."""

    schema_version: str = SUMMARY_SCHEMA_VERSION
    """MAJOR.MINOR of this document; readers refuse another major."""
    matrix: MatrixRef
    shard: ShardPart | MergedShards | None = None
    """Which part of the matrix this run is (--shard), or the shards a merge read; null otherwise."""
    out_dir: str
    """The output directory (every path in the file is under it)."""
    started_at: str
    """ISO time the run started (UTC)."""
    finished_at: str = ""
    """ISO time the run ended (UTC)."""
    flexlab_version: str = ""
    """The flexlab that wrote the file."""
    rows: list[RowResult] = Field(default_factory=list)
    """One result per certified matrix row, in matrix order."""

    @field_validator("schema_version")
    @classmethod
    def _supported(cls, value: str) -> str:
        return check_version(value, SUMMARY_SCHEMA_VERSION)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """Whether there was a row and every row passed."""
        return bool(self.rows) and all(row.verdict == "PASS" for row in self.rows)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def counts(self) -> dict[Verdict, int]:
        """Rows per verdict."""
        return {verdict: sum(row.verdict == verdict for row in self.rows) for verdict in VERDICTS}

    def to_dict(self) -> dict[str, Any]:
        """The run as summary.json holds it."""
        return self.model_dump(mode="json")
