"""CLI session: prompts, EXEC levels, enable, show dispatch, filters, questions, do, errors."""

from __future__ import annotations

import pytest

from flexlab.sim.shell import CliSession, login_privilege
from flexlab.sim.shell.errors import INVALID_INPUT, UNKNOWN_COMMAND


def run(session: CliSession, *lines: str) -> str:
    """Type lines; return the output of the last one."""
    output = ""
    for line in lines:
        output = session.execute(line).output
    return output


# --- prompts and modes -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "lines, prompt",
    [
        ([], "r1#"),
        (["conf t"], "r1(config)#"),
        (["conf t", "int e0/1"], "r1(config-if)#"),
        (["conf t", "int tu1"], "r1(config-if)#"),
        (["conf t", "router bgp 65001"], "r1(config-router)#"),
        (["conf t", "crypto ikev2 profile P"], "r1(config-ikev2-profile)#"),
        (["conf t", "crypto ikev2 keyring K"], "r1(config-ikev2-keyring)#"),
        (["conf t", "crypto ikev2 keyring K", "peer P"], "r1(config-ikev2-keyring-peer)#"),
        (["conf t", "crypto ikev2 client flexvpn F"], "r1(config-ikev2-flexvpn)#"),
        (["conf t", "crypto ikev2 authorization policy default"], "r1(config-ikev2-author-policy)#"),
        (["conf t", "crypto ipsec transform-set T esp-gcm"], "r1(cfg-crypto-trans)#"),
        (["conf t", "crypto ipsec profile default"], "r1(ipsec-profile)#"),
        (["conf t", "route-map ALL permit 10"], "r1(config-route-map)#"),
        (["conf t", "ip sla 10"], "r1(config-ip-sla)#"),
        (["conf t", "ip sla 10", "icmp-echo 1.1.1.1"], "r1(config-ip-sla-echo)#"),
        (["conf t", "line con 0"], "r1(config-line)#"),
        (["conf t", "track 1 ip sla 10 reachability"], "r1(config-track)#"),
        (["conf t", "key chain KC"], "r1(config-keychain)#"),
        (["conf t", "key chain KC", "key 1"], "r1(config-keychain-key)#"),
        (["conf t", "int lo1", "end"], "r1#"),
        (["conf t", "int lo1", "exit"], "r1(config)#"),
        (["conf t", "exit"], "r1#"),
        (["conf t", "hostname edge", "int lo1"], "edge(config-if)#"),
        (["disable"], "r1>"),
        (["disable", "enable"], "r1>"),            # no enable secret: % No password set
        (["conf t", "enable secret x", "end", "disable", "enable", "x"], "r1#"),
    ],
)
def test_prompts(cli_session: CliSession, lines: list[str], prompt: str) -> None:
    for line in lines:
        cli_session.execute(line)
    assert cli_session.prompt == prompt


def test_configure_terminal_banner_and_config_changed_calls(cli_session: CliSession, fake_device) -> None:
    assert run(cli_session, "configure terminal") == "Enter configuration commands, one per line.  End with CNTL/Z.\n"
    for line in ["router bgp 65001", "bgp log-neighbor-changes", "bgp log-neighbor-changes", "exit", "! comment", ""]:
        cli_session.execute(line)
    assert fake_device.changes == 2   # only lines that changed the configuration
    assert fake_device.config.render() == "router bgp 65001\n bgp log-neighbor-changes\n!\n"


def test_configure_alone_asks_where_from(cli_session: CliSession) -> None:
    run(cli_session, "configure")
    assert cli_session.prompt == "Configuring from terminal, memory, or network [terminal]? "
    assert run(cli_session, "").startswith("Enter configuration commands")
    assert cli_session.prompt == "r1(config)#"


def test_interrupt_leaves_configuration_mode(cli_session: CliSession) -> None:
    run(cli_session, "conf t", "interface lo1")
    cli_session.interrupt()
    assert cli_session.prompt == "r1#"


# --- errors as a terminal shows them -----------------------------------------------------------

def test_invalid_input_marker_counts_the_prompt(cli_session: CliSession) -> None:
    run(cli_session, "conf t")
    output = run(cli_session, "router bgpp 65001")
    assert output == " " * (len("r1(config)#") + 10) + "^\n" + INVALID_INPUT + "\n\n"


def test_exec_errors(cli_session: CliSession) -> None:
    assert run(cli_session, "sh versoin") == " " * (3 + 7) + "^\n" + INVALID_INPUT + "\n\n"
    assert run(cli_session, "sh ip b").startswith("RENDER show ip bgp\n")   # `show ip bgp` is complete
    assert run(cli_session, "show ip local") == "% Incomplete command.\n\n"
    assert run(cli_session, "c") == '% Ambiguous command:  "c"\n'
    assert run(cli_session, "show") == '% Type "show ?" for a list of subcommands\n'


