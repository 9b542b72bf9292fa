"""Stock unicon plugins (ios/iol and iosxe/csr1000v) drive the embedded CLI over the system ssh.

The SSH server runs on an asyncio loop in a background thread of the test process; each
plugin connects once per module (a connect costs ~1.5 s) and the tests share it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from pyats.topology import loader
from unicon.core.errors import SubCommandFailure

from flexlab.sim.ssh_server import start_ssh_server

pytestmark = pytest.mark.slow  # starts the lab's SSH server and connects unicon to it (docs/mutation.md)

PLUGINS = [("ios", "iol"), ("iosxe", "csr1000v")]
SSH_OPTIONS = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
#: unicon waits 10 s after closing a connection (lets a real router free its vty); not needed here.
FAST_DISCONNECT = {"POST_DISCONNECT_WAIT_SEC": 0, "GRACEFUL_DISCONNECT_WAIT_SEC": 0}


class ServerThread:
    """An asyncio loop in a daemon thread serving one device over SSH."""

    def __init__(self, device, renderer) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="ssh-server", daemon=True)
        self.thread.start()
        self.handle = self._call(start_ssh_server(device, renderer=renderer))

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def stop(self) -> None:
        self._call(self.handle.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture(scope="module", params=PLUGINS, ids=[f"{os}-{platform}" for os, platform in PLUGINS])
def lab(request, make_fake_device, tmp_path_factory) -> Iterator[tuple[object, object]]:
    os_name, platform = request.param
    device = make_fake_device("r1")
    server = ServerThread(device, _render)
    testbed = loader.load({"devices": {"r1": {
        "os": os_name, "platform": platform, "type": "router",
        "credentials": {"default": {"username": "admin", "password": "admin"}},
        "connections": {"cli": {"protocol": "ssh", "ip": "127.0.0.1", "port": server.handle.port,
                                "ssh_options": SSH_OPTIONS, "settings": FAST_DISCONNECT}},
    }}})
    unicon_device = testbed.devices["r1"]
    logfile = tmp_path_factory.mktemp("unicon") / "r1.log"
    try:
        unicon_device.connect(log_stdout=False, logfile=str(logfile), connection_timeout=20)
        yield unicon_device, device
    finally:
        if unicon_device.is_connected():
            unicon_device.disconnect()
        server.stop()


def _render(snapshot, words: list[str]) -> str:
    return f"RENDER {' '.join(words)} on {snapshot.hostname}\n"


def test_connect_applied_unicons_init_commands(lab) -> None:
    _, device = lab
    text = device.config.render()
    assert "no logging console\n" in text
    assert "line con 0\n exec-timeout 0 0\n" in text
    assert "line vty 0 4\n exec-timeout 0 0\n" in text


def test_execute_show_version(lab) -> None:
    unicon_device, _ = lab
    assert unicon_device.execute("show version") == "RENDER show version on r1"


def test_execute_with_abbreviation_and_filter(lab) -> None:
    unicon_device, _ = lab
    assert unicon_device.execute("sh ip int br | include RENDER") == "RENDER show ip interface brief on r1"


def test_configure_applies_lines(lab) -> None:
    unicon_device, device = lab
    unicon_device.configure(["router bgp 65001", "bgp log-neighbor-changes"])
    bgp = device.config.first("router", "bgp", "65001")
    assert bgp is not None and [c.text for c in bgp.children] == ["bgp log-neighbor-changes"]
    assert unicon_device.execute("show running-config | section router bgp").splitlines() == [
        "router bgp 65001", " bgp log-neighbor-changes"]


def test_configure_invalid_input_raises(lab) -> None:
    unicon_device, device = lab
    before = device.config.render()
    with pytest.raises(SubCommandFailure):
        unicon_device.configure(["foo bar"])
    assert device.config.render() == before
    assert unicon_device.execute("show version") == "RENDER show version on r1"   # still usable


def test_configure_out_of_range_dpd_raises(lab) -> None:
    unicon_device, device = lab
    with pytest.raises(SubCommandFailure):
        unicon_device.configure(["crypto ikev2 dpd 5 2 on-demand"])
    assert device.config.first("crypto", "ikev2", "dpd") is None
