"""Command grammar: pattern expansion, abbreviations, canonical words, IOS errors and ^ positions."""

from __future__ import annotations

import pytest

from flexlab.iosconfig import ConfigTree
from flexlab.sim.shell import ConfigInterpreter
from flexlab.sim.shell.config_commands import MODES, grammar_for
from flexlab.sim.shell.errors import INCOMPLETE, INVALID_INPUT
from flexlab.sim.shell.exec_commands import exec_grammar
from flexlab.sim.shell.grammar import (
    CommandSpec,
    Failure,
    Grammar,
    GrammarError,
    Kw,
    Match,
    expand,
)
from flexlab.sim.shell.interfaces import canonical_interface, interface_sort_key
from flexlab.sim.shell.params import tokenize


def match(mode: str, line: str) -> Match | Failure:
    return grammar_for(mode).match(tokenize(line), line)


def exec_match(line: str, privilege: int = 15) -> Match | Failure:
    return exec_grammar(privilege).match(tokenize(line), line)


def feed_in(mode_lines: list[str], line: str):
    """Feed setup lines (to reach a mode), then ``line``; return the last result."""
    interpreter = ConfigInterpreter(ConfigTree())
    for setup in mode_lines:
        assert interpreter.feed(setup).kind == "ok", setup
    return interpreter.feed(line)


# --- patterns -------------------------------------------------------------------------------

def test_expand_optionals_and_choices() -> None:
    sequences = expand("a [b] (c|d {word})")
    rendered = sorted(" ".join(e.word if isinstance(e, Kw) else e.key for e in seq) for seq in sequences)
    assert rendered == ["a b c", "a b d word", "a c", "a d word"]


def test_keyword_alias_is_stored_under_its_canonical_spelling() -> None:
    found = match("global", "line console 0")
    assert isinstance(found, Match) and found.words == ("line", "con", "0")


@pytest.mark.parametrize("pattern", ["a [b", "a (b|c", "x {nosuch}"])
def test_bad_patterns_are_rejected(pattern: str) -> None:
    with pytest.raises(GrammarError):
        Grammar([CommandSpec(pattern)])


def test_two_commands_accepting_the_same_input_are_a_table_error() -> None:
    with pytest.raises(GrammarError):
        Grammar([CommandSpec("a [b]"), CommandSpec("a b")])


def test_every_mode_grammar_compiles() -> None:
    for mode in MODES:
        assert grammar_for(mode).root.keywords


# --- abbreviations and canonical words --------------------------------------------------

@pytest.mark.parametrize(
    "mode, line, words",
    [
        ("global", "int e0/1", ("interface", "Ethernet0/1")),
        ("global", "interface Ethernet 0/2", ("interface", "Ethernet0/2")),
        ("global", "int gi2", ("interface", "GigabitEthernet2")),
        ("global", "int Gig0/1", ("interface", "GigabitEthernet0/1")),
        ("global", "int lo1", ("interface", "Loopback1")),
        ("global", "int tu1", ("interface", "Tunnel1")),
        ("global", "int virtual-t1 type tunnel", ("interface", "Virtual-Template1", "type", "tunnel")),
        ("global", "cry ikev2 dpd 30 5 on", ("crypto", "ikev2", "dpd", "30", "5", "on-demand")),
        ("global", "crypto ikev2 dpd 010 05 per", ("crypto", "ikev2", "dpd", "10", "5", "periodic")),
        ("global", "ip sla sched 10 life forever start-time now",
         ("ip", "sla", "schedule", "10", "life", "forever", "start-time", "now")),
        ("global", "no ip domain-lookup", ("ip", "domain", "lookup")),
        ("global", "logging buffered 7", ("logging", "buffered", "debugging")),
        ("global", "logging buff 64000 inf", ("logging", "buffered", "64000", "informational")),
        ("global", "ip route 0.0.0.0 0.0.0.0 e0/1 100.64.0.1",
         ("ip", "route", "0.0.0.0", "0.0.0.0", "Ethernet0/1", "100.64.0.1")),
        ("router", "nei 1.2.3.4 rem 65001", ("neighbor", "1.2.3.4", "remote-as", "65001")),
        ("router", "neighbor Spokes peer-group", ("neighbor", "Spokes", "peer-group")),
        ("router", "bgp listen range 172.16.0.9/16 peer-group Spokes",
         ("bgp", "listen", "range", "172.16.0.0/16", "peer-group", "Spokes")),
        ("router", "aggregate-address 10.0.0.0 255.0.0.0 summ",
         ("aggregate-address", "10.0.0.0", "255.0.0.0", "summary-only")),
        ("ikev2-flexvpn", "peer 1 100.64.0.2 track 3", ("peer", "1", "100.64.0.2", "track", "3")),
        ("ikev2-flexvpn", "peer react", ("peer", "reactivate")),
        ("ikev2-flexvpn", "conn track 5", ("connect", "track", "5")),
        ("ikev2-flexvpn", "source 1 e0/1 track 2", ("source", "1", "Ethernet0/1", "track", "2")),
        ("ikev2-flexvpn", "backup group 2", ("backup", "group", "2")),
        ("ip-sla", "icmp-echo 172.16.0.1 source-int lo1", ("icmp-echo", "172.16.0.1", "source-interface", "Loopback1")),
        ("ip-sla", "icmp-echo 172.16.0.1 source-ip 10.1.1.1", ("icmp-echo", "172.16.0.1", "source-ip", "10.1.1.1")),
        ("if-tunnel", "tunnel prot ipsec prof default", ("tunnel", "protection", "ipsec", "profile", "default")),
        ("if-tunnel", "descr  two  spaces kept", ("description", "two  spaces kept")),
    ],
)
def test_config_abbreviations_expand_to_canonical_words(mode: str, line: str, words: tuple[str, ...]) -> None:
    found = match(mode, line)
    assert isinstance(found, Match), found
    assert found.words == words


