"""IOS command-line error messages and how a terminal shows them.

Interactively IOS prints, under the echoed command, a line with ``^`` below the first
character it could not accept (counted from the start of the prompt), then the message::

    spoke1(config)#router bgpp 65001
                          ^
    % Invalid input detected at '^' marker.

Incomplete commands get ``% Incomplete command.`` and a blank line; ambiguous
abbreviations ``% Ambiguous command:  "<input>"`` (two spaces, no blank line after).
"""

from __future__ import annotations

from dataclasses import dataclass

from flexlab.sim.shell.grammar import Failure

INVALID_INPUT = "% Invalid input detected at '^' marker."
INCOMPLETE = "% Incomplete command."
UNKNOWN_COMMAND = "% Unknown command or computer name, or unable to find computer address"


def ambiguous_message(line: str) -> str:
    """The `% Ambiguous command:  "LINE"` error IOS prints for an abbreviation matching several commands."""
    return f'% Ambiguous command:  "{line.strip()}"'


@dataclass(frozen=True)
class ConfigError:
    """A refused line: what IOS answered, and where the ``^`` goes (invalid input only)."""

    line_number: int       # 1-based line in a config text; 0 for interactive input
    line: str
    message: str
    position: int | None = None

    @classmethod
    def from_failure(cls, failure: Failure, line: str, line_number: int = 0) -> ConfigError:
        """The IOS error for a failed match: invalid input (with its ^ position), incomplete, or ambiguous."""
        if failure.kind == "invalid":
            return cls(line_number, line, INVALID_INPUT, failure.position)
        if failure.kind == "incomplete":
            return cls(line_number, line, INCOMPLETE)
        return cls(line_number, line, ambiguous_message(line))

    def terminal_text(self, prompt: str) -> str:
        """What IOS prints after the echoed ``prompt + line``."""
        if self.position is not None:
            return f"{' ' * (len(prompt) + self.position)}^\n{self.message}\n\n"
        if self.message == INCOMPLETE:
            return f"{self.message}\n\n"
        return f"{self.message}\n"

    def __str__(self) -> str:
        """The line, the marker under it and the message, as IOS shows a refused line."""
        where = f"line {self.line_number}: " if self.line_number else ""
        text = f"{where}{self.line}\n"
        if self.position is not None:
            text += " " * (len(where) + self.position) + "^\n"
        return text + self.message
