"""A node's hardware: the physical interfaces its kind boots with (see flexlab.sim.platforms)."""

from __future__ import annotations

import re

from flexlab.iosconfig import ConfigTree
from flexlab.sim.platforms import Platform, interface_lines
from flexlab.sim.shell.interfaces import canonical_interface
from flexlab.sim.shell.interpreter import ConfigInterpreter

_INTERFACE_LINE = re.compile(r"^\s*int(?:e(?:r(?:f(?:a(?:c(?:e)?)?)?)?)?)?\s+(\S+)", re.I | re.M)


def startup_interfaces(startup_text: str) -> list[str]:
    """The interfaces a startup config names (canonical names, abbreviations expanded)."""
    names = (canonical_interface(match.group(1)) for match in _INTERFACE_LINE.finditer(startup_text))
    return [name for name in names if name]


def install_interfaces(config: ConfigTree, platform: Platform, also_configured: list[str] | None = None) -> None:
    """Add the physical interfaces missing from ``config``, shut down, where IOS lists them.

    Run before the startup config is read, for the ports it does not name (an interface in
    a saved config without `shutdown` is up, as IOS writes `shutdown` for every down port),
    and after it (a loader that replaces the whole tree drops them)."""
    configured = [line.words[1] for line in config.find("interface") if len(line.words) > 1]
    configured += also_configured or []
    interpreter = ConfigInterpreter(config, platform)
    for line in interface_lines(platform, configured):
        interpreter.feed(line)
