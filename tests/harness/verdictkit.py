"""Helpers for the verdict tests: the job's steps run in-process on recorded device outputs.

The devices answer from tests/fixtures/recorded (the embedded lab, recorded once; see the
README there); every verdict comes from the job's own code in flexlab.harness.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flexlab.harness.steps.baseline import Baseline, wait_baseline
from flexlab.harness.steps.cleanup import cleanup
from flexlab.harness.steps.failure import FailureRecord, fail_hub
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.learn import LearnedLab, learn
from flexlab.harness.steps.measure import Measurements, measure
from flexlab.harness.steps.record import new_run
from flexlab.harness.steps.resources import JobResources
from flexlab.harness.steps.setup import connect_all

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RECORDED = FIXTURES / "recorded"
GENIE_GOLDEN = FIXTURES / "genie-golden"
PARSER_GOLDEN = Path(__file__).resolve().parents[1] / "parsers" / "golden"
if str(RECORDED) not in sys.path:
    sys.path.insert(0, str(RECORDED))

from recorded_lab import (  # noqa: E402
    PlaybackDevice,
    PlaybackLab,
    PlaybackTestbed,
    RecordedWorld,
    playback,
    run_testscript,
)

__all__ = ["PlaybackDevice", "PlaybackLab", "PlaybackTestbed", "RecordedWorld", "playback", "run_testscript"]

#: Wall seconds are device seconds / this: a spoke that never moves is given up in 0.14 s.
TIME_SCALE = 1000.0
HUB1_WAN, HUB2_WAN = "100.64.0.2", "100.64.0.6"


def sample(path: str) -> str:
    """A real output below tests/fixtures/genie-golden or tests/parsers/golden."""
    for root in (GENIE_GOLDEN, PARSER_GOLDEN):
        if (root / path).exists():
            return (root / path).read_text()
    raise FileNotFoundError(path)


def recorded_text(scenario: str, phase: str, node: str, command: str, hub: str = "hub1") -> str:
    return json.loads((RECORDED / f"failover-{scenario}.json").read_text())[hub][phase][node][command]


@dataclass
class Staged:
    """What the job's steps returned so far over a playback lab (a test's own notebook)."""

    testbed: PlaybackTestbed
    lab: PlaybackLab
    inputs: JobInputs
    resources: JobResources
    learned: LearnedLab
    baseline: Baseline | None = None
    failure: FailureRecord | None = None

    def wait_baseline(self) -> Baseline:
        """The Baseline step (hubs earlier runs left failed count as down)."""
        self.baseline = wait_baseline(self.resources, self.learned, self.inputs.dead_hubs)
        return self.baseline

    def fail(self) -> FailureRecord:
        """The HubFailure step."""
        self.failure = fail_hub(self.resources, self.learned, self.inputs.hub, self.inputs.failure_mode)
        return self.failure

    def cleanup(self, report_dir: Path, run_tag: str = "hub1-1") -> list[str]:
        """The CommonCleanup step, with the run's (empty) record."""
        return cleanup(self.testbed, self.lab, report_dir, run_tag, resources=self.resources, inputs=self.inputs,
                       learned=self.learned, run=new_run(self.inputs))

    def measure(self) -> Measurements:
        """The Failover step's measurement (after :meth:`wait_baseline` and :meth:`fail`)."""
        assert self.baseline is not None and self.failure is not None, "the test skipped a step"
        return measure(self.resources, self.learned, self.inputs, self.baseline, self.failure)


def open_steps(testbed: Any, lab: Any, hub: str = "hub1", failure_mode: str = "interface-shutdown",
               **parameters: Any) -> tuple[JobResources, JobInputs]:
    """The job's inputs and resources over ``testbed``/``lab``, connected."""
    inputs = JobInputs.from_parameters({"hub": hub, "failure_mode": failure_mode, **parameters})
    resources = JobResources.open(testbed, lab, inputs)
    assert connect_all(resources, inputs) == []
    return resources, inputs


def staged(testbed: PlaybackTestbed, lab: PlaybackLab, hub: str = "hub1", failure_mode: str = "interface-shutdown",
           **parameters: Any) -> Staged:
    """Connected, with the lab learnt (asserting nothing went wrong)."""
    resources, inputs = open_steps(testbed, lab, hub, failure_mode, **parameters)
    learned = learn(resources, inputs)
    assert learned.problems == ()
    return Staged(testbed, lab, inputs, resources, learned)


def context(scenario: str, failure_mode: str = "interface-shutdown", hub: str = "hub1",
            time_scale: float = TIME_SCALE, **parameters: Any) -> Staged:
    """The job's steps over a playback lab, connected, with the topology learnt."""
    testbed, lab = playback(scenario, time_scale=time_scale)
    return staged(testbed, lab, hub, failure_mode, **parameters)


def failed(scenario: str, failure_mode: str = "interface-shutdown", hub: str = "hub1",
           time_scale: float = TIME_SCALE, **parameters: Any) -> Staged:
    """After a passed Baseline and the hub's failure (HubFailure)."""
    steps = context(scenario, failure_mode, hub, time_scale, **parameters)
    assert steps.wait_baseline().ok
    steps.fail()
    return steps


def with_model(steps: Staged, model: str) -> Staged:
    """The same run with another declared DPD model."""
    steps.inputs = replace(steps.inputs, dpd_model=JobInputs.from_parameters(
        {"hub": steps.inputs.hub, "failure_mode": steps.inputs.failure_mode, "dpd_model": model}).dpd_model)
    return steps
