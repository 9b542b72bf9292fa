"""Helpers of the tests that start an embedded lab with `flexlab lab up` and drive it over SSH
(not a conftest import: test folders have no packages, tests put this folder on sys.path)."""

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


def flexlab(env: dict[str, str], *args: str) -> str:
    """Run the `flexlab` command of this venv; it must succeed. Returns its stdout."""
    result = subprocess.run([str(BIN / "flexlab"), *args], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def wait_lab(check: Callable[[], Any], lab_seconds: float, scale: float, what: str) -> Any:
    """Poll ``check`` (a truthy value when done) for ``lab_seconds`` of lab time at ``scale``."""
    deadline = time.monotonic() + lab_seconds / scale
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"not within {lab_seconds} lab s: {what}"
        time.sleep(0.05)


@contextmanager
def embedded_lab(tmp: Path, name: str, scale: float) -> Iterator[tuple[Path, dict[str, str]]]:
    """`flexlab lab up --embedded` in a private state directory: (testbed path, env); down at the end."""
    env = {**os.environ, "FLEXLAB_STATE_DIR": str(tmp / "state")}
    testbed = tmp / "tb.yaml"
    flexlab(env, "lab", "up", "--embedded", "--name", name, "--time-scale", str(scale), "--testbed-out", str(testbed))
    try:
        yield testbed, env
    finally:
        flexlab(env, "lab", "down", "--name", name)


@contextmanager
def embedded_testbed(
    tmp: Path, name: str, scale: float, devices: Sequence[str]
) -> Iterator[tuple[Any, dict[str, str]]]:
    """A named embedded lab in its own state dir, ``devices`` connected through unicon."""
    with embedded_lab(tmp, name, scale) as (testbed_path, env):
        testbed = load(str(testbed_path))
        try:
            testbed.connect(*[testbed.devices[n] for n in devices], log_stdout=False, learn_hostname=False)
            yield testbed, env
        finally:
            for device in testbed.devices.values():
                if device.is_connected():
                    device.disconnect()
