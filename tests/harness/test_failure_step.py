"""HubFailure (flexlab.harness.steps.failure.fail_hub), as a table: how the failure instant
is taken and stated, on recorded outputs. With a CLI shutdown the instant is hub1's own
recorded `%LINK-5-CHANGED ... administratively down` line (12:03:19.081 as recorded; the
playback moves logs by the device time the test took, so the stamp is matched by shape and
compared with the line it came from). Whether the failure happened at all (its check, and
each way it can fail) is the HubFailure table in steptables.py."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from verdictkit import TIME_SCALE, playback, recorded_text, staged

from flexlab.harness.steps.failure import CLOCK_OFFSET_HARNESS, CLOCK_OFFSET_LOG
from flexlab.harness.steps.learn import CLOCK_NTP

HUB1_SHUT = (r"hub1's own log: Mar  1 (12:0\d:\d\d\.\d{3}): %LINK-5-CHANGED: Interface Ethernet0/1, changed state to "
             r"administratively down\Z")
UNSYNCED_SPOKE1 = {("spoke1", "show clock"): "*" + recorded_text("iol-17.12", "baseline", "spoke1",
                                                                 "show clock").lstrip("\n")}


@pytest.mark.parametrize(("case", "mode", "before", "expected"), [
    ("CLI shutdown, NTP-synced clocks: the hub's log line", "interface-shutdown", {},
     ("log", HUB1_SHUT, CLOCK_NTP)),
    ("CLI shutdown, spoke1's clock unsynchronised: offset-corrected", "interface-shutdown", UNSYNCED_SPOKE1,
     ("log", HUB1_SHUT, CLOCK_OFFSET_LOG.format(hub="hub1"))),
    ("lab-made freeze: the harness clock at the lab's call", "freeze", {},
     ("harness", r"harness clock when the lab failed hub1 \(round trip \d+\.\d{3} s\)\Z", CLOCK_OFFSET_HARNESS)),
])
def test_fail_hub(case: str, mode: str, before: dict[tuple[str, str], str], expected: tuple[str, str, str]) -> None:
    testbed, lab = playback("iol-17.12", time_scale=TIME_SCALE)
    lab.world.overrides.update(before)
    steps = staged(testbed, lab, failure_mode=mode)
    assert steps.wait_baseline().ok
    failure = steps.fail()
    taken_from, source, clock_method = expected
    assert (failure.hub, failure.mode, failure.clock_method) == ("hub1", mode, clock_method), case
    found = re.match(source, failure.source)
    assert found, (case, failure.source)
    if taken_from == "harness":
        assert failure.event is None and failure.harness_instant is not None
        assert failure.failed_at == failure.harness_instant.isoformat()
        assert lab.failed == {"hub1": mode}
    else:
        assert failure.event is not None and failure.harness_instant is None
        failed_at = dt.datetime.fromisoformat(failure.failed_at)   # isoformat drops a whole second's ".000000"
        assert (failed_at.date(), failed_at.time().isoformat("milliseconds")) == (dt.date(2026, 3, 1), found[1])
        assert testbed.devices["hub1"].configured == [["interface Ethernet0/1", "shutdown"]]
