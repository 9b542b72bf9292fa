"""The failover report: results as data first, then rendered to JSON and Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from flexlab.failover_timing import failover_statistics
from flexlab.privatefs import write_private
from flexlab.results.job import HubRun, JobReportDocument, SpokeFailover, TestcaseStatus
from flexlab.results.records import DeclaredDpdModel, DpdModelRecord, LabDescription, declared_from

#: Every run of the testscript must pass all of these for a PASS verdict; a testcase that
#: errored or never ran is missing and so fails the report.
REQUIRED_TESTCASES = ("Baseline", "HubFailure", "Failover", "BgpConvergence", "Recovery")
#: The DPD schedule check may be "not run" (the lab cannot capture): reported, never passed,
#: and not a failure of the failover verdict.
SCHEDULE_TESTCASE = "DpdSchedule"
#: The data-plane outage may be "not run" too (a spoke refused the IP SLA probes).
OUTAGE_TESTCASE = "DataPlane"
NOT_RUN = TestcaseStatus.NOT_RUN
#: Recovery of a run whose hub stays failed for the next run (--cumulative): the last run of
#: the sequence restores every hub and checks the recovery of all of them.
DEFERRED = TestcaseStatus.DEFERRED


def summarize(values: list[float]) -> dict[str, float | int] | None:
    """count / min / median / p95 (nearest rank) / max, or None without values."""
    return failover_statistics(values) or None


def _case(run: HubRun) -> str:
    return f"{run.hub} {run.failure_mode} (iteration {run.iteration})"


_DECLARED_MODEL: TypeAdapter[DpdModelRecord | None] = TypeAdapter(DeclaredDpdModel)


@dataclass
class FailoverReport:
    """The failover report of a job: the lab, images, clock method and each hub failure's run."""
    lab: LabDescription
    images: dict[str, str]                 # device -> version string from `show version`
    clock_method: str                      # as learnt at setup; each case states its own
    runs: list[HubRun] = field(default_factory=list)
    dpd_model: DpdModelRecord | None = None   # the declared model (DpdModel.to_record)

    def __post_init__(self) -> None:
        """The lab and the model may be given as their JSON mappings (validated here)."""
        self.lab = LabDescription.model_validate(self.lab)
        self.dpd_model = _DECLARED_MODEL.validate_python(self.dpd_model)

    def clock_methods(self) -> dict[str, str]:
        """case -> how its failover was timed (falls back to the setup-time method)."""
        return {_case(run): run.clock_method or self.clock_method for run in self.runs}

    def clock_summary(self) -> str:
        """How failure instants were taken: one method, or each case's when they differ."""
        methods = set(self.clock_methods().values())
        if len(methods) <= 1:
            return next(iter(methods), self.clock_method)
        return "per case: " + "; ".join(f"{case}: {method}" for case, method in self.clock_methods().items())

    def schedule_summary(self) -> dict[str, Any]:
        """Whether the declared DPD model was confirmed on the wire in this report."""
        results = [s.schedule_result for s in self.failovers if s.schedule_result]
        model = self.dpd_model
        return {
            "declared": model,
            "declared_from": declared_from(model),
            "checked": sum(r != NOT_RUN for r in results),
            "matched": results.count("passed"),
            "differed": results.count("failed"),
            "not_run": [s.schedule_note for s in self.failovers if s.schedule_result == NOT_RUN],
            "observed": [s.schedule.text for s in self.failovers if s.schedule],
        }

    @property
    def failovers(self) -> list[SpokeFailover]:
        """Every spoke failover of every run."""
        return [s for run in self.runs for s in run.spokes]

    @property
    def passed(self) -> bool:
        """Whether there was a run and every run passed."""
        return bool(self.runs) and all(self._run_passed(index) for index in range(len(self.runs)))

    def _run_passed(self, index: int) -> bool:
        run = self.runs[index]

        def ok(name: str, result: str | None) -> bool:
            if result == "passed" or (name in (SCHEDULE_TESTCASE, OUTAGE_TESTCASE) and result == NOT_RUN):
                return True
            return name == "Recovery" and result == DEFERRED and run.kept_failed and self._restored_later(index)
        return (all(ok(name, run.testcases.get(name)) for name in REQUIRED_TESTCASES)
                and all(ok(name, result) for name, result in run.testcases.items()))

    def _restored_later(self, index: int) -> bool:
        """A later run of the same iteration restored this run's hub and passed Recovery."""
        hub, iteration = self.runs[index].hub, self.runs[index].iteration
        return any(later.iteration == iteration and not later.kept_failed and hub in later.dead_hubs
                   and later.testcases.get("Recovery") == "passed" for later in self.runs[index + 1:])

    def spoke_paths(self) -> list[str]:
        """Per iteration and spoke, the hubs it went through: "spoke1: hub1 -> hub2 -> hub3"."""
        paths: dict[tuple[int, str], list[list[str]]] = {}
        for run in self.runs:
            for s in run.spokes:
                chains = paths.setdefault((run.iteration, s.spoke), [])
                target = s.to_hub or s.to_peer or "nowhere"
                if chains and chains[-1][-1] == s.hub and run.dead_hubs:
                    chains[-1].append(target)
                else:
                    chains.append([s.hub, target])
        return [f"{spoke} (iteration {iteration}): " + "; ".join(" -> ".join(c) for c in chains)
                for (iteration, spoke), chains in paths.items()]

    def to_document(self) -> JobReportDocument:
        """The report as its typed document (failover_report.json), with the summary figures."""
        measured = [s.failover_s for s in self.failovers if s.failover_s is not None]
        converged = [s.bgp_converged_s for s in self.failovers if s.bgp_converged_s is not None]
        outages = [o.outage_s for s in self.failovers for o in s.outage if o.outage_s is not None]
        return JobReportDocument.model_validate({
            "lab": self.lab,
            "images": self.images,
            "clock_method": self.clock_summary(),
            "clock_methods": self.clock_methods(),
            "dpd_model": self.dpd_model,
            "dpd_schedule": self.schedule_summary(),
            "passed": self.passed,
            "failover_s": summarize(measured),
            "bgp_converged_s": summarize(converged),
            "spoke_paths": self.spoke_paths(),
            "outage_s": summarize(outages),
            "runs": self.runs,
        })

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values (the document's JSON form)."""
        return self.to_document().model_dump(mode="json")

    @classmethod
    def from_document(cls, document: JobReportDocument) -> FailoverReport:
        """The report from its loaded document (the per-case clock methods are kept in the runs)."""
        return cls(lab=document.lab, images=document.images, clock_method=document.clock_method,
                   runs=list(document.runs), dpd_model=document.dpd_model)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FailoverReport:
        """The report from what :meth:`to_dict` wrote (validated: pydantic ValidationError otherwise)."""
        return cls.from_document(JobReportDocument.model_validate(data))

    def _lab_line(self) -> str:
        """The lab as `key=value` pairs; nested settings (image parameters) inline, the DPD model
        left to its own line."""
        parts = []
        for key, value in self.lab.model_dump(mode="json", exclude_unset=True).items():
            if key == "dpd_model":
                continue
            if isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items()) or "none"
                value = f"({value})"
            parts.append(f"{key}={value}")
        return ", ".join(parts) or "unknown"

    def to_markdown(self) -> str:
        """The report as Markdown for people."""
        data = self.to_dict()
        lines = [
            "# FlexVPN failover report", "",
            f"- Verdict: **{'PASS' if self.passed else 'FAIL'}**",
            f"- Lab: {self._lab_line()}",
            f"- Images: {', '.join(sorted(set(self.images.values()))) or 'unknown'}",
            f"- Clock: {self.clock_summary()}",
            f"- DPD model: {self._model_line()}",
            f"- DPD schedule on the wire: {self._schedule_verdict()}", "",
        ]
        for label, key in (("Failover", "failover_s"), ("BGP convergence", "bgp_converged_s"),
                           ("Data-plane outage", "outage_s")):
            if stats := data[key]:
                lines.append(
                    f"- {label} (device seconds, n={stats['count']}): min {stats['min']:.3f}, median "
                    f"{stats['median']:.3f}, p95 {stats['p95']:.3f}, max {stats['max']:.3f}"
                )
        lines += ["", "| failed hub | mode | spoke | from | to | failover s | bound s | BGP s | outage s | result |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for run in self.runs:
            for s in run.spokes:
                lines.append(
                    f"| {run.hub} | {run.failure_mode} | {s.spoke} | {s.from_peer} | {s.to_hub or s.to_peer or '-'} | "
                    f"{_num(s.failover_s)} | {_num(s.dpd_bound_s)} | {_num(s.bgp_converged_s)} | "
                    f"{_outage_cell(s)} | {'pass' if s.passed else 'FAIL: ' + s.reason} |"
                )
        if paths := self.spoke_paths():
            lines += ["", "## Spoke moves", ""] + [f"- {path}" for path in paths]
        formulas = {s.bound_formula for s in self.failovers if s.bound_formula}
        if formulas:
            lines += ["", "## DPD bound", ""] + [f"- `{f}`" for f in sorted(formulas)]
            lines += self._dead_peer_lines()
        lines += self._schedule_lines()
        lines += _outage_lines(self.failovers)
        lines += ["", "## Testcases", ""]
        for run in self.runs:
            for name, result in run.testcases.items():
                lines.append(f"- {run.hub} (iteration {run.iteration}) {name}: {result}")
                lines.extend(f"  - {problem}" for problem in run.problems.get(name, []))
        return "\n".join(lines) + "\n"

    def _dead_peer_lines(self) -> list[str]:
        """The assumed terms of moves that try dead peers first (d*(K+P), flexlab.bound)."""
        skipping = next((s for s in self.failovers if "K" in s.bound_terms), None)
        if skipping is None:
            return []
        terms = skipping.bound_terms
        return [f"- d = dead peers tried on the way (worst of both readings of where the client restarts); "
                f"K = {terms['K']:g} s IKE_SA_INIT give-up and P = {terms['P']:g} s next-peer pause per dead "
                "peer: assumed, not verified on IOS (docs/timing.md)"]

    def _model_line(self) -> str:
        return _model_line(self.dpd_model)

    def _schedule_verdict(self) -> str:
        summary = self.schedule_summary()
        if summary["checked"]:
            return (f"checked on {summary['checked']} spoke(s): {summary['matched']} match the declared model, "
                    f"{summary['differed']} differ")
        reasons = sorted(set(summary["not_run"]))
        return "not checked" + (f" ({'; '.join(reasons)})" if reasons else "")

    def _schedule_lines(self) -> list[str]:
        """One line per spoke: the schedule actually sent, and whether it matched the model."""
        rows = [s for s in self.failovers if s.schedule_result]
        if not rows:
            return []
        lines = ["", "## DPD schedule (observed on the wire)", ""]
        for s in rows:
            observed = s.schedule.text if s.schedule else "-"
            verdict = {"passed": "matches the declared model", "failed": "DIFFERS from the declared model",
                       NOT_RUN: "not checked"}.get(s.schedule_result, s.schedule_result)
            lines.append(f"- {s.hub} -> {s.spoke}: {observed} ({verdict})")
            if s.schedule_result != "passed":
                lines.append(f"  - {s.schedule_note}")
        return lines

    def write(self, directory: Path) -> tuple[Path, Path]:
        """Write the JSON and Markdown reports (private files) into ``directory``; their paths."""
        directory.mkdir(parents=True, exist_ok=True)
        json_path = write_private(directory / "failover_report.json", self.to_document().model_dump_json(indent=2))
        md_path = write_private(directory / "failover_report.md", self.to_markdown())
        return json_path, md_path


def _model_line(model: DpdModelRecord | None) -> str:
    if model is None:
        return "not recorded"
    cap = f", cap {model.cap_s} s" if model.cap_s else ""
    exponential = f"exponential from R, factor {model.factor}{cap}"
    spacing = "fixed at R" if model.backoff == "fixed" else exponential
    return (f"{model.name}: {model.retransmits} retransmissions, {spacing}, "
            f"periodic={model.periodic} ({model.source})")


def _outage_cell(spoke: SpokeFailover) -> str:
    """The longest loss window over the spoke's probe targets."""
    return _num(spoke.longest_outage_s())


def _outage_lines(failovers: list[SpokeFailover]) -> list[str]:
    """One line per probe: target, probes lost of those sent, the window, traffic again."""
    rows = [(s, o) for s in failovers for o in s.outage]
    if not rows:
        return []
    lines = ["", "## Data-plane outage (IP SLA probes from the spoke's LAN)", "",
             f"- Method: {rows[0][1].method}", ""]
    for s, o in rows:
        lost = "-" if o.probes_lost is None else f"{o.probes_lost} of {o.probes_sent} probes lost"
        window = f", window {o.window_start} .. {o.window_end}" if o.window_start else ""
        flowing = "traffic flows again" if o.flowing_again else "traffic does NOT flow again"
        lines.append(f"- {s.hub} -> {s.spoke} to {o.target} ({o.address}): outage {_num(o.outage_s)} s, "
                     f"{lost}{window}; {flowing}")
    return lines


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
