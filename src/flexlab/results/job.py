"""A failover job's results: the per-case record, the per-run record and the job report.

A run of the testscript (one failed hub, one iteration) writes ``runs/<tag>.json``
(:class:`RunRecord`); the job merges them into ``failover_report.json``
(:class:`JobReportDocument`). Both carry ``schema_version``; docs/results.md.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, field_serializer, field_validator, model_validator

from flexlab.results.records import (
    DeclaredDpdModel,
    DeclaredScheduleRecord,
    LabDescription,
    ObservedScheduleRecord,
    TargetOutage,
)
from flexlab.results.versioning import ResultModel, check_version

#: Version of runs/<tag>.json and of failover_report.json (same model of a run; docs/results.md).
RUN_RECORD_SCHEMA_VERSION = "1.0"
JOB_REPORT_SCHEMA_VERSION = "1.0"


class TestcaseStatus(StrEnum):
    """A testcase's result: aetest's result names (pyats.results), plus the job's own two."""

    __test__ = False   # not a pytest test class

    PASSED = "passed"
    FAILED = "failed"
    ERRORED = "errored"
    SKIPPED = "skipped"
    BLOCKED = "blocked"
    ABORTED = "aborted"
    PASSX = "passx"
    DEFERRED = "deferred"
    """--cumulative: recovery left to the last run of the sequence, which restores every hub."""
    NOT_RUN = "not run"
    """DpdSchedule / DataPlane could not run (no capture, probes refused): reported, never passed."""


class DpdBound(ResultModel):
    """The DPD bound a spoke's failover is checked against (flexlab.bound)."""

    value_s: float | None = None
    """The bound in device seconds; null when no bound applies (DPD off, no peer to move to)."""
    formula: str = ""
    """The bound's formula and its expression with the values, e.g. "I + (N+1)*R: 10 + 6*2"."""
    terms: dict[str, float] = Field(default_factory=dict)
    """Symbol -> value in seconds of every term (I, R, N, and K, P when dead peers are tried first)."""


_FLAT_BOUND = {"dpd_bound_s": "value_s", "bound_formula": "formula", "bound_terms": "terms"}


class SpokeMove(ResultModel):
    """The figures of one spoke's move away from one failed hub, shared by the job's record
    (:class:`SpokeFailover`) and certify's (flexlab.results.certify.SpokeMeasurement)."""

    hub: str
    """The failed hub the spoke was on."""
    spoke: str
    """The spoke that had to move."""
    failover_s: float | None = None
    """Device seconds from the failure to the tunnel up on the new peer (from the spoke's log)."""
    bgp_converged_s: float | None = None
    """Device seconds from the failure to BGP established again on the new hub."""
    passed: bool = False
    """Whether it moved to the expected peer within the bound."""
    reason: str = ""
    """Why the spoke failed ("" when it passed)."""


class SpokeFailover(SpokeMove):
    """One spoke's move away from one failed hub (steps assign its nested records as dicts or models:
    each assignment is validated)."""

    model_config = ConfigDict(validate_assignment=True)

    from_peer: str
    """The failed hub's WAN address the spoke's tunnel used."""
    to_peer: str | None = None
    """The peer the spoke's FlexVPN client is ACTIVE on after the failure; null when it did not move."""
    to_hub: str | None = None
    """The hub that owns ``to_peer``."""
    expected_peer: str | None = None
    """The next live peer of the spoke's client block (where it should go)."""
    expected_hub: str | None = None
    """The hub that owns ``expected_peer``."""
    dead_peers_tried: list[str] = Field(default_factory=list)
    """Peers of other failed hubs the client block tries before ``expected_peer``."""
    failover_polled_s: float | None = None
    """The same, as seen by the harness polling the spoke (coarser)."""
    bound: DpdBound = Field(default_factory=DpdBound)
    """The DPD bound the failover must not exceed."""
    timing_method: str = ""
    """How the failure instant was taken for this spoke."""
    dpd_model: DeclaredDpdModel = None
    """The declared DPD model the bound follows (flexlab.dpd_model.DpdModel fields)."""
    schedule: ObservedScheduleRecord | None = None
    """The DPD schedule observed on the wire (flexlab.harness.schedule), null without a capture."""
    declared_schedule: DeclaredScheduleRecord | None = None
    """The schedule the declared model predicts for this spoke."""
    schedule_result: str = ""
    """passed | failed | not run: whether the observed schedule matched the declared one."""
    schedule_note: str = ""
    """Why the schedule was not checked, or how it differed."""
    capture: str = ""
    """Path of the pcap the schedule was read from."""
    outage: list[TargetOutage] = Field(default_factory=list)
    """Per IP SLA probe target: its loss window."""

    @model_validator(mode="before")
    @classmethod
    def _nest_flat_bound(cls, data: Any) -> Any:
        """Accept the flat keywords dpd_bound_s / bound_formula / bound_terms (nested into ``bound``)."""
        if isinstance(data, dict) and any(key in data for key in _FLAT_BOUND):
            data = dict(data)
            bound = dict(data.get("bound") or {})
            for flat, nested in _FLAT_BOUND.items():
                if flat in data:
                    bound[nested] = data.pop(flat)
            data["bound"] = bound
        return data

    @property
    def dpd_bound_s(self) -> float | None:
        """The bound's value (``bound.value_s``)."""
        return self.bound.value_s

    @dpd_bound_s.setter
    def dpd_bound_s(self, value: float | None) -> None:
        self.bound = self.bound.model_copy(update={"value_s": value})

    @property
    def bound_formula(self) -> str:
        """The bound's formula (``bound.formula``)."""
        return self.bound.formula

    @bound_formula.setter
    def bound_formula(self, value: str) -> None:
        self.bound = self.bound.model_copy(update={"formula": value})

    @property
    def bound_terms(self) -> dict[str, float]:
        """The bound's terms (``bound.terms``)."""
        return self.bound.terms

    @bound_terms.setter
    def bound_terms(self, value: dict[str, float]) -> None:
        self.bound = self.bound.model_copy(update={"terms": dict(value)})

    def longest_outage_s(self) -> float | None:
        """The longest loss window over the spoke's probe targets."""
        values = [o.outage_s for o in self.outage if o.outage_s is not None]
        return max(values) if values else None


