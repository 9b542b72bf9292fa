"""ping, reload, paging, vty limits and CONFIG_I of the embedded lab, through SSH as users
drive it: netmiko (with ntc-templates parsing the ping), and a raw interactive shell.

One lab for the module (`flexlab lab up --embedded`, time scale 20). Expected values come
from the design (spoke1 LAN 10.1.1.1 on Loopback1, hub2 LAN 10.0.2.1, hub WANs) and
IOS's texts, not from the lab's code.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import asyncssh
import pytest
import yaml
from netmiko import ConnectHandler
from sshlabkit import embedded_lab, flexlab, wait_lab

from flexlab.sim.engine.images import get_image

pytestmark = pytest.mark.slow  # starts the embedded lab and talks to it over SSH

SCALE = 20.0
HUB2_LAN = "10.0.2.1"
HUB2_WAN = "100.64.0.6"
PING_HUB2 = f"ping {HUB2_LAN} source Loopback1 timeout 1"


_flexlab = flexlab


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with embedded_lab(tmp_path_factory.mktemp("exec"), "exec", SCALE) as (testbed_path, env):
        devices = yaml.safe_load(testbed_path.read_text())["devices"]
        yield {name: int(device["connections"]["cli"]["port"]) for name, device in devices.items()}, env


def _netmiko(port: int):
    return ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=port, username="admin",
                          password="admin", fast_cli=False)


def _wait(check, lab_seconds: float, what: str):
    return wait_lab(check, lab_seconds, SCALE, what)


def _on_hub(conn, hub_wan: str) -> bool:
    text = conn.send_command("show crypto ikev2 client flexvpn")
    return "ACTIVE" in text and hub_wan in text


def _ping(conn, command: str) -> dict:
    (parsed,) = conn.send_command(command, use_textfsm=True, read_timeout=60)
    return parsed


def _trace(conn) -> list[str]:
    hops = conn.send_command(f"traceroute {HUB2_LAN} source Loopback1 timeout 1", use_textfsm=True, read_timeout=60)
    return [hop["ip_address"] for hop in hops]


def test_ping_fails_while_the_spoke_is_between_hubs_and_works_after_the_move(lab) -> None:
    ports, env = lab
    spoke1, hub1 = _netmiko(ports["spoke1"]), _netmiko(ports["hub1"])
    try:
        _wait(lambda: _on_hub(spoke1, "100.64.0.2"), 200, "spoke1 on hub1")
        before = _ping(spoke1, PING_HUB2)
        assert (before["success_pct"], before["source"], before["sent_qty"]) == ("100", "10.1.1.1", "5")
        assert _trace(spoke1) == ["172.16.0.1", HUB2_LAN]       # via hub1 (overlay address), then hub2's LAN
        hub1.send_config_set(["interface Ethernet0/1", "shutdown"])
        started = time.monotonic()
        during = _ping(spoke1, PING_HUB2)
        assert during["success_pct"] == "0" and during["response_stream"] == ["....."]
        assert time.monotonic() - started >= 5 * 1.0 / SCALE     # five 1 s timeouts, in lab time
        _wait(lambda: _ping(spoke1, PING_HUB2)["success_pct"] == "100", 300, "ping through hub2")
        assert _on_hub(spoke1, HUB2_WAN)
        truth = json.loads(_flexlab(env, "lab", "truth", "--name", "exec", "--json"))
        assert any(e["node"] == "spoke1" and e["kind"] == "flexvpn-up" and e["peer"] == HUB2_WAN for e in truth)
        assert _trace(spoke1) == [HUB2_LAN]                     # hub2 ends the tunnel: one hop
    finally:
        hub1.send_config_set(["interface Ethernet0/1", "no shutdown"])
        spoke1.disconnect()
        hub1.disconnect()


def test_netmiko_gets_whole_outputs_and_config_sessions_are_logged(lab) -> None:
    ports, _ = lab
    hub2 = _netmiko(ports["hub2"])
    try:
        config = hub2.send_command("show running-config")
        assert "--More--" not in config and config.rstrip().endswith("end")
        assert config.count("\n") > 24           # longer than a default vty page
        hub2.send_config_set(["ip sla 77", "icmp-echo 10.0.1.1", "exit", "no ip sla 77"])
        logged = hub2.send_command("show logging | include CONFIG_I")
        assert re.search(r"%SYS-5-CONFIG_I: Configured from console by admin on vty\d+ \(127\.0\.0\.1\)", logged)
    finally:
        hub2.disconnect()


async def _shell(port: int) -> tuple[asyncssh.SSHClientConnection, asyncssh.SSHClientProcess]:
    conn = await asyncssh.connect("127.0.0.1", port, username="admin", password="admin", known_hosts=None)
    process = await conn.create_process(term_type="vt100")
    await _read_until(process, "#")
    return conn, process


async def _read_until(process: asyncssh.SSHClientProcess, ending: str, timeout: float = 20.0) -> str:
    text = ""
    while not text.endswith(ending):
        chunk = await asyncio.wait_for(process.stdout.read(4096), timeout)
        if not chunk:
            raise EOFError(text)
        text += chunk
    return text


def test_paging_in_an_interactive_shell(lab) -> None:
    ports, _ = lab

    async def drive() -> None:
        conn, process = await _shell(ports["hub2"])
        process.stdin.write("show running-config\r")
        first = await _read_until(process, " --More-- ")
        assert first.count("\n") == 24            # the echoed command line + 23 lines (terminal length 24)
        process.stdin.write(" ")
        await _read_until(process, " --More-- ")
        process.stdin.write("q")
        assert (await _read_until(process, "hub2#")).endswith("hub2#")
        process.stdin.write("show ip ?")
        listed = await _read_until(process, "hub2#show ip ")
        assert "  bgp" in listed and "  route" in listed
        conn.close()

    asyncio.run(drive())


def test_more_sessions_than_vty_lines_are_refused(lab) -> None:
    ports, _ = lab

    async def drive() -> None:
        held = [await asyncssh.connect("127.0.0.1", ports["spoke2"], username="admin", password="admin",
                                       known_hosts=None) for _ in range(5)]     # line vty 0 4
        with pytest.raises((asyncssh.Error, OSError)):
            await asyncssh.connect("127.0.0.1", ports["spoke2"], username="admin", password="admin",
                                   known_hosts=None)
        held.pop().close()
        await asyncio.sleep(0.2)
        again = await asyncssh.connect("127.0.0.1", ports["spoke2"], username="admin", password="admin",
                                       known_hosts=None)
        for conn in [*held, again]:
            conn.close()

    asyncio.run(drive())


def test_reload_drops_the_sessions_and_boots_after_the_image_boot_time(lab) -> None:
    ports, _ = lab
    boot_wall_s = get_image("iol-17.12").timing.reload_s / SCALE

    async def drive() -> None:
        _, bystander = await _shell(ports["spoke2"])
        conn, process = await _shell(ports["spoke2"])
        process.stdin.write("reload\r")
        await _read_until(process, "Proceed with reload? [confirm]")
        reloaded = time.monotonic()
        process.stdin.write("\r")
        with pytest.raises(EOFError):
            await _read_until(process, "#")       # the router closes the session
        with pytest.raises(EOFError):
            await _read_until(bystander, "#")     # and every other one
        with pytest.raises(TimeoutError):         # down: a login gets no answer
            await asyncio.wait_for(asyncssh.connect("127.0.0.1", ports["spoke2"], username="admin",
                                                    password="admin", known_hosts=None), boot_wall_s / 4)
        back, shell = await asyncio.wait_for(_shell(ports["spoke2"]), timeout=boot_wall_s + 10)
        assert time.monotonic() - reloaded >= boot_wall_s * 0.9   # no login while it boots
        shell.stdin.write("show startup-config | include hostname\r")
        assert "hostname spoke2" in await _read_until(shell, "spoke2#")
        back.close()

    asyncio.run(drive())
