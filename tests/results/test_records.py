"""flexlab.results.records: the nested records keep the JSON shape their producers wrote before
they were typed (keys listed here by hand), and a malformed entry is refused on load with one
line naming the file and the field."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from flexlab.dpd_model import DpdModel, parse_model
from flexlab.harness.schedule import ObservedSchedule
from flexlab.results.certify import CertifyRun, MergedShards, ShardPart, SpokeMeasurement
from flexlab.results.job import JobReportDocument, RunRecord, SpokeFailover
from flexlab.results.records import DpdModelRecord, LabDescription, TargetOutage
from flexlab.results.versioning import ResultFileError, load_document

#: The keys ObservedSchedule.to_dict() wrote before the record was typed (asdict + three derived).
OBSERVED_KEYS = {"spoke", "failed_peer", "probe_s", "message_id", "spacings_s", "next_peer", "next_peer_s",
                 "quiet_before_probe_s", "probes_before_failure_s", "quiet_before_early_probes_s", "window_s",
                 "problem", "retransmissions", "final_wait_s", "text"}
OUTAGE_KEYS = {"target", "address", "operation", "frequency_s", "flowing_again", "method", "probes_lost",
               "probes_sent", "outage_s"}
MODEL_KEYS = {"name", "retransmits", "backoff", "factor", "cap_s", "periodic", "measured", "source"}


def _outage(**changes: Any) -> dict[str, Any]:
    return {"target": "hub LAN of hub2", "address": "10.2.0.1", "operation": 9001, "frequency_s": 1,
            "flowing_again": True, "method": "IP SLA", "probes_lost": 7, "probes_sent": 60, "outage_s": 7.0,
            "window_start": "2026-11-30T01:00:00", "window_end": "2026-11-30T01:00:07", **changes}


def _report(spoke: dict[str, Any]) -> dict[str, Any]:
    record = {"hub": "hub1", "spoke": "spoke1", "from_peer": "192.0.2.1", **spoke}
    return {"schema_version": "1.0", "lab": {"type": "embedded", "name": "ci"}, "images": {},
            "clock_method": "device clock", "passed": False,
            "runs": [{"hub": "hub1", "failure_mode": "node-stop", "spokes": [record]}]}


def _refusal(tmp_path: Path, document: dict[str, Any]) -> str:
    path = tmp_path / "failover_report.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ResultFileError) as refused:
        load_document(path, JobReportDocument)
    message = str(refused.value)
    assert "\n" not in message and message.startswith(f"{path}: field ")
    return message


def test_an_outage_window_given_as_text_is_refused_naming_the_field(tmp_path: Path) -> None:
    message = _refusal(tmp_path, _report({"outage": [_outage(outage_s="seven seconds")]}))
    assert "field runs.0.spokes.0.outage.0.outage_s: " in message


def test_an_outage_entry_or_model_missing_a_field_the_job_always_writes_is_refused(tmp_path: Path) -> None:
    entry = {k: v for k, v in _outage().items() if k != "method"}
    assert "field runs.0.spokes.0.outage.0.method: Field required" in _refusal(tmp_path, _report({"outage": [entry]}))
    model = {k: v for k, v in parse_model(None).to_dict().items() if k != "source"}
    declared = _refusal(tmp_path, _report({"declared_schedule": {"model": model, "mode": "on-demand"}}))
    assert "field runs.0.spokes.0.declared_schedule.model.source: Field required" in declared


def test_a_malformed_schedule_and_model_are_refused_naming_the_field(tmp_path: Path) -> None:
    spacings = _refusal(tmp_path, _report({"schedule": {"spacings_s": [5.0, "late"], "text": "x"}}))
    assert "field runs.0.spokes.0.schedule.spacings_s.1: " in spacings
    window = _refusal(tmp_path, _report({"schedule": {"window_s": [-2.0], "text": "x"}}))
    assert "field runs.0.spokes.0.schedule.window_s" in window
    model = {**parse_model(None).to_dict(), "retransmits": "many"}
    declared = _refusal(tmp_path, _report({"declared_schedule": {"model": model, "mode": "on-demand"}}))
    assert "field runs.0.spokes.0.declared_schedule.model.retransmits: " in declared


def test_the_observed_schedule_keeps_its_keys() -> None:
    observed = ObservedSchedule("spoke1", "192.0.2.1", probe_s=21.0, spacings_s=[5.0, 5.0], next_peer="192.0.2.2",
                                next_peer_s=15.0, window_s=(-2.0, 150.0))
    written = observed.to_record().model_dump(mode="json")
    assert set(written) == OBSERVED_KEYS
    assert (written["retransmissions"], written["final_wait_s"], written["window_s"]) == (2, 5.0, [-2.0, 150.0])


def test_an_unread_outage_has_no_window_keys_and_a_read_one_has_them() -> None:
    unread = TargetOutage.model_validate({k: v for k, v in _outage(probes_lost=None, probes_sent=None,
                                                                     outage_s=None).items()
                                          if not k.startswith("window_")})
    assert set(unread.model_dump(mode="json")) == OUTAGE_KEYS
    assert set(TargetOutage.model_validate(_outage()).model_dump(mode="json")) == OUTAGE_KEYS | {
        "window_start", "window_end"}


def test_the_model_record_has_the_dataclass_fields_and_an_empty_one_reads_as_none() -> None:
    model = DpdModel(name="cal", backoff="exponential", factor=2.0, cap_s=30.0, measured=True, source="capture")
    assert {f.name for f in fields(DpdModel)} == MODEL_KEYS == set(DpdModelRecord.model_fields)
    assert model.to_record().model_dump(mode="json") == model.to_dict()
    record = RunRecord.model_validate({"run": {"hub": "hub1", "failure_mode": "node-stop"}, "lab": {"type": "x"},
                                       "dpd_model": {}})
    assert record.dpd_model is None


def test_a_backend_s_own_lab_facts_stay_and_the_common_ones_are_typed() -> None:
    described = {"type": "embedded", "name": "ci", "instance": "i1", "image": "iol-17.12", "time_scale": 0.1,
                 "image_params": {"dpd_retransmits": 9}, "seed": 1}
    lab = LabDescription.model_validate(described)
    assert lab.model_dump(mode="json") == described
    with pytest.raises(ValueError, match="time_scale"):
        LabDescription.model_validate({**described, "time_scale": "fast"})


MEASUREMENT_KEYS = {"failure_mode", "hub", "iteration", "spoke", "failover_s", "dpd_bound_s", "bgp_converged_s",
                    "passed", "reason", "outage_s"}


def test_a_measurement_shares_the_record_s_figures_and_keeps_summary_keys() -> None:
    record = SpokeFailover(hub="hub1", spoke="spoke2", from_peer="192.0.2.1", failover_s=41.5, bgp_converged_s=44.0,
                           passed=False, reason="late", dpd_bound_s=40.0,
                           outage=[_outage(outage_s=3.0), _outage(outage_s=46.0)])
    written = SpokeMeasurement.of(record, "node-stop", 2).model_dump(mode="json")
    assert set(written) == MEASUREMENT_KEYS
    assert written == {"failure_mode": "node-stop", "hub": "hub1", "iteration": 2, "spoke": "spoke2",
                       "failover_s": 41.5, "dpd_bound_s": 40.0, "bgp_converged_s": 44.0, "passed": False,
                       "reason": "late", "outage_s": 46.0}


def test_a_shard_and_a_merge_read_back_as_their_models() -> None:
    part = {"shard": "2/3", "index": 2, "total": 3, "rows": ["r2"], "balanced_by": {"r2": "history: 12.0 s"}}
    merged = {"merged_from": [{"dir": "/out/2", "shard": part, "rows": ["r2"]}], "missing_rows": ["r1"]}
    base = {"matrix": {"name": "m", "path": "m.yaml"}, "out_dir": "/out", "started_at": "2026-11-30T00:00:00"}
    assert isinstance(CertifyRun.model_validate({**base, "shard": part}).shard, ShardPart)
    run = CertifyRun.model_validate({**base, "shard": merged})
    assert isinstance(run.shard, MergedShards) and run.to_dict()["shard"] == merged
    with pytest.raises(ValueError, match="shard"):
        CertifyRun.model_validate({**base, "shard": {**part, "index": "second"}})