class HubRun(ResultModel):
    """Everything measured while one hub was failed (one run of the testscript)."""

    hub: str
    """The hub failed in this run."""
    failure_mode: str
    """How it was failed (flexlab.failure.FailureMode)."""
    iteration: int = 1
    """Which repetition of the sequence of failures (from 1)."""
    failed_at: str | None = None
    """Device time of the failure, ISO format."""
    failure_source: str = ""
    """Where the failure instant came from."""
    clock_method: str = ""
    """How this case's failover was timed."""
    capture_wall_s: dict[str, float] = Field(default_factory=dict)
    """Capture step -> harness wall seconds."""
    spokes: list[SpokeFailover] = Field(default_factory=list)
    """One record per spoke that was on the failed hub at the baseline."""
    unmoved_ok: bool | None = None
    """Whether the spokes not on the failed hub stayed where they were."""
    recovery: str = ""
    """What the recovery of the hub found ("" before it ran)."""
    testcases: dict[str, TestcaseStatus] = Field(default_factory=dict)
    """Testcase -> its result."""
    problems: dict[str, list[str]] = Field(default_factory=dict)
    """Testcase -> what failed."""
    checks: dict[str, list[str]] = Field(default_factory=dict)
    """Testcase -> the checks it made."""
    dead_hubs: list[str] = Field(default_factory=list)
    """--cumulative: hubs earlier runs left failed."""
    kept_failed: bool = False
    """--cumulative: this run's hub stays failed for the next run."""

    @field_serializer("testcases")
    def _statuses(self, testcases: dict[str, str]) -> dict[str, TestcaseStatus]:
        """Results assigned as plain strings are checked against the enum when written."""
        return {name: TestcaseStatus(result) for name, result in testcases.items()}


class RunRecord(ResultModel):
    """runs/<tag>.json: one run of the testscript and what the job learnt at setup."""

    schema_version: str = RUN_RECORD_SCHEMA_VERSION
    """MAJOR.MINOR of this document; readers refuse another major."""
    run: HubRun
    lab: LabDescription
    """The lab as it describes itself (flexlab.labs: kind, name, settings)."""
    images: dict[str, str] = Field(default_factory=dict)
    """Device -> version string from `show version`."""
    clock_method: str = ""
    """How failure instants are taken, as learnt at setup."""
    dpd_model: DeclaredDpdModel = None
    """The declared DPD model (DpdModel fields)."""
    hub_wan: dict[str, str] = Field(default_factory=dict)
    """Hub -> its WAN address."""

    @field_validator("schema_version")
    @classmethod
    def _supported(cls, value: str) -> str:
        return check_version(value, RUN_RECORD_SCHEMA_VERSION)


class Statistics(ResultModel):
    """count / min / median / p95 (nearest rank) / max of one figure, in device seconds."""

    count: int
    """How many values."""
    min: float
    """The smallest value."""
    median: float
    """The median (mean of the two middle values for an even count)."""
    p95: float
    """The 95th percentile, nearest rank."""
    max: float
    """The largest value."""


class ScheduleSummary(ResultModel):
    """Whether the declared DPD model was confirmed on the wire in this report."""

    declared: DeclaredDpdModel = None
    """The declared model (DpdModel fields)."""
    declared_from: str = ""
    """Where the declaration comes from ("measured: ..." or an assumption)."""
    checked: int = 0
    """Spokes whose schedule was compared with the model."""
    matched: int = 0
    """Spokes whose observed schedule matched the declared model."""
    differed: int = 0
    """Spokes whose observed schedule differed from it."""
    not_run: list[str] = Field(default_factory=list)
    """Why a spoke's schedule was not checked, one note per spoke."""
    observed: list[str] = Field(default_factory=list)
    """The schedules seen on the wire, as text."""


class JobReportDocument(ResultModel):
    """failover_report.json: every run of a job, the verdict and the summary figures."""

    schema_version: str = JOB_REPORT_SCHEMA_VERSION
    """MAJOR.MINOR of this document; readers refuse another major."""
    lab: LabDescription
    """The lab as it describes itself."""
    images: dict[str, str]
    """Device -> version string from `show version`."""
    clock_method: str
    """How failure instants were taken: one method, or each case's when they differ."""
    clock_methods: dict[str, str] = Field(default_factory=dict)
    """Case ("hub mode (iteration n)") -> how its failover was timed."""
    dpd_model: DeclaredDpdModel = None
    """The declared DPD model."""
    dpd_schedule: ScheduleSummary = Field(default_factory=ScheduleSummary)
    passed: bool
    """The job's verdict: every run passed every required testcase."""
    failover_s: Statistics | None = None
    bgp_converged_s: Statistics | None = None
    spoke_paths: list[str] = Field(default_factory=list)
    """Per iteration and spoke, the hubs it went through."""
    outage_s: Statistics | None = None
    """Data-plane loss windows over every spoke's probe targets."""
    runs: list[HubRun] = Field(default_factory=list)
    """Every run of the job (one per failed hub and iteration), in the order they ran."""

    @field_validator("schema_version")
    @classmethod
    def _supported(cls, value: str) -> str:
        return check_version(value, JOB_REPORT_SCHEMA_VERSION)
