"""Command patterns, compiled into a keyword trie, and the IOS-style matcher.

A pattern is written like the IOS command reference::

    ip address {ipv4} {mask} [secondary]
    crypto ikev2 dpd {int:10-3600} {int:2-60} (on-demand|periodic)
    line console>con {int:0-0}

``[x]`` is optional, ``(a|b)`` a choice, ``{...}`` a parameter and ``typed>stored`` a
keyword stored under another spelling (``+`` in ``stored`` is a space). Matching follows IOS:
a keyword may be abbreviated
to any unambiguous prefix; an exact or unique keyword match wins over parameters; the
error position is the first character no alternative could accept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from flexlab.sim.shell.interfaces import InterfaceParam
from flexlab.sim.shell.params import (
    LOGGING_LEVELS,
    ChoiceParam,
    IntParam,
    Ipv4Param,
    LineParam,
    MaskParam,
    Param,
    PrefixParam,
    Token,
    WildcardParam,
    WordParam,
    common_prefix_len,
)


class GrammarError(Exception):
    """A programming error in a command table (two commands for one input, bad pattern)."""


@dataclass(frozen=True)
class Kw:
    """A keyword of a command pattern: what the user types and what the config stores."""
    word: str    # what the user types (lower case)
    emit: str    # what is stored (may be several words)


Element = Kw | Param

#: Validators get an editing context and the canonical words; they return an IOS error line.
Validator = Callable[[Any, Sequence[str]], "str | None"]


@dataclass(eq=False)
class CommandSpec:
    """One command of one mode, and how it edits the running configuration.

    key: which words identify the setting the line holds ("slot"): an int N means the
    first N words, a tuple the word indices, None the whole line (multi-valued commands
    such as ``network``). "auto": the leading keywords, plus the name for sub-mode headers.
    A new line replaces the sibling with the same slot; ``no`` removes it.
    """

    pattern: str
    key: int | tuple[int, ...] | None | Literal["auto"] = "auto"
    no_min: int | None = None              # fewest words `no ...` may stop after
    no_prefix: int | None = None           # `no <full line>` removes every line starting with this many words
    enters: str | Callable[[Sequence[str]], str] | None = None   # sub-mode with its own block
    switch: str | None = None              # mode entered without a new block (icmp-echo)
    default_on: bool = False               # on by default: only the `no` form is stored
    store: bool = True                     # False: accepted, nothing stored (`version 17.12`)
    negatable: bool = True
    normalize: Callable[[list[str]], list[str]] | None = None
    validate: Validator | None = None
    validate_no: Validator | None = None   # check of the `no` form (physical interfaces stay)
    sort_key: Callable[[Sequence[str]], Any] | None = None   # order among lines of this command
    group_word: int | None = None          # lines sharing this word stay together (neighbors)
    order_group: str | None = None         # commands of one group share their running-config rank
    replaces: tuple[tuple[str, ...], ...] = ()   # other slots this line replaces
    action: str | None = None              # exec and pseudo commands: what to run
    min_privilege: int = 1
    mode: str = ""                         # set by the mode table
    rank: tuple[int, int] = (0, 0)         # running-config order, set by the mode table
    group_rank: tuple[int, int] | None = None   # rank of the whole group family (neighbors)
    leading_keywords: int = 0              # set when compiled

    def slot(self, words: Sequence[str]) -> tuple[str, ...]:
        """The words that identify the setting this line holds; a new line with the same slot replaces it."""
        key = self.key
        if key == "auto":
            key = self.leading_keywords + (1 if self.enters else 0)
        if key is None:
            return tuple(words)
        if isinstance(key, int):
            return tuple(words[:key])
        return tuple(words[i] for i in key if i < len(words))

    @property
    def min_no_words(self) -> int:
        """How many words a `no` form needs before it matches (`no neighbor X` removes all of X's lines)."""
        if self.no_min is not None:
            return self.no_min
        key = self.key
        if key == "auto":
            return self.leading_keywords + (1 if self.enters else 0)
        if isinstance(key, int):
            return key
        if isinstance(key, tuple):
            return max(key) + 1
        return 1_000_000   # whole line: `no` needs the full command


@dataclass(frozen=True)
class Match:
    """A recognised command line: its spec, canonical words, and whether `no` was typed."""
    spec: CommandSpec
    words: tuple[str, ...]
    complete: bool = True     # False: `no` stopped after a prefix (`no neighbor 1.2.3.4`)
    negated: bool = False
    positions: tuple[int, ...] = ()   # where in the line each word was typed


_FAILURE_PRIORITY = {"incomplete": 0, "invalid": 1, "ambiguous": 2}


@dataclass(frozen=True)
class Failure:
    """Why a line did not match and at which character (where IOS puts the `^`)."""
    kind: Literal["invalid", "incomplete", "ambiguous"]
    position: int

    def rank(self) -> tuple[int, int]:
        """Order of failures: the one furthest into the line wins; on a tie, by kind."""
        return self.position, _FAILURE_PRIORITY[self.kind]


def best_failure(failures: Sequence[Failure]) -> Failure:
    """The failure IOS reports among several modes' or branches' failures (the furthest into the line)."""
    return max(failures, key=Failure.rank)


_PARAM_CACHE: dict[str, Param] = {}


def make_param(spec: str) -> Param:
    """``int:1-10``, ``ipv4``, ``mask``, ``wildcard``, ``prefix``, ``word``, ``line``,
    ``level``, ``if`` or ``if:Type,Type``."""
    if spec in _PARAM_CACHE:
        return _PARAM_CACHE[spec]
    name, _, arg = spec.partition(":")
    simple: dict[str, Callable[[], Param]] = {
        "ipv4": Ipv4Param, "mask": MaskParam, "wildcard": WildcardParam, "prefix": PrefixParam,
        "word": WordParam, "line": LineParam,
        "level": lambda: ChoiceParam("level", LOGGING_LEVELS, numbered=True),
    }
    if name in simple and not arg:
        param = simple[name]()
    elif name == "int" and (m := re.fullmatch(r"(-?\d+)-(-?\d+)", arg)):
        param = IntParam(int(m.group(1)), int(m.group(2)))
    elif name == "if":
        param = InterfaceParam(arg.split(",") if arg else None)
    else:
        raise GrammarError(f"unknown parameter {{{spec}}}")
    _PARAM_CACHE[spec] = param
    return param


def _lex(pattern: str) -> list[str]:
    return re.findall(r"\{[^}]*\}|[\[\]()|]|[^\s\[\]()|{}]+", pattern)


def _leading_keywords(pattern: str) -> int:
    """Plain keywords before the first choice, option or parameter (``ip address`` -> 2)."""
    toks = _lex(pattern)
    return next((n for n, t in enumerate(toks) if t[0] in "[({|"), len(toks))


def expand(pattern: str) -> list[list[Element]]:
    """Every concrete element sequence a pattern allows."""
    toks = _lex(pattern)
    pos = 0

    def element(tok: str) -> Element:
        if tok.startswith("{"):
            return make_param(tok[1:-1])
        typed, _, stored = tok.partition(">")
        return Kw(typed.lower(), stored.replace("+", " ") or typed)

    def sequence(stops: set[str]) -> list[list[Element]]:
        nonlocal pos
        results: list[list[Element]] = [[]]
        while pos < len(toks) and toks[pos] not in stops:
            tok = toks[pos]
            pos += 1
            if tok in ("[", "("):
                alts = alternatives("]" if tok == "[" else ")")
                if tok == "[":
                    alts.append([])
                results = [r + a for r in results for a in alts]
            else:
                results = [r + [element(tok)] for r in results]
        return results

    def alternatives(close: str) -> list[list[Element]]:
        nonlocal pos
        alts: list[list[Element]] = []
        while True:
            alts.extend(sequence({"|", close}))
            if pos >= len(toks):
                raise GrammarError(f"unbalanced brackets in {pattern!r}")
            sep = toks[pos]
            pos += 1
            if sep == close:
                return alts

    result = sequence(set())
    if pos != len(toks):
        raise GrammarError(f"unbalanced brackets in {pattern!r}")
    return result


@dataclass(eq=False)
class Node:
    """One node of the keyword trie: keyword and parameter branches, and the command ending here."""
    keywords: dict[str, tuple[Kw, Node]] = field(default_factory=dict)
    params: list[tuple[Param, Node]] = field(default_factory=list)
    spec: CommandSpec | None = None
    specs_below: list[CommandSpec] = field(default_factory=list)

    def keyword_child(self, kw: Kw) -> Node:
        """The branch for a keyword, created if new; one keyword must always store the same words."""
        if kw.word in self.keywords:
            known, child = self.keywords[kw.word]
            if known.emit != kw.emit:
                raise GrammarError(f"keyword {kw.word!r} stored both as {known.emit!r} and {kw.emit!r}")
            return child
        child = Node()
        self.keywords[kw.word] = (kw, child)
        return child

    def param_child(self, param: Param) -> Node:
        """The branch for a parameter type, shared by patterns with the same parameter."""
        for known, child in self.params:
            if known.key == param.key:
                return child
        child = Node()
        self.params.append((param, child))
        return child

    def keyword_candidates(self, text: str) -> list[tuple[Kw, Node]]:
        """Keywords that ``text`` abbreviates (an exact match wins, as IOS accepts `ip` beside `ipv6`)."""
        lowered = text.lower()
        if lowered in self.keywords:
            return [self.keywords[lowered]]
        return [entry for word, entry in self.keywords.items() if word.startswith(lowered)]


class Grammar:
    """The commands of one CLI mode, ready to match input lines."""

    def __init__(self, specs: Sequence[CommandSpec], *, negation: bool = False) -> None:
        self.root = Node()
        self.specs = list(specs)
        for spec in specs:
            self._add(spec)
        self._negate_node: Node | None = None
        if negation:
            self._negate_node = Node()
            self.root.keywords["no"] = (Kw("no", "no"), self._negate_node)

    def is_negation(self, node: Node) -> bool:
        """The node `no` leads to (matching goes on from the root, negated)."""
        return node is self._negate_node

    def _add(self, spec: CommandSpec) -> None:
        spec.leading_keywords = _leading_keywords(spec.pattern)
        for elements in expand(spec.pattern):
            node = self.root
            for element in elements:
                if spec not in node.specs_below:
                    node.specs_below.append(spec)
                node = node.keyword_child(element) if isinstance(element, Kw) else node.param_child(element)
            if spec not in node.specs_below:
                node.specs_below.append(spec)
            if node.spec is not None and node.spec is not spec:
                raise GrammarError(f"{spec.pattern!r} and {node.spec.pattern!r} accept the same input")
            node.spec = spec

    def match(self, tokens: Sequence[Token], line: str, start: int = 0) -> Match | Failure:
        """Match tokens from ``start`` against the trie; an empty line is incomplete."""
        if start >= len(tokens):
            return Failure("incomplete", len(line))
        return self._walk(self.root, tokens, start, (), (), False, line)

    def _walk(
        self, node: Node, tokens: Sequence[Token], i: int, words: tuple[str, ...], positions: tuple[int, ...],
        negate: bool, line: str,
    ) -> Match | Failure:
        if i == len(tokens):
            return self._at_end(node, words, positions, negate, line)
        tok = tokens[i]
        failures: list[Failure] = []
        candidates = node.keyword_candidates(tok.text)
        if negate and node is self.root:
            candidates = [c for c in candidates if c[1] is not self._negate_node]
        if len(candidates) == 1:
            kw, child = candidates[0]
            if child is self._negate_node:
                return self._walk(self.root, tokens, i + 1, (), (), True, line)
            emitted = tuple(kw.emit.split())
            result = self._walk(child, tokens, i + 1, words + emitted, positions + (tok.start,) * len(emitted),
                                negate, line)
            if isinstance(result, Match):
                return result
            failures.append(result)
            return best_failure(failures)
        if candidates:
            failures.append(Failure("ambiguous", tok.start))
        for param, child in node.params:
            found = param.match(tokens, i, line)
            if found.incomplete:
                failures.append(Failure("incomplete", len(line)))
            if not found.matches:
                failures.append(Failure("invalid", tok.start + found.fail_offset))
            for pm in found.matches:
                result = self._walk(child, tokens, i + pm.consumed, words + (pm.text,), positions + (tok.start,),
                                    negate, line)
                if isinstance(result, Match):
                    return result
                failures.append(result)
        if not candidates:
            reach = max((common_prefix_len(tok.text, w) for w in node.keywords), default=0)
            failures.append(Failure("invalid", tok.start + reach))
        return best_failure(failures)

    def _at_end(
        self, node: Node, words: tuple[str, ...], positions: tuple[int, ...], negate: bool, line: str
    ) -> Match | Failure:
        if node.spec is not None and (not negate or node.spec.negatable):
            return Match(node.spec, words, True, negate, positions)
        if negate and node is not self.root:
            specs = [s for s in node.specs_below if s.negatable]
            if specs and len(words) >= min(s.min_no_words for s in specs):
                return Match(specs[0], words, False, True, positions)
        return Failure("incomplete", len(line))
