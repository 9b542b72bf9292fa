"""steps.cleanup.cleanup, the step that always runs: what it restores, what it leaves to the next
run, and what it reports, on the embedded lab's recorded outputs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from verdictkit import context, playback

from flexlab.harness.steps.cleanup import cleanup

GONE = "embedded lab 'iol-17.12' is gone (its process exited)"
NO_SHUTDOWN = ["interface Ethernet0/1", "no shutdown"]


def test_a_lab_that_is_gone_is_reported_once_and_nothing_is_restored(tmp_path: Path) -> None:
    steps = context("iol-17.12")
    testbed = steps.testbed
    steps.fail()
    steps.lab.gone = lambda: GONE  # type: ignore[method-assign]
    assert steps.cleanup(tmp_path) == [GONE]
    assert NO_SHUTDOWN not in testbed.devices["hub1"].configured
    assert steps.resources.ledger.pending() == {"hub1": "interface-shutdown"}
    assert json.loads((tmp_path / "runs" / "hub1-1.json").read_text())["run"]["hub"] == "hub1"
    assert not any(device.is_connected() for device in testbed.devices.values())


def test_without_setup_cleanup_only_disconnects(tmp_path: Path) -> None:
    testbed, lab = playback("iol-17.12")
    for device in testbed.devices.values():
        device.connect()
    assert cleanup(testbed, lab, tmp_path, "hub1-1") == []
    assert not (tmp_path / "runs").exists()
    assert not any(device.is_connected() for device in testbed.devices.values())


def test_a_ledger_entry_for_a_hub_this_lab_does_not_have_is_dropped(tmp_path: Path) -> None:
    steps = context("iol-17.12")
    steps.resources.ledger.add("hub9", "interface-shutdown")
    assert steps.cleanup(tmp_path) == []
    assert steps.resources.ledger.pending() == {} and steps.lab.world.events == []


def test_every_hub_restored_by_someone_else_meanwhile_is_cleared_not_restored(tmp_path: Path) -> None:
    steps = context("iol-17.12")
    steps.resources.ledger.add("hub1", "freeze")
    steps.resources.ledger.add("hub2", "blackhole")
    assert steps.lab.failed == {}
    assert steps.cleanup(tmp_path) == []
    assert steps.resources.ledger.pending() == {} and steps.lab.world.events == []


def test_a_device_that_fails_to_disconnect_is_logged_and_the_others_still_disconnect(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    testbed, lab = playback("iol-17.12")
    for device in testbed.devices.values():
        device.connect()

    def broken() -> None:
        raise OSError("socket closed")
    testbed.devices["spoke1"].disconnect = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, logger="flexlab.harness.steps.cleanup"):
        assert cleanup(testbed, lab, tmp_path, "hub1-1") == []
    assert [r.getMessage() for r in caplog.records if r.name == "flexlab.harness.steps.cleanup"] == [
        "disconnecting spoke1: socket closed"]
    assert [name for name, device in testbed.devices.items() if device.is_connected()] == ["spoke1"]
