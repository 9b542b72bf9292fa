"""The error the show dispatcher raises for a command it does not know."""

from __future__ import annotations

from flexlab.errors import FlexlabError


class UnknownShowCommand(FlexlabError):
    """The words do not form a supported `show` command.

    ``word_index`` is the index in ``words`` of the first word that was not understood,
    so the CLI can put IOS's ``^`` marker under it (``% Invalid input detected at '^'
    marker.``). ``incomplete`` is True when the words are the start of a supported
    command (IOS answers ``% Incomplete command.``); ``word_index`` is then ``len(words)``."""

    def __init__(self, words: list[str], word_index: int, incomplete: bool = False) -> None:
        self.words = list(words)
        self.incomplete = incomplete
        self.word_index = len(words) if incomplete else min(max(word_index, 0), max(len(words) - 1, 0))
        reason = "incomplete" if incomplete else f"not understood from word {self.word_index}"
        super().__init__(f"unknown show command {' '.join(words)!r}: {reason}")
