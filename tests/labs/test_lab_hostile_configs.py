"""`lab up --config-dir` with text after `end`: IOS ignores it, the login still works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def test_lines_after_end_are_reported_and_do_not_lock_the_login_out(tmp_path):
    env = {**os.environ, "FLEXLAB_STATE_DIR": str(tmp_path / "state"), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("FLEXLAB_PASSWORD", None)
    configs = tmp_path / "configs"
    subprocess.run([str(BIN / "flexlab"), "render", "--kind", "cisco_iol", "--out", str(configs),
                    "--secrets", "embedded"],
                   env=env, check=True, capture_output=True, timeout=120)
    hub1 = configs / "hub1.cfg"
    hub1.write_text(hub1.read_text() + "username evil privilege 15 secret 0 evil\nhostname pwned\n")
    try:
        up = subprocess.run([str(BIN / "flexlab"), "lab", "up", "--embedded", "--name", "afterend",
                             "--time-scale", "50",
                             "--config-dir", str(configs), "--timeout", "60"],
                            env=env, capture_output=True, text=True, timeout=180)
        assert up.returncode == 0, up.stderr       # every node, hub1 included, accepted the admin login
        assert "hub1 refused a startup-config line: 2 line(s) after 'end' ignored" in up.stdout
    finally:
        subprocess.run(
            [str(BIN / "flexlab"), "lab", "down", "--name", "afterend"], env=env, capture_output=True, timeout=60
        )
