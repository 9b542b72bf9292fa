"""The embedded matrix (4 rows) certified as 3 shards and merged equals one sequential run of it;
re-merging adds nothing to the history; mismatched or overlapping outputs are refused.

`flexlab certify` runs in-process with stand-in labs, and the stand-in job runs the real
failover testscript on each image's recording (certify_testkit.StandInJob), so the
verdicts come from flexlab's own job code."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from certify_testkit import StandInCertify, StandInJob, StandInLab, assert_outputs_agree, markdown_summary

from flexlab.certify import runner
from flexlab.certify.history import History
from flexlab.cli import certify_cmd, main
from flexlab.packaged import EMBEDDED_MATRIX
from flexlab.results.certify import RowResult

PROJECT = Path(__file__).resolve().parents[2]
#: The embedded matrix's rows in matrix order and the verdict each image must get (the
#: dpd-bug image is defective on purpose: DPD never declares the hub dead, src/flexlab/data/matrices/embedded.yaml).
EXPECTED_VERDICTS = {"iol-17.12": "PASS", "iosv-15.9": "PASS", "iol-17.12-dpd-bug": "FAIL", "csr-17.3": "PASS"}
#: Without a history every embedded row has the same estimate (2 s + 1 job x 15 s, shard.py):
#: longest first onto the least-loaded shard, ties in matrix order and to the lower shard, so
#: rows 1-3 take shards 1-3 and row 4 joins shard 1 again.
EXPECTED_THREE_SHARDS = [["iol-17.12", "csr-17.3"], ["iosv-15.9"], ["iol-17.12-dpd-bug"]]
#: Keys that differ between any two runs of the same matrix (when, how long, where).
VOLATILE = {"started_at", "finished_at", "duration_s", "out_dir", "shard", "timestamp"}

Cli = Callable[..., int]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`flexlab ARGS` in-process, with stand-in labs and the stand-in job."""
    def make_lab(matrix, index, row, options):  # noqa: ANN001 - same signature as runner.make_row_lab
        return StandInLab(row.image, runner.rows_dir(options.out_dir) / row.name)

    monkeypatch.setattr(runner, "make_row_lab", make_lab)
    monkeypatch.setattr(certify_cmd, "RunnerOptions", functools.partial(runner.RunnerOptions, job_runner=StandInJob()))
    return lambda *args: main([str(arg) for arg in args])


