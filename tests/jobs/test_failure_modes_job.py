"""The lab-made failure modes (freeze, blackhole) through the whole job, against the lab's truth.

interface-shutdown and node-stop run in test_failover_job.py. For the lab-made modes the
failure instant is the harness clock at the lab's failure call, carried onto the spoke's
clock by the `show clock` offset; the ground truth is the lab's own `node-failed` instant.
"""

from __future__ import annotations

import re

import pytest
from jobkit import REFERENCE_BOUND_S, TIME_SCALE, load_report, truth_failover

#: Assumed: the longest wall round trip of one `show clock` over the lab's local SSH. The
#: job anchors each spoke clock with one such read (error up to half the round trip, times
#: the time scale) and does not report it, so the test declares it here.
SHOW_CLOCK_ROUND_TRIP_WALL_S = 0.05


def _round_trip_s(failure_source: str) -> float:
    """The wall round trip of the lab's failure call, as the job reported it."""
    found = re.search(r"round trip ([0-9.]+) s", failure_source)
    assert found, f"no round trip in the failure source {failure_source!r}"
    return float(found.group(1))


@pytest.mark.parametrize("mode", ["freeze", "blackhole"])
def test_job_measures_a_lab_made_failure_as_the_ground_truth(job_env, tmp_path, mode):
    testbed = job_env.lab_up(mode)
    report_dir = tmp_path / "report"
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub1", "--failure-mode", mode)
    report = load_report(report_dir)
    assert result.returncode == 0, result.stdout[-4000:]
    assert report["passed"] is True
    (run,) = report["runs"]
    assert run["failure_mode"] == mode
    assert set(run["testcases"].values()) == {"passed"}
    truth = job_env.truth(mode)
    failed = [e for e in truth if e["node"] == "hub1" and e["kind"] == "node-failed"]
    restored = [e for e in truth if e["node"] == "hub1" and e["kind"] == "node-restored"]
    assert [e["mode"] for e in failed] == [mode] and [e["mode"] for e in restored] == [mode]
    (record,) = run["spokes"]
    assert (record["spoke"], record["to_hub"]) == ("spoke1", "hub2")
    expected = truth_failover(truth, "hub1", "spoke1", failed_kind="node-failed")
    time_scale = float(TIME_SCALE)
    fail_call_s = _round_trip_s(run["failure_source"])
    # the failure instant is the midpoint of the lab call, carried by the spoke's clock offset
    tolerance = time_scale * (fail_call_s + SHOW_CLOCK_ROUND_TRIP_WALL_S) / 2
    error = record["failover_s"] - expected
    print(f"{mode}: spoke1 measured {record['failover_s']:.3f} s, truth {expected:.3f} s, "
          f"error {error:+.3f} s, tolerance {tolerance:.3f} s")
    assert abs(error) <= tolerance
    assert record["bound"]["value_s"] == REFERENCE_BOUND_S and expected <= REFERENCE_BOUND_S
