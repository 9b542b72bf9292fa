"""Run matrix rows in parallel threads (`flexlab certify --jobs J`).

At most ``jobs`` rows run at once, and only while the memory estimates of the running
rows fit in the budget (a row that alone exceeds it runs when nothing else does). Rows
start in the given order; results come back in row order, so the outputs are those of a
sequential run. Ctrl-C starts nothing new and asks every running row to stop at its next
wait (its job gets SIGINT, as in a sequential run); each tears its lab down, then the run
stops.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Result = TypeVar("Result")


@dataclass(frozen=True)
class Slot:
    """One row to run: its position in the matrix and its memory estimate (MiB)."""

    index: int
    memory_mib: float = 0.0


class _Pool(Generic[Result]):
    def __init__(self, jobs: int, budget_mib: float | None, work: Callable[[int], Result]) -> None:
        self.jobs, self.budget_mib, self.work = jobs, budget_mib, work
        self.results: dict[int, Result] = {}
        self.errors: list[BaseException] = []
        self.running: dict[int, float] = {}
        self.threads: list[threading.Thread] = []
        self.done = threading.Condition()

    def fits(self, slot: Slot) -> bool:
        if not self.running:
            return True
        if len(self.running) >= self.jobs:
            return False
        return self.budget_mib is None or sum(self.running.values()) + slot.memory_mib <= self.budget_mib

    def start(self, slot: Slot) -> None:
        self.running[slot.index] = slot.memory_mib
        thread = threading.Thread(target=self._run, args=(slot.index,), name=f"certify-row-{slot.index}")
        self.threads.append(thread)
        thread.start()

    def _run(self, index: int) -> None:
        try:
            self.results[index] = self.work(index)
        except BaseException as exc:  # noqa: BLE001 - a thread boundary: handed to the main thread, raised there
            self.errors.append(exc)
        finally:
            with self.done:
                del self.running[index]
                self.done.notify_all()

    def drain(self) -> None:
        with self.done:
            while self.running:
                self.done.wait()
        for thread in self.threads:
            thread.join()


def run_parallel(slots: list[Slot], jobs: int, budget_mib: float | None, work: Callable[[int], Result],
                 cancel: Callable[[], None] = lambda: None) -> list[Result]:
    """``work(index)`` for every slot, up to ``jobs`` at once; results in index order.
    On Ctrl-C, ``cancel()`` asks the running rows to stop; they are waited for."""
    pool: _Pool[Result] = _Pool(jobs, budget_mib, work)
    pending = list(slots)
    try:
        with pool.done:
            while pending:
                startable = next((slot for slot in pending if pool.fits(slot)), None)
                if startable is None:
                    pool.done.wait()
                    continue
                pending.remove(startable)
                pool.start(startable)
    except BaseException:
        cancel()
        raise
    finally:
        pool.drain()   # also on Ctrl-C: every started row tears its lab down
    if pool.errors:
        raise pool.errors[0]
    return [pool.results[index] for index in sorted(pool.results)]