@pytest.mark.parametrize(
    "line, words",
    [
        ("conf t", ("configure", "terminal")),
        ("config term", ("configure", "terminal")),
        ("term len 0", ("terminal", "length", "0")),
        ("sh ip int br", ("show", "ip", "interface", "brief")),
        ("sh int e0/1", ("show", "interfaces", "Ethernet0/1")),
        ("show interfaces gi 2", ("show", "interfaces", "GigabitEthernet2")),
        ("sh cry ikev2 sa det", ("show", "crypto", "ikev2", "sa", "detailed")),
        ("sh cry ikev2 client flex Flex_Client", ("show", "crypto", "ikev2", "client", "flexvpn", "Flex_Client")),
        ("sh cry sess det", ("show", "crypto", "session", "detail")),
        ("sh ip b sum", ("show", "ip", "bgp", "summary")),
        ("sh bgp all sum", ("show", "bgp", "all", "summary")),
        ("sh ip ro bgp", ("show", "ip", "route", "bgp")),
        ("sh ip loc pool", ("show", "ip", "local", "pool")),
        ("sh ip sla stat", ("show", "ip", "sla", "statistics")),
        ("sh ntp assoc", ("show", "ntp", "associations")),
        ("sh run", ("show", "running-config")),
        ("wr", ("write",)),
        ("clear ip bgp * soft", ("clear", "ip", "bgp", "*", "soft")),
        ("clea cry ikev2 sa", ("clear", "crypto", "ikev2", "sa")),
    ],
)
def test_exec_abbreviations_expand_to_canonical_words(line: str, words: tuple[str, ...]) -> None:
    found = exec_match(line)
    assert isinstance(found, Match), found
    assert found.words == words


@pytest.mark.parametrize(
    "text, canonical",
    [("e0/1", "Ethernet0/1"), ("ETH1/0", "Ethernet1/0"), ("gi0/1", "GigabitEthernet0/1"), ("g2", "GigabitEthernet2"),
     ("fa0/0", "FastEthernet0/0"), ("Virtual-Access3", "Virtual-Access3"), ("nu0", "Null0")],
)
def test_interface_names(text: str, canonical: str) -> None:
    assert canonical_interface(text) == canonical


@pytest.mark.parametrize("text", ["v1", "e1", "xyz1", "Loopback", "lo1/1"])
def test_not_interface_names(text: str) -> None:
    assert canonical_interface(text) is None


def test_interfaces_sort_like_ios_running_config() -> None:
    names = ["Virtual-Template1", "Ethernet1/0", "Ethernet0/2", "Tunnel1", "Loopback1", "Loopback0"]
    assert sorted(names, key=interface_sort_key) == [
        "Loopback0", "Loopback1", "Tunnel1", "Ethernet0/2", "Ethernet1/0", "Virtual-Template1"]


