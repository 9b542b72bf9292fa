"""The data-plane outage (harness/outage.py, the DataPlane testcase) on recorded outputs.

The recording iol-17.12-outage is the embedded lab with the job's IP SLA probes on spoke1
(hub LAN of hub2, spoke LAN of spoke2, every 1 s) when hub1 fails. The figures the tests
expect are read here from the raw recorded texts with a regex of their own, and from the
recorded logs (failure 12:03:19.081, spoke1 up on hub2 12:04:20.278, BGP Up 12:04:25.403).
"""

from __future__ import annotations

import re
from pathlib import Path

from verdictkit import TIME_SCALE, playback, recorded_text, run_testscript

from flexlab.harness import checks
from flexlab.harness.job_report import merge_run_files
from flexlab.harness.report import FailoverReport

SCENARIO = "iol-17.12-outage"
SLA = "show ip sla statistics"


def _failures(text: str, operation: int) -> int:
    block = text.split(f"IPSLA operation id: {operation}\n", 1)[1]
    return int(re.search(r"Number of failures: (\d+)", block).group(1))


def test_the_outage_is_the_probes_lost_while_the_hub_is_failed(tmp_path: Path) -> None:
    testbed, lab = playback(SCENARIO, time_scale=TIME_SCALE)
    found, written = run_testscript(testbed, lab, tmp_path)
    assert found == "passed"
    assert written["run"]["testcases"]["DataPlane"] == "passed"
    (spoke1,) = written["run"]["spokes"]
    before, after = (recorded_text(SCENARIO, phase, "spoke1", SLA) for phase in ("baseline", "failed"))
    expected_lost = {op: _failures(after, op) - _failures(before, op) for op in (9901, 9902)}
    assert expected_lost == {9901: 66, 9902: 67}
    by_operation = {o["operation"]: o for o in spoke1["outage"]}
    assert {op: o["probes_lost"] for op, o in by_operation.items()} == expected_lost
    assert {op: o["outage_s"] for op, o in by_operation.items()} == {9901: 66.0, 9902: 67.0}
    assert by_operation[9901]["target"] == "hub LAN of hub2" and by_operation[9901]["address"] == "10.0.2.1"
    assert by_operation[9902]["target"] == "spoke LAN of spoke2" and by_operation[9902]["address"] == "10.1.2.1"
    assert all(o["flowing_again"] for o in spoke1["outage"])
    # the loss window spans the move (61.2 s) and ends within a few probes of BGP Up (66.3 s)
    for o in spoke1["outage"]:
        assert 61.197 <= o["outage_s"] <= 66.322 + 2 * o["frequency_s"]


def test_the_probes_are_configured_before_the_failure_and_removed_after(tmp_path: Path) -> None:
    testbed, lab = playback(SCENARIO, time_scale=TIME_SCALE)
    run_testscript(testbed, lab, tmp_path)
    sent = [line for commands in testbed.devices["spoke1"].configured for line in commands]
    assert "icmp-echo 10.0.2.1 source-interface Loopback1" in sent
    assert "frequency 1" in sent and "ip sla schedule 9901 life forever start-time now" in sent
    assert sent.index("ip sla schedule 9902 life forever start-time now") < sent.index(
        "no ip sla 9902", sent.index("ip sla 9902")
    )
    assert testbed.devices["spoke2"].configured == []   # spoke2 stays on hub2: no probes


def test_traffic_still_lost_after_failover_fails_the_run(tmp_path: Path) -> None:
    """Constructed variant: after the failure spoke1 keeps showing its recorded `show ip sla
    statistics` from 63 s after the failure (moved to hub2, BGP not yet up: probes timing out)."""
    testbed, lab = playback(SCENARIO, time_scale=TIME_SCALE)
    phases = lab.world.recorded["hub1"]
    phases["failed"]["spoke1"][SLA] = phases["moving"]["spoke1"][SLA]
    found, written = run_testscript(testbed, lab, tmp_path)
    assert found == "failed"
    testcases = written["run"]["testcases"]
    assert (testcases["Failover"], testcases["BgpConvergence"], testcases["DataPlane"]) == (
        "passed",
        "passed",
        "failed",
    )
    before, moving = (recorded_text(SCENARIO, phase, "spoke1", SLA) for phase in ("baseline", "moving"))
    lost = [_failures(moving, op) - _failures(before, op) for op in (9901, 9902)]
    assert lost == [62, 63]
    assert written["run"]["problems"]["DataPlane"] == [
        f"spoke1: traffic to hub LAN of hub2 (10.0.2.1) still lost ({lost[0]} probes lost since the failure)",
        f"spoke1: traffic to spoke LAN of spoke2 (10.1.2.1) still lost ({lost[1]} probes lost since the failure)",
    ]
    (spoke1,) = written["run"]["spokes"]
    assert [o["flowing_again"] for o in spoke1["outage"]] == [False, False]
    merge_run_files(tmp_path)
    markdown = (tmp_path / "failover_report.md").read_text()
    assert "Verdict: **FAIL**" in markdown and "traffic does NOT flow again" in markdown


