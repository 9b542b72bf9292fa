"""The data-plane outage in the certification outputs: per row, next to failover and BGP.

The row's stand-in job runs the real testscript on the recording iol-17.12-outage (spoke1
probes hub2's LAN and spoke2's LAN every 1 s while hub1 is failed); the figures expected
here are read from the raw recorded `show ip sla statistics` texts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import certify_testkit
import pytest
from certify_testkit import RECORDED, StandInCertify, assert_outputs_agree

from flexlab.certify.outputs import write_outputs

SCENARIO = "iol-17.12-outage"


def _lost_per_probe() -> list[int]:
    phases = json.loads((RECORDED / f"failover-{SCENARIO}.json").read_text())["hub1"]
    counts = [[int(n) for n in re.findall(r"IPSLA operation id: 99\d\d\n(?:.*\n)*?Number of failures: (\d+)",
                                          phases[phase]["spoke1"]["show ip sla statistics"])]
              for phase in ("baseline", "failed")]
    return [after - before for before, after in zip(*counts, strict=True)]


def test_certify_reports_the_outage_per_row(stand_in_certify: StandInCertify, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    lost = _lost_per_probe()
    assert lost == [66, 67]
    # ios-15.2m was never recorded: its stand-in job plays the default recording, here the outage one
    monkeypatch.setattr(certify_testkit, "DEFAULT_BEHAVIOUR", SCENARIO)
    run = stand_in_certify(rows=("ios-15.2m",))
    paths = write_outputs(run, tmp_path / "report")
    summary = assert_outputs_agree(tmp_path / "report")
    (row,) = summary["rows"]
    assert row["verdict"] == "PASS"
    assert row["testcases"]["DataPlane (interface-shutdown, hub1, iteration 1)"] == "passed"
    # one moved spoke: its longest loss window over the two targets, 1 s per lost probe
    assert row["outage_s"]["count"] == 1 and row["outage_s"]["max"] == float(max(lost))
    assert [m["outage_s"] for m in row["measurements"]] == [float(max(lost))]
    markdown = paths.report_md.read_text()
    assert f"- Data-plane outage s (n=1): min {max(lost):.3f}" in markdown
    assert "data-plane outage max s" in markdown and "data-plane outage s" in paths.report_html.read_text()
