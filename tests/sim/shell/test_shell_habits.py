"""IOS command-line habits on the fake device: `?` help, --More-- paging, debug, CONFIG_I,
enable without a secret, vty lines. Expected texts are IOS's (written out by hand)."""

from __future__ import annotations

import pytest

from flexlab.iosconfig import ConfigTree
from flexlab.sim.shell import CliSession
from flexlab.sim.shell.paging import ERASE_MORE, MORE
from flexlab.sim.shell.terminal import Terminal
from flexlab.sim.shell.vty import VtyPool, vty_lines


def terminal_for(device, **kwargs) -> tuple[Terminal, list[str]]:
    shown: list[str] = []
    return Terminal(CliSession(device, username="admin", **kwargs), shown.append), shown


def screen(shown: list[str]) -> str:
    return "".join(shown).replace("\r\n", "\n")


# --- ? help ---------------------------------------------------------------------------------------

def test_question_mark_completes_a_partial_word_and_keeps_the_line(fake_device) -> None:
    terminal, shown = terminal_for(fake_device)
    terminal.feed("sh?")
    assert screen(shown) == "sh?\nshow  \n\nr1#sh"
    terminal.feed("ow privilege\r")
    assert screen(shown).endswith("r1#show privilege\nCurrent privilege level is 15\nr1#")


def test_question_mark_after_a_space_lists_the_next_words(fake_device) -> None:
    terminal, shown = terminal_for(fake_device)
    terminal.feed("terminal length ?")
    assert screen(shown) == "terminal length ?\n  <0-512>\n\nr1#terminal length "
    shown.clear()
    terminal.feed("\x15show ip bgp ?")
    listed = screen(shown).split("?\n", 1)[1]
    words = listed.splitlines()
    assert {"  neighbors", "  summary"} <= set(words) and words[words.index("  <cr>") - 1] != ""
    assert words.index("  summary") < words.index("  <cr>")


def test_help_in_configuration_mode_lists_the_modes_commands(fake_device) -> None:
    terminal, shown = terminal_for(fake_device)
    terminal.feed("conf t\r")
    shown.clear()
    terminal.feed("router bgp 65001\rneighbor 1.2.3.4 ?")
    listed = screen(shown).split("?\n", 1)[1]
    assert "  remote-as" in listed.splitlines() and "  peer-group" in listed.splitlines()


def test_help_after_an_unknown_word(fake_device) -> None:
    terminal, shown = terminal_for(fake_device)
    terminal.feed("frobnicate ?")
    assert screen(shown) == "frobnicate ?\n% Unrecognized command\nr1#frobnicate "
    shown.clear()
    terminal.feed("\x15show frob ?")
    assert "\n" + " " * len("r1#show ") + "^\n% Invalid input detected at '^' marker.\n" in screen(shown)


def test_question_mark_is_a_character_in_a_password(make_fake_device) -> None:
    device = make_fake_device()
    session = CliSession(device)
    session.execute("conf t")
    session.execute("enable secret wh?t")
    session.execute("end")
    terminal, shown = terminal_for(device, privilege=1)
    terminal.feed("enable\rwh?t\r")
    assert screen(shown).endswith("Password: \nr1#")


# --- paging ---------------------------------------------------------------------------------------

def long_renderer(snapshot, words):
    return "".join(f"line {n}\n" for n in range(1, 31))


def test_output_longer_than_the_terminal_stops_at_more(make_fake_device) -> None:
    shown: list[str] = []
    terminal = Terminal(CliSession(make_fake_device(), username="admin", renderer=long_renderer), shown.append)
    terminal.feed("terminal length 10\rshow version\r")
    text = screen(shown)
    assert text.endswith("line 9\n" + MORE) and "line 10" not in text     # 10 - 1 lines per page
    terminal.feed(" ")
    assert screen(shown).endswith("line 9\n" + MORE + ERASE_MORE + "".join(f"line {n}\n" for n in range(10, 19)) + MORE)
    terminal.feed("\r")                                                     # Enter: one more line
    assert screen(shown).endswith(ERASE_MORE + "line 19\n" + MORE)
    terminal.feed("q")                                                      # any other key: the rest is dropped
    assert screen(shown).endswith(ERASE_MORE + "r1#") and "line 20" not in screen(shown)


