"""A DPD model inferred from observed schedules (what `flexlab calibrate` writes).

Input: the failover report's per-spoke records (observed schedule, the DPD terms of the
spoke's running configuration). The count is the number of retransmissions (all spokes
must agree); the spacing is fixed when every wait is R within the tolerance, else
exponential with the median ratio of consecutive waits (a cap when the waits stop
growing); the periodic reading only when the spokes run periodic DPD and the capture
shows it (facts.md section 1), otherwise the default reading is kept and said so.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from flexlab.dpd_model import DEFAULT_MODEL, DpdModel, DpdModelError, model_from_mapping
from flexlab.harness.schedule_check import tolerance_s
from flexlab.results.job import SpokeFailover


@dataclass(frozen=True)
class Observation:
    """One spoke's observed schedule with its configured DPD (from the report)."""

    spoke: str
    spacings_s: tuple[float, ...]
    final_wait_s: float | None
    retry_s: float
    interval_s: float
    mode: str
    probes_before_failure: int
    quiet_before_early_probes_s: tuple[float, ...]
    window_before_s: float

    @classmethod
    def from_record(cls, record: SpokeFailover) -> Observation:
        """The observation of one spoke's record in a job report (its schedule, declared terms and bound)."""
        schedule = record.schedule
        terms = record.bound.terms
        if schedule is None or schedule.probe_s is None:
            reason = (schedule.problem if schedule else "") or record.schedule_note or "no schedule in the report"
            raise DpdModelError(f"{record.spoke}: {reason}")
        window = schedule.window_s or (0.0, 0.0)
        return cls(
            spoke=record.spoke, spacings_s=tuple(schedule.spacings_s),
            final_wait_s=schedule.final_wait_s, retry_s=float(terms["R"]), interval_s=float(terms["I"]),
            mode=record.declared_schedule.mode if record.declared_schedule else "on-demand",
            probes_before_failure=len(schedule.probes_before_failure_s),
            quiet_before_early_probes_s=tuple(schedule.quiet_before_early_probes_s),
            window_before_s=-float(window[0]),
        )


def _spacing(observations: list[Observation]) -> dict[str, Any]:
    """backoff / factor / cap from the waits the spokes sent."""
    first = observations[0]
    waits = [w for o in observations for w in o.spacings_s]
    if all(abs(w - o.retry_s) <= tolerance_s(o.retry_s) for o in observations for w in o.spacings_s):
        return {"backoff": "fixed"}
    chains = [list(o.spacings_s) for o in observations]
    ratios = [b / a for chain in chains for a, b in pairwise(chain) if a > 0 and b / a > 1 + 0.1]
    if not ratios:
        raise DpdModelError(f"the waits {', '.join(f'{w:g}' for w in waits)} s are neither fixed at "
                            f"R={first.retry_s:g} s nor growing")
    off_base = [o for o in observations if abs(o.spacings_s[0] - o.retry_s) > tolerance_s(o.retry_s)]
    if off_base:
        o = off_base[0]
        raise DpdModelError(f"{o.spoke}: the first wait {o.spacings_s[0]:g} s is not the retry interval "
                            f"R={o.retry_s:g} s: a model's waits start at R")
    factor = round(statistics.median(ratios), 2)
    longest = max(waits)
    model = {"backoff": "exponential", "factor": factor}
    uncapped = first.retry_s * factor ** (len(first.spacings_s) - 1)
    if longest < uncapped - tolerance_s(uncapped):
        model["cap"] = longest
    return model


def _periodic(observations: list[Observation]) -> tuple[str, str]:
    """(reading, how it was found)."""
    periodic = [o for o in observations if o.mode == "periodic"]
    if not periodic:
        return DEFAULT_MODEL.periodic, "periodic reading not observed (the spokes run on-demand DPD): kept the default"
    for o in periodic:
        if any(q < o.interval_s - tolerance_s(o.interval_s) for q in o.quiet_before_early_probes_s):
            return "always", f"periodic reading 'always' observed on {o.spoke} (R-U-THERE while the peer talked)"
    long_enough = [o for o in periodic if o.window_before_s >= o.interval_s + tolerance_s(o.interval_s)]
    if long_enough and all(o.probes_before_failure == 0 for o in long_enough):
        return (
            "idle",
            f"periodic reading 'idle' observed on {long_enough[0].spoke} (no R-U-THERE while the peer talked)",
        )
    return (
        DEFAULT_MODEL.periodic,
        "periodic reading not observable (capture too short before the failure): kept the default",
    )


def infer_model(records: list[SpokeFailover], name: str, source: str) -> tuple[DpdModel, list[str]]:
    """The model the observed schedules show, and notes on how each part was found."""
    if not records:
        raise DpdModelError("the report has no moved spoke: nothing was observed")
    observations = [Observation.from_record(r) for r in records]
    counts = {len(o.spacings_s) for o in observations}
    if len(counts) != 1:
        raise DpdModelError("spokes disagree on the retransmission count: " + ", ".join(
            f"{o.spoke} {len(o.spacings_s)}" for o in observations))
    count = counts.pop()
    if count < 2:
        raise DpdModelError(f"{count} retransmission(s) observed: too few waits to tell the spacing rule")
    spacing = _spacing(observations)
    periodic, periodic_note = _periodic(observations)
    fields: dict[str, Any] = {"name": name, "retransmits": count, "periodic": periodic, "measured": True, **spacing}
    model = model_from_mapping(fields, "calibrated model")
    notes = [f"{count} retransmissions on {len(observations)} spoke(s)",
             f"spacing: {spacing['backoff']}" + (f", factor {spacing['factor']:g}" if "factor" in spacing else "")
             + (f", cap {spacing['cap']:g} s" if "cap" in spacing else ""), periodic_note]
    return replace(model, source=f"{source}; {periodic_note}"), notes
