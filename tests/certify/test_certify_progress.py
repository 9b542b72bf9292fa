"""Terminal behaviour (colours only on a TTY, progress lines) and the SSH readiness probe."""

from __future__ import annotations

import io

import pytest
from certify_testkit import BannerServer, unused_port

from flexlab.certify.progress import Progress, paint_verdict
from flexlab.labs.sshwait import SshTarget, SshWaitTimeout, ssh_banner, wait_for_ssh


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colours_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert paint_verdict("FAIL", Terminal()) == "\033[31mFAIL\033[0m"
    assert paint_verdict("FAIL", io.StringIO()) == "FAIL"
    monkeypatch.setenv("NO_COLOR", "1")
    assert paint_verdict("FAIL", Terminal()) == "FAIL"


def test_progress_rewrites_one_line_on_a_terminal() -> None:
    stream = Terminal()
    progress = Progress(stream=stream)
    progress.update("waiting for SSH: 1/5")
    progress.update("waiting for SSH: 2/5")
    progress.line("row done")
    assert stream.getvalue() == "\r\033[Kwaiting for SSH: 1/5\r\033[Kwaiting for SSH: 2/5\r\033[Krow done\n"


def test_progress_in_a_log_prints_changes_not_every_tick() -> None:
    stream = io.StringIO()
    progress = Progress(stream=stream, quiet_s=3600)
    for n in range(1, 4):
        progress.update(f"waiting for SSH: {n}/5")
    progress.update("job (freeze): running")
    assert stream.getvalue().splitlines() == ["waiting for SSH: 1/5", "job (freeze): running"]


def test_banner_is_read_even_after_other_lines() -> None:
    server = BannerServer(b"Welcome\r\nSSH-2.0-Cisco-1.25\r\n")
    try:
        assert ssh_banner(SshTarget("hub1", "127.0.0.1", server.port), 2.0) == "SSH-2.0-Cisco-1.25"
    finally:
        server.close()


def test_a_port_that_accepts_but_is_not_ssh_is_not_ready() -> None:
    server = BannerServer(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    try:
        assert ssh_banner(SshTarget("hub1", "127.0.0.1", server.port), 2.0) is None
        with pytest.raises(SshWaitTimeout, match=r"1 of 1 nodes did not answer SSH within 0.3 s: hub1 \(127.0.0.1:"):
            wait_for_ssh([SshTarget("hub1", "127.0.0.1", server.port)], 0.3, interval_s=0.05)
    finally:
        server.close()


def test_wait_returns_every_banner(banner_server: BannerServer) -> None:
    targets = [SshTarget(name, "127.0.0.1", banner_server.port) for name in ("hub1", "hub2")]
    assert wait_for_ssh(targets, 5.0) == dict.fromkeys(("hub1", "hub2"), "SSH-2.0-OpenSSH_9.6 stand-in")


def test_wait_names_only_the_silent_nodes(banner_server: BannerServer) -> None:
    silent = unused_port()
    targets = [SshTarget("hub1", "127.0.0.1", banner_server.port), SshTarget("spoke1", "127.0.0.1", silent)]
    with pytest.raises(SshWaitTimeout) as caught:
        wait_for_ssh(targets, 0.3, interval_s=0.05)
    assert str(caught.value).endswith(f"1 of 2 nodes did not answer SSH within 0.3 s: spoke1 (127.0.0.1:{silent})")
