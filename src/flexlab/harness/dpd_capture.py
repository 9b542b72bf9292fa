"""The job's DPD schedule check: capture each spoke's WAN link around the failure, read the
schedule it sent (flexlab.harness.schedule) and compare it with the declared model.

The lab is reached only through Lab.start_capture (flexlab.labs.interface); a lab that
cannot capture raises CaptureUnavailable (a LabError) and the check is reported as not
run, never as passed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flexlab.bound import parse_dpd_config
from flexlab.harness.schedule import Axis, analyse_pcap, device_axis, host_axis, preload
from flexlab.harness.schedule_check import declared_schedule, schedule_problems, tolerance_s
from flexlab.harness.steps.baseline import Baseline
from flexlab.harness.steps.failure import FailureRecord
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.learn import LearnedLab
from flexlab.harness.steps.measure import dpd_inputs
from flexlab.harness.steps.resources import JobResources, now_utc, parallel
from flexlab.iosconfig import ConfigTree
from flexlab.labs.base import LabError
from flexlab.results.job import TestcaseStatus
from flexlab.results.records import DeclaredScheduleRecord, ObservedScheduleRecord

log = logging.getLogger(__name__)
#: A schedule that could not be checked (no capture, DPD off): the testcase status of that name.
NOT_RUN = TestcaseStatus.NOT_RUN
MATCHES_MODEL = "{spoke}: observed DPD schedule matches the declared model"
#: Every check the DpdSchedule testcase makes (the template takes the spoke).
CHECKS = (MATCHES_MODEL,)


@dataclass
class SpokeCapture:
    """One running (then stopped) capture of a spoke's WAN link."""

    spoke: str
    interface: str
    handle: Any                      # the lab's Capture (stop() -> Path, time_base)
    started: datetime                # harness instants
    stopped: datetime | None = None
    path: Path | None = None


def spoke_wan_interface(running_config: str) -> str | None:
    """`tunnel source` of the tunnel the FlexVPN client connects (`client connect TunnelN`)."""
    tree = ConfigTree.from_text(running_config)
    client = next(iter(tree.find("crypto", "ikev2", "client", "flexvpn")), None)
    connect = client.child("client", "connect") if client is not None else None
    tunnel = connect.words[2] if connect is not None and len(connect.words) > 2 else "Tunnel1"
    interface = tree.first("interface", tunnel)
    source = interface.child("tunnel", "source") if interface is not None else None
    return source.words[2] if source is not None and len(source.words) > 2 else None


@dataclass
class Captures:
    """The captures of one hub failure: live handles, why some spokes have none, their cost."""

    spokes: dict[str, SpokeCapture] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)     # spoke -> why it has no capture
    wall_s: dict[str, float] = field(default_factory=dict)     # capture step -> harness wall s (benchmarks)

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        """Record the wall time of a capture step in :attr:`wall_s`."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.wall_s[step] = round(time.monotonic() - started, 6)


def capture_lead_s(learned: LearnedLab, spokes: list[str]) -> float:
    """Device seconds to capture before the failure: one DPD interval (plus tolerance) when
    DPD is periodic, so the capture can show which periodic reading the image follows."""
    leads = [0.0]
    for spoke in spokes:
        dpd = parse_dpd_config(learned.spoke_configs[spoke])
        if dpd is not None and dpd.mode == "periodic":
            leads.append(dpd.interval_s + 2 * tolerance_s(dpd.interval_s))
    return max(leads)


def start_captures(resources: JobResources, learned: LearnedLab, inputs: JobInputs, baseline: Baseline,
                   hub: str) -> Captures:
    """Start a capture on the WAN link of every spoke on ``hub`` (``problems`` says which could
    not start). With periodic DPD, wait until the capture covers one DPD interval (not
    counted as capture cost)."""
    captures = Captures()
    with captures.timed("start"):
        _start(resources, learned, inputs, baseline.spokes_on(learned.hub_wan[hub]), captures)
    if captures.spokes:
        threading.Thread(target=preload, name="scapy-preload", daemon=True).start()
    lead = capture_lead_s(learned, list(captures.spokes))
    if lead:
        time.sleep(resources.wall(lead))          # named, reported: the capture must cover one interval
        log.info("captured %.0f device s before failing %s (periodic DPD reading)", lead, hub)
    return captures


def _start(resources: JobResources, learned: LearnedLab, inputs: JobInputs, spokes: list[str],
           captures: Captures) -> None:
    if not inputs.capture:
        captures.problems.update(dict.fromkeys(spokes, "capture disabled (--no-capture)"))
        return
    directory = inputs.report_dir / "captures" / inputs.run_tag
    directory.mkdir(parents=True, exist_ok=True)

    def begin(spoke: str) -> None:
        interface = spoke_wan_interface(learned.spoke_configs[spoke])
        if interface is None:
            captures.problems[spoke] = f"{spoke}: no `tunnel source` on the FlexVPN client's tunnel"
            return
        try:
            handle = resources.lab.start_capture(spoke, interface, directory / f"{spoke}.pcap")
        except LabError as exc:             # CaptureUnavailable, or a capture that failed to start
            captures.problems[spoke] = f"{spoke}: {exc}"
            return
        # surely capturing from here on (a later start only shortens the window the checks rely on)
        captures.spokes[spoke] = SpokeCapture(spoke, interface, handle, now_utc())
    parallel(begin, spokes)


def stop_captures(captures: Captures) -> list[str]:
    """Stop every spoke's capture; problems name the spokes whose capture could not be stopped."""
    def end(spoke: str) -> str | None:
        capture = captures.spokes[spoke]
        try:
            capture.path = Path(capture.handle.stop())
        except LabError as exc:
            captures.problems[spoke] = f"{spoke}: capture could not be stopped: {exc}"
            return captures.problems[spoke]
        finally:
            capture.stopped = now_utc()
        return None
    with captures.timed("stop_captures"):
        pending = [s for s, c in captures.spokes.items() if c.path is None and s not in captures.problems]
        return [p for p in parallel(end, pending).values() if p]


