"""Make a router run exactly a given config, for the parts of it the design manages.

IOS's own `configure replace` needs the file on the router's flash, and a file without the
management set-up the lab adds (users, management VRF and interface, lines) would cut
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


def _paths(lines: list[ConfigLine], parent: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every line as the tuple of its parents' texts and its own (whitespace normalised)."""
    found: list[tuple[str, ...]] = []
    for line in lines:
        path = (*parent, " ".join(line.text.split()))
        found.append(path)
        found += _paths(line.children, path)
    return found


def unapplied_lines(running_text: str, target_text: str) -> list[str]:
    """Lines of ``target_text`` the router does not run yet, in the same block (empty: nothing to apply).

    A `no X` line holds when the router shows `no X` or does not run `X` (IOS does not show
    `no shutdown`). Order is not compared: re-applying lines a router already runs does not
    reorder them on IOS either.
    """
    running = set(_paths(ConfigTree.from_text(running_text).lines))
    missing = []
    for path in _paths(ConfigTree.from_text(target_text).lines):
        text = path[-1]
        if text in NEVER_NEGATED or path in running:
            continue
        if text.startswith("no ") and (*path[:-1], text[3:]) not in running:
            continue
        missing.append(" / ".join(path))
    return missing
