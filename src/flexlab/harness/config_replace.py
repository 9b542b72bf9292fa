"""Make a router run exactly a given config, for the parts of it the design manages.

IOS's own `configure replace` needs the file on the router's flash, and a file without the
management set-up containerlab adds (users, management VRF and interface, lines) would cut
the harness off. So the job replaces section by section instead: within the sections the
FlexVPN design manages (:data:`MANAGED`), every line the router runs that the file lacks
is negated (`no ...`), then the file is applied. Everything else is left as it is.
"""

from __future__ import annotations

import re

from flexlab.iosconfig import ConfigLine, ConfigTree

#: Top-level commands owned by the design: lines starting so are replaced, others kept.
MANAGED = (
    "crypto ikev2", "crypto ipsec", "crypto logging", "router bgp", "ip sla", "ip local pool",
    "route-map", "access-list", "ip route", "ntp", "aaa authorization",
)
#: Interfaces whose contents the design owns; physical interfaces cannot be removed, only emptied.
MANAGED_INTERFACES = re.compile(r"^interface (Tunnel|Virtual-Template|Loopback|Ethernet|GigabitEthernet)\S*")
PHYSICAL = re.compile(r"^interface (Ethernet|GigabitEthernet)")
#: Lines IOS shows but never takes a `no` for.
NEVER_NEGATED = {"end", "!"}


def _managed(line: ConfigLine) -> bool:
    text = line.text
    return any(text == m or text.startswith(m + " ") for m in MANAGED) or bool(MANAGED_INTERFACES.match(text))


def _negations(running: ConfigLine, target: ConfigLine | None) -> list[str]:
    """Commands that remove from ``running`` what ``target`` (same block) does not have."""
    wanted = {c.text: c for c in target.children} if target else {}
    commands: list[str] = []
    for child in running.children:
        if child.text in NEVER_NEGATED or child.text.startswith("no "):
            continue
        if child.text not in wanted:
            commands.append(f"no {child.text}")
        elif child.children:
            nested = _negations(child, wanted[child.text])
            if nested:
                commands += [child.text, *nested, "exit"]
    return commands


def removal_commands(running_text: str, target_text: str) -> list[str]:
    """Config-mode commands that remove the managed lines of ``running_text`` absent from ``target_text``."""
    running, target = ConfigTree.from_text(running_text), ConfigTree.from_text(target_text)
    targets = {line.text: line for line in target.lines}
    commands: list[str] = []
    for line in running.lines:
        if not _managed(line) or line.text in NEVER_NEGATED:
            continue
        wanted = targets.get(line.text)
        if wanted is None and not PHYSICAL.match(line.text):
            commands.append(f"no {line.text}")
            continue
        nested = _negations(line, wanted)
        if nested:
            commands += [line.text, *nested, "exit"]
    return commands
