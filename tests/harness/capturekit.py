"""The capture steps (harness.dpd_capture) over a stand-in lab that honours the capture
contract (Lab.start_capture -> Capture with stop() and time_base): the wire is a
hand-written schedule (pcapkit), the spoke's config the design's rendered one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

from pcapkit import FAILURE, HUB1, HUB2, Capture

from flexlab.clock import ClockOffset
from flexlab.design import load_design
from flexlab.failure import FailureMode
from flexlab.harness import dpd_capture, expectations
from flexlab.harness.steps.baseline import Baseline
from flexlab.harness.steps.failure import FailureRecord
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.learn import LearnedLab
from flexlab.harness.steps.record import record_schedules
from flexlab.harness.steps.resources import JobResources
from flexlab.labs.base import CaptureUnavailable
from flexlab.render import render_node
from flexlab.results.job import SpokeFailover

HARNESS_FAILURE = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)


@dataclass
class StandInCapture:
    """Writes the hand-written schedule when stopped, as the lab writes what crossed the link."""

    path: Path
    frames: Capture
    time_base: str = "device"

    def stop(self) -> Path:
        return self.frames.write(self.path)


class StandInLab:
    kind = "embedded"
    time_scale = 1000.0               # the periodic lead (device seconds) costs little wall time

    def __init__(self, frames: Capture | None, refuse: str = "", time_base: str = "device") -> None:
        self.frames, self.refuse, self.time_base, self.started = frames, refuse, time_base, []

    def start_capture(self, node: str, interface: str | None, path: Path) -> StandInCapture:
        if self.refuse:
            raise CaptureUnavailable(self.refuse)
        self.started.append((node, interface))
        assert self.frames is not None
        return StandInCapture(path, self.frames, self.time_base)


@dataclass
class Stage:
    """The values the capture steps take, over the stand-in lab; the records they fill."""

    resources: JobResources
    learned: LearnedLab
    inputs: JobInputs
    records: list[SpokeFailover]


def stage(tmp_path: Path, lab: StandInLab, model: str, dpd_line: str = "") -> Stage:
    design = load_design()
    plan = design.plan()
    config = render_node(plan, plan.node("spoke1"), "cisco_iol", "redacted")
    if dpd_line:
        config = config.replace("crypto ikev2 dpd 30 5 on-demand", dpd_line)
    inputs = JobInputs.from_parameters({"hub": "hub1", "failure_mode": "node-stop", "dpd_model": model,
                                        "report_dir": tmp_path, "run_tag": "hub1-1"})
    resources = JobResources(testbed=None, lab=lab, design=design, devices={}, hubs=("hub1", "hub2"),  # type: ignore[arg-type]
                             spokes=("spoke1",), ledger=None)  # type: ignore[arg-type]
    # the spoke's clock reads FAILURE when the harness clock reads HARNESS_FAILURE
    learned = LearnedLab(hub_wan={"hub1": IPv4Address(HUB1), "hub2": IPv4Address(HUB2)}, hub_wan_if={},
                         spoke_configs={"spoke1": config},
                         offsets={"spoke1": ClockOffset(FAILURE, HARNESS_FAILURE, 0.0, True)}, clock_method="",
                         images={}, expect=expectations.from_design(design, ["hub1", "hub2"], ["spoke1"]))
    return Stage(resources, learned, inputs, [SpokeFailover(hub="hub1", spoke="spoke1", from_peer=HUB1)])


def run_schedule(stage: Stage) -> dict[str, list[str]]:
    baseline = Baseline({}, {"spoke1": IPv4Address(HUB1)})
    captures = dpd_capture.start_captures(stage.resources, stage.learned, stage.inputs, baseline, "hub1")
    for capture in captures.spokes.values():   # the capture ran from 40 s before the failure
        capture.started = HARNESS_FAILURE - timedelta(seconds=40)
    failure = FailureRecord("hub1", FailureMode.NODE_STOP, HARNESS_FAILURE.isoformat(), "harness clock", "",
                            harness_instant=HARNESS_FAILURE)
    dpd_capture.stop_captures(captures)
    for capture in captures.spokes.values():
        capture.stopped = HARNESS_FAILURE + timedelta(seconds=200)
    schedules = dpd_capture.check_schedules(captures, stage.learned, stage.inputs, failure,
                                            [r.spoke for r in stage.records])
    record_schedules(stage.records, schedules)
    results = schedules.checks()
    assert set(captures.wall_s) == {"start", "stop_captures", "check_schedules"}
    return results


def five_fixed() -> Capture:
    frames = Capture()
    frames.peer_traffic(-40, 0, 5)
    frames.dpd(21.0, [5] * 6, next_peer_after=0.1)
    return frames
