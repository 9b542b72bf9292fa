"""Every check the job makes has a table case where it fails and one where it holds.

The check names come from the code (flexlab.harness.steps.inventory.CHECKS, the names the
steps record); the cases from tests/harness/steptables.py, which test_step_tables.py runs.
"""

from __future__ import annotations

import re

from steptables import TABLES, StepCase

from flexlab.harness.steps.inventory import CHECKS


def _pattern(template: str) -> re.Pattern[str]:
    """A check-name template ("{spoke} leaves {hub} ...") as a regex of the names it gives."""
    return re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(template)) + r"\Z")


def _cases(testcase: str, template: str, failing: bool) -> list[str]:
    pattern = _pattern(template)
    _, table = TABLES.get(testcase, (None, []))
    return [case.id for case in table for check, problems in case.expected.items()
            if pattern.match(check) and bool(problems) is failing]


def uncovered(checks: dict[str, tuple[str, ...]]) -> list[str]:
    """The checks without a failing case or without a passing one."""
    return [f"{testcase}: {template!r} has no {'failing' if failing else 'passing'} case"
            for testcase, templates in checks.items() for template in templates
            for failing in (True, False) if not _cases(testcase, template, failing)]


def test_every_check_the_job_makes_can_fail_and_can_pass() -> None:
    assert sum(len(templates) for templates in CHECKS.values()) == 24
    assert uncovered(CHECKS) == []


def test_every_check_a_table_names_is_one_the_job_makes() -> None:
    def known(testcase: str, check: str) -> bool:
        return any(_pattern(template).match(check) for template in CHECKS[testcase])
    stray = [f"{testcase}: {case.id}: {check}" for testcase, (_, table) in TABLES.items() for case in table
             for check in case.expected if not known(testcase, check)]
    assert stray == []


def test_a_check_without_a_failing_case_is_found() -> None:
    """The inventory itself can fail: with one table's failing cases removed, it names the check."""
    _, recovery_table = TABLES["Recovery"]
    passing: list[StepCase] = [case for case in recovery_table if not any(case.expected.values())]
    saved = TABLES["Recovery"]
    TABLES["Recovery"] = (saved[0], passing)
    try:
        assert uncovered({"Recovery": CHECKS["Recovery"]}) == [
            "Recovery: '{hub} re-forms BGP with {other} and learns every spoke LAN' has no failing case",
            "Recovery: 'moved spokes stay on the surviving hub (no pre-emption)' has no failing case",
            "Recovery: 'spokes with `peer reactivate` return to their preferred hub' has no failing case",
            "Recovery: 'the lab ends as it began (baseline holds again)' has no failing case",
        ]
    finally:
        TABLES["Recovery"] = saved
