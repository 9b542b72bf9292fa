"""SSH access to a simulated router (asyncssh), as an IOS vty line looks to a client.

Password authentication goes through ``device.check_login``; a wrong password is refused
the SSH way (the client may retry). Each shell channel gets a PTY-style line discipline
(:class:`~flexlab.sim.shell.terminal.Terminal`) over its own :class:`CliSession`; an exec
channel (``ssh host "show version"``) runs one command. While ``device.responsive`` is
False (frozen node) nothing is answered: logins hang and typed input waits, as with a
paused container; it is processed once the node is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import asyncssh

from flexlab.sim.device_api import SimDevice
from flexlab.sim.shell import vty_lines
from flexlab.sim.shell.session import CliSession, Renderer
from flexlab.sim.shell.terminal import Terminal, crlf
from flexlab.sim.shell.vty import VtyPool

log = logging.getLogger(__name__)

#: How often a frozen device is checked for coming back (wall seconds).
RESPONSIVE_POLL_INTERVAL = 0.05
#: Characters of one session processed before the event loop serves the others: one
#: session's input never holds every other router for more than one chunk (~1 ms).
INPUT_CHUNK = 4096
#: Unprocessed input a session may queue; past it the channel stops reading (SSH flow
#: control then stalls that client only) until the queue drains to half.
MAX_PENDING_INPUT = 256 * 1024

_process_host_key: asyncssh.SSHKey | None = None


def process_host_key() -> asyncssh.SSHKey:
    """One ed25519 host key per process, generated in memory (no key files)."""
    global _process_host_key
    if _process_host_key is None:
        _process_host_key = asyncssh.generate_private_key("ssh-ed25519")
    return _process_host_key


async def _wait_responsive(device: SimDevice) -> None:
    while not device.responsive:
        await asyncio.sleep(RESPONSIVE_POLL_INTERVAL)


class _VtySession(asyncssh.SSHServerSession[str]):
    """One SSH session channel: a shell (interactive) or an exec request (one command)."""

    def __init__(self, device: SimDevice, username: str, renderer: Renderer | None,
                 vty: int | None = None, peer: str | None = None) -> None:
        self._device = device
        self._cli = CliSession(device, username=username, renderer=renderer, vty=vty, peer=peer)
        self._terminal = Terminal(self._cli, self._write)
        self._terminal.on_idle = self._when_ready_again
        self._chan: asyncssh.SSHServerChannel | None = None
        self._command: str | None = None
        self._pending = ""            # received, not yet processed
        self._pump: asyncio.Handle | None = None
        self._paused = False
        self._started = False
        self._waiter: asyncio.Task[None] | None = None
        self._closed = False

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self._chan = chan

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Mapping[int, int]
    ) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self._command = command
        return True

    def session_started(self) -> None:
        peer = self._chan.get_extra_info("peername") if self._chan is not None else None
        self._cli.vty_entry = vty_lines.attach(self._device, self._cli.username or "", peer[0] if peer else "",
                                                 vty=self._cli.vty)
        self._when_responsive()

    def data_received(self, data: str, datatype: int | None) -> None:
        self._pending += data
        if len(self._pending) > MAX_PENDING_INPUT and self._chan is not None and not self._paused:
            self._paused = True
            self._chan.pause_reading()
        self._when_responsive()

    def eof_received(self) -> bool:
        self._finish()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and not self._closed:
            log.info("%s: session closed by the client: %s", self._device.name, exc)   # once per session
        self._closed = True
        self._release_vty()
        self._pending = ""
        if self._waiter is not None:
            self._waiter.cancel()
        if self._pump is not None:
            self._pump.cancel()

    # -- processing ------------------------------------------------------------------------

    def _when_responsive(self) -> None:
        """Process now, or once the device answers again (input queues meanwhile)."""
        if self._closed or self._waiter is not None or self._pump is not None:
            return
        if self._device.responsive:
            self._process()
            return
        self._waiter = asyncio.get_running_loop().create_task(self._wait_then_process())

    async def _wait_then_process(self) -> None:
        await _wait_responsive(self._device)
        self._waiter = None
        if not self._closed:
            self._process()

    def _process(self) -> None:
        """Process one chunk of the queued input; the rest after the loop served others."""
        self._pump = None
        if self._closed:
            return
        if not self._started:
            self._started = True
            if self._command is not None:
                self._run_exec_request(self._command)
                return
            self._terminal.start()
        data, self._pending = self._pending[:INPUT_CHUNK], self._pending[INPUT_CHUNK:]
        try:
            taken = self._terminal.feed(data)
            self._pending = data[taken:] + self._pending   # typed ahead while a command runs
        except Exception:  # a CLI bug must not take the server down
            log.exception("CLI failure on %s", self._device.name)
            self._write("\r\n% flexlab: internal CLI error\r\n" + self._cli.prompt)
        if self._terminal.closed:
            self._finish()
            return
        if self._paused and len(self._pending) <= MAX_PENDING_INPUT // 2 and self._chan is not None:
            self._paused = False
            self._chan.resume_reading()
        if self._pending and not self._terminal.busy:
            self._pump = asyncio.get_running_loop().call_soon(self._when_ready_again)

    def _when_ready_again(self) -> None:
        self._pump = None
        self._when_responsive()

    def _run_exec_request(self, command: str) -> None:
        reply = self._cli.execute(command)
        self._write(crlf(reply.output))
        if reply.stream is not None:
            reply.stream.attach(lambda text: self._write(crlf(text)), self._finish)
            return
        self._finish()

    def _write(self, text: str) -> None:
        if self._chan is not None and not self._closed:
            if self._chan.is_closing():
                self._closed = True      # the client went away: no more writes, no log flood
                return
            try:
                self._chan.write(text)
            except (asyncssh.Error, OSError, BrokenPipeError):
                self._closed = True

    def _release_vty(self) -> None:
        if self._cli.vty_entry is not None:
            vty_lines.detach(self._device, self._cli.vty_entry)
            self._cli.vty_entry = None

    def _finish(self) -> None:
        self._release_vty()
        if self._chan is not None and not self._closed:
            self._closed = True
            try:
                self._chan.exit(0)
            except (asyncssh.Error, OSError):
                pass


class _VtyServer(asyncssh.SSHServer):
    def __init__(self, device: SimDevice, renderer: Renderer | None, connections: set[asyncssh.SSHServerConnection],
                 vtys: VtyPool):
        self._device = device
        self._renderer = renderer
        self._connections = connections
        self._vtys = vtys
        self._vty: int | None = None
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        """Each connection holds a vty line; with every line busy it is closed at once."""
        self._conn = conn
        self._connections.add(conn)
        self._vty = self._vtys.allocate(self._device.config)
        if self._vty is None:
            log.info("%s: every vty line is busy, connection refused", self._device.name)
            asyncio.get_running_loop().call_soon(conn.close)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._connections.discard(self._conn)
        if self._vty is not None:
            self._vtys.release(self._vty)
            self._vty = None

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        """Checked on a worker thread: a type 9 secret costs one scrypt (~40 ms) per new
        password, which must not hold the other routers' sessions (hashlib releases the GIL)."""
        await _wait_responsive(self._device)
        loop = asyncio.get_running_loop()
        return bool(await loop.run_in_executor(None, self._device.check_login, username, password))

    def session_requested(self) -> _VtySession | bool:
        if self._vty is None:
            return False
        username = self._conn.get_extra_info("username") if self._conn is not None else ""
        peer = self._conn.get_extra_info("peername") if self._conn is not None else None
        return _VtySession(self._device, username or "", self._renderer, self._vty, peer[0] if peer else None)


