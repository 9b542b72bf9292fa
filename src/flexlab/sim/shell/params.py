"""Parameter types of the command grammar.

A parameter recognises one input token (two for an interface typed as ``Ethernet 0/1``)
and gives its canonical text, the way IOS stores it in the running configuration
(``e0/1`` -> ``Ethernet0/1``, ``inf`` -> ``informational``, ``007`` -> ``7``). When it
refuses a token it says where inside the token it went wrong, for the ``^`` marker.
"""

from __future__ import annotations

import ipaddress
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    """One whitespace-separated word of an input line and where it starts in the line."""

    text: str
    start: int


def tokenize(line: str) -> list[Token]:
    """Split a command line into words, remembering each word's position (for the `^` marker)."""
    return [Token(m.group(), m.start()) for m in re.finditer(r"\S+", line)]


@dataclass(frozen=True)
class ParamMatch:
    """One way a parameter matched: the canonical text and how many tokens it took."""
    text: str       # canonical text
    consumed: int   # number of tokens used


@dataclass(frozen=True)
class ParamResult:
    """A parameter's matches, or where it failed (offset inside the token) or that the line ended early."""
    matches: tuple[ParamMatch, ...] = ()
    fail_offset: int = 0   # where inside the first token the parameter stopped matching
    incomplete: bool = False  # the parameter needs more tokens than the line has

    @classmethod
    def one(cls, text: str, consumed: int = 1) -> ParamResult:
        """A single match of ``consumed`` tokens."""
        return cls((ParamMatch(text, consumed),))


class Param(ABC):
    """A typed slot in a command pattern."""

    #: Identity inside a grammar trie: two params with the same key are the same slot.
    key: str = ""

    @abstractmethod
    def match(self, tokens: Sequence[Token], i: int, line: str) -> ParamResult:
        """Match the parameter at token ``i`` of ``line``: its readings, or where it failed."""


def common_prefix_len(a: str, b: str) -> int:
    """How many leading characters two words share, case-insensitive (where IOS puts the `^`)."""
    n = 0
    for x, y in zip(a.lower(), b.lower(), strict=False):
        if x != y:
            break
        n += 1
    return n


class IntParam(Param):
    """An integer in a range, as `<1-65535>` in IOS help."""
    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi
        self.key = f"int:{lo}-{hi}"

    def match(self, tokens: Sequence[Token], i: int, line: str) -> ParamResult:
        """An integer within lo..hi; a non-digit fails at its offset, out of range fails at the word."""
        text = tokens[i].text
        m = re.match(r"-?\d*", text)
        digits = m.group() if m else ""
        if len(digits) != len(text) or digits in ("", "-"):
            return ParamResult(fail_offset=len(digits))
        value = int(text)
        if not self.lo <= value <= self.hi:
            return ParamResult()
        return ParamResult.one(str(value))


def _dotted_quad(text: str) -> ipaddress.IPv4Address | None:
    if not re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", text):
        return None
    parts = [int(p) for p in text.split(".")]
    if any(p > 255 for p in parts):
        return None
    return ipaddress.IPv4Address(".".join(str(p) for p in parts))


def _quad_fail_offset(text: str) -> int:
    m = re.match(r"[\d.]*", text)
    return len(m.group()) if m and len(m.group()) < len(text) else 0


class Ipv4Param(Param):
    """A dotted-quad IPv4 address (A.B.C.D)."""
    key = "ipv4"

    def match(self, tokens: Sequence[Token], i: int, line: str) -> ParamResult:
        """A dotted quad, stored in canonical form; a bad one fails where it stops being one."""
        address = _dotted_quad(tokens[i].text)
        if address is None:
            return ParamResult(fail_offset=_quad_fail_offset(tokens[i].text))
        return ParamResult.one(str(address))


class MaskParam(Param):
    """A contiguous netmask (255.255.255.0)."""

    key = "mask"

    def match(self, tokens: Sequence[Token], i: int, line: str) -> ParamResult:
        """A dotted quad that is a contiguous netmask (ones then zeros)."""
        address = _dotted_quad(tokens[i].text)
        if address is None:
            return ParamResult(fail_offset=_quad_fail_offset(tokens[i].text))
        bits = format(int(address), "032b")
        if "01" in bits:
            return ParamResult()
        return ParamResult.one(str(address))


class WildcardParam(Ipv4Param):
    """Any dotted quad (ACL wildcard masks need not be contiguous)."""

    key = "wildcard"


class PrefixParam(Param):
    """``A.B.C.D/N``, canonicalised to the network address."""

    key = "prefix"

    def match(self, tokens: Sequence[Token], i: int, line: str) -> ParamResult:
        """A prefix A.B.C.D/N (N up to 32), stored with host bits cleared."""
        text = tokens[i].text
        address_text, _, length = text.partition("/")
        address = _dotted_quad(address_text)
        if address is None:
            return ParamResult(fail_offset=_quad_fail_offset(address_text))
        if not length.isdigit() or int(length) > 32:
            return ParamResult(fail_offset=len(address_text))
        network = ipaddress.IPv4Network(f"{address}/{int(length)}", strict=False)
        return ParamResult.one(str(network))


class WordParam(Param):
    """A name, key or password: any single token, kept as typed."""

    key = "word"

    def match(self, tokens: Sequence[Token], i: int, line: str) -> ParamResult:
        """Any one word, kept as typed."""
        return ParamResult.one(tokens[i].text)


class LineParam(Param):
    """The rest of the line with its inner spacing (descriptions, `do` commands)."""

    key = "line"

    def match(self, tokens: Sequence[Token], i: int, line: str) -> ParamResult:
        """The rest of the line, spaces included (descriptions, banners)."""
        return ParamResult.one(line[tokens[i].start:].rstrip(), len(tokens) - i)


class ChoiceParam(Param):
    """One of a fixed set of words, abbreviable; integers map to names (logging levels)."""

    def __init__(self, key: str, names: Sequence[str], numbered: bool = False) -> None:
        self.key = key
        self.names = tuple(names)
        self.numbered = numbered

    def match(self, tokens: Sequence[Token], i: int, line: str) -> ParamResult:
        """A name of the set, abbreviated if unique (a number picks a name when ``numbered``)."""
        text = tokens[i].text.lower()
        if self.numbered and text.isdigit() and int(text) < len(self.names):
            return ParamResult.one(self.names[int(text)])
        exact = [n for n in self.names if n == text]
        candidates = exact or [n for n in self.names if n.startswith(text)]
        if len(candidates) == 1:
            return ParamResult.one(candidates[0])
        if candidates:
            return ParamResult()
        return ParamResult(fail_offset=max(common_prefix_len(text, n) for n in self.names))


LOGGING_LEVELS = (
    "emergencies", "alerts", "critical", "errors", "warnings", "notifications", "informational", "debugging",
)
