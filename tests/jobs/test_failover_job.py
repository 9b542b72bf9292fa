"""The failover job end to end on the embedded lab: measured against the lab's ground truth."""

from __future__ import annotations

from jobkit import REFERENCE_BOUND_S, REFERENCE_BOUND_TERMS, load_report, render_configs, truth_failover


def test_job_measures_failover_as_the_ground_truth(job_env, tmp_path):
    testbed = job_env.lab_up("truth")
    report_dir = tmp_path / "report"
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub1,hub2")
    report = load_report(report_dir)
    assert result.returncode == 0, result.stdout[-4000:]
    assert report["passed"] is True
    assert report["clock_method"].startswith("NTP-synchronised")
    truth = job_env.truth("truth")
    records = [s for run in report["runs"] for s in run["spokes"]]
    assert {(r["hub"], r["spoke"]) for r in records} == {("hub1", "spoke1"), ("hub2", "spoke2")}
    for record in records:
        expected = truth_failover(truth, record["hub"], record["spoke"])
        error = abs(record["failover_s"] - expected)
        print(f"{record['spoke']} from {record['hub']}: measured {record['failover_s']:.3f} s, truth {expected:.3f} s")
        assert error <= 0.1, f"measured {record['failover_s']} s, ground truth {expected:.3f} s"
        assert record["bound"]["value_s"] == REFERENCE_BOUND_S, record["bound"]["formula"]
        assert record["bound"]["terms"] == REFERENCE_BOUND_TERMS, record["bound"]["formula"]
        assert record["failover_s"] <= REFERENCE_BOUND_S
        assert record["bgp_converged_s"] > record["failover_s"]
    assert (report_dir / "failover_report.md").read_text().count("| pass |") == 2


def test_job_brings_its_own_lab_up_and_down(job_env, tmp_path):
    testbed = job_env.lab_up("own")
    job_env.flexlab("lab", "down", "--name", "own")
    report_dir = tmp_path / "report"
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub2", "--failure-mode", "node-stop")
    report = load_report(report_dir)
    assert result.returncode == 0, result.stdout[-4000:]
    assert report["passed"] is True
    assert report["runs"][0]["failure_mode"] == "node-stop"
    assert "harness clock" in report["runs"][0]["failure_source"]
    status = job_env.flexlab("lab", "status", "--name", "own", check=False)
    assert status.returncode == 1 and "not up" in status.stdout


def test_spokes_with_peer_reactivate_return_to_the_restored_hub(job_env, tmp_path):
    configs = render_configs(job_env, tmp_path / "cfg")
    spoke1 = configs / "spoke1.cfg"
    spoke1.write_text(
        spoke1.read_text().replace(" client connect Tunnel1\n", " peer reactivate\n client connect Tunnel1\n")
    )
    report_dir = tmp_path / "report"
    result = job_env.run_job(job_env.lab_up("reactivate", "--config-dir", str(configs)), report_dir,
                             "--hubs", "hub1", "--config-dir", str(configs))
    report = load_report(report_dir)
    assert result.returncode == 0, result.stdout[-4000:]
    assert report["passed"] is True
    assert "spokes with `peer reactivate` return to their preferred hub" in report["runs"][0]["checks"]["Recovery"]
    truth = job_env.truth("reactivate")
    restored = [e for e in truth if e["node"] == "hub1" and e["kind"] == "interface-admin-up"][-1]
    back = [e for e in truth if e["node"] == "spoke1" and e["kind"] == "flexvpn-up"
            and e["time"] > restored["time"] and e["peer_node"] == "hub1"]
    assert back, "spoke1 did not return to hub1 after it was restored"