def test_terminal_length_0_turns_paging_off(make_fake_device) -> None:
    shown: list[str] = []
    terminal = Terminal(CliSession(make_fake_device(), username="admin", renderer=long_renderer), shown.append)
    terminal.feed("terminal length 0\rshow version\r")
    assert MORE not in screen(shown) and screen(shown).endswith("line 30\nr1#")


def test_the_default_vty_length_is_24(make_fake_device) -> None:
    shown: list[str] = []
    terminal = Terminal(CliSession(make_fake_device(), username="admin", renderer=long_renderer), shown.append)
    terminal.feed("show version\r")
    assert screen(shown).endswith("line 23\n" + MORE)


# --- debug ----------------------------------------------------------------------------------------

def test_debug_undebug_and_show_debugging(cli_session: CliSession) -> None:
    assert cli_session.execute("debug crypto ikev2").output == "IKEv2 default debugging is on\n"
    assert cli_session.execute("deb ip bgp").output == "BGP debugging is on for address family: IPv4 Unicast\n"
    assert cli_session.execute("show debugging").output == (
        "Cryptographic Subsystem:\n  IKEv2 default debugging is on\n"
        "IP routing:\n  BGP debugging is on for address family: IPv4 Unicast\n")
    assert cli_session.execute("no debug ip bgp").output == "BGP debugging is off for address family: IPv4 Unicast\n"
    assert cli_session.execute("undebug all").output == "All possible debugging has been turned off\n"
    assert cli_session.execute("show debugging").output == ""


def test_debug_flags_belong_to_the_router_not_the_session(fake_device) -> None:
    CliSession(fake_device, username="a").execute("debug crypto ipsec")
    assert "Crypto IPSEC debugging is on" in CliSession(fake_device, username="b").execute("show debugging").output


def test_debug_needs_privilege_15(fake_device) -> None:
    assert "% Invalid input" in CliSession(fake_device, privilege=1).execute("debug crypto ikev2").output


# --- CONFIG_I ------------------------------------------------------------------------------------

@pytest.mark.parametrize("leave", ["end", "exit", "\x1a"])
def test_leaving_configuration_mode_logs_config_i(make_fake_device, leave: str) -> None:
    device = make_fake_device()
    device.logged = []
    device.log_message = device.logged.append
    terminal, _ = terminal_for(device, vty=2, peer="192.0.2.7")
    terminal.feed("conf t\rhostname edge\r" + (leave + "\r" if leave != "\x1a" else leave))
    assert device.logged == [("SYS", 5, "CONFIG_I", "Configured from console by admin on vty2 (192.0.2.7)")]


# --- enable -------------------------------------------------------------------------------------

def test_enable_without_an_enable_secret_is_refused_and_lowering_needs_no_password(fake_device) -> None:
    session = CliSession(fake_device, username="admin")
    assert session.execute("enable 5").output == "" and session.execute("show privilege").output == \
        "Current privilege level is 5\n"
    assert session.execute("enable").output == "% No password set\n"
    assert session.prompt == "r1>"


def test_disable_to_a_level(fake_device) -> None:
    session = CliSession(fake_device, username="admin")
    session.execute("disable 7")
    assert session.execute("show privilege").output == "Current privilege level is 7\n"


# --- vty lines ---------------------------------------------------------------------------------

def test_vty_lines_from_the_config() -> None:
    assert vty_lines(ConfigTree()) == frozenset(range(5))
    assert vty_lines(ConfigTree.from_text("line vty 0 4\nline vty 5 15\n")) == frozenset(range(16))
    pool = VtyPool()
    config = ConfigTree.from_text("line vty 0 1\n")
    assert [pool.allocate(config) for _ in range(6)] == [0, 1, 2, 3, 4, None]
    pool.release(2)
    assert pool.allocate(config) == 2


def test_help_inside_ping_lists_its_options(fake_device) -> None:
    session = CliSession(fake_device, username="admin")
    assert session.help("ping ") == "  WORD  Ping destination address or hostname\n  ip    IP echo\n\n"
    assert session.help("ping 10.0.2.1 rep 3 ").splitlines() == [
        "  df-bit", "  size", "  source", "  timeout", "  validate", "  <cr>", ""]
    assert session.help("ping 10.0.2.1 size ") == "  <36-18024>\n\n"
    assert session.help("traceroute 10.0.2.1 ttl 1 ") == "  <1-255>\n\n"
