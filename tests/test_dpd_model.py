"""flexlab.dpd_model: declared DPD models from names, key=value lists, files and mappings."""

from __future__ import annotations

from pathlib import Path

import pytest

from flexlab.dpd_model import (
    ASSUMED,
    DEFAULT_MODEL,
    DpdModelError,
    load_model_file,
    model_file_text,
    parse_model,
)


def test_default_model_is_todays_assumption() -> None:
    model = parse_model(None)
    assert (model.retransmits, model.backoff, model.measured) == (5, "fixed", False)
    assert model.source == ASSUMED
    assert parse_model("ios-fixed-5") == model
    assert model.waits_s(5) == [5.0] * 6


def test_key_values_override_the_default() -> None:
    model = parse_model("retransmits=3,backoff=exponential,factor=2")
    assert (model.retransmits, model.backoff, model.factor, model.name) == (3, "exponential", 2.0, "declared")
    assert model.waits_s(5) == [5, 10, 20, 40]


def test_exponential_without_a_factor_doubles_and_the_cap_limits_each_wait() -> None:
    model = parse_model("backoff=exponential,cap=30")
    assert model.waits_s(5) == [5, 10, 20, 30, 30, 30]


def test_spec_round_trips() -> None:
    model = parse_model("name=x,retransmits=4,backoff=exponential,factor=1.8,cap=60,periodic=always,measured=yes")
    assert parse_model(model.spec()) == model


@pytest.mark.parametrize(("spec", "fragment"), [
    ("retransmits=two", "retransmits='two' is not a number"),
    ("retransmits=2.5", "whole number"),
    ("backoff=linear", "backoff='linear' must be one of fixed, exponential"),
    ("periodic=sometimes", "periodic='sometimes' must be one of always, idle"),
    ("backoff=exponential,factor=0.5", "must be > 1"),
    ("factor=2", "applies to backoff=exponential only"),
    ("colour=blue", "unknown key(s) colour"),
    ("retransmits", "unknown DPD model"),
    ("retransmits=3,oops", "'oops' is not key=value"),
    ("nope.yaml", "model file nope.yaml not found"),
])
def test_bad_specs_name_the_field_and_cause(spec: str, fragment: str) -> None:
    with pytest.raises(DpdModelError) as caught:
        parse_model(spec)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_model_file_round_trip(tmp_path: Path) -> None:
    model = parse_model("name=calibrated,retransmits=3,backoff=exponential,factor=2,measured=true,periodic=always")
    path = tmp_path / "model.yaml"
    path.write_text(model_file_text(model, "written by a test"))
    assert load_model_file(path) == model
    assert parse_model(str(path)) == model
    assert parse_model("model.yaml", base_dir=tmp_path) == model


def test_measured_model_without_source_is_not_called_assumed() -> None:
    assert parse_model({"retransmits": 2, "measured": True}).source != ASSUMED
    assert DEFAULT_MODEL.measured is False
