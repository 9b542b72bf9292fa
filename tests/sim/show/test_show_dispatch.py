"""The dispatcher: supported commands, argument checks, IOS-style rejection data."""

from __future__ import annotations

import pytest
from show_snapshots import hub1, spoke1_up

from flexlab.errors import FlexlabError
from flexlab.sim.show import UnknownShowCommand, render, supported_commands

ALL_COMMANDS = [
    "show version",
    "show clock",
    "show ip interface brief",
    "show interfaces",
    "show interfaces Ethernet0/1",
    "show crypto ikev2 sa",
    "show crypto ikev2 sa detailed",
    "show crypto ikev2 client flexvpn",
    "show crypto ikev2 client flexvpn Flex_Client",
    "show crypto session",
    "show crypto session detail",
    "show ip bgp summary",
    "show bgp all summary",
    "show ip bgp",
    "show ip route",
    "show ip route bgp",
    "show logging",
    "show ip local pool",
    "show ip sla statistics",
    "show ntp status",
    "show ntp associations",
]


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_every_command_renders_text_without_prompt_or_echo(command: str) -> None:
    for snap in (hub1(), spoke1_up()):
        text = render(snap, command.split())
        assert command not in text
        assert f"{snap.hostname}#" not in text
        assert text == "" or text.endswith("\n")


def test_supported_commands_lists_the_fixed_words() -> None:
    assert ("show", "crypto", "ikev2", "client", "flexvpn") in supported_commands()
    assert ("show", "ip", "bgp", "summary") in supported_commands()


@pytest.mark.parametrize(
    ("words", "index"),
    [
        (["show", "bogus"], 1),
        (["show", "ip", "bgp", "bogus"], 3),
        (["show", "crypto", "session", "brief"], 3),
        (["show", "crypto", "ikev2", "sa", "detailed", "extra"], 5),
        (["show", "ip", "route", "ospf"], 3),
        (["show", "clock", "bogus"], 2),
        (["show", "interfaces", "Serial0/0"], 2),
    ],
)
def test_unknown_commands_point_at_the_first_bad_word(words: list[str], index: int) -> None:
    with pytest.raises(UnknownShowCommand) as caught:
        render(hub1(), words)
    assert caught.value.word_index == index
    assert not caught.value.incomplete
    assert isinstance(caught.value, FlexlabError)


@pytest.mark.parametrize("words", [["show"], ["show", "ip"], ["show", "crypto", "ikev2"], ["show", "ntp"]])
def test_prefix_of_a_command_is_incomplete(words: list[str]) -> None:
    with pytest.raises(UnknownShowCommand) as caught:
        render(hub1(), words)
    assert caught.value.incomplete
    assert caught.value.word_index == len(words)


def test_interface_argument_accepts_ios_abbreviations_and_split_form() -> None:
    snap = spoke1_up()
    full = render(snap, ["show", "interfaces", "Tunnel1"])
    assert full.startswith("Tunnel1 is up, line protocol is up")
    assert render(snap, ["show", "interfaces", "tu1"]) == full
    assert render(snap, ["show", "interfaces", "Tunnel", "1"]) == full
    assert render(snap, ["show", "interfaces", "e0/1"]).startswith("Ethernet0/1 is up")


def test_flexvpn_client_name_filters_and_unknown_name_prints_nothing() -> None:
    snap = spoke1_up()
    assert render(snap, ["show", "crypto", "ikev2", "client", "flexvpn", "Flex_Client"]).startswith(
        "Profile : Flex_Client"
    )
    assert render(snap, ["show", "crypto", "ikev2", "client", "flexvpn", "Other"]) == ""


@pytest.mark.parametrize(
    ("words", "index"),
    [
        (["show", "ip", "sla", "statistics", "ten"], 4),
        (["show", "ip", "sla", "statistics", "10", "details"], 5),
        (["show", "ip", "local", "pool", "FlexSpokes", "x"], 5),
    ],
)
def test_free_form_arguments_are_checked(words: list[str], index: int) -> None:
    with pytest.raises(UnknownShowCommand) as caught:
        render(spoke1_up(), words)
    assert caught.value.word_index == index
