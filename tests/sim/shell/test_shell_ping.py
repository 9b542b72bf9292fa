"""`ping` / `traceroute` on the CLI side: option parsing, IOS layout, the busy terminal.

The device is the fake one with a scripted ``probes`` method: the test decides each
probe's answer, so the expected text is derived by hand from IOS's layout rules.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flexlab.sim.device_api import ProbeAnswer, ProbeError, ProbeRequest
from flexlab.sim.shell import CliSession
from flexlab.sim.shell.terminal import Terminal


class ScriptedRun:
    def __init__(self, request: ProbeRequest) -> None:
        self.request = request
        self.source = "10.1.1.1" if request.source else None
        self.on_answer: Callable[[ProbeAnswer], None] | None = None
        self.on_done: Callable[[], None] | None = None
        self.aborted = False

    def start(self, on_answer: Callable[[ProbeAnswer], None], on_done: Callable[[], None]) -> None:
        self.on_answer, self.on_done = on_answer, on_done

    def answer(self, *answers: ProbeAnswer) -> None:
        assert self.on_answer is not None
        for one in answers:
            self.on_answer(one)

    def finish(self) -> None:
        assert self.on_done is not None
        self.on_done()

    def abort(self) -> None:
        self.aborted = True
        self.finish()


@pytest.fixture
def prober(make_fake_device):
    device = make_fake_device()
    device.runs = []

    def probes(request: ProbeRequest) -> ScriptedRun:
        if request.source == "Loopback9":
            raise ProbeError("% Invalid source interface - IP not enabled or interface is down")
        run = ScriptedRun(request)
        device.runs.append(run)
        return run

    device.probes = probes
    return device


OK = ProbeAnswer("reply", 3, "10.0.2.1")
LOST = ProbeAnswer("timeout")


def test_options_become_the_request(prober) -> None:
    session = CliSession(prober, username="admin")
    session.execute("ping 10.0.2.1 timeout 1 source lo1 rep 7 size 36")
    (run,) = prober.runs
    assert run.request == ProbeRequest("10.0.2.1", (None,) * 7, 36, 1.0, "Loopback1")
    session.execute("traceroute ip 10.0.2.1 probe 2 ttl 2 4 numeric")
    assert prober.runs[1].request.ttls == (2, 2, 3, 3, 4, 4)
    assert prober.runs[1].request.timeout_s == 3.0 and prober.runs[1].request.stop_on_reach


MARKER = "% Invalid input detected at '^' marker.\n\n"


@pytest.mark.parametrize(("line", "expected"), [
    ("ping 10.0.2.1 size 35", " " * (3 + 19) + "^\n" + MARKER),      # 35 < 36 bytes, under the value
    ("ping 10.0.2.1 bogus 3", " " * (3 + 14) + "^\n" + MARKER),      # under the unknown option
    ("ping 10.0.2.1 repeat", "% Incomplete command.\n\n"),
    ("ping 10.0.2.1 s 3", '% Ambiguous command:  "ping 10.0.2.1 s 3"\n'),   # size or source
    ("ping somewhere", "% Unrecognized host or address, or protocol not running.\n\n"),
    ("ping 10.0.2.1 source Loopback9", "% Invalid source interface - IP not enabled or interface is down\n"),
])
def test_refused_pings_print_the_ios_error(prober, line: str, expected: str) -> None:
    reply = CliSession(prober, username="admin").execute(line)
    assert reply.stream is None
    assert reply.output == expected


def test_ping_layout_wraps_at_70_marks_and_sums_up(prober) -> None:
    reply = CliSession(prober, username="admin").execute("ping 10.0.2.1 repeat 72 source Loopback1")
    run = prober.runs[0]
    run.answer(*([OK] * 70), LOST, ProbeAnswer("reply", 9, "10.0.2.1"))
    run.finish()
    assert reply.output == ("Type escape sequence to abort.\n"
                            "Sending 72, 100-byte ICMP Echos to 10.0.2.1, timeout is 2 seconds:\n"
                            "Packet sent with a source address of 10.1.1.1 \n")
    assert reply.stream is not None and reply.stream.closed
    # 71 of 72 answered: 98 percent (IOS truncates); avg (70*3 + 9) // 71 = 3
    assert (
        reply.stream.text == "!" * 70 + "\n.!\nSuccess rate is 98 percent (71/72), round-trip min/avg/max = 3/3/9 ms\n"
    )


def test_traceroute_layout(prober) -> None:
    reply = CliSession(prober, username="admin").execute("traceroute 10.0.2.1 ttl 1 3")
    run = prober.runs[0]
    hub = ProbeAnswer("ttl-exceeded", 2, "172.16.0.1")
    run.answer(hub, hub, hub, LOST, LOST, LOST, OK, LOST, ProbeAnswer("reply", 4, "10.0.2.1"))
    run.finish()
    assert reply.stream is not None
    assert reply.stream.text == ("  1 172.16.0.1 2 msec 2 msec 2 msec\n"
                                 "  2  *  *  *\n"
                                 "  3 10.0.2.1 3 msec *  4 msec\n")


def test_terminal_holds_typed_input_until_the_ping_ends(prober) -> None:
    shown: list[str] = []
    terminal = Terminal(CliSession(prober, username="admin"), shown.append)
    idle: list[bool] = []
    terminal.on_idle = lambda: idle.append(True)
    line = "ping 10.0.2.1 repeat 2\r"
    taken = terminal.feed(line + "show privilege\r")
    assert taken == len(line) and terminal.busy      # the second command waits
    prober.runs[0].answer(OK)
    assert shown[-1] == "!"
    prober.runs[0].answer(OK)
    prober.runs[0].finish()
    assert not terminal.busy and idle == [True]
    assert "".join(shown).endswith("round-trip min/avg/max = 3/3/3 ms\r\nr1#")


def test_the_escape_sequence_aborts_and_drops_what_was_typed_before_it(prober) -> None:
    shown: list[str] = []
    terminal = Terminal(CliSession(prober, username="admin"), shown.append)
    terminal.feed("ping 10.0.2.1 repeat 50\r")
    assert terminal.feed("abc\x1exshow privilege\r") == len("abc\x1exshow privilege\r")
    assert prober.runs[0].aborted and not terminal.busy
    assert "".join(shown).endswith("Current privilege level is 15\r\nr1#")
