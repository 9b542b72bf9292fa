"""The testbed of a `lab up -t` lab names its topology (a job that finds the lab down starts
the same one); the design's lab, whose topology the lab wrote into its state dir, does not."""

from __future__ import annotations

from dataclasses import replace

from flexlab.labs.embedded_testbed import default_lab_info, embedded_testbed


def test_a_user_topology_is_in_the_testbed_and_the_generated_one_is_not(tmp_path, monkeypatch):
    monkeypatch.setenv("FLEXLAB_STATE_DIR", str(tmp_path / "state"))
    user = tmp_path / "mine" / "lab.clab.yml"
    generated = tmp_path / "state" / "default" / "topology.clab.yml"
    info = default_lab_info()
    with_user = embedded_testbed(replace(info, topology=str(user)), ("admin", "admin"))
    with_generated = embedded_testbed(replace(info, topology=str(generated)), ("admin", "admin"))
    assert with_user["testbed"]["custom"]["flexlab"]["topology"] == str(user)
    assert "topology" not in with_generated["testbed"]["custom"]["flexlab"]
