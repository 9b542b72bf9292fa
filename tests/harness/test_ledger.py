"""The failure ledger belongs to one lab instance, heals itself and is private."""

from __future__ import annotations

import json
import os
import stat
import subprocess

from flexlab.harness.ledger import FailureLedger


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_entries_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0)   # what unicon leaves behind while its threads connect
    try:
        ledger = FailureLedger.for_lab("lab-a", os.getpid(), root=tmp_path)
        ledger.add("hub1", "node-stop")
    finally:
        os.umask(old)
    assert _mode(ledger.path) == 0o600
    assert _mode(ledger.path.parent) == 0o700
    assert ledger.pending() == {"hub1": "node-stop"}


def test_a_restarted_lab_does_not_inherit_the_old_instance_entries(tmp_path):
    FailureLedger.for_lab("lab-1234-aaaa", os.getpid(), root=tmp_path).add("hub1", "freeze")
    restarted = FailureLedger.for_lab("lab-5678-bbbb", os.getpid(), root=tmp_path)
    assert restarted.pending() == {}


def test_ledgers_of_dead_lab_processes_are_removed(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    old = FailureLedger.for_lab("lab-dead", dead.pid, root=tmp_path)
    old.add("hub1", "blackhole")
    assert old.path.exists()
    FailureLedger.for_lab("lab-new", os.getpid(), root=tmp_path)
    assert not old.path.exists()


def test_hubs_the_testbed_lacks_are_dropped_not_raised(tmp_path):
    ledger = FailureLedger.for_lab("lab-a", os.getpid(), root=tmp_path)
    ledger.add("hub9", "node-stop")
    ledger.add("hub1", "interface-shutdown")
    assert ledger.pending(known=["hub1", "hub2"]) == {"hub1": "interface-shutdown"}
    assert json.loads(ledger.path.read_text())["hubs"] == {"hub1": "interface-shutdown"}


def test_a_garbled_ledger_is_read_as_empty(tmp_path):
    ledger = FailureLedger.for_lab("lab-a", os.getpid(), root=tmp_path)
    ledger.path.parent.mkdir(parents=True, exist_ok=True)
    ledger.path.write_text('["hub1"]')
    assert ledger.pending(known=["hub1"]) == {}
    ledger.remove("hub1")
    assert not ledger.path.exists()