def normalised(value: Any, out_dir: Path) -> Any:
    """summary.json without what differs between runs: times, durations, the output path."""
    if isinstance(value, dict):
        return {k: normalised(v, out_dir) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [normalised(item, out_dir) for item in value]
    if isinstance(value, str):
        return value.replace(str(out_dir.resolve()), "<out>")
    return value


def summary(out_dir: Path) -> dict[str, Any]:
    return json.loads((out_dir / "summary.json").read_text())


def history_rows(path: Path) -> list[tuple[Any, ...]]:
    """Every stored result without its run id and run time."""
    return [
        (r.matrix_name, r.row_name, r.lab, r.kind, r.image, r.version, r.verdict, r.failed_checks,
         r.failover, r.bgp, r.bound)
        for r in History(path).records()
    ]


def certify_shards(cli: Cli, tmp_path: Path, history: Path, total: int = 3) -> list[Path]:
    dirs = []
    for index in range(1, total + 1):
        out = tmp_path / f"shard-{index}"
        code = cli("certify", "--matrix", EMBEDDED_MATRIX, "--shard", f"{index}/{total}", "--out", out,
                   "--history", history)
        assert code in (0, 1)
        dirs.append(out)
    return dirs


def test_three_shards_merged_equal_one_sequential_run(cli: Cli, tmp_path: Path) -> None:
    sequential, merged = tmp_path / "sequential", tmp_path / "merged"
    sequential_db, sharded_db = tmp_path / "sequential.sqlite", tmp_path / "sharded.sqlite"
    assert cli("certify", "--matrix", EMBEDDED_MATRIX, "--out", sequential, "--history", sequential_db) == 1

    shards = certify_shards(cli, tmp_path, sharded_db)
    assert not sharded_db.exists()  # a shard reads the history, never writes it
    shard_rows = [[row["name"] for row in summary(d)["rows"]] for d in shards]
    assert shard_rows == EXPECTED_THREE_SHARDS

    assert cli("certify", "merge", *shards, "--out", merged, "--history", sharded_db) == 1
    merged_summary = assert_outputs_agree(merged)
    sequential_summary = assert_outputs_agree(sequential)
    assert {row["name"]: row["verdict"] for row in merged_summary["rows"]} == EXPECTED_VERDICTS
    assert normalised(merged_summary, merged) == normalised(sequential_summary, sequential)
    assert markdown_summary((merged / "report.md").read_text()) == markdown_summary((sequential / "report.md").read_text())
    for row in merged_summary["rows"]:   # the rows' files came along, under the merged directory
        assert row["archives"] and all(Path(a).is_file() and Path(a).is_relative_to(merged) for a in row["archives"])

    assert len(history_rows(sequential_db)) == len(EXPECTED_VERDICTS)
    assert history_rows(sharded_db) == history_rows(sequential_db)
    assert History(sharded_db).run_count() == 1

    assert cli("certify", "merge", *shards, "--out", tmp_path / "again", "--history", sharded_db) == 1
    assert History(sharded_db).run_count() == 1
    assert history_rows(sharded_db) == history_rows(sequential_db)

    # the sequential run recorded its rows itself: merging its output into its history adds nothing
    assert cli("certify", "merge", sequential, "--out", tmp_path / "sequential-merged", "--history", sequential_db) == 1
    assert History(sequential_db).run_count() == 1


def test_a_late_shard_adds_only_its_rows(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    shards = certify_shards(cli, tmp_path, db)
    cli("certify", "merge", *shards[:2], "--out", tmp_path / "partial", "--history", db)
    assert summary(tmp_path / "partial")["shard"]["missing_rows"] == summary(shards[2])["shard"]["rows"]
    cli("certify", "merge", *shards, "--out", tmp_path / "complete", "--history", db)
    assert History(db).run_count() == 2
    assert sorted(r.row_name for r in History(db).records()) == sorted(EXPECTED_VERDICTS)


def test_history_balances_the_split_and_every_runner_gets_the_same_one(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    assert cli("certify", "--matrix", EMBEDDED_MATRIX, "--out", tmp_path / "first", "--history", db) == 1
    shards = certify_shards(cli, tmp_path, db, total=2)
    balanced = [summary(d)["shard"]["balanced_by"] for d in shards]
    assert balanced[0] == balanced[1] and all(text.startswith("history (1 runs)") for text in balanced[0].values())
    rows = [summary(d)["shard"]["rows"] for d in shards]
    assert sorted(rows[0] + rows[1]) == sorted(EXPECTED_VERDICTS) and all(rows)
    # longest first onto the least-loaded shard: the two longest past rows go to different shards
    past = {row["name"]: row["duration_s"] for row in summary(tmp_path / "first")["rows"]}
    longest, second = sorted(past, key=lambda name: -past[name])[:2]
    assert (longest in rows[0]) != (second in rows[0])


def test_merge_refuses_another_matrix_and_a_row_twice(
    cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shards = certify_shards(cli, tmp_path, tmp_path / "h.sqlite")
    other = tmp_path / "other.yaml"
    data = yaml.safe_load(EMBEDDED_MATRIX.read_text())
    data["defaults"]["iterations"] = 2
    other.write_text(yaml.safe_dump(data))
    assert cli("certify", "--matrix", other, "--rows", "iosv-15.9", "--out", tmp_path / "other", "--no-history") == 0
    capsys.readouterr()

    assert cli("certify", "merge", shards[0], tmp_path / "other", "--out", tmp_path / "m1", "--no-history") == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "other/summary.json" in error and "differs" in error
    assert not (tmp_path / "m1" / "summary.json").exists()

    copy = tmp_path / "copy"
    shutil.copytree(shards[0], copy)
    assert cli("certify", "merge", shards[0], copy, "--out", tmp_path / "m2", "--no-history") == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "is in both" in error

    assert cli("certify", "merge", tmp_path / "nowhere", "--out", tmp_path / "m3", "--no-history") == 2
    assert "nowhere/summary.json: not found" in capsys.readouterr().err


def test_parallel_rows_give_the_sequential_outputs(cli: Cli, tmp_path: Path) -> None:
    sequential, parallel = tmp_path / "sequential", tmp_path / "parallel"
    assert cli("certify", "--matrix", EMBEDDED_MATRIX, "--out", sequential, "--no-history") == 1
    assert cli("certify", "--matrix", EMBEDDED_MATRIX, "--out", parallel, "--no-history", "--jobs", "2") == 1
    assert normalised(assert_outputs_agree(parallel), parallel) == normalised(assert_outputs_agree(sequential), sequential)


def test_rows_option_takes_a_comma_separated_list(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("certify", "--matrix", EMBEDDED_MATRIX, "--rows", "iosv-15.9,iol-17.12", "--out", out, "--no-history") == 0
    data = summary(out)
    assert [row["name"] for row in data["rows"]] == ["iol-17.12", "iosv-15.9"]   # matrix order
    assert data["matrix"]["rows"] == list(EXPECTED_VERDICTS)


def test_a_shard_without_rows_writes_an_empty_summary_that_merges(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    shards = certify_shards(cli, tmp_path, db, total=5)      # four rows of equal estimate: shard 5 is empty
    assert cli("certify", "--matrix", EMBEDDED_MATRIX, "--shard", "5/5", "--out", shards[4], "--history", db) == 0
    empty = summary(shards[4])
    assert empty["rows"] == [] and empty["shard"]["rows"] == [] and empty["matrix"]["rows"] == list(EXPECTED_VERDICTS)
    assert sorted(p.name for p in shards[4].iterdir()) == ["summary.json"]
    assert cli("certify", "merge", *shards, "--out", tmp_path / "merged", "--history", db) == 1
    assert [row["name"] for row in summary(tmp_path / "merged")["rows"]] == list(EXPECTED_VERDICTS)


def test_a_row_read_back_from_summary_json_writes_the_same_summary(stand_in_certify: StandInCertify) -> None:
    """The merge rebuilds rows from summary.json through the model: every field must survive."""
    run = stand_in_certify()
    for row in run.rows:
        data = json.loads(json.dumps(row.to_dict()))
        assert RowResult.model_validate(data).to_dict() == data


@pytest.mark.parametrize(("change", "message"), [
    (lambda data: data.update(schema_version="2.0"), "field schema_version: found '2.0', supported 1.x (1.0)"),
    (lambda data: data["rows"][0].pop("name"), "field rows.0.name: Field required"),
    (lambda data: data["rows"][0]["checks"][0].update(status="fine"),
     "field rows.0.checks.0.status: Input should be 'passed', 'failed', 'errored' or 'skipped'"),
])
def test_merge_refuses_a_malformed_summary_with_one_line(
    cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Callable[[dict[str, Any]], object],
    message: str,
) -> None:
    out = tmp_path / "out"
    assert cli("certify", "--matrix", EMBEDDED_MATRIX, "--rows", "iosv-15.9", "--out", out, "--no-history") == 0
    data = summary(out)
    change(data)
    (out / "summary.json").write_text(json.dumps(data))
    capsys.readouterr()
    assert cli("certify", "merge", out, "--out", tmp_path / "merged", "--no-history") == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"{out / 'summary.json'}: {message}" in error, error
    assert "Traceback" not in error
