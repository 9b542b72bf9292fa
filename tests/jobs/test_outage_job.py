"""The job's data-plane outage on the embedded lab, against the lab's ground truth.

spoke1 (on hub1) probes hub2's LAN and spoke2's LAN every second while hub1 is shut. The
truth says when traffic can flow again: spoke1 has the summary from hub2 and hub2 has
spoke1's LAN (both needed for an echo and its reply). The measured loss window must match
that within the probe resolution, and never be shorter than the spoke's move.
"""

from __future__ import annotations

from jobkit import load_report, truth_failover


def _truth_restored(truth: list[dict], t0: float) -> float:
    """Seconds from ``t0`` until spoke1 holds the summary from hub2 and hub2 holds spoke1's LAN."""
    def received(node: str, prefix: str, peer: str) -> float:
        return next(e["time"] for e in truth if e["node"] == node and e["kind"] == "prefix-received"
                    and e["time"] > t0 and e.get("prefix") == prefix and e.get("peer_node") == peer)
    return max(received("spoke1", "10.0.0.0/8", "hub2"), received("hub2", "10.1.1.0/24", "spoke1")) - t0


def test_job_reports_the_loss_window_of_the_moved_spoke(job_env, tmp_path):
    testbed = job_env.lab_up("outage")
    report_dir = tmp_path / "report"
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub1")
    report = load_report(report_dir)
    assert result.returncode == 0, result.stdout[-4000:]
    assert report["passed"] is True and report["runs"][0]["testcases"]["DataPlane"] == "passed"
    (record,) = report["runs"][0]["spokes"]
    truth = job_env.truth("outage")
    t0 = next(e["time"] for e in truth if e["node"] == "hub1" and e["kind"] == "interface-admin-down")
    moved, restored = truth_failover(truth, "hub1", "spoke1"), _truth_restored(truth, t0)
    assert [o["target"] for o in record["outage"]] == ["hub LAN of hub2", "spoke LAN of spoke2"]
    for outage in record["outage"]:
        print(f"{outage['target']}: outage {outage['outage_s']} s "
              f"({outage['probes_lost']} of {outage['probes_sent']}), "
              f"truth: moved {moved:.3f} s, traffic possible again {restored:.3f} s")
        assert outage["flowing_again"] is True and outage["frequency_s"] == 1
        assert outage["outage_s"] == outage["probes_lost"] * 1.0
        assert outage["outage_s"] >= moved - 1
        assert abs(outage["outage_s"] - restored) <= 2.0
    assert report["outage_s"]["count"] == 2
    markdown = (report_dir / "failover_report.md").read_text()
    assert "## Data-plane outage" in markdown and "| outage s |" in markdown
