"""The running configuration of a simulated router: an ordered tree of canonical lines.

IOS keeps its running configuration as text: top-level commands, each possibly with
indented sub-mode commands. The CLI writes canonical (abbreviation-expanded) lines into a
:class:`ConfigTree`; the protocol engine reads typed views of it. Nothing else stores
configuration, so `show running-config` and the simulated behaviour cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class ConfigLine:
    """One configuration line (without indentation) and its sub-mode lines."""

    text: str
    children: list[ConfigLine] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        """The line split on white space (IOS keywords and arguments)."""
        return self.text.split()

    def starts_with(self, *words: str) -> bool:
        """True when the line's first words are ``words``, case-insensitive like the IOS parser."""
        own = self.words
        return len(own) >= len(words) and [w.lower() for w in own[: len(words)]] == [w.lower() for w in words]

    def child(self, *words: str) -> ConfigLine | None:
        """The first sub-line starting with ``words``."""
        return next(iter(self.children_starting(*words)), None)

    def children_starting(self, *words: str) -> list[ConfigLine]:
        """All sub-lines starting with ``words``, in configuration order."""
        return [c for c in self.children if c.starts_with(*words)]

    def has(self, *words: str) -> bool:
        """True when a sub-line starts with ``words``."""
        return self.child(*words) is not None

    def render(self, indent: int = 0) -> Iterator[str]:
        """The line and its sub-lines as IOS prints them, one more space per level."""
        yield " " * indent + self.text
        for sub in self.children:
            yield from sub.render(indent + 1)


@dataclass
class ConfigTree:
    """Ordered top-level lines of a running configuration."""

    lines: list[ConfigLine] = field(default_factory=list)

    def find(self, *words: str) -> list[ConfigLine]:
        """Top-level lines whose first words are ``words`` (case-insensitive)."""
        return [line for line in self.lines if line.starts_with(*words)]

    def first(self, *words: str) -> ConfigLine | None:
        """The first top-level line starting with ``words`` (None: there is none)."""
        return next(iter(self.find(*words)), None)

    def get_or_add(self, text: str) -> ConfigLine:
        """The top-level line with exactly this text, appended if absent (entering a sub-mode)."""
        for line in self.lines:
            if line.text == text:
                return line
        line = ConfigLine(text)
        self.lines.append(line)
        return line

    def render(self) -> str:
        """The configuration as IOS prints it: one space of indentation per level."""
        out: list[str] = []
        for line in self.lines:
            out.extend(line.render())
            if line.children:
                out.append("!")
        return "\n".join(out) + "\n"

    @classmethod
    def from_text(cls, text: str) -> ConfigTree:
        """Build a tree from canonical indented text (e.g. a previous ``render()``).

        Lines starting with ``!`` and blank lines are skipped. This does no validation; the
        CLI's configuration interpreter is what applies untrusted text.
        """
        tree = cls()
        stack: list[tuple[int, ConfigLine]] = []
        for raw in text.splitlines():
            if not raw.strip() or raw.lstrip().startswith("!"):
                continue
            indent = len(raw) - len(raw.lstrip(" "))
            node = ConfigLine(raw.strip())
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if stack:
                stack[-1][1].children.append(node)
            else:
                tree.lines.append(node)
            stack.append((indent, node))
        return tree
