"""`flexlab lab ...` lifecycle of the embedded lab, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pyats.topology import loader

pytestmark = pytest.mark.slow  # starts embedded labs through the flexlab CLI in subprocesses (docs/mutation.md)

BIN = Path(sys.executable).parent


@pytest.fixture
def flexlab(tmp_path):
    env = {**os.environ, "FLEXLAB_STATE_DIR": str(tmp_path / "state")}
    started: list[str] = []

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        if args[:2] == ("lab", "up"):
            started.append(args[args.index("--name") + 1])
        return subprocess.run([str(BIN / "flexlab"), *args], env=env, capture_output=True, text=True, timeout=120)

    yield run
    for name in started:
        run("lab", "down", "--name", name)


def test_two_labs_run_side_by_side_and_stop_cleanly(flexlab, tmp_path):
    for name, spokes in (("a", "2"), ("b", "3")):
        up = flexlab("lab", "up", "--embedded", "--name", name, "--spokes", spokes, "--time-scale", "50",
                     "--testbed-out", str(tmp_path / f"{name}.yaml"))
        assert up.returncode == 0, up.stderr
    a = json.loads(flexlab("lab", "status", "--name", "a", "--json").stdout)
    b = json.loads(flexlab("lab", "status", "--name", "b", "--json").stdout)
    ports_a = {n["port"] for n in a["nodes"].values()}
    ports_b = {n["port"] for n in b["nodes"].values()}
    assert len(ports_a) == 5 and len(ports_b) == 6 and not ports_a & ports_b
    testbed = loader.load(str(tmp_path / "b.yaml"))
    assert sorted(testbed.devices) == ["hub1", "hub2", "isp", "spoke1", "spoke2", "spoke3"]
    assert {str(d.connections["cli"]["ip"]) for d in testbed.devices.values()} == {"127.0.0.1"}
    assert yaml.safe_load((tmp_path / "b.yaml").read_text())["testbed"]["custom"]["flexlab"]["lab"] == "embedded"
    assert flexlab("lab", "down", "--name", "a").returncode == 0
    assert flexlab("lab", "status", "--name", "a").returncode == 1
    assert flexlab("lab", "status", "--name", "b").returncode == 0
    leftovers = list((tmp_path / "state" / "a").glob("*.json")) + list((tmp_path / "state" / "a").glob("*.sock"))
    assert leftovers == []


def test_fail_restore_and_truth_through_the_cli(flexlab):
    assert flexlab("lab", "up", "--embedded", "--name", "f", "--time-scale", "50").returncode == 0
    failed = flexlab("lab", "fail", "hub1", "--name", "f", "--mode", "freeze")
    assert failed.returncode == 0 and "hub1 failed (freeze)" in failed.stdout
    status = json.loads(flexlab("lab", "status", "--name", "f", "--json").stdout)
    assert status["nodes"]["hub1"]["state"] == "frozen" and status["nodes"]["hub2"]["state"] == "running"
    again = flexlab("lab", "fail", "hub1", "--name", "f", "--mode", "freeze")
    assert again.returncode == 2 and again.stderr.startswith("flexlab: error:") and "Traceback" not in again.stderr
    assert flexlab("lab", "restore", "hub1", "--name", "f").returncode == 0
    truth = json.loads(flexlab("lab", "truth", "--name", "f", "--json").stdout)
    kinds = [(e["node"], e["kind"]) for e in truth]
    assert ("hub1", "node-failed") in kinds and ("hub1", "node-restored") in kinds
    assert ("spoke1", "flexvpn-up") in kinds and ("spoke2", "bgp-established") in kinds


def test_errors_name_the_cause(flexlab, tmp_path):
    not_up = flexlab("lab", "fail", "hub1", "--name", "nothere")
    assert not_up.returncode == 2 and "is not up" in not_up.stderr
    bad_image = flexlab("lab", "up", "--embedded", "--name", "img", "--image", "ios-99")
    assert bad_image.returncode == 2 and "ios-99" in bad_image.stderr and "Traceback" not in bad_image.stderr
    missing = flexlab("lab", "up", "--embedded", "--name", "cfg", "--config-dir", str(tmp_path))
    assert missing.returncode == 2 and "no isp.cfg for node isp" in missing.stderr, missing.stderr
    assert flexlab("lab", "up", "--embedded", "--name", "g", "--time-scale", "50").returncode == 0
    unknown = flexlab("lab", "fail", "hub9", "--name", "g")
    assert unknown.returncode == 2 and "hub9" in unknown.stderr


def test_image_params_and_seed_reach_the_lab_and_bad_ones_stop_it(flexlab, tmp_path):
    bad_value = flexlab("lab", "up", "--embedded", "--name", "p", "--image-param", "dpd_backoff=linear")
    assert bad_value.returncode == 2 and "Traceback" not in bad_value.stderr
    assert bad_value.stderr.strip().splitlines() == [
        "flexlab: error: embedded lab 'p' failed to start: "
        "--image-param dpd_backoff=linear: must be one of fixed, exponential"]
    unknown = flexlab("lab", "up", "--embedded", "--name", "p", "--image-param", "dpd_tries=3")
    assert unknown.returncode == 2 and "dpd_tries: unknown key" in unknown.stderr
    shape = flexlab("lab", "up", "--embedded", "--name", "p", "--image-param", "dpd_retransmits")
    assert shape.returncode == 2 and "is not KEY=VALUE" in shape.stderr
    assert flexlab("lab", "status", "--name", "p").returncode == 1
    up = flexlab("lab", "up", "--embedded", "--name", "p", "--time-scale", "50", "--seed", "7",
                 "--image-param", "dpd_retransmits=3", "--image-param", "dpd_backoff=exponential")
    assert up.returncode == 0, up.stderr
    status = json.loads(flexlab("lab", "status", "--name", "p", "--json").stdout)
    assert status["seed"] == 7 and status["image_params"] == {"dpd_retransmits": "3", "dpd_backoff": "exponential"}
    assert (status["dpd_model"]["retransmits"], status["dpd_model"]["backoff"]) == (3, "exponential")
    state = json.loads((tmp_path / "state" / "p" / "lab.json").read_text())
    assert state["seed"] == 7 and state["dpd_model"]["backoff"] == "exponential"
    text = flexlab("lab", "status", "--name", "p").stdout
    assert "dpd_retransmits=3, dpd_backoff=exponential" in text and "seed 7" in text
