"""A ledger of hubs the job has failed and not yet restored, kept on disk.

The job writes an entry before it fails a hub and removes it after the restore, so a run
that is killed in between leaves a note the next run reads to restore the hub itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flexlab.labs.embedded import state_root


@dataclass(frozen=True)
class FailureLedger:
    path: Path

    @classmethod
    def for_testbed(cls, testbed: Any) -> "FailureLedger":
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", str(getattr(testbed, "name", None) or "testbed"))
        return cls(state_root() / f"failed-hubs-{name}.json")

    def pending(self) -> dict[str, str]:
        try:
            return dict(json.loads(self.path.read_text()))
        except (OSError, ValueError):
            return {}

    def _write(self, entries: dict[str, str]) -> None:
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entries, indent=2))
        tmp.replace(self.path)

    def add(self, hub: str, mode: str) -> None:
        self._write({**self.pending(), hub: mode})

    def remove(self, hub: str) -> None:
        entries = self.pending()
        entries.pop(hub, None)
        self._write(entries)
