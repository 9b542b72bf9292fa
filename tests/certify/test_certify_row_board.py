"""Per-row states on stderr: queued, deploying, running, destroying, done, with the time
spent and an ETA from the history; colours only on a terminal."""

from __future__ import annotations

import io
import re

import pytest

from flexlab.certify.progress import Progress, RowBoard


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_states_with_eta_from_the_history() -> None:
    stream = io.StringIO()
    board = RowBoard(Progress(stream=stream), ["a", "b"], {"b": 600.0})
    for state in ("queued", "deploying", "running", "destroying", "done"):
        board.state("b", state)   # type: ignore[arg-type]
    board.state("a", "queued")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[2/2] b: queued (expected 10m00s)"
    assert re.fullmatch(r"\[2/2\] b: deploying \(0s, ETA (9m5\ds|10m00s)\)", lines[1]), lines[1]
    assert re.fullmatch(r"\[2/2\] b: done \(0s\)", lines[4]), lines[4]
    assert lines[5] == "[1/2] a: queued"      # no history for a: no ETA
    assert "\033[" not in stream.getvalue()


def test_rows_name_their_waits_and_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = Terminal()
    board = RowBoard(Progress(stream=terminal), ["a"])
    board.for_row("a").update("waiting for SSH: 1/5")
    board.state("a", "running")
    text = terminal.getvalue()
    assert "a: waiting for SSH: 1/5" in text and "\033[1mrunning\033[0m" in text
    log = io.StringIO()
    RowBoard(Progress(stream=log), ["a"]).for_row("a").update("waiting for SSH: 1/5")
    assert log.getvalue() == "a: waiting for SSH: 1/5\n"


def test_a_cancelled_row_stops_at_its_next_wait_but_not_in_its_teardown() -> None:
    board = RowBoard(Progress(stream=io.StringIO()), ["a"])
    row = board.for_row("a")
    row.update("job (freeze): running, 1 s of 300 s")
    board.cancelled.set()
    with pytest.raises(KeyboardInterrupt):
        row.update("job (freeze): running, 2 s of 300 s")
    row.state("destroying")
    row.update("tearing the lab down")   # no interrupt: the lab must go down