def _axis(learned: LearnedLab, capture: SpokeCapture) -> Axis:
    if getattr(capture.handle, "time_base", "device") == "host":
        return host_axis(learned.offsets[capture.spoke].to_device)
    return device_axis


@dataclass(frozen=True)
class ScheduleResult:
    """One measured spoke's schedule check (the fields of its report record)."""

    spoke: str
    result: str                                   # passed | failed | not run
    note: str
    problems: list[str] | None = None             # None: not run (no check made)
    schedule: ObservedScheduleRecord | None = None   # observed on the wire
    declared: DeclaredScheduleRecord | None = None   # the declared model's schedule
    capture: str = ""                             # the pcap's path ("" without one)


@dataclass(frozen=True)
class Schedules:
    """The DpdSchedule step's results, one per measured spoke."""

    results: tuple[ScheduleResult, ...]

    def checks(self) -> dict[str, list[str]]:
        """One check per spoke whose schedule was compared (none: the check was not run)."""
        return {MATCHES_MODEL.format(spoke=r.spoke): r.problems for r in self.results if r.problems is not None}

    def notes(self) -> list[str]:
        """Why each spoke's check went as it did, sorted, once each."""
        return sorted({r.note for r in self.results})


def check_schedules(captures: Captures, learned: LearnedLab, inputs: JobInputs, failure: FailureRecord,
                    spokes: list[str]) -> Schedules:
    """Per measured spoke with a capture: "observed DPD schedule matches the declared model"."""
    with captures.timed("check_schedules"):
        return Schedules(tuple(_check_schedule(captures, learned, inputs, failure, spoke) for spoke in spokes))


def _check_schedule(captures: Captures, learned: LearnedLab, inputs: JobInputs, failure: FailureRecord,
                    spoke: str) -> ScheduleResult:
    capture = captures.spokes.get(spoke)
    if capture is None or capture.path is None:
        return ScheduleResult(spoke, NOT_RUN, f"no capture: {captures.problems.get(spoke, 'not started')}")
    clock = learned.offsets[spoke]
    instant = failure.instant_for(learned, spoke)
    window = (clock.to_device(capture.started), clock.to_device(capture.stopped or now_utc()))
    observed = analyse_pcap(spoke, capture.path, _axis(learned, capture), learned.hub_wan[failure.hub],
                            instant.spoke_time, window=window)
    dpd, period = dpd_inputs(learned, spoke)
    if dpd is None:
        return ScheduleResult(spoke, NOT_RUN, "DPD is off in the running configuration: no schedule to compare",
                              schedule=observed.to_record(), capture=str(capture.path))
    declared = declared_schedule(inputs.dpd_model, dpd, period)
    problems = schedule_problems(observed, declared)
    return ScheduleResult(spoke, "failed" if problems else "passed", problems[0] if problems else observed.describe(),
                          problems, observed.to_record(), declared.to_record(), str(capture.path))
