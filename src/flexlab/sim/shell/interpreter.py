"""Configuration mode: applies lines to a ConfigTree the way IOS does.

The interpreter keeps the stack of sub-modes (``interface`` inside global, ``peer`` inside
a keyring, ...). A line is matched against the current mode first; if the mode does not
know it (invalid input), against each enclosing mode; where it matches, the modes above
are left (IOS behaviour: typing ``ip route ...`` inside ``interface`` exits the interface).
Indentation is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from flexlab.iosconfig import ConfigLine, ConfigTree
from flexlab.sim.platforms import Platform
from flexlab.sim.shell.config_commands import MODES, grammar_for
from flexlab.sim.shell.errors import INVALID_INPUT, ConfigError
from flexlab.sim.shell.grammar import CommandSpec, Failure, Match, best_failure
from flexlab.sim.shell.params import tokenize


@dataclass
class Frame:
    """One level of the sub-mode stack; ``block`` is None at the top level."""

    mode: str
    block: ConfigLine | None


@dataclass(frozen=True)
class LineResult:
    """What one configuration line did: ok (changed or not), error, `end`, `exit`, or a `do` command."""
    kind: Literal["ok", "error", "end", "exit", "do"]
    changed: bool = False
    error: ConfigError | None = None
    do_start: int = 0          # for "do": token index where the exec command starts


@dataclass(frozen=True)
class Classified:
    """A stored line recognised again: which command it is and its place in the order."""

    spec: CommandSpec
    words: tuple[str, ...]
    negated: bool

    @property
    def slot(self) -> tuple[str, ...]:
        """The line's slot, `no` forms apart from positive ones."""
        return ("no",) * self.negated + self.spec.slot(self.words)

    @property
    def rank(self) -> tuple[int, int]:
        """Where the line's command goes in the running-config order (its group's place if grouped)."""
        return self.spec.group_rank or self.spec.rank

    @property
    def sort(self) -> object:
        """The key ordering lines of the same command (e.g. by number), or None to keep entry order."""
        return self.spec.sort_key(self.words) if self.spec.sort_key else None


@lru_cache(maxsize=65536)
def classify(modes: tuple[str, ...], text: str) -> Classified | None:
    """What command a canonical stored line is, in the first of ``modes`` that accepts it."""
    tokens = tokenize(text)
    for mode in modes:
        found = grammar_for(mode).match(tokens, text)
        if isinstance(found, Match) and found.complete and found.spec.action is None:
            return Classified(found.spec, found.words, found.negated)
    return None


def _block_modes(mode: str) -> tuple[str, ...]:
    return (mode, *MODES[mode].related)


class ConfigInterpreter:
    """Applies configuration lines to ``tree``; one per CLI session (it holds the mode)."""

    def __init__(self, tree: ConfigTree, platform: Platform | None = None, *, inert: bool = True) -> None:
        self.tree = tree
        self.platform = platform   # None: every interface name IOS knows is accepted
        self.inert = inert         # False: the inert lines are refused (benchmarks only)
        self.frames: list[Frame] = [Frame("global", None)]

    @property
    def mode(self) -> str:
        """The current configuration mode (global, interface, router...)."""
        return self.frames[-1].mode

    @property
    def prompt_suffix(self) -> str:
        """The prompt suffix of the current mode, e.g. `(config-if)`."""
        return MODES[self.mode].prompt

    def reset(self) -> None:
        """Back to global configuration mode."""
        self.frames = [Frame("global", None)]

    # -- input ---------------------------------------------------------------------------

    def feed(self, line: str, line_number: int = 0) -> LineResult:
        """Apply one line; a line unknown in a submode is tried in the enclosing modes, which exits them (IOS)."""
        tokens = tokenize(line)
        if not tokens or tokens[0].text.startswith("!"):
            return LineResult("ok")
        failures: list[Failure] = []
        for depth in range(len(self.frames) - 1, -1, -1):
            found = grammar_for(self.frames[depth].mode, self.inert).match(tokens, line)
            if isinstance(found, Match):
                del self.frames[depth + 1:]
                return self._run(found, line, line_number)
            failures.append(found)
            if found.kind != "invalid":
                break   # ambiguous or incomplete here: IOS does not look in the enclosing modes
        return LineResult("error", error=ConfigError.from_failure(best_failure(failures), line, line_number))

    def _run(self, found: Match, line: str, line_number: int) -> LineResult:
        spec = found.spec
        if spec.action == "end":
            self.reset()
            return LineResult("end")
        if spec.action == "exit":
            if len(self.frames) == 1:
                return LineResult("exit")
            self.frames.pop()
            return LineResult("ok")
        if spec.action == "do":
            return LineResult("do", do_start=1)
        if not spec.store:
            return LineResult("ok")
        words = list(found.words)
        if spec.normalize and found.complete:
            words = spec.normalize(words)
        siblings = self._container()
        context = _Context(self.tree, siblings, self.platform)
        check = spec.validate_no if found.negated else spec.validate
        if check and (message := check(context, words)):
            # an invalid-input refusal points at the first argument (the interface name)
            position = found.positions[1] if message == INVALID_INPUT and len(found.positions) > 1 else None
            return LineResult("error", error=ConfigError(line_number, line, message, position))
        if found.negated:
            return LineResult("ok", changed=self._negate(siblings, spec, words, found.complete))
        return LineResult("ok", changed=self._set(siblings, spec, words))

    # -- editing -------------------------------------------------------------------------

    def _modes(self) -> tuple[str, ...]:
        return _block_modes(self.frames[-1].mode)

    def _container(self) -> list[ConfigLine]:
        """Lines of the current block, re-attaching blocks another session deleted meanwhile."""
        container = self.tree.lines
        for depth in range(1, len(self.frames)):
            block = self.frames[depth].block
            assert block is not None
            if not any(line is block for line in container):
                parent_modes = _block_modes(self.frames[depth - 1].mode)
                found = classify(parent_modes, block.text)
                if found is not None:
                    _insert_ordered(container, block, found, parent_modes)
                else:
                    container.append(block)
            container = block.children
        return container

    def _set(self, siblings: list[ConfigLine], spec: CommandSpec, words: list[str]) -> bool:
        modes = self._modes()
        text = " ".join(words)
        if spec.default_on:
            return _remove(siblings, lambda c, s: s.words == ["no", *words] or _begins(s, words), modes)
        new = Classified(spec, tuple(words), False)
        changed = _remove(siblings, lambda c, s: c is not None and not c.negated and c.slot in spec.replaces, modes)
        existing = next((s for s in siblings if (c := classify(modes, s.text)) and c.slot == new.slot), None)
        if existing is None:
            existing = ConfigLine(text)
            _insert_ordered(siblings, existing, new, modes)
            changed = True
        elif existing.text != text and (not spec.enters or len(words) > len(new.slot)):
            existing.text, changed = text, True
        if spec.enters:
            target = spec.enters if isinstance(spec.enters, str) else spec.enters(words)
            self.frames.append(Frame(target, existing))
        elif spec.switch:
            self.frames[-1] = Frame(spec.switch, self.frames[-1].block)
        return changed

    def _negate(self, siblings: list[ConfigLine], spec: CommandSpec, words: list[str], complete: bool) -> bool:
        modes = self._modes()
        if not complete:
            return _remove(siblings, lambda c, s: _begins(s, words), modes)
        if spec.default_on:
            changed = _remove(siblings, lambda c, s: _begins(s, words), modes)
            if any(s.words == ["no", *words] for s in siblings):
                return changed
            _insert_ordered(siblings, ConfigLine(" ".join(["no", *words])), Classified(spec, tuple(words), True), modes)
            return True
        if spec.no_prefix:
            prefix = words[: spec.no_prefix]
            return _remove(siblings, lambda c, s: _begins(s, prefix), modes)
        slot = spec.slot(words)
        return _remove(siblings, lambda c, s: c is not None and not c.negated and c.slot == slot, modes)


