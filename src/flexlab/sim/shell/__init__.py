"""The IOS command line of the embedded lab: grammar, configuration interpreter, sessions.

Public API:

- :class:`CliSession` — one terminal session on a :class:`~flexlab.sim.device_api.SimDevice`
  (``execute(line) -> Reply``, ``prompt``, ``echo``); the SSH server drives one per channel.
- :func:`apply_config_text` — apply a whole configuration (startup config) through the
  same interpreter; returns the refused lines with the IOS error.
- :class:`ConfigError` — a refused line (``str()`` shows it with the ``^`` marker).
"""

from __future__ import annotations

from flexlab.sim.device_api import SimDevice
from flexlab.sim.shell.errors import ConfigError
from flexlab.sim.shell.interpreter import ConfigInterpreter, interpreter_for
from flexlab.sim.shell.session import CliSession, Renderer, Reply, login_privilege

__all__ = [
    "CliSession",
    "ConfigError",
    "ConfigInterpreter",
    "Renderer",
    "Reply",
    "apply_config_text",
    "login_privilege",
]


def apply_config_text(device: SimDevice, text: str, *, notify_each_line: bool = False) -> list[ConfigError]:
    """Apply ``text`` to ``device.config`` as IOS applies a startup configuration.

    Lines are interpreted exactly as typed in ``configure terminal`` (abbreviations, sub-modes
    by context, indentation ignored, ``!`` comments, stops at ``end``). Refused lines are
    skipped and returned. ``device.config_changed()`` is called once at the end when
    something changed (or after every changing line with ``notify_each_line``).
    """
    interpreter = interpreter_for(device)
    errors: list[ConfigError] = []
    changed = False
    for number, line in enumerate(text.splitlines(), start=1):
        result = interpreter.feed(line, number)
        if result.error is not None:
            errors.append(result.error)
        if result.changed:
            changed = True
            if notify_each_line:
                device.config_changed()
        if result.kind == "end":
            break
    if changed and not notify_each_line:
        device.config_changed()
    return errors
