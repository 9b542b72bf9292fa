"""CommonSetup's steps: connect to every device, apply the configs (and its check names)."""

from __future__ import annotations

import logging
from pathlib import Path

from flexlab.harness import checks, reads
from flexlab.harness.config_replace import removal_commands, unapplied_lines
from flexlab.harness.session_errors import SESSION_ERRORS
from flexlab.harness.steps import learn
from flexlab.harness.steps.errors import JobStepError
from flexlab.harness.steps.inputs import JobInputs
from flexlab.harness.steps.resources import JobResources, parallel
from flexlab.render import SecretMode, render_node

log = logging.getLogger(__name__)

CONNECTED = "every device answers on its CLI"
CONFIG_ACCEPTED = "every config line is accepted"
#: Every check the CommonSetup testcase makes: connect, apply the configs, learn the lab.
CHECKS = (CONNECTED, CONFIG_ACCEPTED, *learn.CHECKS)


def connect_all(resources: JobResources, inputs: JobInputs) -> list[str]:
    """Connect to every reachable device in parallel; problems name the device and the cause."""
    def connect(name: str) -> str | None:
        device = resources.devices[name]
        try:
            if not device.is_connected():
                device.connect(log_stdout=False, learn_hostname=False, connection_timeout=60)
        except SESSION_ERRORS as exc:  # the message is what matters
            return f"{name}: cannot connect: {type(exc).__name__}: {exc}"
        return None
    if why := resources.lab.gone():
        return [why]
    if resources.devices:
        reads.load_parser_index(next(iter(resources.devices.values())))
    problems = [problem for problem in parallel(connect, resources.reachable(inputs)).values() if problem]
    return [why] if problems and (why := resources.lab.gone()) else problems


def connect_one(resources: JobResources, name: str) -> list[str]:
    """Connect to ``name`` once; a problem when it does not answer."""
    try:
        resources.devices[name].connect(log_stdout=False, learn_hostname=False, connection_timeout=20)
        return []
    except SESSION_ERRORS as exc:
        return [f"{name}: cannot reconnect: {exc}"]


def reconnect(resources: JobResources, name: str) -> None:
    """Drop ``name``'s session and connect again, polling until it answers."""
    device = resources.devices[name]
    try:
        device.disconnect()
    except SESSION_ERRORS:  # the old session died with the node
        pass
    outcome = checks.poll(lambda: connect_one(resources, name), max_wall_s=60, interval_s=0.5)
    if not outcome.ok:
        raise JobStepError("; ".join(outcome.problems))


def _config_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip() and line.strip() not in ("!", "end")]


def apply_configs(resources: JobResources, inputs: JobInputs, config_dir: Path | None) -> list[str]:
    """Apply each device's config over the CLI; every refused line is reported.

    With ``config_dir`` the device must end up running exactly that file: managed lines it
    runs that the file lacks are negated first (:mod:`flexlab.harness.config_replace`).
    A device that already runs every line (and nothing to negate) is left alone: applying
    the lines again would change nothing, and costs minutes at 200 spokes.
    """
    plan = resources.design.plan()
    secrets: SecretMode = "embedded" if resources.lab.kind == "embedded" else "env"
    boot_errors = resources.lab.boot_errors()

    def apply(name: str) -> list[str]:
        problems = [f"{name}: refused at boot: {error}" for error in boot_errors.get(name, [])]
        running = reads.running_config(resources.devices[name])
        if config_dir is not None:
            text = (Path(config_dir) / f"{name}.cfg").read_text()
            removals = removal_commands(running, text)
        else:
            text, removals = render_node(plan, plan.node(name), inputs.kind, secrets), []
        if not removals and not unapplied_lines(running, text):
            log.info("%s already runs every line of its config: not applied again", name)
            return problems
        try:
            resources.devices[name].configure(removals + _config_lines(text))
        except SESSION_ERRORS as exc:  # SubCommandFailure carries the refused line and the error
            problems.append(f"{name}: {exc}")
        return problems
    return [p for problems in parallel(apply, list(resources.devices)).values() for p in problems]
