"""Does the observed DPD schedule match the declared model? (count exact, spacing within
a stated tolerance, the periodic reading where the capture can show it)."""

from __future__ import annotations

from dataclasses import dataclass

from flexlab.bound import DpdConfig
from flexlab.dpd_model import DpdModel
from flexlab.harness.schedule import ObservedSchedule
from flexlab.results.records import DeclaredScheduleRecord

#: A wait matches when it is within max(ABS, REL * expected) of the declared wait: device
#: timers fire on a scheduler tick and a capture timestamps on receipt (docs/timing.md).
SPACING_TOLERANCE_ABS_S = 0.5
SPACING_TOLERANCE_REL = 0.1
#: The IKE_SA_INIT to the next peer may follow the dead declaration by up to this much.
NEXT_PEER_SLACK_S = 5.0


def tolerance_s(expected_s: float) -> float:
    """How far an observed spacing may be from the declared one."""
    return max(SPACING_TOLERANCE_ABS_S, SPACING_TOLERANCE_REL * expected_s)


def tolerance_text() -> str:
    """The tolerance rule in words, for reports."""
    return f"max({SPACING_TOLERANCE_ABS_S:g} s, {SPACING_TOLERANCE_REL:.0%})"


@dataclass(frozen=True)
class DeclaredSchedule:
    """What the declared model says the spoke sends after the failure."""

    model: DpdModel
    mode: str                        # "periodic" | "on-demand"
    interval_s: float
    first_probe_within_s: float | None   # I (periodic) or T + I (on-demand); None: no bound
    waits_s: tuple[float, ...]       # probe -> 1st retransmission, ..., last -> dead

    def describe(self) -> str:
        """The declared schedule in one line."""
        within = f"probe within +{self.first_probe_within_s:g} s" if self.first_probe_within_s is not None \
            else "probe when there is traffic"
        retransmissions = self.waits_s[:-1]
        spacing = ", ".join(f"+{w:g}" for w in retransmissions)
        text = f"{within}, " + (f"retransmitted at {spacing} s ({len(retransmissions)} retransmissions)"
                                if retransmissions else "not retransmitted")
        return f"{text}, dead {self.waits_s[-1]:g} s after the last ({self.model.name})"

    def to_record(self) -> DeclaredScheduleRecord:
        """The declared schedule as the spoke's report record holds it."""
        return DeclaredScheduleRecord(model=self.model.to_record(), mode=self.mode, interval_s=self.interval_s,
                                      first_probe_within_s=self.first_probe_within_s, waits_s=list(self.waits_s),
                                      text=self.describe())


def declared_schedule(model: DpdModel, dpd: DpdConfig, traffic_period_s: float | None) -> DeclaredSchedule:
    """The schedule the DPD model declares for this DPD config (and the traffic period, for on-demand)."""
    within: float | None = float(dpd.interval_s)
    if dpd.mode != "periodic":
        within = None if traffic_period_s is None else traffic_period_s + dpd.interval_s
    return DeclaredSchedule(model, dpd.mode, float(dpd.interval_s), within,
                            tuple(model.waits_s(dpd.retry_interval_s)))


def _spacing_problems(observed: ObservedSchedule, declared: DeclaredSchedule) -> list[str]:
    problems = []
    expected_count = len(declared.waits_s) - 1
    if observed.retransmissions != expected_count:
        problems.append(f"{observed.retransmissions} retransmissions, declared {expected_count}")
    for index, (seen, wanted) in enumerate(zip(observed.spacings_s, declared.waits_s, strict=False), start=1):
        if abs(seen - wanted) > tolerance_s(wanted):
            problems.append(f"retransmission {index} came {seen:g} s after the previous send, declared "
                            f"{wanted:g} s (tolerance {tolerance_s(wanted):g} s)")
    final = observed.final_wait_s
    if final is not None and observed.retransmissions == expected_count:
        wanted = declared.waits_s[-1]
        if not wanted - tolerance_s(wanted) <= final <= wanted + NEXT_PEER_SLACK_S:
            problems.append(f"the IKE_SA_INIT to the next peer came {final:g} s after the last send, declared "
                            f"{wanted:g} s (dead) + up to {NEXT_PEER_SLACK_S:g} s")
    return problems


def _periodic_problems(observed: ObservedSchedule, declared: DeclaredSchedule) -> list[str]:
    """facts.md section 1's two readings: "always" probes every I s whatever is received,
    "idle" only after I s without anything from the peer."""
    if declared.mode != "periodic":
        return []
    silence = declared.interval_s - tolerance_s(declared.interval_s)
    if declared.model.periodic == "idle":
        early = [q for q in observed.quiet_before_early_probes_s if q < silence]
        quiet = observed.quiet_before_probe_s
        problems = [f"an R-U-THERE went {q:g} s after the peer was last heard (idle reading: only after "
                    f"{declared.interval_s:g} s of silence)" for q in early]
        if quiet is not None and quiet < silence:
            problems.append(f"the first probe went {quiet:g} s after the peer was last heard (idle reading: "
                            f"{declared.interval_s:g} s)")
        return problems
    before = -observed.window_s[0] if observed.window_s else 0.0
    if before >= declared.interval_s + tolerance_s(declared.interval_s) and not observed.probes_before_failure_s:
        return [f"no R-U-THERE in the {before:g} s captured before the failure (always reading: one every "
                f"{declared.interval_s:g} s whatever the peer sends)"]
    return []


def schedule_problems(observed: ObservedSchedule, declared: DeclaredSchedule) -> list[str]:
    """Empty when the observed schedule matches; else one message with both schedules."""
    if observed.probe_s is None:
        found = [observed.problem]
    else:
        found = _spacing_problems(observed, declared) + _periodic_problems(observed, declared)
        within = declared.first_probe_within_s
        if within is not None and observed.probe_s > within + tolerance_s(within):
            found.append(f"the first probe came {observed.probe_s:g} s after the failure, declared within {within:g} s")
    if not found:
        return []
    return [f"{observed.spoke}: observed DPD schedule does not match the declared model: {'; '.join(found)}. "
            f"Observed: {observed.describe()}. Declared: {declared.describe()} "
            f"[{declared.model.source}; spacing tolerance {tolerance_text()}]"]
