"""flexlab.certify.shard: --shard values, the balanced and stable split, the matrix digest;
flexlab.certify.capacity: memory estimates against /proc/meminfo."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from flexlab.certify.capacity import CapacityError, available_memory_mib, row_memory_mib
from flexlab.certify.matrix import Matrix, load_matrix
from flexlab.certify.shard import (
    RowExpectation,
    ShardError,
    ShardSpec,
    estimated_duration_s,
    expected_durations,
    matrix_digest,
    parse_shard,
    split,
)


def matrix(tmp_path: Path, rows: list[dict], defaults: dict | None = None, name: str = "m") -> Matrix:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, "defaults": defaults or {"lab": "embedded"}, "rows": rows}))
    return load_matrix(path)


@pytest.mark.parametrize(("text", "expected"), [("1/3", ShardSpec(1, 3)), ("3/3", ShardSpec(3, 3)), ("1/1", ShardSpec(1, 1))])
def test_shard_values(text: str, expected: ShardSpec) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "1-3", "", "-1/3", "1/3/4"])
def test_bad_shard_values_are_one_line_errors(text: str) -> None:
    with pytest.raises(ShardError) as raised:
        parse_shard(text)
    assert "\n" not in str(raised.value) and "--shard" in str(raised.value)


def test_auto_reads_gitlab_parallel_variables() -> None:
    assert parse_shard("auto", {"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "4"}) == ShardSpec(2, 4)
    with pytest.raises(ShardError, match="CI_NODE_INDEX and CI_NODE_TOTAL are not set"):
        parse_shard("auto", {})
    with pytest.raises(ShardError, match="between 1 and"):
        parse_shard("auto", {"CI_NODE_INDEX": "5", "CI_NODE_TOTAL": "4"})


def test_longest_first_onto_the_least_loaded_shard() -> None:
    # By hand: a(100) -> 1; b(60) -> 2; c(50) -> 2 (60 < 100); d(10) -> 1 (100 < 110). Loads 110 / 110.
    rows = [RowExpectation("a", 100, "history"), RowExpectation("b", 60, "history"),
            RowExpectation("d", 10, "history"), RowExpectation("c", 50, "history")]
    assert split(rows, 2) == [["a", "d"], ["b", "c"]]   # each shard in matrix order


def test_split_covers_every_row_once_for_any_shard_count_and_is_stable() -> None:
    rows = [RowExpectation(f"r{i}", seconds, "estimate") for i, seconds in enumerate([30, 30, 5, 400, 30, 61, 7])]
    for total in range(1, 10):
        shards = split(rows, total)
        assert len(shards) == total
        assert sorted(itertools.chain(*shards)) == sorted(r.name for r in rows)
        assert split(list(rows), total) == shards
    assert [len(s) for s in split(rows[:2], 3)] == [1, 1, 0]   # more shards than rows: some are empty


def test_expected_durations_prefer_the_history_median(tmp_path: Path) -> None:
    m = matrix(tmp_path, [{"name": "a", "image": "iol-17.12"}, {"name": "b", "image": "iosv-15.9", "iterations": 2}])
    found = expected_durations(m, {"a": [10.0, 30.0, 20.0], "b": []})
    assert found[0] == RowExpectation("a", 20.0, "history (3 runs)")
    # b: no history -> boot 2 s + 1 mode x 2 hubs x 2 iterations x 15 s
    assert found[1] == RowExpectation("b", 2.0 + 4 * 15.0, "estimate")


def test_containerlab_estimates_follow_the_kind(tmp_path: Path) -> None:
    m = matrix(tmp_path, [{"name": "iol", "kind": "cisco_iol", "image": "i:1"},
                          {"name": "csr", "kind": "cisco_csr1000v", "image": "c:1"}],
               defaults={"lab": "containerlab", "failure_modes": ["interface-shutdown", "freeze"], "iterations": 3})
    # 2 modes x 2 hubs x 3 iterations = 12 job runs of 300 s, plus the boot of the kind
    assert estimated_duration_s(m.rows[0]) == 60.0 + 12 * 300.0
    assert estimated_duration_s(m.rows[1]) == 420.0 + 12 * 300.0


def test_the_digest_follows_the_rows_not_the_file_path(tmp_path: Path) -> None:
    rows = [{"name": "a", "image": "iol-17.12"}]
    (tmp_path / "x").mkdir()
    same_elsewhere = matrix(tmp_path / "x", rows)
    assert matrix_digest(matrix(tmp_path, rows)) == matrix_digest(same_elsewhere)
    assert matrix_digest(matrix(tmp_path, [{"name": "a", "image": "iol-17.12", "iterations": 2}])) != matrix_digest(same_elsewhere)


def test_memory_estimate_per_row_and_available_memory(tmp_path: Path) -> None:
    m = matrix(tmp_path, [{"name": "iol", "kind": "cisco_iol", "image": "i:1"},
                          {"name": "csr", "kind": "cisco_csr1000v", "image": "c:1", "spokes": 4}],
               defaults={"lab": "containerlab"})
    assert row_memory_mib(m.rows[0], None) == 5 * 1024.0          # isp, 2 hubs, 2 spokes (src/flexlab/data/design.yaml)
    assert row_memory_mib(m.rows[1], None) == 7 * 4352.0          # isp, 2 hubs, 4 spokes
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16384000 kB\nMemFree:         1000000 kB\nMemAvailable:    2048000 kB\n")
    assert available_memory_mib(meminfo) == 2000.0
    meminfo.write_text("MemTotal:       16384000 kB\n")
    with pytest.raises(CapacityError, match="no MemAvailable"):
        available_memory_mib(meminfo)
    assert available_memory_mib() > 0      # this host's
