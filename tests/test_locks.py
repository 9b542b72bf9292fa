"""Advisory run locks: a second holder is refused with the first one's pid and command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flexlab.locks import LockBusy, RunLock, lock_output_dir

HOLD = "import sys, time; from flexlab.locks import RunLock; from pathlib import Path; " \
       "held = RunLock(Path(sys.argv[1]), 'lab x').acquire(); print('held', flush=True); time.sleep(60)"


def test_second_holder_is_told_who_holds_the_lock(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "x.lock")], stdout=subprocess.PIPE,
                              text=True, env={**os.environ})
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy) as caught:
            RunLock(tmp_path / "x.lock", "lab x").acquire(wait_s=0.3)
        assert f"pid {holder.pid}" in str(caught.value)
        assert "(-c " in str(caught.value)  # the holder's command line
    finally:
        holder.kill()
        holder.wait()
    # the kernel released the lock of the killed holder: no stale lock
    RunLock(tmp_path / "x.lock", "lab x").acquire().release()


def test_output_dir_lock_refuses_a_second_run_in_the_same_process_too(tmp_path):
    first = lock_output_dir(tmp_path / "out")
    try:
        assert oct(os.stat(tmp_path / "out" / ".flexlab.lock").st_mode & 0o777) == "0o600"
        with pytest.raises(LockBusy, match=str(tmp_path / "out")):
            lock_output_dir(tmp_path / "out")
    finally:
        first.release()
    lock_output_dir(tmp_path / "out").release()
    assert list((tmp_path / "out").iterdir()) == []   # a released lock leaves nothing behind


def test_a_tidy_lock_removes_its_directory_and_a_waiter_gets_the_new_file(tmp_path):
    first = RunLock(tmp_path / "locks" / "a.lock", "lab a", tidy=True).acquire()
    first.release()
    assert not (tmp_path / "locks").exists()
    again = RunLock(tmp_path / "locks" / "a.lock", "lab a", tidy=True).acquire()
    try:
        with pytest.raises(LockBusy):
            RunLock(tmp_path / "locks" / "a.lock", "lab a", tidy=True).acquire(wait_s=0.2)
    finally:
        again.release()
