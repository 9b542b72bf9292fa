"""A fake SimDevice and a fake show renderer for the CLI and SSH server tests.

The fake keeps its running config in a real ConfigTree and answers the SimDevice protocol
from it (hostname, logins, enable secret), so the tests exercise the CLI as the lab will.
Tests get them through fixtures (``make_fake_device``, ``fake_device``, ``fake_renderer``,
``cli_session``), not imports, so test directories need no packages.
"""

from __future__ import annotations

import datetime as dt

import pytest

from flexlab.iosconfig import ConfigTree
from flexlab.sim.engine.password_hash import verify_secret
from flexlab.sim.shell import CliSession
from flexlab.sim.state import NodeSnapshot, VersionInfo

DEFAULT_USERS = {"admin": "admin"}


def _last_word_after(words: list[str], *keywords: str) -> str | None:
    for keyword in keywords:
        if keyword in words:
            return words[-1]
    return None


def _secret_matches(words: list[str], password: str) -> bool:
    """Plain secrets compare as text; `secret 8|9 $N$...` (as the CLI stores them) by hash."""
    if len(words) >= 2 and words[-2] in ("8", "9"):
        return verify_secret(int(words[-2]), words[-1], password)
    return words[-1] == password


class FakeDevice:
    """Implements flexlab.sim.device_api.SimDevice on a plain ConfigTree."""

    def __init__(self, name: str = "r1") -> None:
        self.name = name
        self._config = ConfigTree()
        self.responsive = True
        self.changes = 0
        self.cleared: list[list[str]] = []
        self.writes = 0
        self.startup_config: ConfigTree | None = None
        self.snapshots = 0

    @property
    def config(self) -> ConfigTree:
        return self._config

    @property
    def hostname(self) -> str:
        line = self._config.first("hostname")
        return line.words[1] if line else self.name

    def check_login(self, username: str, password: str) -> bool:
        lines = self._config.find("username", username)
        if lines:
            found = _last_word_after(lines[0].words, "secret", "password") is not None
            return found and _secret_matches(lines[0].words, password)
        return DEFAULT_USERS.get(username) == password

    def check_enable(self, password: str) -> bool:
        lines = self._config.find("enable", "secret") or self._config.find("enable", "password")
        return not lines or _secret_matches(lines[0].words, password)

    def config_changed(self) -> None:
        self.changes += 1

    def snapshot(self) -> NodeSnapshot:
        self.snapshots += 1
        version = VersionInfo(
            image="fake", os_family="ios", version="17.12.1", platform_line="Cisco IOS Software, fake",
            image_file="unix:/iol/iol.bin", chassis="Linux Unix", processor="Intel-x86",
            memory_line="(revision 1.0) with 1104412K/29696K bytes of memory.", serial="1",
        )
        return NodeSnapshot(
            hostname=self.hostname, version=version, now=0.0, booted=0.0, clock_offset=0.0,
            clock_synced=False, epoch=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        )

    def clear(self, words: list[str]) -> str:
        self.cleared.append(words)
        return ""

    def write_memory(self) -> None:
        self.writes += 1
        self.startup_config = ConfigTree.from_text(self._config.render())


def fake_render(snapshot: NodeSnapshot, words: list[str]) -> str:
    """Echoes the canonical words so tests can see what the CLI asked for."""
    return f"RENDER {' '.join(words)}\nhost {snapshot.hostname}\nlast line\n"


@pytest.fixture(scope="session")
def make_fake_device() -> type[FakeDevice]:
    """The FakeDevice class (tests build several devices or name them)."""
    return FakeDevice


@pytest.fixture(scope="session")
def fake_renderer():
    return fake_render


@pytest.fixture
def fake_device() -> FakeDevice:
    return FakeDevice()


@pytest.fixture
def cli_session(fake_device: FakeDevice) -> CliSession:
    return CliSession(fake_device, username="admin", renderer=fake_render)
