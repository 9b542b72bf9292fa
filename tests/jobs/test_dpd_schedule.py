"""The DPD schedule on the wire (issue 10), end to end on the embedded lab at time scale 50.

The lab plays a schedule no other test uses (3 retransmissions, exponential from R doubling,
the "always" periodic reading, periodic DPD on spoke1). Expected values come from the lab's
ground truth (its dpd-r-u-there events) and from hand-derived bounds, not from the harness.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from itertools import pairwise
from pathlib import Path

import pytest
import yaml
from jobkit import load_report, render_configs

LAB_PARAMS = ("--image-param", "dpd_retransmits=3", "--image-param", "dpd_backoff=exponential",
              "--image-param", "dpd_backoff_factor=2", "--image-param", "dpd_periodic=always")
#: dpd 30 5 periodic, waits 5, 10, 20, 40 (exponential, factor 2), set-up allowance 5 s
PERIODIC_EXPONENTIAL_BOUND = 30 + (5 + 10 + 20 + 40) + 5


def _truth_schedule(truth: list[dict], hub: str) -> tuple[float, list[float], float]:
    """(probe after the failure, spacings, failover) of spoke1 for the last failure of ``hub``."""
    t0 = [e for e in truth if e["node"] == hub and e["kind"] == "interface-admin-down"][-1]["time"]
    sent = [e["time"] for e in truth if e["node"] == "spoke1" and e["kind"] == "dpd-r-u-there" and e["time"] > t0]
    dead = next(e["time"] for e in truth if e["node"] == "spoke1" and e["kind"] == "dpd-peer-dead" and e["time"] > t0)
    sent = [t for t in sent if t < dead]
    up = next(e["time"] for e in truth if e["node"] == "spoke1" and e["kind"] == "flexvpn-up" and e["time"] > t0
              and e["peer_node"] != hub)
    return sent[0] - t0, [b - a for a, b in pairwise(sent)], up - t0


def _tshark_probes(pcap: Path, failed_peer: str) -> list[tuple[str, str, str, float]]:
    """(exchange type, flags, message ID, epoch) of the INFORMATIONAL messages to the failed
    peer, as Wireshark's dissector reads them: an independent decoder of the same pcap."""
    fields = ("isakmp.exchangetype", "isakmp.flags", "isakmp.messageid", "frame.time_epoch")
    result = subprocess.run(["tshark", "-r", str(pcap), "-Y", f"isakmp && ip.dst == {failed_peer}", "-T", "fields",
                             *[arg for field in fields for arg in ("-e", field)]],
                            capture_output=True, text=True, timeout=120, check=True)
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    return [(r[0], r[1], r[2], float(r[3])) for r in rows if r[0] == "37"]


def _check_against_tshark(record: dict) -> None:
    if shutil.which("tshark") is None:
        warnings.warn("tshark is not installed: the tshark cross-check of the schedule did not run "
                      "(`make test` installs it when run as root)", stacklevel=2)
        return
    probes = [p for p in _tshark_probes(Path(record["capture"]), record["from_peer"])
              if int(p[2], 16) == record["schedule"]["message_id"]]
    assert {(p[0], p[1]) for p in probes} == {("37", "0x08")}      # INFORMATIONAL request, I flag
    assert len(probes) == record["schedule"]["retransmissions"] + 1
    spacings = [round(b[3] - a[3], 3) for a, b in pairwise(probes)]
    assert spacings == pytest.approx(record["schedule"]["spacings_s"], abs=0.002)


def _spoke1(report: dict) -> dict:
    return next(s for run in report["runs"] for s in run["spokes"] if s["spoke"] == "spoke1")


@pytest.fixture
def periodic_configs(job_env, tmp_path: Path) -> Path:
    configs = render_configs(job_env, tmp_path / "cfg")
    spoke1 = configs / "spoke1.cfg"
    spoke1.write_text(spoke1.read_text().replace("crypto ikev2 dpd 30 5 on-demand", "crypto ikev2 dpd 30 5 periodic"))
    return configs


def test_wrong_model_fails_the_schedule_check_and_calibrate_round_trips(job_env, tmp_path, periodic_configs):
    testbed = job_env.lab_up("sched", "--config-dir", str(periodic_configs), *LAB_PARAMS)
    args = ("--hubs", "hub1", "--config-dir", str(periodic_configs))

    # 1. the default (assumed) model: the schedule check fails, the measurement stays right
    wrong = tmp_path / "wrong"
    result = job_env.run_job(testbed, wrong, *args)
    report = load_report(wrong)
    assert result.returncode != 0 and report["passed"] is False
    record = _spoke1(report)
    probe, spacings, failover = _truth_schedule(job_env.truth("sched"), "hub1")
    print(f"truth: probe +{probe:.3f} s, spacings {spacings}, failover {failover:.3f} s; "
          f"report: {record['schedule']['text']}")
    assert spacings == pytest.approx([5, 10, 20])
    assert abs(record["failover_s"] - failover) <= 0.1
    assert record["schedule"]["probe_s"] == pytest.approx(probe, abs=0.05)
    assert record["schedule"]["spacings_s"] == pytest.approx(spacings, abs=0.01)
    assert record["schedule_result"] == "failed"
    _check_against_tshark(record)
    assert "3 retransmissions, declared 5" in record["schedule_note"]
    assert "Declared: probe within +30 s, retransmitted at +5, +5, +5, +5, +5 s" in record["schedule_note"]
    testcases = report["runs"][0]["testcases"]
    assert testcases["DpdSchedule"] == "failed"
    assert report["dpd_schedule"]["declared_from"] == "assumed, not measured on this image"

    # 2. calibrate on the same lab writes the schedule the lab plays
    model_path = tmp_path / "model.yaml"
    job_env.flexlab("calibrate", "--testbed-file", str(testbed), "-o", str(model_path),
                    "--config-dir", str(periodic_configs))
    model = yaml.safe_load(model_path.read_text())["dpd_model"]
    assert (model["retransmits"], model["backoff"], model["factor"], model["periodic"], model["measured"]) == \
        (3, "exponential", 2.0, "always", True)

    # 3. the calibrated model declared back: schedule check and failover pass, bound follows the model
    right = tmp_path / "right"
    result = job_env.run_job(testbed, right, *args, "--dpd-model", str(model_path))
    report = load_report(right)
    assert result.returncode == 0, result.stdout[-3000:]
    record = _spoke1(report)
    assert report["passed"] is True and record["schedule_result"] == "passed"
    assert record["bound"]["value_s"] == PERIODIC_EXPONENTIAL_BOUND
    assert record["failover_s"] <= PERIODIC_EXPONENTIAL_BOUND
    assert report["dpd_schedule"]["declared_from"].startswith("measured: flexlab calibrate")
    assert "(matches the declared model)" in (right / "failover_report.md").read_text()
