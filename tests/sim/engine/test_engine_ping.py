"""`ping` and `traceroute` typed on a router of the embedded lab, in test mode (no SSH).

Expected values come from the reference design, not from the code under test: spoke1's LAN
is 10.1.1.1 (Loopback1), hub2's LAN 10.0.2.1, the hubs' overlay address 172.16.0.1; the
path spoke1 -> isp -> hub1 -> (DC link) -> hub2 is 3 links each way, at the IOL profile's
1 ms per hop.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from flexlab.sim.engine.lab import Lab
from flexlab.sim.shell import CliSession, Reply

HUB2_LAN = "10.0.2.1"
SPOKE1_LAN_IF = "Loopback1"
HUB2_WAN = "100.64.0.6"


def run(lab: Lab, node: str, command: str, lab_seconds: float = 60.0) -> str:
    """Type ``command`` and let ``lab_seconds`` of lab time pass; all it printed."""
    reply = CliSession(lab.nodes[node], username="admin").execute(command)
    lab.run_for(lab_seconds)
    assert reply.stream is None or reply.stream.closed, f"{command!r} still running after {lab_seconds} s"
    return reply.output + (reply.stream.text if reply.stream else "")


def success(text: str) -> tuple[int, int]:
    found = re.search(r"Success rate is (\d+) percent \((\d+)/(\d+)\)", text)
    assert found, text
    return int(found.group(2)), int(found.group(3))


def test_ping_from_the_spoke_lan_crosses_the_tunnel_to_the_hub2_lan(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    text = run(lab, "spoke1", f"ping {HUB2_LAN} source {SPOKE1_LAN_IF}")
    assert text.splitlines()[:4] == [
        "Type escape sequence to abort.",
        f"Sending 5, 100-byte ICMP Echos to {HUB2_LAN}, timeout is 2 seconds:",
        "Packet sent with a source address of 10.1.1.1 ",
        "!!!!!",
    ]
    hops = 6   # spoke1-isp, isp-hub1, hub1-hub2 and back
    assert f"Success rate is 100 percent (5/5), round-trip min/avg/max = {hops}/{hops}/{hops} ms" in text


def test_options_in_any_order_and_abbreviated(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    text = run(lab, "spoke1", f"ping ip {HUB2_LAN} rep 12 sou lo1 si 1400 time 1")
    assert f"Sending 12, 1400-byte ICMP Echos to {HUB2_LAN}, timeout is 1 seconds:" in text
    assert success(text) == (12, 12)


def test_a_failing_ping_takes_its_timeouts_in_lab_time(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    reply = CliSession(lab.nodes["spoke1"], username="admin").execute("ping 192.0.2.1 repeat 3 timeout 4")
    assert reply.stream is not None
    lab.run_for(4.5)
    assert reply.stream.text == "."
    lab.run_for(7.0)       # 11.5 s: the third echo is still waiting
    assert reply.stream.text == ".." and not reply.stream.closed
    lab.run_for(1.0)       # 12.5 s > 3 x 4 s
    assert reply.stream.closed
    assert reply.stream.text.splitlines() == ["...", "Success rate is 0 percent (0/3)"]


def test_ping_fails_while_the_spoke_is_between_hubs_and_succeeds_after_the_move(
        make_lab: Callable[..., Lab], failover: Callable[..., object]) -> None:
    lab = make_lab()
    tracker = failover(lab, "hub1", "interface-shutdown")
    during = run(lab, "spoke1", f"ping {HUB2_LAN} source {SPOKE1_LAN_IF} timeout 1", lab_seconds=6.0)
    assert success(during) == (0, 5)
    ping_ended = lab.now()
    lab.run_for(200.0)
    moved = tracker.connected_to("spoke1", HUB2_WAN)   # type: ignore[attr-defined]
    assert moved is not None and moved.time > ping_ended   # the failing ping was inside the window
    after = run(lab, "spoke1", f"ping {HUB2_LAN} source {SPOKE1_LAN_IF}")
    assert success(after) == (5, 5)
    # hub2 now directly: spoke1-isp, isp-hub2 and back
    assert "round-trip min/avg/max = 4/4/4 ms" in after


def test_traceroute_lists_the_hub_then_the_destination(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    text = run(lab, "spoke1", f"traceroute {HUB2_LAN} source {SPOKE1_LAN_IF}")
    assert text.splitlines() == [
        "Type escape sequence to abort.",
        f"Tracing the route to {HUB2_LAN}",
        "VRF info: (vrf in name/id, vrf out name/id)",
        "  1 172.16.0.1 4 msec 4 msec 4 msec",    # hub1 (overlay address), 2 links each way
        f"  2 {HUB2_LAN} 6 msec 6 msec 6 msec",
    ]


def test_traceroute_stars_where_nobody_answers(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab()
    text = run(lab, "spoke1", "traceroute 192.0.2.1 ttl 1 3 timeout 1 probe 2")
    lines = text.splitlines()
    assert lines[3] == "  1 100.64.0.9 2 msec 2 msec"        # the ISP router, spoke1's default gateway
    assert lines[4:] == ["  2  *  *", "  3  *  *"]


@pytest.mark.parametrize(("source", "message"), [
    ("Loopback7", "% Invalid source interface - IP not enabled or interface is down"),
    ("192.0.2.9", "% Invalid source address- IP address not on any of our up interfaces"),
])
def test_a_source_the_router_does_not_have_is_refused(make_lab: Callable[..., Lab], source: str, message: str) -> None:
    lab = make_lab(settle=10.0)
    reply: Reply = CliSession(lab.nodes["spoke1"], username="admin").execute(f"ping {HUB2_LAN} source {source}")
    assert reply.stream is None and reply.output == message + "\n"


def test_the_escape_sequence_aborts_a_ping(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(settle=10.0)
    reply = CliSession(lab.nodes["spoke1"], username="admin").execute("ping 192.0.2.1 repeat 100")
    assert reply.stream is not None
    lab.run_for(4.5)
    reply.stream.abort()
    assert reply.stream.closed
    assert reply.stream.text.splitlines() == ["..", "Success rate is 0 percent (0/2)"]
