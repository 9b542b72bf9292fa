"""`flexlab lab up --embedded -t topologies/flexvpn-<kind>.clab.yml` and the job on the testbed it
writes, for the kinds with an image profile: the embedded lab boots what containerlab would."""

from __future__ import annotations

import shutil

import pytest
import yaml
from jobkit import ROOT, load_report, truth_failover

#: kind -> (the testbed's unicon platform, the image profile the topology's default image maps to,
#: whether the job brings the lab up itself from the testbed's `topology:`)
KINDS = {
    "cisco_iol": ("iol", "iol-17.12", False),
    "cisco_vios": ("iosv", "iosv-15.9", False),
    "cisco_csr1000v": ("csr1000v", "csr-17.3", True),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_committed_topology_boots_and_the_job_passes_on_it(job_env, tmp_path, kind):
    # the committed topology, beside the configs `flexlab render --kind K --lab` writes (../configs/lab/K)
    topology = tmp_path / "topologies" / f"flexvpn-{kind}.clab.yml"
    topology.parent.mkdir()
    shutil.copy(ROOT / "topologies" / topology.name, topology)
    job_env.flexlab("render", "--kind", kind, "--lab", "--out", str(tmp_path / "configs" / "lab" / kind),
                    "--secrets", "embedded")
    name = kind.removeprefix("cisco_")
    testbed = job_env.lab_up(name, "-t", str(topology))
    settings = yaml.safe_load(testbed.read_text())
    platform, image, job_starts_lab = KINDS[kind]
    assert settings["testbed"]["custom"]["flexlab"]["image"] == image
    assert settings["testbed"]["custom"]["flexlab"]["topology"] == str(topology)
    assert {d["platform"] for d in settings["devices"].values()} == {platform}
    assert {n: d["custom"]["role"] for n, d in settings["devices"].items()} == {
        "isp": "router", "hub1": "hub", "hub2": "hub", "spoke1": "spoke", "spoke2": "spoke"}

    if job_starts_lab:
        job_env.flexlab("lab", "down", "--name", name)
    report_dir = tmp_path / "report"
    result = job_env.run_job(testbed, report_dir, "--hubs", "hub1")
    report = load_report(report_dir)
    assert result.returncode == 0, result.stdout[-4000:]
    assert report["passed"] is True
    [record] = [s for run in report["runs"] for s in run["spokes"]]
    assert (record["hub"], record["spoke"]) == ("hub1", "spoke1")
    assert report["lab"]["image"] == image
    if job_starts_lab:   # the job started the topology's lab and took it down again
        assert job_env.flexlab("lab", "status", "--name", name, check=False).returncode == 1
        return
    expected = truth_failover(job_env.truth(name), "hub1", "spoke1")
    assert abs(record["failover_s"] - expected) <= 0.1, (record["failover_s"], expected)
