"""The harness must fail, naming the cause, when the design under test is broken."""

from __future__ import annotations

from jobkit import edit_config, load_report, problems_of, render_configs


def test_spoke_without_dpd_fails_over_too_slowly_or_never(job_env, tmp_path):
    configs = render_configs(job_env, tmp_path / "cfg")
    edit_config(configs / "spoke1.cfg", r"^crypto ikev2 dpd .*\n", "")
    report_dir = tmp_path / "report"
    result = job_env.run_job(job_env.lab_up("nodpd", "--config-dir", str(configs)), report_dir,
                             "--hubs", "hub1", "--skip-config")
    report = load_report(report_dir)
    assert result.returncode != 0 and report["passed"] is False
    assert report["runs"][0]["testcases"]["Failover"] == "failed"
    (reason,) = problems_of(report, "Failover")
    assert "spoke1 did not reach another hub" in reason and "DPD is off" in reason


def test_hubs_without_summary_only_leak_specifics_to_spokes(job_env, tmp_path):
    """The lab runs the reference configs; the job must make the hubs run the files exactly,
    as on a real lab: the `summary-only` they run but the files lack is removed."""
    configs = render_configs(job_env, tmp_path / "cfg")
    for hub in ("hub1", "hub2"):
        edit_config(configs / f"{hub}.cfg", r" summary-only$", "")
    report_dir = tmp_path / "report"
    result = job_env.run_job(job_env.lab_up("leak"), report_dir, "--hubs", "hub1", "--config-dir", str(configs))
    report = load_report(report_dir)
    assert result.returncode != 0 and report["passed"] is False
    assert report["runs"][0]["testcases"]["Baseline"] == "failed"
    leaks = [p for p in problems_of(report, "Baseline") if "receives specific BGP routes" in p]
    assert {p.split(":")[0] for p in leaks} == {"spoke1", "spoke2"}
    assert any("10.1.2.0/24" in p for p in leaks if p.startswith("spoke1"))


def test_hub_refusing_a_config_line_fails_the_setup(job_env, tmp_path):
    configs = render_configs(job_env, tmp_path / "cfg")
    # an operator's typo: DPD interval below the IOS minimum of 10 s
    edit_config(configs / "hub1.cfg", r"^crypto ikev2 dpd .*$", "crypto ikev2 dpd 5 5 on-demand")
    testbed = job_env.lab_up("refused", "--config-dir", str(configs))
    report_dir = tmp_path / "report"
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub1", "--config-dir", str(configs))
    report = load_report(report_dir)
    assert result.returncode != 0 and report["passed"] is False
    problems = problems_of(report, "CommonSetup")
    assert any(p.startswith("hub1: refused at boot") and "crypto ikev2 dpd 5 5 on-demand" in p for p in problems)
    cli_refusals = [p for p in problems if p.startswith("hub1:") and "refused at boot" not in p]
    assert cli_refusals and "crypto ikev2 dpd 5 5 on-demand" in cli_refusals[0], problems
    assert any("% Invalid input detected at '^' marker." in p for p in problems), problems
    assert "Baseline" not in report["runs"][0]["testcases"]
