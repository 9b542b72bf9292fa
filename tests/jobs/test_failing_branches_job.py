"""Failing branches of the job that only a whole run shows: each broken design is one an
engineer could deploy, and the job must fail the right testcase naming the device and cause."""

from __future__ import annotations

import re
from pathlib import Path

from jobkit import REFERENCE_BOUND_S, edit_config, load_report, problems_of, render_configs, truth_failover


def _peers(config: Path) -> dict[int, str]:
    """`peer N <address>` of the FlexVPN client block in a rendered config."""
    return {int(n): a for n, a in re.findall(r"^ peer (\d+) (\S+)$", config.read_text(), flags=re.M)}


def _interface_address(config: Path, description: str) -> str:
    found = re.search(rf"^ description {description}\n ip address (\S+) ", config.read_text(), flags=re.M)
    assert found, f"no interface described {description!r} in {config}"
    return found.group(1)


#: An image that retransmits an unanswered R-U-THERE 9 times, not the 5 the harness assumes.
#: Its soonest possible move: the idle interval I after the last packet from the hub, then
#: (9+1) retry intervals R: 30 + (9+1)*5 = 80 s, beyond the 70 s bound whatever the traffic phase.
SLOW_IMAGE_RETRANSMITS = 9
SLOW_IMAGE_SOONEST_MOVE_S = 30 + (SLOW_IMAGE_RETRANSMITS + 1) * 5


def test_spoke_that_moves_later_than_the_bound_fails_the_failover(job_env, tmp_path):
    """The lab's image diverges from the harness's assumption N = 5: the routers' config is
    the reference one, so the bound stays 70 s, but the spoke moves ~20 s later."""
    report_dir = tmp_path / "report"
    testbed = job_env.lab_up("slowdpd", "--image-param", f"dpd_retransmits={SLOW_IMAGE_RETRANSMITS}")
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub1", "--skip-config")
    report = load_report(report_dir)
    assert result.returncode != 0 and report["passed"] is False
    (run,) = report["runs"]
    assert run["testcases"]["Failover"] == "failed"
    (record,) = run["spokes"]
    assert (record["spoke"], record["to_hub"], record["passed"]) == ("spoke1", "hub2", False), record
    assert record["bound"]["value_s"] == REFERENCE_BOUND_S
    truth = job_env.truth("slowdpd")
    expected = truth_failover(truth, "hub1", "spoke1")
    print(f"spoke1 measured {record['failover_s']:.3f} s, truth {expected:.3f} s, bound {record['bound']['value_s']} s")
    assert expected >= SLOW_IMAGE_SOONEST_MOVE_S
    assert abs(record["failover_s"] - expected) <= 0.1, (record["failover_s"], expected)
    retransmits = [
        e for e in truth if e["node"] == "spoke1" and e["kind"] == "dpd-r-u-there" and e["peer_node"] == "hub1"
    ]
    assert max(e["attempt"] for e in retransmits) == SLOW_IMAGE_RETRANSMITS
    (reason,) = problems_of(report, "Failover")
    assert reason.startswith(f"spoke1: failover took {record['failover_s']:.3f} s, more than the DPD bound 70 s"), (
        reason
    )


def test_spoke_on_the_other_hub_that_moves_fails_the_failover(job_env, tmp_path):
    """spoke2 (on hub2) tracks its peer 1 with an IP SLA, but the probe pings hub1's WAN
    address (copied from spoke1's config): when hub1 fails, spoke2 leaves hub2."""
    configs = render_configs(job_env, tmp_path / "cfg")
    spoke2 = configs / "spoke2.cfg"
    peers = _peers(spoke2)
    hub2_wan, hub1_wan = peers[1], peers[2]
    assert _peers(configs / "spoke1.cfg")[1] == hub1_wan
    edit_config(spoke2, rf"^ peer 1 {re.escape(hub2_wan)}$", f" peer 1 {hub2_wan} track 20\n peer reactivate")
    edit_config(spoke2, r"^end$", "\n".join([
        "track 20 ip sla 20 reachability", "!",
        "ip sla 20", f" icmp-echo {hub1_wan} source-interface Ethernet0/1", " frequency 5",
        "ip sla schedule 20 life forever start-time now", "!", "end"]))
    report_dir = tmp_path / "report"
    result = job_env.run_job(job_env.lab_up("tracked", "--config-dir", str(configs)), report_dir,
                             "--hubs", "hub1", "--skip-config")
    report = load_report(report_dir)
    assert result.returncode != 0 and report["passed"] is False
    (run,) = report["runs"]
    assert run["testcases"]["Baseline"] == "passed" and run["testcases"]["HubFailure"] == "passed"
    assert run["testcases"]["Failover"] == "failed"
    assert run["unmoved_ok"] is False
    (spoke1,) = run["spokes"]
    assert spoke1["spoke"] == "spoke1" and spoke1["passed"] is True, spoke1
    problems = problems_of(report, "Failover")
    assert problems and all(p.startswith("spoke2: ") for p in problems), problems
    assert any(f"expected {hub2_wan}" in p or "expected ACTIVE" in p for p in problems), problems
    # the lab agrees: spoke2 lost its tunnel to hub2 after hub1 went down
    truth = job_env.truth("tracked")
    (failed,) = [e for e in truth if e["node"] == "hub1" and e["kind"] == "interface-admin-down"]
    assert any(e["node"] == "spoke2" and e["kind"] == "flexvpn-down" and e["peer_node"] == "hub2"
               and e["time"] > failed["time"] for e in truth)


def test_hub_that_reboots_with_its_data_centre_link_down_fails_the_recovery(job_env, tmp_path):
    """hub1's saved config has its DC link to hub2 shut (brought up live, never `write
    memory`): the job makes hub1 run the full config, but after node-stop hub1 boots from
    what was saved and cannot re-form the iBGP session with hub2."""
    running = render_configs(job_env, tmp_path / "cfg")
    saved = render_configs(job_env, tmp_path / "saved")
    hub2_dc = _interface_address(running / "hub2.cfg", "DC link to hub1")
    edit_config(saved / "hub1.cfg", r"^( description DC link to hub2\n ip address .*\n) no shutdown$", r"\1 shutdown")
    report_dir = tmp_path / "report"
    testbed = job_env.lab_up("unsaved", "--config-dir", str(saved))
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub1", "--failure-mode", "node-stop",
                             "--config-dir", str(running))
    report = load_report(report_dir)
    assert result.returncode != 0 and report["passed"] is False
    (run,) = report["runs"]
    for testcase in ("Baseline", "HubFailure", "Failover", "BgpConvergence"):
        assert run["testcases"][testcase] == "passed", (testcase, run["problems"])
    assert run["testcases"]["Recovery"] == "failed"
    assert run["recovery"] == "problems"
    problems = problems_of(report, "Recovery")
    assert any(p.startswith(f"hub1: BGP neighbour {hub2_dc} is ") and p.endswith("expected Established")
               for p in problems), problems
    truth = job_env.truth("unsaved")
    assert [e["mode"] for e in truth if e["node"] == "hub1" and e["kind"] == "node-restored"] == ["node-stop"]
