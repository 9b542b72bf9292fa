"""A ledger of hubs the job has failed and not yet restored, kept on disk.

The job writes an entry before it fails a hub and removes it after the restore, so a run
that is killed in between leaves a note the next run reads to restore the hub itself.

The ledger belongs to one lab *instance* (``Lab.instance``: an embedded lab's process, a
deployed topology's lab name), not to a lab name: a lab restarted under the same name boots with every node healthy
and gets a fresh ledger, and ledgers of lab processes that are gone are deleted. Files are
0600 in a 0700 directory whatever the umask (unicon changes it while threads connect).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flexlab.labs.embedded import state_root
from flexlab.privatefs import private_dir, write_private
from flexlab.proc import pid_alive

log = logging.getLogger(__name__)

LEDGER_DIR = "ledgers"


@dataclass(frozen=True)
class FailureLedger:
    """Hubs this job failed and has not restored yet, kept on disk so a killed run can be undone."""
    path: Path
    instance: str = ""
    pid: int | None = None   # the lab process the entries are about (embedded labs)

    @classmethod
    def for_lab(cls, instance: str, pid: int | None = None, root: Path | None = None) -> FailureLedger:
        """The ledger of one lab instance; ledgers of lab processes that died are removed."""
        directory = (root or state_root()) / LEDGER_DIR
        _sweep_dead(directory)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", instance or "lab")
        return cls(directory / f"failed-hubs-{safe}.json", instance, pid)

    def _read(self) -> dict[str, str]:
        try:
            raw = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        hubs = raw.get("hubs") if isinstance(raw, dict) else None
        if not isinstance(hubs, dict) or raw.get("instance") != self.instance:
            return {}
        return {str(hub): str(mode) for hub, mode in hubs.items()}

    def pending(self, known: Iterable[str] | None = None) -> dict[str, str]:
        """Hubs to restore. Entries for hubs not in ``known`` are dropped with a warning."""
        entries = self._read()
        if known is None:
            return entries
        known_set = set(known)
        unknown = sorted(set(entries) - known_set)
        if unknown:
            log.warning("failure ledger %s names %s, not in this testbed: entries dropped",
                        self.path, ", ".join(unknown))
            self._write({h: m for h, m in entries.items() if h in known_set})
        return {h: m for h, m in entries.items() if h in known_set}

    def _write(self, entries: dict[str, str]) -> None:
        if not entries:
            self.path.unlink(missing_ok=True)
            try:
                self.path.parent.rmdir()   # leave no empty directory behind
            except OSError:
                pass
            return
        private_dir(self.path.parent)
        payload = {"instance": self.instance, "pid": self.pid, "hubs": entries}
        write_private(self.path, json.dumps(payload, indent=2))

    def add(self, hub: str, mode: str) -> None:
        """Record that ``hub`` is failed with ``mode``."""
        self._write({**self._read(), hub: mode})

    def remove(self, hub: str) -> None:
        """Forget ``hub``: it is restored."""
        entries = self._read()
        entries.pop(hub, None)
        self._write(entries)


def _sweep_dead(directory: Path) -> None:
    """Delete ledgers whose lab process no longer runs (its nodes died with it)."""
    for path in directory.glob("failed-hubs-*.json") if directory.is_dir() else []:
        try:
            pid: Any = json.loads(path.read_text()).get("pid")
        except (OSError, ValueError, AttributeError):
            path.unlink(missing_ok=True)   # unreadable: it can describe nothing to restore
            continue
        if isinstance(pid, int) and not pid_alive(pid):
            path.unlink(missing_ok=True)
