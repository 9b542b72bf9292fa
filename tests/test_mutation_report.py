"""benchmarks/mutation_report.py: counting, explanations and their staleness (no mutmut run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.mutation_report import Mutant, ReportInputError, build_report, changed_lines, load_explanations

DIFF = "-    return a + b\n+    return a - b"
UNIFIED = "--- src/m.py\n+++ src/m.py\n@@ -1,2 +1,2 @@\n def f(a, b):\n" + DIFF


def mutants() -> list[Mutant]:
    return [
        Mutant("m.x_f__mutmut_1", "src/m.py", "killed", ""),
        Mutant("m.x_f__mutmut_2", "src/m.py", "timeout", ""),
        Mutant("m.x_f__mutmut_3", "src/m.py", "survived", DIFF),
        Mutant("m.x_g__mutmut_1", "src/m.py", "no tests", "-    x\n+    y"),
        Mutant("n.x_h__mutmut_1", "src/n.py", "killed", ""),
    ]


def test_changed_lines_keep_only_the_mutation() -> None:
    assert changed_lines(UNIFIED) == DIFF


def test_counts_and_kill_rate_per_module_and_overall() -> None:
    report = build_report(mutants(), {}, {})
    # src/m.py: killed 1 + timeout 1 of 4 -> 50 %; overall 3 of 5 -> 60 %
    assert report["modules"]["src/m.py"] == {"killed": 1, "timeout": 1, "survived": 1, "no_tests": 1, "other": 0,
                                             "total": 4, "kill_rate": 0.5, "explained": 0, "unexplained": 2}
    assert report["overall"]["kill_rate"] == 0.6
    assert [s["mutant"] for s in report["survivors"]] == ["m.x_f__mutmut_3", "m.x_g__mutmut_1"]


def test_an_explanation_applies_only_to_its_diff() -> None:
    explanations = {"m.x_f__mutmut_3": {"diff": DIFF, "equivalent": "a and b are always 0"},
                    "m.x_g__mutmut_1": {"diff": "-    x\n+    z", "accepted": "prose"}}
    report = build_report(mutants(), explanations, {})
    assert [s["explanation"] for s in report["survivors"]] == [
        "equivalent: a and b are always 0",
        "unexplained (the recorded explanation is for another diff: stale)"]
    assert (report["overall"]["explained"], report["overall"]["unexplained"]) == (1, 1)


@pytest.mark.parametrize(("text", "message"), [
    ("- a\n- b\n", "top level: expected a mapping"),
    ("m.x_f__mutmut_3: {equivalent: why}\n", "m.x_f__mutmut_3: expected a mapping with a 'diff' string"),
    ("m.x_f__mutmut_3: {diff: '-a', equivalent: why, accepted: also}\n", "m.x_f__mutmut_3: expected exactly one of"),
    ("m.x_f__mutmut_3: {diff: '-a', equivalent: ''}\n", "m.x_f__mutmut_3: expected exactly one of"),
    ("m: [unclosed\n", "not valid YAML"),
])
def test_malformed_explanations_name_the_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "survivors.yaml"
    path.write_text(text)
    with pytest.raises(ReportInputError) as error:
        load_explanations(path)
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value)
