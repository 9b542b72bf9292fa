"""Every step of the job, table by table (tests/harness/steptables.py): the problems each
check reports on fake devices answering real IOS texts."""

from __future__ import annotations

from pathlib import Path

import pytest
from steptables import TABLES, StepCase

CASES = [pytest.param(testcase, case, id=f"{testcase}: {case.id}")
         for testcase, (_, table) in TABLES.items() for case in table]


@pytest.mark.parametrize(("testcase", "case"), CASES)
def test_step(testcase: str, case: StepCase, tmp_path: Path) -> None:
    run, _ = TABLES[testcase]
    found = run(case, tmp_path)
    if testcase == "DpdSchedule":   # the schedule's problems are long: the table names their cause
        assert list(found) == list(case.expected)
        for check, causes in case.expected.items():
            assert len(found[check]) == len(causes) and all(c in p for c, p in zip(causes, found[check], strict=True))
        return
    assert found == case.expected