def _begins(line: ConfigLine, words: list[str]) -> bool:
    """Exact (case-sensitive) word prefix: names in IOS are case-sensitive."""
    return line.words[: len(words)] == list(words)


@dataclass(frozen=True)
class _Context:
    tree: ConfigTree
    siblings: list[ConfigLine]
    platform: Platform | None = None


def interpreter_for(device: object) -> ConfigInterpreter:
    """An interpreter on a device's running config that knows its hardware, if it says."""
    return ConfigInterpreter(device.config, getattr(device, "platform", None))  # type: ignore[attr-defined]


def _remove(siblings: list[ConfigLine], doomed, modes: tuple[str, ...]) -> bool:
    """Remove the lines for which ``doomed(classified, line)`` holds; True if any was."""
    keep = [s for s in siblings if not doomed(classify(modes, s.text), s)]
    removed = len(keep) != len(siblings)
    siblings[:] = keep
    return removed


def _insert_ordered(siblings: list[ConfigLine], line: ConfigLine, new: Classified, modes: tuple[str, ...]) -> None:
    """Insert where IOS would print it: by command order, then by the command's sort key;
    lines of one group (a BGP neighbor) stay together."""
    classified = [classify(modes, s.text) for s in siblings]
    group = new.spec.group_word
    if group is not None and len(new.words) > group:
        members = [
            i for i, c in enumerate(classified)
            if c is not None and c.spec.group_word == group and c.words[group:group + 1] == new.words[group:group + 1]
        ]
        if members:
            later = [i for i in members if classified[i].spec.rank > new.spec.rank]  # type: ignore[union-attr]
            siblings.insert(later[0] if later else members[-1] + 1, line)
            return
        if _creates_peer_group(new.words):
            # IOS lists peer-groups before the neighbors that may use them.
            groups = {c.words[group] for c in classified if c is not None and _creates_peer_group(c.words)}
            first_plain = next((i for i, c in enumerate(classified) if c is not None and c.spec.group_word == group
                                and c.words[group] not in groups), None)
            if first_plain is not None:
                siblings.insert(first_plain, line)
                return
    for i, c in enumerate(classified):
        if c is not None and _comes_after(c, new):
            siblings.insert(i, line)
            return
    siblings.append(line)


def _creates_peer_group(words: tuple[str, ...]) -> bool:
    return len(words) == 3 and words[0] == "neighbor" and words[2] == "peer-group"


def _comes_after(existing: Classified, new: Classified) -> bool:
    if existing.rank != new.rank:
        return existing.rank > new.rank
    old_key, new_key = existing.sort, new.sort
    return old_key is not None and new_key is not None and old_key > new_key  # type: ignore[operator]