@dataclass
class SshServerHandle:
    """A running SSH server of one device; ``await close()`` stops it and drops its sessions."""

    host: str
    port: int
    _acceptor: asyncssh.SSHAcceptor
    _connections: set[asyncssh.SSHServerConnection] = field(default_factory=set)

    def drop_sessions(self) -> None:
        """Close every connection now (the router reloads); the server keeps listening."""
        for conn in list(self._connections):
            conn.close()

    async def close(self) -> None:
        """Stop accepting, then close every open session and wait for them."""
        self._acceptor.close()
        await self._acceptor.wait_closed()
        connections = list(self._connections)
        for conn in connections:
            conn.close()
        for conn in connections:
            await conn.wait_closed()


async def start_ssh_server(
    device: SimDevice,
    host: str = "127.0.0.1",
    port: int = 0,
    host_key: asyncssh.SSHKey | None = None,
    *,
    renderer: Renderer | None = None,
) -> SshServerHandle:
    """Listen for SSH logins to ``device`` on ``host:port`` (0: any free port)."""
    connections: set[asyncssh.SSHServerConnection] = set()
    vtys = VtyPool()
    acceptor = await asyncssh.listen(
        host,
        port,
        server_factory=lambda: _VtyServer(device, renderer, connections, vtys),
        server_host_keys=[host_key or process_host_key()],
        line_editor=False,
        encoding="utf-8",
        errors="replace",
        keepalive_interval=0,
    )
    handle = SshServerHandle(host, acceptor.get_port(), acceptor, connections)
    listeners = getattr(device, "reload_listeners", None)   # optional: a device that can reload
    if isinstance(listeners, list):
        listeners.append(handle.drop_sessions)
    return handle
