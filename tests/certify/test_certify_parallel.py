"""flexlab.certify.parallel: at most J rows at once, within the memory budget, results in
row order, and every started row finishes before an error or Ctrl-C leaves."""

from __future__ import annotations

import threading
import time

import pytest

from flexlab.certify.parallel import Slot, run_parallel


class Recorder:
    """Which rows run at the same time (each row waits for a release from the test)."""

    def __init__(self, memory: dict[int, float]) -> None:
        self.memory = memory
        self.running: set[int] = set()
        self.snapshots: list[frozenset[int]] = []
        self.lock = threading.Lock()

    def work(self, index: int) -> str:
        with self.lock:
            self.running.add(index)
            self.snapshots.append(frozenset(self.running))
        time.sleep(0.05)   # long enough for the pool to start whatever else it would
        with self.lock:
            self.running.discard(index)
        return f"row{index}"


def test_at_most_jobs_rows_at_once_and_results_in_row_order() -> None:
    recorder = Recorder({})
    slots = [Slot(i) for i in (3, 0, 2, 1, 4)]     # start order: longest first
    assert run_parallel(slots, 2, None, recorder.work) == [f"row{i}" for i in range(5)]
    assert max(len(s) for s in recorder.snapshots) == 2
    assert recorder.snapshots[0] == {3}             # the first slot started first


def test_memory_budget_keeps_big_rows_apart() -> None:
    memory = {0: 3000.0, 1: 3000.0, 2: 500.0, 3: 500.0}
    recorder = Recorder(memory)
    slots = [Slot(i, memory[i]) for i in range(4)]
    run_parallel(slots, 4, 4000.0, recorder.work)
    for snapshot in recorder.snapshots:
        assert sum(memory[i] for i in snapshot) <= 4000.0, snapshot
    assert any(len(s) > 1 for s in recorder.snapshots)   # small rows did run beside a big one


def test_a_row_bigger_than_the_budget_runs_alone() -> None:
    recorder = Recorder({})
    run_parallel([Slot(0, 9000.0), Slot(1, 100.0)], 2, 4000.0, recorder.work)
    assert all(len(s) == 1 for s in recorder.snapshots)


def test_an_error_comes_back_after_every_started_row_finished() -> None:
    finished: list[int] = []

    def work(index: int) -> int:
        if index == 0:
            raise RuntimeError("row 0 broke")
        time.sleep(0.1)
        finished.append(index)
        return index

    with pytest.raises(RuntimeError, match="row 0 broke"):
        run_parallel([Slot(0), Slot(1)], 2, None, work)
    assert finished == [1]


def test_ctrl_c_cancels_the_running_rows_and_waits_for_them() -> None:
    import os
    import signal

    cancelled = threading.Event()
    stopped: list[int] = []

    def work(index: int) -> int:
        if index == 0:
            threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT)).start()
        assert cancelled.wait(timeout=10), "the row was never told to stop"
        time.sleep(0.05)          # its teardown
        stopped.append(index)
        return index

    with pytest.raises(KeyboardInterrupt):
        run_parallel([Slot(0), Slot(1), Slot(2)], 2, None, work, cancel=cancelled.set)
    assert sorted(stopped) == [0, 1]      # both running rows finished; row 2 never started
