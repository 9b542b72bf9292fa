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
from flexlab.privatefs import PRIVATE_FILE_MODE, private_dir

#: How often a waiting run tries the lock again.
RETRY_INTERVAL_S = 0.2


class LockBusy(FlexlabError):
    """Someone else holds the lock (the message names the holder)."""


@dataclass
class RunLock:
    """An exclusive lock on ``path`` for the thing ``what`` names (e.g. "embedded lab 'x'")."""

    path: Path
    what: str
    tidy: bool = False   # the lock's directory is created on demand and removed when empty
    fd: int = -1

    def acquire(self, wait_s: float = 0.0) -> RunLock:
        """Take the lock, waiting up to ``wait_s`` seconds; raises LockBusy naming the holder."""
        deadline = time.monotonic() + wait_s
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(fd)
                    os.close(fd)
                    raise LockBusy(f"{self.what} is in use by {holder} (lock {self.path})") from None
                os.close(fd)
                time.sleep(RETRY_INTERVAL_S)
                continue
            if self._still_linked(fd):
                break
            os.close(fd)   # its holder removed the file while we waited: take the new one
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "command": " ".join(sys.argv)}).encode(), 0)
        self.fd = fd
        return self

    def _open(self) -> int:
        while True:
            if self.tidy:
                private_dir(self.path.parent)
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
            except FileNotFoundError:   # a tidy holder removed the empty directory meanwhile
                if not self.tidy:
                    raise
                continue
            os.fchmod(fd, PRIVATE_FILE_MODE)
            return fd

    def _still_linked(self, fd: int) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False

    def release(self) -> None:
        """Remove the lock file (while still holding it, so no one can take a stale inode)
        and, for a tidy lock, its directory when empty; then unlock."""
        if self.fd >= 0:
            self.path.unlink(missing_ok=True)
            if self.tidy:
                try:
                    self.path.parent.rmdir()
                except OSError:
                    pass   # other locks live there
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        self.release()   # a lock nobody references any more is not held

    def __enter__(self) -> RunLock:
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
