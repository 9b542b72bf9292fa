"""The nested records of a spoke's failover record and of the documents' headers.

Each model mirrors, key for key, the JSON its producer writes: the declared DPD model
(flexlab.dpd_model.DpdModel), the schedule observed on the wire (flexlab.harness.schedule),
the schedule the model declares (flexlab.harness.schedule_check), one probe target's loss
window (flexlab.harness.outage) and the lab as it describes itself (flexlab.labs).
The declared model and a probe target's outage are strict: every field their producer always
writes is required (null where it writes null), so a record missing one is refused on load.
The two schedule records keep the producer's defaults: a hand-written record may give only
the schedule's one-line text.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field

from flexlab.results.versioning import ResultModel


class DpdModelRecord(ResultModel):
    """The declared DPD model: how the image retransmits an unanswered R-U-THERE (flexlab.dpd_model)."""

    name: str
    """The model's name, e.g. "ios-fixed-5"."""
    retransmits: int
    """N: R-U-THERE retransmissions before the peer is declared dead."""
    backoff: str
    """"fixed" (every wait R) or "exponential" (R * factor**k)."""
    factor: float
    """Exponential growth per wait (1 when fixed)."""
    cap_s: float | None
    """Exponential: no wait longer than this; null when uncapped."""
    periodic: str
    """How "periodic" DPD is read: "always" or "idle" (facts.md section 1)."""
    measured: bool
    """Whether the model came from a capture (flexlab calibrate)."""
    source: str
    """Where the model comes from, or the assumption it is."""


#: Where a declared model comes from when nothing says it was measured.
ASSUMED_MODEL = "assumed, not measured on this image"


def declared_from(model: DpdModelRecord | None) -> str:
    """Where a declared model comes from: "measured: <source>", its source, or the assumption."""
    if model is not None and model.measured:
        return f"measured: {model.source}"
    return (model.source if model is not None else "") or ASSUMED_MODEL


def _no_model(value: Any) -> Any:
    """An empty mapping (a document written without a declared model) reads as no model."""
    return None if value == {} else value


#: A declared DPD model, or null (``{}`` from an older document reads as null).
DeclaredDpdModel = Annotated[DpdModelRecord | None, BeforeValidator(_no_model)]


class ObservedScheduleRecord(ResultModel):
    """What one spoke sent after the failure, read from its capture; seconds relative to the failure."""

    spoke: str = ""
    """The spoke whose capture was read."""
    failed_peer: str = ""
    """The failed hub's WAN address the probes went to."""
    probe_s: float | None = None
    """The first R-U-THERE after the failure; null when none was seen."""
    message_id: int | None = None
    """Its IKE message id."""
    spacings_s: list[float] = Field(default_factory=list)
    """Each retransmission minus the previous send."""
    next_peer: str | None = None
    """The peer of the first IKE_SA_INIT to another peer after the probe."""
    next_peer_s: float | None = None
    """When that IKE_SA_INIT was sent, after the first probe."""
    quiet_before_probe_s: float | None = None
    """The probe minus the last packet heard from the failed peer."""
    probes_before_failure_s: list[float] = Field(default_factory=list)
    """R-U-THEREs sent before the failure (negative seconds)."""
    quiet_before_early_probes_s: list[float] = Field(default_factory=list)
    """Seconds without a packet from the peer before each of those probes."""
    window_s: tuple[float, float] | None = None
    """Capture start and end relative to the failure."""
    problem: str = ""
    """Why no schedule could be read ("" when one was)."""
    retransmissions: int = 0
    """How many retransmissions the capture shows."""
    final_wait_s: float | None = None
    """Last send to the IKE_SA_INIT towards the next peer; null without one."""
    text: str = ""
    """The observed schedule in one line."""


class DeclaredScheduleRecord(ResultModel):
    """The schedule the declared DPD model predicts for one spoke (flexlab.harness.schedule_check)."""

    model: DeclaredDpdModel = None
    """The declared model the schedule follows."""
    mode: str = "on-demand"
    """The spoke's DPD mode: "periodic" or "on-demand"."""
    interval_s: float | None = None
    """I: the DPD interval in seconds."""
    first_probe_within_s: float | None = None
    """The first probe is due within I (periodic) or traffic period + I (on-demand); null: no bound."""
    waits_s: list[float] = Field(default_factory=list)
    """Probe -> 1st retransmission, ..., last retransmission -> dead."""
    text: str = ""
    """The declared schedule in one line."""


def _not_measured(value: str | None) -> bool:
    return value is None


class TargetOutage(ResultModel):
    """One IP SLA probe target's loss window after the failure (flexlab.harness.outage)."""

    target: str
    """The probe target's name (a hub's LAN or another spoke's)."""
    address: str
    """The address the probe echoes."""
    operation: int | None
    """The IP SLA operation number on the spoke."""
    frequency_s: int | None
    """Seconds between two echoes (IP SLA's whole-second frequency): the window's resolution."""
    flowing_again: bool
    """Whether the probe succeeds again after the failover."""
    method: str
    """How the window is measured, and what it assumes."""
    probes_lost: int | None
    """Echoes lost between the reads before and after the failure; null when not read."""
    probes_sent: int | None
    """Echoes sent in between; null when not read."""
    outage_s: float | None
    """The loss window: probes lost x frequency; null when not read."""
    window_start: str | None = Field(default=None, exclude_if=_not_measured)
    """Device time the window starts (the failure), ISO format; absent when not read."""
    window_end: str | None = Field(default=None, exclude_if=_not_measured)
    """Device time the window ends, ISO format; absent when not read."""


class LabDescription(ResultModel):
    """The lab as it describes itself (flexlab.labs.interface.Lab.describe).

    The keys every backend writes are typed; a backend adds its own facts (the embedded lab:
    image_params, dpd_model, seed), which differ per backend and stay open. The description
    is informative only (no verdict reads it), so a document may leave any key out.
    """

    model_config = ConfigDict(extra="allow")

    type: str = ""
    """The backend: embedded, containerlab, or an unmanaged lab's kind ("" when not described)."""
    name: str = ""
    """The lab's name."""
    image: str | None = None
    """The image the lab runs."""
    time_scale: float = 1.0
    """Lab seconds per device second (1 on real images)."""
    instance: str | None = None
    """The lab instance (several labs of one name may run)."""