def test_a_recording_without_probe_answers_reports_the_outage_not_run(tmp_path: Path) -> None:
    testbed, lab = playback("iol-17.12", time_scale=TIME_SCALE)
    found, written = run_testscript(testbed, lab, tmp_path)
    assert found == "passed"
    assert written["run"]["testcases"]["DataPlane"] == "not run"
    assert "show ip sla statistics" in written["run"]["problems"]["DataPlane"][0]


def test_report_shows_the_outage_next_to_failover_and_bgp(tmp_path: Path) -> None:
    testbed, lab = playback(SCENARIO, time_scale=TIME_SCALE)
    run_testscript(testbed, lab, tmp_path)
    json_path, md_path = merge_run_files(tmp_path)
    report = FailoverReport.from_dict(__import__("json").loads(json_path.read_text()))
    data = report.to_dict()
    assert (data["outage_s"]["count"], data["outage_s"]["min"], data["outage_s"]["max"]) == (2, 66.0, 67.0)
    markdown = md_path.read_text()
    assert "| failover s | bound s | BGP s | outage s | result |" in markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| hub1 | interface-shutdown | spoke1 "))
    assert row.split(" | ")[5:9] == ["61.197", "70.000", "66.322", "67.000"]   # bound: the reference 70 s
    assert "to spoke LAN of spoke2 (10.1.2.1): outage 67.000 s, 67 of 240 probes lost" in markdown
    assert "resolution 1 s" in markdown


def test_traffic_flows_check() -> None:
    import datetime as dt

    failed_at = dt.datetime(2026, 3, 1, 12, 3, 19)
    after, before = failed_at + dt.timedelta(seconds=70), failed_at - dt.timedelta(seconds=1)
    assert checks.traffic_flows("s1", "t", True, after, 66, failed_at) == []
    assert checks.traffic_flows("s1", "t", False, after, 66, failed_at) == [
        "s1: traffic to t still lost (66 probes lost since the failure)"
    ]
    assert checks.traffic_flows("s1", "t", True, before, 0, failed_at) == [
        "s1: no probe to t has been answered since the failure"
    ]
    assert checks.traffic_flows("s1", "t", None, None, None, failed_at) == [
        "s1: probe to t missing from `show ip sla statistics`"
    ]


def test_a_spoke_refusing_the_probes_reports_the_outage_not_run(tmp_path: Path) -> None:
    testbed, lab = playback(SCENARIO, time_scale=TIME_SCALE)
    testbed.devices["spoke1"].refused_lines["frequency 1"] = "% Invalid input detected at '^' marker."
    found, written = run_testscript(testbed, lab, tmp_path)
    assert found == "passed"   # the failover verdict stands; the outage is reported as not measured
    assert written["run"]["testcases"]["DataPlane"] == "not run"
    (problem,) = written["run"]["problems"]["DataPlane"]
    assert problem.startswith("spoke1: cannot configure the outage probes: frequency 1\n% Invalid input")
    assert written["run"]["spokes"][0]["outage"] == []


def test_sla_start_times_of_both_layouts() -> None:
    import datetime as dt

    from flexlab.harness.outage import parse_sla_time

    assert parse_sla_time("12:07:28 UTC Sun Mar 1 2026") == dt.datetime(2026, 3, 1, 12, 7, 28)
    assert parse_sla_time("*12:07:28.933 UTC Sun Mar 1 2026") == dt.datetime(2026, 3, 1, 12, 7, 28, 933000)
    assert parse_sla_time("Unknown") is None


def test_a_device_lost_while_measuring_errors_the_run(tmp_path: Path) -> None:
    testbed, lab = playback(SCENARIO, time_scale=TIME_SCALE)
    spoke1 = testbed.devices["spoke1"]
    execute = spoke1.execute

    def dies_after_the_failure(command: str, **kwargs: object) -> str:
        if command == SLA and lab.world.phase == "failed":
            raise ConnectionError("spoke1: session closed")
        return execute(command, **kwargs)
    spoke1.execute = dies_after_the_failure
    found, written = run_testscript(testbed, lab, tmp_path)
    assert found != "passed"
    assert written["run"]["testcases"]["DataPlane"] == "errored"
    merge_run_files(tmp_path)
    assert "Verdict: **FAIL**" in (tmp_path / "failover_report.md").read_text()


def test_probes_a_killed_run_left_are_removed_at_setup(tmp_path: Path) -> None:
    """Constructed variant: spoke1's recorded running config with the job's probe 9901 in it,
    as a job killed after HubFailure leaves it."""
    testbed, lab = playback(SCENARIO, time_scale=TIME_SCALE)
    config = recorded_text(SCENARIO, "baseline", "spoke1", "show running-config")
    leftover = "ip sla 9901\n icmp-echo 10.0.2.1 source-interface Loopback1\n frequency 1\n"
    assert "ip sla 10\n" in config
    lab.world.overrides[("spoke1", "show running-config")] = config.replace("ip sla 10\n", leftover + "ip sla 10\n", 1)
    run_testscript(testbed, lab, tmp_path)
    first = testbed.devices["spoke1"].configured[0]
    assert first == ["no ip sla 9901"]
