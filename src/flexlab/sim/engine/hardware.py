"""A node's hardware: the physical interfaces its kind boots with (see flexlab.sim.platforms)."""

from __future__ import annotations

from flexlab.iosconfig import ConfigTree
from flexlab.sim.cli.interpreter import ConfigInterpreter
from flexlab.sim.platforms import Platform, interface_lines


def install_interfaces(config: ConfigTree, platform: Platform) -> None:
    """Add the physical interfaces missing from ``config``, shut down, where IOS lists them.

    Run before the startup config is read (so its `no shutdown` lines bring ports up, as on
    a real router) and after it (a loader that replaces the whole tree drops them)."""
    configured = [line.words[1] for line in config.find("interface") if len(line.words) > 1]
    interpreter = ConfigInterpreter(config, platform)
    for line in interface_lines(platform, configured):
        interpreter.feed(line)
