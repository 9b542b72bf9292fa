"""SSH server with a real SSH client (asyncssh): logins, shells, exec, disconnects, frozen nodes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncssh
import pytest

from flexlab.sim.ssh_server import SshServerHandle, start_ssh_server

pytestmark = pytest.mark.slow  # starts the lab's SSH server (docs/mutation.md)

TIMEOUT = 5.0


def with_server(device, renderer, scenario: Callable[[SshServerHandle], Awaitable[None]]) -> None:
    """Run ``scenario`` against a fresh server on its own event loop, then stop the server."""
    async def main() -> None:
        handle = await start_ssh_server(device, renderer=renderer)
        try:
            await scenario(handle)
        finally:
            await handle.close()
    asyncio.run(main())


async def login(port: int, password: str = "admin", username: str = "admin") -> asyncssh.SSHClientConnection:
    return await asyncssh.connect("127.0.0.1", port, username=username, password=password, known_hosts=None,
                                  client_keys=None, preferred_auth="password")


class Shell:
    """An interactive session with a PTY, like `ssh -tt`."""

    def __init__(self, process: asyncssh.SSHClientProcess) -> None:
        self.process = process

    @classmethod
    async def open(cls, conn: asyncssh.SSHClientConnection) -> Shell:
        return cls(await conn.create_process(term_type="vt100", term_size=(80, 24)))

    async def until(self, text: str, timeout: float = TIMEOUT) -> str:
        return await asyncio.wait_for(self.process.stdout.readuntil(text), timeout)

    def send(self, text: str) -> None:
        self.process.stdin.write(text)


def test_login_prompt_and_command(fake_device, fake_renderer) -> None:
    async def scenario(handle: SshServerHandle) -> None:
        async with await login(handle.port) as conn:
            shell = await Shell.open(conn)
            assert await shell.until("r1#") == "\r\nr1#"
            shell.send("show version\r")
            assert await shell.until("r1#") == "show version\r\nRENDER show version\r\nhost r1\r\nlast line\r\nr1#"
    with_server(fake_device, fake_renderer, scenario)


def test_server_binds_loopback_and_picks_a_free_port(fake_device, fake_renderer) -> None:
    async def scenario(handle: SshServerHandle) -> None:
        assert handle.host == "127.0.0.1" and handle.port > 0
    with_server(fake_device, fake_renderer, scenario)


def test_wrong_password_is_refused_and_the_server_keeps_serving(fake_device, fake_renderer) -> None:
    async def scenario(handle: SshServerHandle) -> None:
        with pytest.raises(asyncssh.PermissionDenied):
            await login(handle.port, password="wrong")
        with pytest.raises(asyncssh.PermissionDenied):
            await login(handle.port, username="nobody")
        async with await login(handle.port) as conn:
            assert (await conn.run("show clock", check=True)).stdout == "RENDER show clock\r\nhost r1\r\nlast line\r\n"
    with_server(fake_device, fake_renderer, scenario)


def test_password_retries_on_one_connection(fake_device, fake_renderer) -> None:
    attempts: list[str] = []

    class Retrying(asyncssh.SSHClient):
        def password_auth_requested(self) -> str | None:
            attempts.append("try")
            return ["bad", "worse", "admin"][len(attempts) - 1] if len(attempts) <= 3 else None

    async def scenario(handle: SshServerHandle) -> None:
        conn, _ = await asyncssh.create_connection(Retrying, "127.0.0.1", handle.port, username="admin",
                                                   known_hosts=None, client_keys=None, preferred_auth="password")
        async with conn:
            assert len(attempts) == 3
    with_server(fake_device, fake_renderer, scenario)


def test_exec_request_runs_one_command(fake_device, fake_renderer) -> None:
    async def scenario(handle: SshServerHandle) -> None:
        async with await login(handle.port) as conn:
            result = await conn.run("sh ip int br | include RENDER")
            assert result.stdout == "RENDER show ip interface brief\r\n"
            assert result.exit_status == 0
    with_server(fake_device, fake_renderer, scenario)


def test_exit_closes_the_session(fake_device, fake_renderer) -> None:
    async def scenario(handle: SshServerHandle) -> None:
        async with await login(handle.port) as conn:
            shell = await Shell.open(conn)
            await shell.until("r1#")
            shell.send("exit\r")
            await asyncio.wait_for(shell.process.wait_closed(), TIMEOUT)
            assert shell.process.exit_status == 0
    with_server(fake_device, fake_renderer, scenario)


def test_sessions_share_the_running_config(fake_device, fake_renderer) -> None:
    async def scenario(handle: SshServerHandle) -> None:
        async with await login(handle.port) as first, await login(handle.port) as second:
            one, two = await Shell.open(first), await Shell.open(second)
            await one.until("r1#")
            await two.until("r1#")
            one.send("conf t\rhostname edge\rend\r")
            await one.until("edge#")
            two.send("\r")
            assert (await two.until("#")).endswith("\r\nedge#")
    with_server(fake_device, fake_renderer, scenario)


def test_abrupt_disconnects_do_not_hurt_other_sessions(fake_device, fake_renderer) -> None:
    async def scenario(handle: SshServerHandle) -> None:
        survivor_conn = await login(handle.port)
        survivor = await Shell.open(survivor_conn)
        await survivor.until("r1#")
        for partial in ["show ver", "conf t\rhostname changed\rinterface lo1\rdescr", "show version\r"]:
            conn = await login(handle.port)
            shell = await Shell.open(conn)
            await shell.until("#")
            shell.send(partial)
            conn.abort()                      # no exit, no EOF: the TCP connection just goes
        survivor.send("show clock\r")
        assert "RENDER show clock" in await survivor.until("changed#")   # config made before the drop is kept
        survivor_conn.close()
        async with await login(handle.port) as conn:
            assert "RENDER show version" in (await conn.run("show version")).stdout
    with_server(fake_device, fake_renderer, scenario)
    assert fake_device.config.first("interface", "Loopback1") is not None


def test_frozen_device_answers_nothing_until_it_resumes(fake_device, fake_renderer) -> None:
    async def scenario(handle: SshServerHandle) -> None:
        async with await login(handle.port) as conn:
            shell = await Shell.open(conn)
            await shell.until("r1#")
            fake_device.responsive = False
            shell.send("show version\r")
            with pytest.raises(asyncio.TimeoutError):
                await shell.until("r1#", timeout=0.3)
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(login(handle.port), 0.5)
            fake_device.responsive = True
            output = await shell.until("r1#")
            assert output == "show version\r\nRENDER show version\r\nhost r1\r\nlast line\r\nr1#"
    with_server(fake_device, fake_renderer, scenario)


def test_closed_server_refuses_connections(fake_device, fake_renderer) -> None:
    async def main() -> None:
        handle = await start_ssh_server(fake_device, renderer=fake_renderer)
        conn = await login(handle.port)
        await handle.close()
        await asyncio.wait_for(conn.wait_closed(), TIMEOUT)
        with pytest.raises(OSError):
            await login(handle.port)
    asyncio.run(main())


# --- output over time (ping), reload -------------------------------------------------------------

class _TimedRun:
    """A ping whose echoes are answered 50 ms apart on the event loop (as lab timers would)."""

    source = None

    def __init__(self, count: int) -> None:
        self.count = count

    def start(self, on_answer, on_done) -> None:
        from flexlab.sim.device_api import ProbeAnswer

        loop = asyncio.get_running_loop()
        for n in range(self.count):
            loop.call_later(0.05 * (n + 1), on_answer, ProbeAnswer("reply", 2, "10.0.2.1"))
        loop.call_later(0.05 * (self.count + 1), on_done)

    def abort(self) -> None:  # pragma: no cover - not typed in these tests
        pass


def _pinging(device):
    device.probes = lambda request: _TimedRun(len(request.ttls))
    return device


def test_a_ping_prints_as_answers_come_and_typed_ahead_input_waits(make_fake_device, fake_renderer) -> None:
    async def scenario(handle: SshServerHandle) -> None:
        async with await login(handle.port) as conn:
            shell = await Shell.open(conn)
            await shell.until("r1#")
            shell.send("ping 10.0.2.1 repeat 2\rshow privilege\r")
            text = await shell.until("r1#")
            assert text.endswith("!!\r\nSuccess rate is 100 percent (2/2), round-trip min/avg/max = 2/2/2 ms\r\nr1#")
            assert "show privilege" not in text          # held until the ping ended
            assert await shell.until("r1#") == "show privilege\r\nCurrent privilege level is 15\r\nr1#"
    with_server(_pinging(make_fake_device()), fake_renderer, scenario)


def test_an_exec_channel_ping_returns_the_whole_output(make_fake_device, fake_renderer) -> None:
    async def scenario(handle: SshServerHandle) -> None:
        async with await login(handle.port) as conn:
            result = await asyncio.wait_for(conn.run("ping 10.0.2.1 repeat 3"), TIMEOUT)
            assert result.stdout.splitlines()[-2:] == [
                "!!!", "Success rate is 100 percent (3/3), round-trip min/avg/max = 2/2/2 ms"]
    with_server(_pinging(make_fake_device()), fake_renderer, scenario)


def test_reload_drops_every_session_of_the_router(make_fake_device, fake_renderer) -> None:
    device = make_fake_device()
    device.reload_listeners = []
    device.reloaded = 0

    def reload() -> None:
        device.reloaded += 1
        for listener in device.reload_listeners:
            listener()

    device.reload = reload

    async def scenario(handle: SshServerHandle) -> None:
        async with await login(handle.port) as other, await login(handle.port) as conn:
            bystander = await Shell.open(other)
            await bystander.until("r1#")
            shell = await Shell.open(conn)
            await shell.until("r1#")
            shell.send("reload\r")
            await shell.until("Proceed with reload? [confirm]")
            shell.send("\r")
            assert await asyncio.wait_for(shell.process.stdout.read(), TIMEOUT) == "\r\n"
            assert await asyncio.wait_for(bystander.process.stdout.read(), TIMEOUT) == ""
        assert device.reloaded == 1
    with_server(device, fake_renderer, scenario)
