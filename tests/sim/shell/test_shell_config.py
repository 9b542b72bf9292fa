"""Configuration interpreter: the design's configs, the seed, `no` forms, replacement,
sub-mode fallback, validation and IOS ordering of the running configuration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flexlab.design import load_design
from flexlab.iosconfig import ConfigLine, ConfigTree
from flexlab.render import KINDS, render_node
from flexlab.sim.shell import ConfigInterpreter, apply_config_text
from flexlab.sim.shell.errors import INCOMPLETE, INVALID_INPUT
from flexlab.sim.shell.running_config import config_body

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed" / "116413.txt"
UNICON_CONNECT_LINES = ["config term", "no logging console", "line console 0", "exec-timeout 0", "line vty 0 4",
                        "exec-timeout 0", "end"]


def paths(lines: list[ConfigLine], parents: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every line with its chain of parent lines: the structure of a config."""
    out: set[tuple[str, ...]] = set()
    for line in lines:
        path = parents + (line.text,)
        out.add(path)
        out |= paths(line.children, path)
    return out


@pytest.fixture
def configured(make_fake_device):
    """Apply lines to a new fake device, asserting none is refused."""
    def build(lines: list[str]):
        device = make_fake_device()
        errors = apply_config_text(device, "\n".join(lines))
        assert errors == [], [str(e) for e in errors]
        return device
    return build


def running(device) -> list[str]:
    return device.config.render().splitlines()


@pytest.fixture(scope="module")
def plan():
    return load_design().plan()


# --- the design's configurations ---------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("node", ["isp", "hub1", "hub2", "spoke1", "spoke2"])
def test_every_rendered_line_is_accepted_and_kept_in_place(plan, node: str, kind: str, make_fake_device) -> None:
    text = render_node(plan, plan.node(node), kind, "embedded")
    device = make_fake_device(node)
    assert apply_config_text(device, text) == []
    expected = {p for p in paths(ConfigTree.from_text(text).lines) if p[-1] != "end" and p[-1] != "no shutdown"}
    assert expected - paths(device.config.lines) == set()
    assert device.hostname == node
    assert device.changes == 1   # apply_config_text notifies once


@pytest.mark.parametrize("node", ["hub1", "spoke1"])
def test_typing_the_rendered_config_line_by_line_gives_no_error(plan, node: str) -> None:
    interpreter = ConfigInterpreter(ConfigTree())
    for line in render_node(plan, plan.node(node), "cisco_iol", "embedded").splitlines():
        result = interpreter.feed(line)
        assert result.kind in ("ok", "end"), (line, result)


def test_applying_a_config_twice_changes_nothing(plan, make_fake_device) -> None:
    text = render_node(plan, plan.node("hub1"), "cisco_iol", "embedded")
    device = make_fake_device()
    apply_config_text(device, text)
    first = device.config.render()
    apply_config_text(device, text)
    assert device.config.render() == first
    assert device.changes == 1


@pytest.mark.parametrize("node", ["hub1", "spoke1"])
def test_running_config_round_trip(plan, node: str, make_fake_device) -> None:
    device = make_fake_device()
    apply_config_text(device, render_node(plan, plan.node(node), "cisco_iol", "embedded"))
    replayed = make_fake_device()
    assert apply_config_text(replayed, config_body(device.config)) == []
    assert replayed.config.render() == device.config.render()