# --- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "setup, line, position",
    [
        ([], "router bgpp 65001", 10),            # 'bgp' matched, caret under the extra 'p'
        ([], "hostnane S1", 6),                   # 'hostna' matched
        ([], "logging 0255.255.1", 8),            # bad word: caret at its start
        ([], "crypto ikev2 dpd 5 2 on-demand", 17),     # interval below 10
        ([], "crypto ikev2 dpd 3601 2 periodic", 17),   # interval above 3600
        ([], "crypto ikev2 dpd 10 61 on-demand", 20),   # retry above 60
        ([], "crypto ikev2 dpd 10 1 on-demand", 20),    # retry below 2
        ([], "crypto ikev2 dpd 30 5 sometimes", 22),
        ([], "router bgp 0", 11),
        ([], "router bgp 65001 extra", 17),
        ([], "  router bgpp 1", 12),               # indented paste: position in the raw line
        ([], "foo bar", 0),
        (["interface Ethernet0/1"], "ip address 1.1.1.256 255.0.0.0", 11),
        (["interface Ethernet0/1"], "ip address 1.1.1.1 255.0.255.0", 19),   # non-contiguous mask
        (["interface Ethernet0/1"], "ip nhrp network-id 2", 3),               # tunnel command on Ethernet
        (["crypto ikev2 client flexvpn F"], "peer 11 1.2.3.4", 5),
        (["router bgp 65001"], "neighbor 1.2.3.4 remote-as 65001 x", 33),
    ],
)
def test_invalid_input_caret_position(setup: list[str], line: str, position: int) -> None:
    result = feed_in(setup, line)
    assert result.kind == "error" and result.error is not None
    assert result.error.message == INVALID_INPUT
    assert result.error.position == position


@pytest.mark.parametrize(
    "setup, line",
    [
        ([], "router bgp"),
        ([], "router"),
        ([], "interface"),
        ([], "interface Ethernet"),
        ([], "crypto ikev2 dpd 30 5"),
        ([], "ip route 0.0.0.0 0.0.0.0"),
        ([], "hostname"),
        (["interface Tunnel1"], "ip address 1.1.1.1"),
        (["crypto ikev2 client flexvpn F"], "peer 1"),
        (["router bgp 1"], "neighbor 1.2.3.4"),
        ([], "no router bgp"),
        ([], "no"),
    ],
)
def test_incomplete_commands(setup: list[str], line: str) -> None:
    result = feed_in(setup, line)
    assert result.kind == "error" and result.error is not None
    assert result.error.message == INCOMPLETE
    assert result.error.position is None


@pytest.mark.parametrize(
    "setup, line",
    [([], "ro bgp 1"), ([], "c"), (["interface Tunnel1"], "d 10"), (["router bgp 1"], "n 10.0.0.0"),
     (["crypto ikev2 client flexvpn F"], "c auto"), (["router bgp 1"], "neighbor 1.2.3.4 r 65001")],
)
def test_ambiguous_abbreviations(setup: list[str], line: str) -> None:
    result = feed_in(setup, line)
    assert result.kind == "error" and result.error is not None
    assert result.error.message == f'% Ambiguous command:  "{line}"'


def test_exec_ambiguous_and_invalid() -> None:
    assert exec_match("c") == Failure("ambiguous", 0)
    assert exec_match("co t") == Failure("ambiguous", 0)
    assert exec_match("sh versoin") == Failure("invalid", 7)
    assert exec_match("sh ip int brieff") == Failure("invalid", 15)
    assert exec_match("show ip bgp summary x") == Failure("invalid", 20)


def test_user_exec_has_no_configuration_commands() -> None:
    assert isinstance(exec_match("show version", privilege=1), Match)
    assert isinstance(exec_match("configure terminal", privilege=1), Failure)
    assert isinstance(exec_match("show running-config", privilege=1), Failure)


def test_error_str_shows_the_line_and_the_marker() -> None:
    result = feed_in([], "router bgpp 65001")
    assert result.error is not None
    assert str(result.error).splitlines() == ["router bgpp 65001", " " * 10 + "^", INVALID_INPUT]
