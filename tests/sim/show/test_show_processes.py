"""`show processes cpu [sorted]` parsed by Genie and ntc-templates to the lab's figures."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tool_lab import design_lab, genie, ntc, output

from flexlab.sim import show
from flexlab.sim.show.errors import UnknownShowCommand
from flexlab.sim.state_cpu import CpuLoad, CpuState, ProcessCpu

# hand-picked figures, including a name longer than IOS's 16-character column
HAND_MADE = CpuState(
    CpuLoad(five_sec=37.4, five_sec_interrupt=0.0, one_min=12.6, five_min=100.0),
    (
        ProcessCpu(88, "IP Input", 1234, 5678, 217, 0.25, 1.5, 3.0),
        ProcessCpu(236, "IP SLAs Event Processor", 98765432, 123456789, 800, 37.15, 11.1, 97.0),
        ProcessCpu(302, "BGP I/O", 0, 1, 4, 0.0, 0.0, 0.0),
    ),
)


def _hand_made(command: str) -> str:
    snap = replace(design_lab().node("hub1").snapshot(), cpu=HAND_MADE)
    return show.render(snap, command.split())


def test_genie_and_ntc_read_the_hand_made_figures() -> None:
    text = _hand_made("show processes cpu")
    parsed = genie("show processes cpu", text)
    assert (parsed["five_sec_cpu_total"], parsed["five_sec_cpu_interrupts"]) == (37, 0)
    assert (parsed["one_min_cpu"], parsed["five_min_cpu"]) == (13, 100)
    rows = {row["pid"]: row for row in parsed["sort"].values()}
    assert rows[236] == {"pid": 236, "runtime": 98765432, "invoked": 123456789, "usecs": 800, "five_sec_cpu": 37.15,
                         "one_min_cpu": 11.1, "five_min_cpu": 97.0, "tty": 0, "process": "IP SLAs Event Pr"}
    assert [row["pid"] for row in parsed["sort"].values()] == [88, 236, 302]
    assert parsed["zero_cpu_processes"] == ["BGP I/O"]
    table = ntc("show processes cpu", text)
    assert [row["process_pid"] for row in table] == ["88", "236", "302"]
    assert table[0]["process_runtime"] == "1234" and table[0]["process_invoked"] == "5678"
    assert table[0]["process_cpu_time_for_invocation"] == "217"
    assert (table[0]["process_cpu_usage_1_min"], table[0]["process_name"]) == ("1.50", "IP Input")
    shares = (table[0]["cpu_usage_5_sec"], table[0]["cpu_usage_1_min"], table[0]["cpu_usage_5_min"])
    assert shares == ("37", "13", "100")


def test_sorted_orders_by_the_named_column() -> None:
    by_5sec = genie("show processes cpu sorted", _hand_made("show processes cpu sorted"))
    assert [row["pid"] for row in by_5sec["sort"].values()] == [236, 88, 302]
    by_1min = genie("show processes cpu sorted 1min", _hand_made("show processes cpu sorted 1min"))
    assert [row["pid"] for row in by_1min["sort"].values()] == [236, 88, 302]
    with pytest.raises(UnknownShowCommand):
        _hand_made("show processes cpu sorted 10min")


def test_the_lab_hub_output_parses_to_its_own_process_counters() -> None:
    lab = design_lab()
    events_before = lab.scheduler.processed
    text = output("hub1", "show processes cpu")
    cpu = lab.node("hub1").snapshot().cpu
    assert cpu is not None and lab.scheduler.processed == events_before   # nothing ran in between
    expected = {row.pid: row for row in cpu.processes if row.name != "Virtual Exec"}   # the command itself
    parsed = {row["pid"]: row for row in genie("show processes cpu", text)["sort"].values()}
    # hub1 runs BGP to hub2 and the spokes, IKEv2 for the spokes, NTP, answers SLA echoes
    assert {"BGP Router", "BGP I/O", "Crypto IKEv2", "NTP", "IP Input"} <= {row["process"] for row in parsed.values()}
    assert set(expected) <= set(parsed)
    for pid, row in expected.items():
        assert (parsed[pid]["invoked"], parsed[pid]["runtime"], parsed[pid]["usecs"]) == (
            row.invoked, row.runtime_ms, row.usecs)
    ntc_rows = {int(row["process_pid"]): row for row in ntc("show processes cpu", text)}
    assert {pid: int(row["process_invoked"]) for pid, row in ntc_rows.items() if pid in expected} == {
        pid: row.invoked for pid, row in expected.items()}
