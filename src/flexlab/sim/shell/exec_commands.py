"""EXEC-mode commands (``hostname>`` and ``hostname#``) and output filters (``| include``).

``action`` says what the session does; ``render`` commands go to the show renderers with
their canonical words (``sh ip int br`` -> ``["show", "ip", "interface", "brief"]``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from flexlab.sim.shell.debug import DEBUG_TARGETS
from flexlab.sim.shell.grammar import CommandSpec as E
from flexlab.sim.shell.grammar import Failure, Grammar
from flexlab.sim.shell.params import Token
from flexlab.sim.shell.tool_shows import TOOL_SHOWS

PRIVILEGED = 15

#: Commands whose output the `| include|exclude|begin|section|count` filters may follow.
FILTERABLE = frozenset({"render", "running", "running-interface", "startup", "privilege", "users", "debugging"})
#: Commands that go on producing output over lab time (cli/ping.py).
PROBE_COMMANDS = frozenset({"ping", "traceroute"})
#: What `do` may not run from configuration mode.
NOT_FROM_CONFIG = frozenset({"configure", "configure-ask", "enable", "disable", "exit", "reload"})


def _commands() -> tuple[E, ...]:
    shows = (
        "show version",
        "show clock [detail]",
        "show ip interface brief",
        "show interfaces [{if}]",
        "show crypto ikev2 sa [detailed]",
        "show crypto ikev2 client flexvpn [{word}]",
        "show crypto session [detail]",
        "show ip bgp [(summary|{ipv4} [{mask}]|{prefix})]",
        "show bgp all summary",
        "show ip route [(bgp|static|connected|local)]",
        *TOOL_SHOWS,
        "show logging",
        "show ip local pool [{word}]",
        "show ip sla statistics [{int:1-2147483647}]",
        "show ntp (status|associations)",
    )
    return (
        *(E(pattern, action="render") for pattern in shows),
        E("show running-config", action="running", min_privilege=PRIVILEGED),
        E("show running-config interface {if}", action="running-interface", min_privilege=PRIVILEGED),
        E("show startup-config", action="startup", min_privilege=PRIVILEGED),
        E("show privilege", action="privilege"),
        E("show users", action="users"),
        E("configure terminal", action="configure", min_privilege=PRIVILEGED),
        E("configure", action="configure-ask", min_privilege=PRIVILEGED),
        E("terminal length {int:0-512}", action="term-length"),
        E("terminal width {int:0-512}", action="term-width"),
        E("terminal [no] monitor", action="noop"),
        E("write [memory]", action="write", min_privilege=PRIVILEGED),
        E("write terminal", action="running", min_privilege=PRIVILEGED),
        E("copy running-config startup-config", action="copy-run-start", min_privilege=PRIVILEGED),
        E("clear crypto ikev2 sa [fast]", action="clear", min_privilege=PRIVILEGED),
        E("clear crypto session", action="clear", min_privilege=PRIVILEGED),
        E("clear crypto sa", action="clear", min_privilege=PRIVILEGED),
        E("clear ip bgp (*|{ipv4}) [soft [(in|out)]]", action="clear", min_privilege=PRIVILEGED),
        E("clear logging", action="clear-logging", min_privilege=PRIVILEGED),
        E("clear counters [{if}]", action="clear-counters", min_privilege=PRIVILEGED),
        E("ping {line}", action="ping"),
        E("traceroute {line}", action="traceroute"),
        E("reload", action="reload", min_privilege=PRIVILEGED),
        E(f"debug {DEBUG_TARGETS}", action="debug", min_privilege=PRIVILEGED),
        E(f"undebug (all|{DEBUG_TARGETS})", action="undebug", min_privilege=PRIVILEGED),
        E(f"no debug (all|{DEBUG_TARGETS})", action="undebug", min_privilege=PRIVILEGED),
        E("show debugging", action="debugging"),
        E("enable [{int:0-15}]", action="enable"),
        E("disable [{int:0-15}]", action="disable", min_privilege=PRIVILEGED),
        E("exit", action="exit"),
        E("logout", action="exit"),
        E("quit", action="exit"),
    )


@cache
def exec_grammar(privilege: int) -> Grammar:
    """The EXEC commands available at ``privilege`` (1: user EXEC `>`, 15: privileged `#`)."""
    return Grammar([spec for spec in _commands() if spec.min_privilege <= privilege])


# --- output filters -----------------------------------------------------------------------

_FILTER_GRAMMAR = Grammar(
    [E(f"{name} {{line}}", action=name) for name in ("begin", "count", "exclude", "include", "section")]
)


@dataclass(frozen=True)
class OutputFilter:
    """An output modifier after `|`: include, exclude, begin, section or count, with its regex."""
    kind: str      # include, exclude, begin, section, count
    regex: str


def split_pipe(tokens: Sequence[Token]) -> int | None:
    """Index of the first ``|`` token, if any."""
    return next((i for i, tok in enumerate(tokens) if tok.text == "|"), None)


def parse_filters(tokens: Sequence[Token], line: str, pipe: int) -> list[OutputFilter] | Failure:
    """The filters after ``|``; a later ``| <filter> <regex>`` starts another (IOS XE style)."""
    pipes = [pipe] + [
        i for i in range(pipe + 2, len(tokens) - 2)
        if tokens[i].text == "|" and len(_FILTER_GRAMMAR.root.keyword_candidates(tokens[i + 1].text)) == 1
    ]
    filters: list[OutputFilter] = []
    for n, start in enumerate(pipes):
        stop = pipes[n + 1] if n + 1 < len(pipes) else len(tokens)
        segment_line = line[: tokens[stop].start] if stop < len(tokens) else line
        found = _FILTER_GRAMMAR.match(tokens[:stop], segment_line, start + 1)
        if isinstance(found, Failure):
            return found
        filters.append(OutputFilter(found.spec.action or "", found.words[1]))
    return filters


def _search(regex: str, text: str) -> bool:
    try:
        return re.search(regex, text) is not None
    except re.error:
        return regex in text


def apply_filter(output: str, flt: OutputFilter) -> str:
    """Apply one `| include/exclude/begin/section/count REGEX` to a command's output."""
    lines = output.splitlines()
    if flt.kind == "include":
        kept = [ln for ln in lines if _search(flt.regex, ln)]
    elif flt.kind == "exclude":
        kept = [ln for ln in lines if not _search(flt.regex, ln)]
    elif flt.kind == "begin":
        first = next((i for i, ln in enumerate(lines) if _search(flt.regex, ln)), len(lines))
        kept = lines[first:]
    elif flt.kind == "section":
        kept = _sections(lines, flt.regex)
    else:
        return f"Number of lines which match regexp = {sum(_search(flt.regex, ln) for ln in lines)}\n"
    return "".join(ln + "\n" for ln in kept)


def _sections(lines: list[str], regex: str) -> list[str]:
    """Top-level lines with their indented sub-lines, where any line of the section matches."""
    sections: list[list[str]] = []
    for line in lines:
        if line[:1] == " " and sections:
            sections[-1].append(line)
        else:
            sections.append([line])
    return [ln for sec in sections if any(_search(regex, ln) for ln in sec) for ln in sec]
