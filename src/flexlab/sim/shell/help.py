"""`?` help, computed from the same command grammar that parses the line.

``sh?`` (no space before ``?``) lists the words that complete the last one; ``show ?``
lists what may come next, one per line with IOS's description where the lab has one,
parameters as IOS names them (``A.B.C.D``, ``WORD``, ``<0-512>``, ``LINE``) and ``<cr>``
when the line is already a complete command. A line no command starts with answers
``% Unrecognized command``; a refused later word gets the ``^`` marker.
"""

from __future__ import annotations

from dataclasses import dataclass

from flexlab.sim.shell.errors import INVALID_INPUT
from flexlab.sim.shell.grammar import Grammar, Node
from flexlab.sim.shell.interfaces import INTERFACE_TYPES, InterfaceParam
from flexlab.sim.shell.params import (
    ChoiceParam,
    IntParam,
    Ipv4Param,
    LineParam,
    MaskParam,
    Param,
    PrefixParam,
    tokenize,
)

UNRECOGNIZED = "% Unrecognized command\n"

#: IOS's descriptions of the keywords the lab knows (others are listed without one).
DESCRIPTIONS: dict[str, str] = {
    "bgp": "BGP information", "clear": "Reset functions", "clock": "Display the system clock",
    "configure": "Enter configuration mode", "copy": "Copy from one file to another",
    "crypto": "Encryption module", "debug": "Debugging functions (see also 'undebug')",
    "debugging": "State of each debugging option", "disable": "Turn off privileged commands",
    "enable": "Turn on privileged commands", "exit": "Exit from the EXEC",
    "interfaces": "Interface status and configuration",
    "ip": "IP information", "logging": "Show the contents of logging buffers", "logout": "Exit from the EXEC",
    "ntp": "Network time protocol", "ping": "Send echo messages", "privilege": "Show current privilege level",
    "quit": "Exit from the EXEC", "reload": "Halt and perform a cold restart",
    "running-config": "Current operating configuration", "show": "Show running system information",
    "startup-config": "Contents of startup configuration", "terminal": "Set terminal line parameters",
    "traceroute": "Trace route to destination", "undebug": "Disable debugging functions (see also 'debug')",
    "version": "System hardware and software status",
    "write": "Write running configuration to memory, network, or terminal",
}
CONFIG_DESCRIPTIONS: dict[str, str] = {
    "aaa": "Authentication, Authorization and Accounting.", "access-list": "Add an access list entry",
    "clock": "Configure time-of-day clock", "crypto": "Encryption module",
    "enable": "Modify enable password parameters", "key": "Key management",
    "route-map": "Create route-map or enter route-map command mode",
    "service": "Modify use of network based services", "track": "Object tracking configuration commands",
    "version": "Version", "do": "To run exec commands in config mode", "end": "Exit from configure mode",
    "exit": "Exit from configure mode", "hostname": "Set system's network name",
    "interface": "Select an interface to configure", "ip": "Global IP configuration subcommands",
    "line": "Configure a terminal line", "logging": "Modify message logging facilities",
    "no": "Negate a command or set its defaults", "ntp": "Configure NTP",
    "router": "Enable a routing process", "username": "Establish User Name Authentication",
}


def param_entries(param: Param) -> list[str]:
    """How IOS's help names a parameter (``<0-512>``, ``A.B.C.D``, ``WORD``, interface types)."""
    if isinstance(param, IntParam):
        return [f"<{param.lo}-{param.hi}>"]
    if isinstance(param, (Ipv4Param, MaskParam)):
        return ["A.B.C.D"]
    if isinstance(param, PrefixParam):
        return ["A.B.C.D/nn"]
    if isinstance(param, LineParam):
        return ["LINE"]
    if isinstance(param, ChoiceParam):
        return list(param.names)
    if isinstance(param, InterfaceParam):
        return [t.name for t in INTERFACE_TYPES if param.types is None or t.name.lower() in param.types]
    return ["WORD"]


@dataclass(frozen=True)
class _Reached:
    nodes: list[Node]
    negated: bool

    def keywords(self) -> list[str]:
        """Next keywords; after `no` only those leading to a command `no` applies to."""
        return sorted({word for node in self.nodes for word, (_, child) in node.keywords.items()
                       if not self.negated or any(spec.negatable for spec in child.specs_below)})


def _reach(grammar: Grammar, line: str) -> _Reached | int:
    """The trie nodes the whole of ``line`` leads to, or the position no command accepts."""
    tokens = tokenize(line)
    states = [(grammar.root, 0)]
    reached: list[Node] = []
    furthest, negated = 0, False
    while states:
        node, i = states.pop()
        if i == len(tokens):
            reached.append(node)
            continue
        furthest = max(furthest, i)
        candidates = node.keyword_candidates(tokens[i].text)
        if len(candidates) == 1:
            child = candidates[0][1]
            if grammar.is_negation(child) and node is grammar.root:
                child, negated = grammar.root, True
            states.append((child, i + 1))
            continue
        for param, child in node.params:
            states.extend((child, i + found.consumed) for found in param.match(tokens, i, line).matches)
    return _Reached(reached, negated) if reached else (tokens[furthest].start if tokens else 0)


def _failure(line: str, position: int, prompt: str) -> str:
    if not tokenize(line[:position]):
        return UNRECOGNIZED
    return f"{' ' * (len(prompt) + position)}^\n{INVALID_INPUT}\n"


def complete_word(grammar: Grammar, line: str, prompt: str) -> str:
    """``sh?``: the keywords completing the last (partial) word."""
    cut = len(line) - len(line.split()[-1]) if line.strip() else len(line)
    reached = _reach(grammar, line[:cut])
    if isinstance(reached, int):
        return _failure(line, reached, prompt)
    partial = line[cut:].lower()
    words = [word for word in reached.keywords() if word.startswith(partial)]
    if not words:
        return UNRECOGNIZED
    return "  ".join(words) + "  \n\n"


def next_words(grammar: Grammar, line: str, prompt: str, config: bool = False) -> str:
    """``show ?``: each possible next keyword or parameter, then ``<cr>`` if complete."""
    reached = _reach(grammar, line)
    if isinstance(reached, int):
        return _failure(line, reached, prompt)
    descriptions = CONFIG_DESCRIPTIONS if config else DESCRIPTIONS
    params = {entry for node in reached.nodes for param, _ in node.params for entry in param_entries(param)}
    entries = reached.keywords() + sorted(params)
    if any(node.spec is not None and (not reached.negated or node.spec.negatable) for node in reached.nodes):
        entries.append("<cr>")
    if not entries:
        return UNRECOGNIZED
    width = max(len(e) for e in entries)
    rows = [f"  {entry:<{width}}  {descriptions.get(entry, '')}".rstrip() for entry in entries]
    return "\n".join(rows) + "\n\n"
