"""Advisory locks so that one lab or one output directory serves one run at a time.

A lock is an ``fcntl.flock`` on a file that also records who holds it (pid and command
line), so the run that finds it taken can say whom it waits for. The kernel drops the lock
when its holder dies, kill -9 included: no stale lock survives its process.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from flexlab.errors import FlexlabError
from flexlab.privatefs import PRIVATE_FILE_MODE

#: How often a waiting run tries the lock again.
RETRY_INTERVAL_S = 0.2


class LockBusy(FlexlabError):
    """Someone else holds the lock (the message names the holder)."""


@dataclass
class RunLock:
    """An exclusive lock on ``path`` for the thing ``what`` names (e.g. "embedded lab 'x'")."""

    path: Path
    what: str
    fd: int = -1

    def acquire(self, wait_s: float = 0.0) -> "RunLock":
        """Take the lock, waiting up to ``wait_s`` seconds; raises LockBusy naming the holder."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        os.fchmod(fd, PRIVATE_FILE_MODE)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(fd)
                    os.close(fd)
                    raise LockBusy(f"{self.what} is in use by {holder} (lock {self.path})") from None
                time.sleep(RETRY_INTERVAL_S)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "command": " ".join(sys.argv)}).encode(), 0)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd >= 0:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        self.release()   # a lock nobody references any more is not held

    def __enter__(self) -> "RunLock":
        return self.acquire() if self.fd < 0 else self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


def _holder(fd: int) -> str:
    try:
        raw = json.loads(os.pread(fd, 65536, 0) or b"{}")
        return f"pid {int(raw['pid'])} ({str(raw.get('command', '?'))[:200]})"
    except (ValueError, KeyError, TypeError, OSError):
        return "another process"


def lock_output_dir(directory: Path, what: str = "output directory") -> RunLock:
    """Refuse a second run writing into the same directory (creates it)."""
    directory.mkdir(parents=True, exist_ok=True)
    return RunLock(directory / ".flexlab.lock", f"{what} {directory}").acquire()
