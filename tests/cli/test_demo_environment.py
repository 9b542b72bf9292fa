"""`flexlab demo` runs on the committed embedded testbed (documented default logins): login
variables exported for a real lab must not reach the lab the job starts."""

from __future__ import annotations

from pathlib import Path

from flexlab.cli.demo_cmd import demo_environment


def test_login_variables_are_left_out_and_the_venv_is_on_path() -> None:
    environ = {"PATH": "/usr/bin", "FLEXLAB_USERNAME": "netops", "FLEXLAB_PASSWORD": "real-lab-password",
               "FLEXLAB_ENABLE": "real-enable", "FLEXLAB_PSK": "psk-kept", "HOME": "/root"}
    env = demo_environment(environ, Path("/venv/bin"))
    assert env == {"PATH": "/venv/bin:/usr/bin", "FLEXLAB_PSK": "psk-kept", "HOME": "/root"}
    assert environ["FLEXLAB_PASSWORD"] == "real-lab-password"   # the caller's environment is untouched
