"""The vty line discipline: echo, CR/LF, line editing, control keys, hidden passwords."""

from __future__ import annotations

import pytest

from flexlab.sim.shell import CliSession
from flexlab.sim.shell.terminal import Terminal


@pytest.fixture
def screen(cli_session: CliSession) -> tuple[Terminal, list[str]]:
    written: list[str] = []
    terminal = Terminal(cli_session, written.append)
    terminal.start()
    return terminal, written


def shown(written: list[str]) -> str:
    return "".join(written)


def test_login_shows_a_blank_line_then_the_prompt(screen) -> None:
    _, written = screen
    assert shown(written) == "\r\nr1#"


def test_a_command_is_echoed_then_answered_with_crlf(screen) -> None:
    terminal, written = screen
    terminal.feed("show version\r")
    assert shown(written) == "\r\nr1#show version\r\nRENDER show version\r\nhost r1\r\nlast line\r\nr1#"


@pytest.mark.parametrize("ending", ["\r", "\n", "\r\n"])
def test_each_line_ending_submits_once(screen, ending: str) -> None:
    terminal, written = screen
    terminal.feed(f"terminal length 0{ending}")
    assert shown(written).count("r1#") == 2


def test_line_split_across_packets(screen, fake_device) -> None:
    terminal, written = screen
    terminal.feed("conf")
    terminal.feed(" t\rhostname")
    terminal.feed(" edge\r\n")
    assert fake_device.hostname == "edge"
    assert shown(written).endswith("edge(config)#")


def test_backspace_and_kill_line_edit_the_buffer(screen) -> None:
    terminal, written = screen
    terminal.feed("shoq\x7fw ver\x08\x08\x08version\r")
    assert "RENDER show version" in shown(written)
    assert "\b \b" in shown(written)
    written.clear()
    terminal.feed("garbage\x15show clock\r")
    assert "RENDER show clock" in shown(written)


def test_ctrl_w_erases_the_last_word(screen) -> None:
    terminal, written = screen
    terminal.feed("show interfaces\x17clock\r")
    assert "RENDER show clock" in shown(written)


def test_cursor_keys_are_ignored(screen) -> None:
    terminal, written = screen
    terminal.feed("show \x1b[A\x1b[Dversion\r")
    assert "RENDER show version" in shown(written)
    assert "\x1b" not in shown(written)


def test_ctrl_z_and_ctrl_c_leave_configuration_mode(screen, cli_session: CliSession) -> None:
    terminal, written = screen
    terminal.feed("conf t\rinterface lo1\rdescr\x1a")
    assert shown(written).endswith("r1(config-if)#descr^Z\r\nr1#")
    terminal.feed("conf t\r\x03")
    assert shown(written).endswith("r1(config)#^C\r\nr1#")
    assert not cli_session.in_config


def test_password_is_not_echoed(make_fake_device) -> None:
    device = make_fake_device()
    setup = CliSession(device)
    for line in ["conf t", "enable secret topsecret", "end"]:
        setup.execute(line)
    written: list[str] = []
    terminal = Terminal(CliSession(device, privilege=1), written.append)
    terminal.start()
    terminal.feed("enable\rtopsecret\r")
    assert "topsecret" not in shown(written)
    assert shown(written).endswith("Password: \r\nr1#")


def test_exit_closes_and_ignores_further_input(screen) -> None:
    terminal, written = screen
    terminal.feed("exit\rshow version\r")
    assert terminal.closed
    assert "RENDER" not in shown(written)
