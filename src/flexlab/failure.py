"""The ways a hub can be failed, defined once for the job, certify, the CLI and every lab.

A neutral module: it imports nothing of flexlab, so the simulator may use it too.
``interface-shutdown`` is plain CLI on the hub (``shutdown`` of its WAN interface); the
other modes are carried out by the lab itself (stopping, freezing or isolating the node).
"""

from __future__ import annotations

from enum import StrEnum


class FailureMode(StrEnum):
    """How a node is failed; the value is what command lines, matrices and reports say."""

    INTERFACE_SHUTDOWN = "interface-shutdown"
    NODE_STOP = "node-stop"
    FREEZE = "freeze"
    BLACKHOLE = "blackhole"


#: Every mode's name, in the order options and messages list them.
FAILURE_MODES: tuple[str, ...] = tuple(mode.value for mode in FailureMode)
#: The mode a job, a matrix and `lab fail` use when none is named.
DEFAULT_FAILURE_MODE: str = FailureMode.INTERFACE_SHUTDOWN.value
#: Modes the lab carries out (a Lab's ``fail``); the rest are done over the node's CLI.
LAB_FAILURE_MODES: tuple[str, ...] = (FailureMode.NODE_STOP, FailureMode.FREEZE, FailureMode.BLACKHOLE)
#: Modes done over the node's own CLI.
CLI_FAILURE_MODES: tuple[str, ...] = (FailureMode.INTERFACE_SHUTDOWN,)


def failure_mode(text: str) -> FailureMode:
    """The mode named ``text``; ValueError naming the known modes otherwise."""
    try:
        return FailureMode(text)
    except ValueError:
        raise ValueError(f"unknown failure mode {text!r}; choose one of {', '.join(FAILURE_MODES)}") from None
