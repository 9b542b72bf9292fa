"""A user topology with three hubs on the embedded lab (`flexlab lab up --embedded -t`), and
the job failing hub1 then hub2 cumulatively: spoke1 goes hub1 -> hub2 -> hub3.

Needs `lab up -t` (issue 11 part B). Expected values are hand-derived from the topology's
configs (src/flexlab/topologies/examples/flexvpn-3hubs/): spoke1 peers hub1, hub2, hub3; spoke2 peers
hub2, hub1, hub3; dpd 30 5 on-demand with an IP SLA probe every 5 s.
"""

from __future__ import annotations

from jobkit import REFERENCE_BOUND_S, load_report, truth_failover

from flexlab.packaged import EXAMPLE_TOPOLOGY_DIR

TOPOLOGY = EXAMPLE_TOPOLOGY_DIR / "flexvpn-3hubs.clab.yml"
HUB_WAN = {"hub1": "100.64.0.2", "hub2": "100.64.0.6", "hub3": "100.64.0.10"}
#: 70 s + one dead peer that may be tried on the way: d*(K+P) = 1*(30+2) (docs/timing.md)
BOUND_ONE_DEAD_PEER_S = 102.0


def test_three_hubs_cumulative_failover_follows_the_peer_order(job_env, tmp_path):
    testbed = job_env.lab_up("threehubs", "-t", str(TOPOLOGY))
    report_dir = tmp_path / "report"
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub1,hub2", "--cumulative",
                             "--skip-config", "--expect-from", "configs")
    report = load_report(report_dir)
    assert result.returncode == 0, result.stdout[-4000:]
    assert report["passed"] is True
    assert "spoke1 (iteration 1): hub1 -> hub2 -> hub3" in report["spoke_paths"]
    first, second = report["runs"]
    assert (first["hub"], first["kept_failed"], first["testcases"]["Recovery"]) == ("hub1", True, "deferred")
    assert (second["hub"], second["dead_hubs"], second["testcases"]["Recovery"]) == ("hub2", ["hub1"], "passed")
    moves = {(run["hub"], s["spoke"]): s for run in report["runs"] for s in run["spokes"]}
    assert sorted(moves) == [("hub1", "spoke1"), ("hub2", "spoke1"), ("hub2", "spoke2")]
    assert [moves[key]["to_peer"] for key in sorted(moves)] == [HUB_WAN["hub2"], HUB_WAN["hub3"], HUB_WAN["hub3"]]
    assert moves[("hub2", "spoke2")]["dead_peers_tried"] == [HUB_WAN["hub1"]]
    assert moves[("hub1", "spoke1")]["bound"]["value_s"] == REFERENCE_BOUND_S
    assert moves[("hub2", "spoke2")]["bound"]["value_s"] == BOUND_ONE_DEAD_PEER_S
    truth = job_env.truth("threehubs")
    for (hub, spoke), record in moves.items():
        expected = truth_failover(truth, hub, spoke)
        assert abs(record["failover_s"] - expected) <= 0.1, (hub, spoke, record["failover_s"], expected)
        assert record["failover_s"] <= record["bound"]["value_s"]
    # spoke2 really tried its dead peer 2 (hub1) before hub3: the truth shows the attempt
    t_hub2 = next(e["time"] for e in truth if e["node"] == "hub2" and e["kind"] == "interface-admin-down")
    assert any(e["node"] == "spoke2" and e["kind"] == "ike-failed" and e["peer_node"] == "hub1"
               and e["time"] > t_hub2 for e in truth)
    # the last run restored both hubs
    for hub in ("hub1", "hub2"):
        downs = [e["time"] for e in truth if e["node"] == hub and e["kind"] == "interface-admin-down"]
        ups = [e["time"] for e in truth if e["node"] == hub and e["kind"] == "interface-admin-up"]
        assert ups and max(ups) > max(downs), f"{hub} was not restored"