def _seed_reference_config() -> list[str]:
    text = SEED.read_text(encoding="utf-8").replace("\u00a0", " ")   # the web page indents with NBSP
    block = text.split("Full Spoke Configuration - Reference", 1)[1].split("Hub Configuration", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_seed_reference_spoke_config_is_accepted_with_its_addresses_filled_in(configured) -> None:
    filled = {r"^(\s*peer 1)$": r"\1 192.0.2.1", r"^(\s*peer 2)$": r"\1 192.0.2.5",
              r"^(\s*match identity remote address)$": r"\1 0.0.0.0"}
    lines = _seed_reference_config()
    for pattern, replacement in filled.items():
        lines = [re.sub(pattern, replacement, line) for line in lines]
    device = configured(lines)
    client = device.config.first("crypto", "ikev2", "client", "flexvpn", "Flex_Client")
    assert client is not None
    assert [c.text for c in client.children] == ["peer 1 192.0.2.1", "peer 2 192.0.2.5", "client connect Tunnel1"]
    keyring_peer = device.config.first("crypto", "ikev2", "keyring", "Flex_key").child("peer", "Spokes")
    assert [c.text for c in keyring_peer.children] == ["pre-shared-key local cisco", "pre-shared-key remote cisco"]
    assert device.config.first("interface", "Tunnel1").has("tunnel", "source", "Ethernet0/0")


def test_seed_lines_with_blanked_addresses_are_refused_as_incomplete(make_fake_device) -> None:
    device = make_fake_device()
    errors = apply_config_text(device, "\n".join(_seed_reference_config()))
    assert [(e.line.strip(), e.message) for e in errors] == [
        ("match identity remote address", INCOMPLETE), ("peer 1", INCOMPLETE), ("peer 2", INCOMPLETE)]


def test_unicon_connect_lines_are_accepted(configured) -> None:
    device = configured(UNICON_CONNECT_LINES[1:-1])
    assert running(device) == ["no logging console", "line con 0", " exec-timeout 0 0", "!", "line vty 0 4",
                               " exec-timeout 0 0", "!"]


# --- replacement, sub-modes and ordering ---------------------------------------------------

@pytest.mark.parametrize(
    "lines, expected",
    [
        (["interface e0/1", "ip address 1.1.1.1 255.255.255.0", "ip addr 2.2.2.2 255.255.255.252"],
         ["interface Ethernet0/1", " ip address 2.2.2.2 255.255.255.252", "!"]),
        (["interface tu1", "ip address 1.1.1.1 255.255.255.0", "ip address negotiated"],
         ["interface Tunnel1", " ip address negotiated", "!"]),
        (["interface tu1", "ip address 1.1.1.1 255.255.255.0", "ip unnumbered lo1"],
         ["interface Tunnel1", " ip unnumbered Loopback1", "!"]),
        (["interface lo1", "description a", "description b c"], ["interface Loopback1", " description b c", "!"]),
        (["crypto ikev2 dpd 30 5 on-demand", "crypto ikev2 dpd 10 2 periodic"], ["crypto ikev2 dpd 10 2 periodic"]),
        (["ip sla 10", "icmp-echo 1.1.1.1", "frequency 5", "frequency 10"],
         ["ip sla 10", " icmp-echo 1.1.1.1", " frequency 10", "!"]),
        (["hostname a", "hostname b"], ["hostname b"]),
        (["router bgp 1", "aggregate-address 10.0.0.0 255.0.0.0 summary-only", "aggregate-address 10.0.0.0 255.0.0.0"],
         ["router bgp 1", " aggregate-address 10.0.0.0 255.0.0.0", "!"]),
        (["router bgp 1", "neighbor 1.1.1.1 remote-as 1", "neighbor 1.1.1.1 remote-as 2"],
         ["router bgp 1", " neighbor 1.1.1.1 remote-as 2", "!"]),
        (["crypto ikev2 client flexvpn F", "peer 1 1.1.1.1", "peer 1 2.2.2.2 track 3"],
         ["crypto ikev2 client flexvpn F", " peer 1 2.2.2.2 track 3", "!"]),
        (["crypto ipsec transform-set T esp-gcm", "mode transport", "crypto ipsec transform-set T esp-aes 256"],
         ["crypto ipsec transform-set T esp-aes 256", " mode transport", "!"]),
    ],
)
def test_single_valued_commands_replace_their_old_value(lines: list[str], expected: list[str], configured) -> None:
    assert running(configured(lines)) == expected


def test_reentering_a_sub_mode_edits_the_existing_block(configured) -> None:
    device = configured(["interface Virtual-Template1 type tunnel", "ip mtu 1400", "exit",
                         "int virtual-t1", "ip nhrp network-id 2"])
    assert running(device) == ["interface Virtual-Template1 type tunnel", " ip mtu 1400", " ip nhrp network-id 2", "!"]


def test_commands_of_an_enclosing_mode_leave_the_sub_mode() -> None:
    interpreter = ConfigInterpreter(ConfigTree())
    for line in ["crypto ikev2 keyring K", "peer A", "pre-shared-key x"]:
        interpreter.feed(line)
    assert interpreter.mode == "ikev2-keyring-peer"
    interpreter.feed("peer B")                         # keyring level
    assert interpreter.mode == "ikev2-keyring-peer"
    interpreter.feed("ip route 0.0.0.0 0.0.0.0 1.1.1.1")   # global level
    assert interpreter.mode == "global"
    assert [line.text for line in interpreter.tree.lines] == [
        "crypto ikev2 keyring K",
        "ip route 0.0.0.0 0.0.0.0 1.1.1.1",
    ]
    assert [c.text for c in interpreter.tree.lines[0].children] == ["peer A", "peer B"]


def test_exit_and_end_leave_modes() -> None:
    interpreter = ConfigInterpreter(ConfigTree())
    for line in ["crypto ikev2 keyring K", "peer A"]:
        interpreter.feed(line)
    assert interpreter.feed("exit").kind == "ok" and interpreter.mode == "ikev2-keyring"
    assert interpreter.feed("exit").kind == "ok" and interpreter.mode == "global"
    assert interpreter.feed("exit").kind == "exit"
    interpreter.feed("ip sla 1")
    interpreter.feed("icmp-echo 1.1.1.1")
    assert interpreter.mode == "ip-sla-echo"
    assert interpreter.feed("exit").kind == "ok" and interpreter.mode == "global"   # echo replaced ip-sla
    interpreter.feed("interface lo0")
    assert interpreter.feed("end").kind == "end" and interpreter.mode == "global"


def test_running_config_is_in_ios_order_whatever_the_typing_order(configured) -> None:
    device = configured([
        "ntp server 1.1.1.1", "router bgp 1", "neighbor 2.2.2.2 remote-as 1", "neighbor 3.3.3.3 remote-as 1",
        "neighbor 2.2.2.2 shutdown", "bgp router-id 9.9.9.9", "interface Virtual-Template1 type tunnel",
        "interface e1/0", "interface e0/2", "interface lo1", "interface tu1", "hostname r9",
        "crypto ikev2 client flexvpn F", "peer 2 2.2.2.2", "peer 1 1.1.1.1",
    ])
    assert [line for line in running(device) if line != "!"] == [
        "hostname r9",
        "crypto ikev2 client flexvpn F", " peer 1 1.1.1.1", " peer 2 2.2.2.2",
        "interface Loopback1", "interface Tunnel1", "interface Ethernet0/2", "interface Ethernet1/0",
        "interface Virtual-Template1 type tunnel",
        "router bgp 1", " bgp router-id 9.9.9.9", " neighbor 2.2.2.2 remote-as 1", " neighbor 2.2.2.2 shutdown",
        " neighbor 3.3.3.3 remote-as 1",
        "ntp server 1.1.1.1",
    ]


def test_peer_groups_are_listed_before_neighbors_so_the_config_reloads(configured) -> None:
    device = configured(["router bgp 1", "neighbor 1.1.1.1 remote-as 1", "bgp listen range 10.0.0.0/8 peer-group G",
                         "neighbor G peer-group", "neighbor G remote-as 1", "neighbor 1.1.1.1 peer-group G"])
    assert running(device) == ["router bgp 1", " bgp listen range 10.0.0.0/8 peer-group G", " neighbor G peer-group",
                               " neighbor G remote-as 1", " neighbor 1.1.1.1 remote-as 1",
                               " neighbor 1.1.1.1 peer-group G", "!"]
    configured(config_body(device.config).splitlines())


@pytest.mark.parametrize(
    "lines, stored",
    [
        (["route-map ALL"], "route-map ALL permit 10"),
        (["route-map ALL deny"], "route-map ALL deny 10"),
        (["line console 0", "exec-timeout 5"], " exec-timeout 5 0"),
        (["logging buffered 64000 6"], "logging buffered 64000 informational"),
        (["access-list 1 permit host 1.2.3.4"], "access-list 1 permit 1.2.3.4"),
        (["service timestamps log"], "service timestamps log uptime"),
        (["no ip domain-lookup"], "no ip domain lookup"),
        (["crypto ikev2 keyring K", "peer P", "pre-shared-key local 0 secret1"], "  pre-shared-key local secret1"),
    ],
)
def test_lines_are_stored_as_ios_shows_them(lines: list[str], stored: str, configured) -> None:
    assert stored in running(configured(lines))


# --- `no` forms ----------------------------------------------------------------------------

#: hashcat's published example of a Cisco type 9 hash (password "hashcat").
HASHED = "$9$2MJBozw/9R3UsU$2lFhcKvpghcyw8deP25GOfyZaagyUOGBymkryvOdfo6"

BASE = [
    "hostname r1", "no ip domain lookup", "logging buffered 64000", f"enable secret 9 {HASHED}",
    f"username admin privilege 15 secret 9 {HASHED}", "aaa new-model",
    "crypto ikev2 dpd 30 5 on-demand",
    "crypto ikev2 client flexvpn F", "peer 1 1.1.1.1", "peer 2 2.2.2.2", "client connect Tunnel1",
    "interface Ethernet0/1", "description wan", "ip address 1.1.1.2 255.255.255.252", "shutdown",
    "router bgp 65001", "neighbor Spokes peer-group", "neighbor Spokes remote-as 65001",
    "bgp listen range 172.16.0.0/16 peer-group Spokes",
    "aggregate-address 10.0.0.0 255.0.0.0 summary-only", "network 10.0.1.0 mask 255.255.255.0",
    "neighbor 10.255.0.2 remote-as 65001", "neighbor 10.255.0.2 timers 10 30", "neighbor 10.255.0.2 fall-over",
    "ip route 0.0.0.0 0.0.0.0 1.1.1.1", "ip route 10.0.0.0 255.0.0.0 2.2.2.2",
    "ip sla 10", "icmp-echo 1.1.1.1", "frequency 5", "ip sla schedule 10 life forever start-time now",
    "access-list 1 permit any", "route-map ALL permit 10", "match ip address 1",
    "ntp server 1.1.1.1",
]


@pytest.mark.parametrize(
    "mode_lines, no_line, gone, kept",
    [
        (["interface Ethernet0/1"], "no shutdown", [" shutdown"], [" ip address 1.1.1.2 255.255.255.252"]),
        (["interface Ethernet0/1"], "no ip address", [" ip address 1.1.1.2 255.255.255.252"], [" description wan"]),
        (["interface Ethernet0/1"], "no desc", [" description wan"], [" shutdown"]),
        ([], "no crypto ikev2 dpd", ["crypto ikev2 dpd 30 5 on-demand"], ["hostname r1"]),
        (["crypto ikev2 client flexvpn F"], "no peer 2", [" peer 2 2.2.2.2"], [" peer 1 1.1.1.1"]),
        (["router bgp 65001"], "no aggregate-address 10.0.0.0 255.0.0.0 summary-only",
         [" aggregate-address 10.0.0.0 255.0.0.0 summary-only"], [" network 10.0.1.0 mask 255.255.255.0"]),
        (["router bgp 65001"], "no neighbor 10.255.0.2 timers", [" neighbor 10.255.0.2 timers 10 30"],
         [" neighbor 10.255.0.2 fall-over"]),
        (["router bgp 65001"], "no neighbor 10.255.0.2 fall-over", [" neighbor 10.255.0.2 fall-over"],
         [" neighbor 10.255.0.2 remote-as 65001"]),
        (["router bgp 65001"], "no neighbor 10.255.0.2",
         [" neighbor 10.255.0.2 remote-as 65001", " neighbor 10.255.0.2 fall-over"], [" neighbor Spokes peer-group"]),
        (["router bgp 65001"], "no neighbor 10.255.0.2 remote-as 65001",
         [" neighbor 10.255.0.2 remote-as 65001", " neighbor 10.255.0.2 timers 10 30"],
         [" neighbor Spokes remote-as 65001"]),
        (["router bgp 65001"], "no bgp listen range 172.16.0.0/16 peer-group Spokes",
         [" bgp listen range 172.16.0.0/16 peer-group Spokes"], [" neighbor Spokes peer-group"]),
        ([], "no router bgp 65001", ["router bgp 65001", " neighbor Spokes peer-group"], ["hostname r1"]),
        ([], "no ip route 0.0.0.0 0.0.0.0 1.1.1.1", ["ip route 0.0.0.0 0.0.0.0 1.1.1.1"],
         ["ip route 10.0.0.0 255.0.0.0 2.2.2.2"]),
        ([], "no ip sla 10", ["ip sla 10", " frequency 5"], ["ip sla schedule 10 life forever start-time now"]),
        ([], "no ip sla schedule 10", ["ip sla schedule 10 life forever start-time now"], ["ip sla 10"]),
        (["ip sla 10", "icmp-echo 1.1.1.1"], "no frequency", [" frequency 5"], [" icmp-echo 1.1.1.1"]),
        ([], "no ip domain lookup", [], ["no ip domain lookup"]),
        ([], "ip domain lookup", ["no ip domain lookup"], ["hostname r1"]),
        ([], "no enable secret", [f"enable secret 9 {HASHED}"], ["aaa new-model"]),
        ([], "no username admin", [f"username admin privilege 15 secret 9 {HASHED}"], [f"enable secret 9 {HASHED}"]),
        ([], "no access-list 1", ["access-list 1 permit any"], ["route-map ALL permit 10"]),
        (["route-map ALL permit 10"], "no match ip address 1", [" match ip address 1"], ["route-map ALL permit 10"]),
        ([], "no route-map ALL", ["route-map ALL permit 10"], ["access-list 1 permit any"]),
        ([], "no interface Ethernet0/1", ["interface Ethernet0/1", " description wan"], ["hostname r1"]),
        ([], "no ntp server 1.1.1.1", ["ntp server 1.1.1.1"], ["hostname r1"]),
        ([], "no logging buffered", ["logging buffered 64000"], ["hostname r1"]),
        ([], "no aaa new-model", ["aaa new-model"], ["hostname r1"]),
    ],
)
def test_no_forms(mode_lines: list[str], no_line: str, gone: list[str], kept: list[str], configured) -> None:
    device = configured(BASE)
    before = device.changes
    interpreter = ConfigInterpreter(device.config)
    for line in mode_lines:
        assert interpreter.feed(line).kind == "ok"
    result = interpreter.feed(no_line)
    assert result.kind == "ok"
    lines = running(device)
    assert [g for g in gone if g in lines] == []
    assert [k for k in kept if k not in lines] == []
    assert result.changed == bool(gone) or no_line == "no ip domain lookup"
    assert device.changes == before   # the interpreter itself never notifies; the session does


def test_no_of_something_absent_is_silent_and_changes_nothing(configured) -> None:
    device = configured(["interface lo1"])
    interpreter = ConfigInterpreter(device.config)
    interpreter.feed("interface lo1")
    assert interpreter.feed("no shutdown") == interpreter.feed("no shutdown")
    assert interpreter.feed("no shutdown").changed is False
    assert running(device) == ["interface Loopback1"]


def test_no_of_a_default_on_command_is_stored_once(configured) -> None:
    device = configured(["no ip domain lookup", "no ip domain-lookup", "no logging console"])
    assert running(device) == ["no logging console", "no ip domain lookup"]


# --- IOS checks ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "lines, message",
    [
        (["router bgp 65001", "exit", "router bgp 65002"], "% BGP is already running; AS is 65001"),
        (["router bgp 1", "neighbor 1.1.1.1 route-reflector-client"],
         "% Specify remote-as or peer-group commands first"),
        (["router bgp 1", "neighbor 1.1.1.1 peer-group G"], "% Create the peer-group first"),
        (["ip route 10.0.0.1 255.0.0.0 1.1.1.1"], "%Inconsistent address and mask"),
        (["ip local pool P 10.0.0.9 10.0.0.1"], "%Invalid address range"),
    ],
)
def test_ios_refuses_inconsistent_configuration(lines: list[str], message: str, make_fake_device) -> None:
    device = make_fake_device()
    errors = apply_config_text(device, "\n".join(lines))
    assert [(e.line_number, e.message) for e in errors] == [(len(lines), message)]


