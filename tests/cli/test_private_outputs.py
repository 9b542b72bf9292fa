"""Files that hold secrets come out owner-only whatever the umask: rendered configs with the
PSK, testbeds (embedded lab login), and the directories holding them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from flexlab.cli import main
from flexlab.labs.embedded_testbed import default_lab_info, write_embedded_testbed

ROOT = Path(__file__).resolve().parents[2]
PSK_MARKER = "PskMarker-77e1"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0)
    yield
    os.umask(old)


def test_rendered_configs_with_the_psk_are_0600_in_a_0700_dir(tmp_path, monkeypatch, open_umask, capsys):
    monkeypatch.setenv("FLEXLAB_PSK", PSK_MARKER)
    out = tmp_path / "configs"
    assert main(["render", "--kind", "cisco_iol", "--out", str(out), "--secrets", "env"]) == 0
    configs = sorted(out.glob("*.cfg"))
    assert configs and any(PSK_MARKER in p.read_text() for p in configs)
    assert {_mode(p) for p in configs} == {0o600} and _mode(out) == 0o700


def test_testbeds_are_0600_and_keep_an_env_password_as_a_reference(tmp_path, monkeypatch, open_umask):
    monkeypatch.setenv("FLEXLAB_PASSWORD", "PwMarker-19c2")
    path = write_embedded_testbed(default_lab_info(), ("admin", "PwMarker-19c2"), tmp_path / "tb.yaml")
    assert _mode(path) == 0o600
    text = path.read_text()
    assert "PwMarker-19c2" not in text and "%ENV{FLEXLAB_PASSWORD}" in text


def test_inspect_testbed_is_0600(tmp_path, open_umask, capsys):
    inspect = ROOT / "tests" / "fixtures" / "inspect-0.68-flexvpn-iol.json"
    assert main(["testbed", "--from-inspect", str(inspect), "-o", str(tmp_path / "tb.yaml")]) == 0
    assert _mode(tmp_path / "tb.yaml") == 0o600