def test_unknown_word_is_taken_for_a_host_name(cli_session: CliSession) -> None:
    assert run(cli_session, "foo") == f'Translating "foo"...domain server (255.255.255.255)\n{UNKNOWN_COMMAND}\n'
    run(cli_session, "conf t", "no ip domain lookup", "end")
    assert run(cli_session, "foo") == f'Translating "foo"\n{UNKNOWN_COMMAND}\n'


def test_semantic_errors_are_printed_without_marker(cli_session: CliSession) -> None:
    run(cli_session, "conf t", "router bgp 1")
    assert run(cli_session, "neighbor 1.1.1.1 shutdown") == "% Specify remote-as or peer-group commands first\n"


# --- show commands -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "line, words",
    [
        ("show version", "show version"),
        ("sh clock", "show clock"),
        ("sh ip int br", "show ip interface brief"),
        ("sh interfaces", "show interfaces"),
        ("sh int e0/1", "show interfaces Ethernet0/1"),
        ("sh crypto ikev2 sa", "show crypto ikev2 sa"),
        ("sh cry ikev2 sa det", "show crypto ikev2 sa detailed"),
        ("sh cry ikev2 client flexvpn", "show crypto ikev2 client flexvpn"),
        ("sh cry ikev2 client flexvpn Flex_Client", "show crypto ikev2 client flexvpn Flex_Client"),
        ("sh cry sess", "show crypto session"),
        ("sh cry sess det", "show crypto session detail"),
        ("sh ip bgp sum", "show ip bgp summary"),
        ("sh bgp all sum", "show bgp all summary"),
        ("sh ip bgp", "show ip bgp"),
        ("sh ip route", "show ip route"),
        ("sh ip ro bgp", "show ip route bgp"),
        ("sh ip route static", "show ip route static"),
        ("sh ip local pool FlexSpokes", "show ip local pool FlexSpokes"),
        ("sh ip sla statistics 010", "show ip sla statistics 10"),
        ("sh logg", "show logging"),
        ("sh ip local pool", "show ip local pool"),
        ("sh ip sla stat", "show ip sla statistics"),
        ("sh ntp status", "show ntp status"),
        ("sh ntp assoc", "show ntp associations"),
    ],
)
def test_show_commands_reach_the_renderer_with_canonical_words(cli_session: CliSession, fake_device,
                                                              line: str, words: str) -> None:
    assert run(cli_session, line) == f"RENDER {words}\nhost r1\nlast line\n"
    assert fake_device.snapshots == 1


def test_do_runs_exec_commands_from_configuration_mode(cli_session: CliSession) -> None:
    run(cli_session, "conf t", "interface lo1")
    assert run(cli_session, "do sh ip int br | inc RENDER") == "RENDER show ip interface brief\n"
    assert cli_session.prompt == "r1(config-if)#"
    assert run(cli_session, "do sh versoin") == " " * (len("r1(config-if)#") + 10) + "^\n" + INVALID_INPUT + "\n\n"
    assert INVALID_INPUT in run(cli_session, "do configure terminal")


class _Refused(Exception):
    """Shaped like flexlab.sim.show's UnknownShowCommand."""

    def __init__(self, word_index: int, incomplete: bool = False) -> None:
        super().__init__("refused")
        self.word_index, self.incomplete = word_index, incomplete


def test_renderer_refusing_a_word_gets_the_ios_marker_under_it(make_fake_device) -> None:
    def no_such_interface(snapshot, words):
        raise _Refused(2)
    session = CliSession(make_fake_device(), renderer=no_such_interface)
    assert run(session, "sh int e 9/9") == " " * (3 + 7) + "^\n" + INVALID_INPUT + "\n\n"

    def incomplete(snapshot, words):
        raise _Refused(len(words), incomplete=True)
    session = CliSession(make_fake_device(), renderer=incomplete)
    assert run(session, "show ip bgp") == "% Incomplete command.\n\n"


def test_renderer_failure_is_reported_and_the_session_survives(make_fake_device) -> None:
    def broken(snapshot, words):
        raise RuntimeError("boom")
    session = CliSession(make_fake_device(), renderer=broken)
    assert "boom" in run(session, "show version")
    assert session.prompt == "r1#"


# --- output filters -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "pipe, output",
    [
        ("| include host", "host r1\n"),
        ("| i RENDER|last", "RENDER show version\nlast line\n"),
        ("| exclude host", "RENDER show version\nlast line\n"),
        ("| begin host", "host r1\nlast line\n"),
        ("| count line", "Number of lines which match regexp = 1\n"),
        ("| include l | exclude host", "last line\n"),
    ],
)
def test_output_filters(cli_session: CliSession, pipe: str, output: str) -> None:
    assert run(cli_session, f"show version {pipe}") == output


def test_section_filter_on_running_config(cli_session: CliSession) -> None:
    run(cli_session, "conf t", "hostname r1", "interface lo1", "description lan", "router bgp 1",
        "bgp log-neighbor-changes", "end")
    assert run(cli_session, "show run | section router bgp") == "router bgp 1\n bgp log-neighbor-changes\n"
    assert run(cli_session, "sh run | sec lan") == "interface Loopback1\n description lan\n"


