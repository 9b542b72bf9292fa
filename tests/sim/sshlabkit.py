"""Shared by the SSH tests that start an embedded lab with `flexlab lab up` (not a conftest
import: test folders have no packages, tests put this folder on sys.path themselves)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from genie.testbed import load

BIN = Path(sys.executable).parent


def flexlab_cli(env: dict[str, str], *args: str) -> str:
    """Run the `flexlab` command; its stdout (the test fails on a non-zero exit)."""
    result = subprocess.run([str(BIN / "flexlab"), *args], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@contextmanager
def embedded_testbed(tmp: Path, name: str, scale: float, devices: Sequence[str]) -> Iterator[tuple[Any, dict[str, str]]]:
    """A named embedded lab in its own state dir, ``devices`` connected through unicon."""
    env = {**os.environ, "FLEXLAB_STATE_DIR": str(tmp / "state")}
    flexlab_cli(env, "lab", "up", "--embedded", "--name", name, "--time-scale", str(scale),
                "--testbed-out", str(tmp / "tb.yaml"))
    testbed = load(str(tmp / "tb.yaml"))
    try:
        testbed.connect(*[testbed.devices[n] for n in devices], log_stdout=False, learn_hostname=False)
        yield testbed, env
    finally:
        for device in testbed.devices.values():
            if device.is_connected():
                device.disconnect()
        flexlab_cli(env, "lab", "down", "--name", name)


def wait_until(check: Callable[[], Any], device_seconds: float, scale: float, what: str) -> Any:
    """Poll ``check`` until it returns a truthy value, for ``device_seconds`` of lab time."""
    deadline = time.monotonic() + device_seconds / scale
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"not within {device_seconds} device s: {what}"
        time.sleep(0.05)