def test_apply_config_text_reports_refused_lines_and_keeps_going(make_fake_device) -> None:
    device = make_fake_device()
    errors = apply_config_text(device, "hostname r1\nfoo bar\nrouter bgpp 1\ninterface lo1\n ip address 1.1.1.1\n"
                                       "!\nntp master 3\nend\nhostname ignored\n")
    assert [(e.line_number, e.message, e.position) for e in errors] == [
        (2, INVALID_INPUT, 0), (3, INVALID_INPUT, 10), (5, INCOMPLETE, None)]
    assert running(device) == ["hostname r1", "interface Loopback1", "ntp master 3"]


@pytest.mark.parametrize("line, shown_prefix", [
    ("username u privilege 15 secret 0 pw", "username u privilege 15 secret 9 $9$"),
    ("username u privilege 15 secret pw", "username u privilege 15 secret 9 $9$"),
    ("enable secret 0 pw", "enable secret 9 $9$"),
])
def test_cleartext_secrets_are_stored_hashed_as_ios_does(line: str, shown_prefix: str, configured) -> None:
    [shown] = [row for row in running(configured([line])) if "secret" in row]
    assert shown.startswith(shown_prefix)
    salt, digest = shown.split("$")[2:]
    assert len(salt) == 14 and len(digest) == 43
    assert not shown.endswith(" pw")


def test_a_typed_hash_is_kept_as_given(configured) -> None:
    assert f"enable secret 9 {HASHED}" in running(configured([f"enable secret 9 {HASHED}"]))
