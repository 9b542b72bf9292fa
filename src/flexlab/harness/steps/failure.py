"""HubFailure: fail a hub and record when; undo failures (this run's and a killed run's)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from flexlab.failover_timing import FailureInstant
from flexlab.failure import FailureMode
from flexlab.harness import reads
from flexlab.harness.checks import problems_of
from flexlab.harness.session_errors import SESSION_ERRORS
from flexlab.harness.steps.errors import JobStepError
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.learn import CLOCK_NTP, LearnedLab, device_events
from flexlab.harness.steps.resources import JobResources, now_utc, parallel
from flexlab.harness.steps.setup import reconnect
from flexlab.labs.base import LabError
from flexlab.syslog_events import LogEvent

log = logging.getLogger(__name__)

CLOCK_OFFSET_LOG = ("offset-corrected: the {hub} log time carried to each spoke's clock through offsets "
                    "measured with `show clock`")
CLOCK_OFFSET_HARNESS = ("offset-corrected: the harness clock at the lab's failure call, carried to each "
                        "spoke's clock through offsets measured with `show clock`")
#: The HubFailure checks: one per way of failing (a CLI shutdown, or a lab-made failure).
SHUT_LOGGED = "{hub}'s WAN interface is shut and its own log gives the failure instant"
LAB_FAILED = "the lab fails {hub} when asked (the instant: the harness clock at the call)"
#: Every check the HubFailure testcase makes.
CHECKS = (SHUT_LOGGED, LAB_FAILED)

#: The lab refused a lab-made failure, or the hub's CLI the `shutdown`.
FAILURE_REFUSALS: tuple[type[Exception], ...] = (LabError, *SESSION_ERRORS)


@dataclass(frozen=True)
class FailureRecord:
    """When and how a hub was failed."""

    hub: str
    """The failed hub."""
    mode: FailureMode
    """How it was failed."""
    failed_at: str
    """The failure instant, ISO format (device time from its log, or the harness clock)."""
    source: str
    """Where the instant came from (the hub's log line, or the harness clock's round trip)."""
    clock_method: str
    """How this case's failover is timed."""
    event: LogEvent | None = None
    """The failed hub's own log line (CLI shutdown)."""
    harness_instant: dt.datetime | None = None
    """The harness instant of a lab-made failure (middle of the lab call)."""

    def instant_for(self, learned: LearnedLab, spoke: str) -> FailureInstant:
        """The failure instant on ``spoke``'s clock (exact with NTP, else offset-corrected)."""
        clock = learned.offsets[spoke]
        if self.event is not None:
            if self.event.synced and clock.device_synced:
                return FailureInstant.from_synced_log(self.event, f"{self.hub} log")
            return FailureInstant.from_device_log(self.event, learned.offsets[self.hub], clock, f"{self.hub} log")
        if self.harness_instant is None:
            raise JobStepError(f"the failure of {self.hub} has neither a log line nor a harness instant")
        return FailureInstant.from_harness(self.harness_instant, clock, "harness clock at the lab's failure call")

    def describe(self) -> str:
        """One line for the log."""
        return f"{self.hub} failed by {self.mode} at {self.failed_at} ({self.source})"


@dataclass(frozen=True)
class FailureAttempt:
    """The HubFailure step's outcome: the record of the failure, or the problems that stopped it."""

    record: FailureRecord | None
    """When and how the hub was failed (None: it was not, or its instant was not taken)."""
    checks: Mapping[str, list[str]]
    """The check this failure mode makes -> its problems (empty: it holds)."""

    @property
    def problems(self) -> list[str]:
        """Every check's problems."""
        return problems_of(self.checks)


def failure_check(hub: str, mode: FailureMode) -> str:
    """The name of the check failing ``hub`` the way ``mode`` says makes."""
    return (SHUT_LOGGED if mode == FailureMode.INTERFACE_SHUTDOWN else LAB_FAILED).format(hub=hub)


def attempt_failure(resources: JobResources, learned: LearnedLab, hub: str, mode: FailureMode) -> FailureAttempt:
    """:func:`fail_hub`, its refusals reported as the problems of the check it makes."""
    check = failure_check(hub, mode)
    try:
        return FailureAttempt(fail_hub(resources, learned, hub, mode), {check: []})
    except JobStepError as exc:   # already names the hub
        return FailureAttempt(None, {check: [str(exc)]})
    except FAILURE_REFUSALS as exc:
        return FailureAttempt(None, {check: [f"{hub}: cannot fail it by {mode}: {exc}"]})