def test_bad_filters(cli_session: CliSession) -> None:
    assert run(cli_session, "show version | grep x") == " " * (3 + 15) + "^\n" + INVALID_INPUT + "\n\n"
    assert run(cli_session, "show version | include") == "% Incomplete command.\n\n"
    assert run(cli_session, "write | include x").startswith(" " * (3 + 6) + "^")


# --- running / startup config, write, clear ----------------------------------------------------------

def test_show_running_config_frames_the_tree_like_ios(cli_session: CliSession) -> None:
    run(cli_session, "conf t", "hostname r1", "interface lo1", "end")
    output = run(cli_session, "show running-config")
    lines = output.splitlines()
    assert lines[:2] == ["Building configuration...", ""]
    assert lines[2].startswith("Current configuration : ") and lines[2].endswith(" bytes")
    assert lines[3:] == ["!", "hostname r1", "interface Loopback1", "!", "end"]


def test_write_memory_and_startup_config(cli_session: CliSession, fake_device) -> None:
    assert run(cli_session, "show startup-config") == "startup-config is not present\n"
    run(cli_session, "conf t", "hostname r1", "end")
    assert run(cli_session, "wr mem") == "Building configuration...\n[OK]\n"
    assert fake_device.writes == 1
    assert "hostname r1" in run(cli_session, "show startup-config").splitlines()
    run(cli_session, "copy running-config startup-config")
    assert cli_session.prompt == "Destination filename [startup-config]? "
    assert run(cli_session, "") == "Building configuration...\n[OK]\n"
    assert fake_device.writes == 2


@pytest.mark.parametrize(
    "line, words",
    [
        ("clear crypto ikev2 sa", ["clear", "crypto", "ikev2", "sa"]),
        ("clear cry sess", ["clear", "crypto", "session"]),
        ("clear ip bgp *", ["clear", "ip", "bgp", "*"]),
        ("clear ip bgp 10.255.0.2 soft in", ["clear", "ip", "bgp", "10.255.0.2", "soft", "in"]),
    ],
)
def test_clear_commands_go_to_the_device(cli_session: CliSession, fake_device, line: str, words: list[str]) -> None:
    run(cli_session, line)
    assert fake_device.cleared == [words]


def test_clear_logging_asks_for_confirmation(cli_session: CliSession, fake_device) -> None:
    run(cli_session, "clear logging")
    assert cli_session.prompt == "Clear logging buffer [confirm]"
    run(cli_session, "n")
    assert fake_device.cleared == []
    run(cli_session, "clear logging", "")
    assert fake_device.cleared == [["clear", "logging"]]


# --- privilege levels and enable ------------------------------------------------------------------

def test_login_privilege_from_username_lines(make_fake_device) -> None:
    device = make_fake_device()
    run(CliSession(device), "conf t", "username op secret x", "username boss privilege 15 secret y")
    assert login_privilege(device, "op") == 1
    assert login_privilege(device, "boss") == 15
    assert login_privilege(device, "admin") == 15     # containerlab bootstrap user: no line, privilege 15


def test_device_hook_decides_login_privilege(make_fake_device) -> None:
    device = make_fake_device()
    device.login_privilege = lambda username: 1
    assert CliSession(device, username="admin").prompt == "r1>"


def test_user_exec_level(make_fake_device) -> None:
    session = CliSession(make_fake_device(), privilege=1, renderer=lambda s, w: " ".join(w))
    assert session.prompt == "r1>"
    assert run(session, "show version") == "show version\n"
    assert INVALID_INPUT in run(session, "show running-config")
    assert INVALID_INPUT in run(session, "configure terminal")
    assert run(session, "enable") == "% No password set\n"     # IOS on a vty without enable secret
    assert session.prompt == "r1>"


def test_enable_secret_is_asked_without_echo(make_fake_device) -> None:
    device = make_fake_device()
    run(CliSession(device), "conf t", "enable secret s3cret", "end")
    session = CliSession(device, privilege=1)
    run(session, "enable")
    assert (session.prompt, session.echo) == ("Password: ", False)
    run(session, "wrong")
    assert session.prompt == "Password: "
    run(session, "s3cret")
    assert (session.prompt, session.echo) == ("r1#", True)


def test_enable_gives_up_after_three_bad_passwords(make_fake_device) -> None:
    device = make_fake_device()
    run(CliSession(device), "conf t", "enable secret s3cret", "end")
    session = CliSession(device, privilege=1)
    assert run(session, "enable", "a", "b", "c") == "% Bad secrets\n\n"
    assert session.prompt == "r1>"


def test_exit_closes_the_session(cli_session: CliSession) -> None:
    assert cli_session.execute("exit").close
    assert cli_session.execute("logout").close
    assert not cli_session.execute("terminal length 0").close
    assert cli_session.term_length == 0