def fail_hub(resources: JobResources, learned: LearnedLab, hub: str, mode: FailureMode) -> FailureRecord:
    """Fail ``hub`` the way ``mode`` says (ledger entry first); when and how the instant was taken."""
    resources.ledger.add(hub, mode)
    if mode == FailureMode.INTERFACE_SHUTDOWN:
        wan_if = learned.hub_wan_if[hub]
        resources.devices[hub].configure([f"interface {wan_if}", "shutdown"])
        shut = [e for e in device_events(resources, learned, hub)
                if e.mnemonic == "CHANGED" and wan_if in e.text and "administratively down" in e.text]
        if not shut:
            raise JobStepError(f"{hub}: no %LINK-5-CHANGED log for {wan_if} after `shutdown`")
        synced = shut[-1].synced and all(o.device_synced for o in learned.offsets.values())
        return FailureRecord(hub, mode, shut[-1].device_time.isoformat(), f"{hub}'s own log: {shut[-1].raw.strip()}",
                             CLOCK_NTP if synced else CLOCK_OFFSET_LOG.format(hub=hub), event=shut[-1])
    sent = now_utc()
    resources.lab.fail(hub, mode)
    answered = now_utc()
    instant = sent + (answered - sent) / 2
    source = f"harness clock when the lab failed {hub} (round trip {(answered - sent).total_seconds():.3f} s)"
    return FailureRecord(hub, mode, instant.isoformat(), source, CLOCK_OFFSET_HARNESS, harness_instant=instant)


def restore_hub(resources: JobResources, hub: str, mode: str, wan_if: str | None = None) -> None:
    """Undo the failure of ``hub`` and remove it from the ledger; ``wan_if`` as learnt, if it was."""
    if mode == FailureMode.INTERFACE_SHUTDOWN:
        wan_if = wan_if or reads.tunnel_source_interface(reads.running_config(resources.devices[hub]))
        resources.devices[hub].configure([f"interface {wan_if}", "no shutdown"])
    else:
        resources.lab.restore(hub, FailureMode(mode))
        if mode == FailureMode.NODE_STOP:
            reconnect(resources, hub)
    resources.ledger.remove(hub)


def restore_lab_made(resources: JobResources, inputs: JobInputs) -> list[str]:
    """Undo the lab-made failures (node-stop, freeze, blackhole) a killed earlier run left
    behind (the failure ledger), before connecting."""
    restored = []
    for hub, mode in resources.ledger.pending(known=resources.hubs).items():
        if mode == FailureMode.INTERFACE_SHUTDOWN or hub in inputs.dead_hubs:
            continue   # needs the CLI, or failed on purpose by an earlier run (--cumulative)
        if resources.lab.is_failed(hub) is False:
            log.warning("failure ledger: %s (%s) is not failed in the lab any more: entry cleared", hub, mode)
            resources.ledger.remove(hub)
            continue
        restore_hub(resources, hub, mode)
        restored.append(f"{hub} ({mode})")
    return restored


def restore_cli_shutdowns(resources: JobResources, inputs: JobInputs, learned: LearnedLab) -> list[str]:
    """Undo the CLI shutdowns a killed earlier run left behind; spokes it left on a backup
    hub are sent back to their peer 1, as the Recovery testcase would have done."""
    restored = []
    for hub, mode in resources.ledger.pending(known=resources.hubs).items():
        if mode != FailureMode.INTERFACE_SHUTDOWN or hub in inputs.dead_hubs:
            continue
        restore_hub(resources, hub, mode, learned.hub_wan_if.get(hub))
        restored.append(f"{hub} ({mode})")
    if restored:
        send_spokes_home(resources, learned, inputs.dead_hubs)
    return restored


def send_spokes_home(resources: JobResources, learned: LearnedLab, down: tuple[str, ...] = ()) -> list[str]:
    """`clear crypto ikev2 sa` on spokes not on their first live peer (peer 1 unless hubs in
    ``down`` are kept failed): they reconnect from peer 1 and stop at the first that answers."""
    cleared = []
    for spoke, clients in parallel(lambda s: reads.flex_clients(resources.devices[s]), list(resources.spokes)).items():
        home = learned.live_peer(spoke, down)
        if home is not None and (not clients or clients[0].peer != home):
            cleared.append(spoke)
    parallel(lambda s: resources.devices[s].execute("clear crypto ikev2 sa"), cleared)
    return cleared
