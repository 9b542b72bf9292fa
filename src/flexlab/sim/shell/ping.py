"""`ping` and `traceroute`: their options (any order, abbreviable, as IOS) and output.

The device sends the probes (``device.probes(ProbeRequest)``, engine/ping.py); this module
turns the user's words into the request and each probe's answer into IOS's text:

    Type escape sequence to abort.
    Sending 5, 100-byte ICMP Echos to 10.0.0.1, timeout is 2 seconds:
    Packet sent with a source address of 10.1.1.1
    !!!!!
    Success rate is 100 percent (5/5), round-trip min/avg/max = 1/2/4 ms

and for traceroute one line per TTL (``  1 172.16.0.1 2 msec 2 msec 2 msec``, ``  2  *  *  *``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flexlab.sim.device_api import ProbeAnswer, ProbeError, ProbeRequest, ProbeRun
from flexlab.sim.shell.errors import ConfigError
from flexlab.sim.shell.grammar import Failure
from flexlab.sim.shell.help import param_entries
from flexlab.sim.shell.interfaces import InterfaceParam
from flexlab.sim.shell.params import IntParam, Ipv4Param, Param, ParamResult, Token
from flexlab.sim.shell.stream import OutputStream

ABORT_HINT = "Type escape sequence to abort.\n"
UNKNOWN_HOST = "% Unrecognized host or address, or protocol not running.\n\n"
NO_PROBES = "% flexlab: this device cannot send probes\n"
#: IOS starts a new line of `!`/`.` after this many characters.
PING_LINE_WIDTH = 70


class _Source(Param):
    """`source` takes an interface or an address."""

    key = "source"

    def match(self, tokens: Sequence[Token], i: int, line: str) -> ParamResult:
        found = Ipv4Param().match(tokens, i, line)
        return found if found.matches else InterfaceParam().match(tokens, i, line)


#: option keyword -> parameters it takes (IOS ranges)
PING_OPTIONS: dict[str, tuple[Param, ...]] = {
    "repeat": (IntParam(1, 2147483647),), "size": (IntParam(36, 18024),), "timeout": (IntParam(0, 3600),),
    "source": (_Source(),), "df-bit": (), "validate": (),
}
TRACE_OPTIONS: dict[str, tuple[Param, ...]] = {
    "source": (_Source(),), "timeout": (IntParam(0, 3600),), "probe": (IntParam(1, 65535),),
    "ttl": (IntParam(1, 255), IntParam(1, 255)), "numeric": (), "port": (IntParam(1, 65535),),
}


@dataclass
class ProbeCommand:
    """A parsed `ping`/`traceroute`: target and the options given (`repeat`, `size`, `source`...)."""
    target: str
    options: dict[str, list[str]] = field(default_factory=dict)

    def number(self, name: str, default: int, index: int = 0) -> int:
        """The option's ``index``-th value as an integer, or ``default`` if the option was not given."""
        values = self.options.get(name)
        return int(values[index]) if values else default


def parse(
    tokens: Sequence[Token], line: str, start: int, options: dict[str, tuple[Param, ...]]
) -> ProbeCommand | Failure | str:
    """Words after `ping`/`traceroute` (``start`` is the command's token): the command, a
    parse failure (for the ``^`` marker) or an IOS message."""
    i = start + 1
    if i < len(tokens) and tokens[i].text.lower() == "ip":
        i += 1
    if i >= len(tokens):
        return Failure("incomplete", len(line))
    target = Ipv4Param().match(tokens, i, line)
    if not target.matches:
        return UNKNOWN_HOST
    command = ProbeCommand(target.matches[0].text)
    i += 1
    while i < len(tokens):
        token = tokens[i]
        names = [n for n in options if n.startswith(token.text.lower())]
        if len(names) != 1:
            return Failure("ambiguous" if names else "invalid", token.start)
        values: list[str] = []
        for param in options[names[0]]:
            i += 1
            if i >= len(tokens):
                return Failure("incomplete", len(line))
            found = param.match(tokens, i, line)
            if not found.matches:
                return Failure("invalid", tokens[i].start + found.fail_offset)
            values.append(found.matches[0].text)
            i += found.matches[0].consumed - 1
        command.options[names[0]] = values
        i += 1
    return command


TARGET_HELP = {"ping": ("WORD", "Ping destination address or hostname"),
               "traceroute": ("WORD", "Trace route to destination address or hostname")}
IP_HELP = {"ping": ("ip", "IP echo"), "traceroute": ("ip", "IP Trace")}


def option_help(action: str, tokens: Sequence[Token]) -> str | None:
    """`?` after ``ping ... `` (line ending in a space): the target, or the options still
    open and ``<cr>``; None where the generic help applies (inside an option's value)."""
    words = [t.text.lower() for t in tokens[1:]]
    if words[:1] == ["ip"]:
        words = words[1:]
    options = PING_OPTIONS if action == "ping" else TRACE_OPTIONS
    if not words:
        rows = [TARGET_HELP[action]] + ([] if tokens[1:] else [IP_HELP[action]])
    else:
        at, used = 1, set()
        params: tuple[Param, ...] = ()
        while at < len(words):
            names = [n for n in options if n.startswith(words[at])]
            if len(names) != 1:
                return None
            used.add(names[0])
            params = options[names[0]]
            at += 1 + len(params)
        if at > len(words):     # inside an option: what its next value is
            param = params[len(params) - (at - len(words))]
            entries = ["A.B.C.D", "<interface>"] if isinstance(param, _Source) else param_entries(param)
            rows = [(entry, "") for entry in entries]
        else:
            rows = [(name, "") for name in sorted(options) if name not in used] + [("<cr>", "")]
    width = max(len(word) for word, _ in rows)
    return "".join(f"  {word:<{width}}  {text}".rstrip() + "\n" for word, text in rows) + "\n"


def _source(command: ProbeCommand) -> str | None:
    values = command.options.get("source")
    return values[0] if values else None


def ping_request(command: ProbeCommand) -> ProbeRequest:
    """The echoes of a `ping`: 5 of 100 bytes, 2 s timeout unless the options say otherwise (IOS defaults)."""
    return ProbeRequest(command.target, (None,) * command.number("repeat", 5), command.number("size", 100),
                        float(command.number("timeout", 2)), _source(command))


def trace_request(command: ProbeCommand) -> ProbeRequest:
    """The probes of a `traceroute`: 3 per TTL from 1 to 30, 3 s timeout, stopping at the target (IOS)."""
    first, last = command.number("ttl", 1), command.number("ttl", 30, 1)
    probes = command.number("probe", 3)
    ttls = tuple(ttl for ttl in range(first, max(first, last) + 1) for _ in range(probes))
    return ProbeRequest(command.target, ttls, 28, float(command.number("timeout", 3)), _source(command),
                        stop_on_reach=True)


class PingPrinter:
    """Writes `!` / `.` per echo and the success-rate line at the end."""

    def __init__(self, stream: OutputStream) -> None:
        self.stream = stream
        self.rtts: list[int] = []
        self.sent = 0

    def answer(self, answer: ProbeAnswer) -> None:
        """Print `!` for a reply or `.` for a timeout, 70 to a line."""
        self.sent += 1
        mark = "!" if answer.outcome == "reply" else "."
        if answer.outcome == "reply" and answer.rtt_ms is not None:
            self.rtts.append(answer.rtt_ms)
        self.stream.write(mark + ("\n" if self.sent % PING_LINE_WIDTH == 0 else ""))

    def done(self) -> None:
        """Print the `Success rate is N percent` line with round-trip min/avg/max, and close."""
        ok = len(self.rtts)
        text = "" if self.sent % PING_LINE_WIDTH == 0 else "\n"
        text += f"Success rate is {100 * ok // self.sent if self.sent else 0} percent ({ok}/{self.sent})"
        if ok:
            text += f", round-trip min/avg/max = {min(self.rtts)}/{sum(self.rtts) // ok}/{max(self.rtts)} ms"
        self.stream.write(text + "\n")
        self.stream.close()


class TracePrinter:
    """Writes one line per TTL: the hop number, who answered and each probe's time or `*`."""

    def __init__(self, stream: OutputStream, request: ProbeRequest) -> None:
        self.stream = stream
        self.ttls = request.ttls
        self.index = 0
        self.shown: str | None = None      # responder already printed on the current line

    def answer(self, answer: ProbeAnswer) -> None:
        """Print one probe's answer on its TTL's line: responder once, then its time, or `*`."""
        ttl = self.ttls[self.index]
        first = self.index == 0 or self.ttls[self.index - 1] != ttl
        last = self.index + 1 == len(self.ttls) or self.ttls[self.index + 1] != ttl
        self.index += 1
        text = f"{ttl:3d}" if first else ""
        if first:
            self.shown = None
        if answer.outcome == "timeout":
            text += " * " if self.shown else "  *"
        else:
            if answer.responder != self.shown:
                text += f" {answer.responder}"
                self.shown = answer.responder
            text += f" {answer.rtt_ms} msec"
        self.stream.write(text + ("\n" if last else ""))

    def done(self) -> None:
        """End an aborted line and close the stream."""
        if self.index and self.index < len(self.ttls) and self.ttls[self.index] == self.ttls[self.index - 1]:
            self.stream.write("\n")     # aborted inside a line
        self.stream.close()


def run(device: object, action: str, tokens: Sequence[Token], line: str, start: int, prompt: str
        ) -> tuple[str, OutputStream | None]:
    """Start `ping`/`traceroute`; returns the text to print now and the stream that follows."""
    options = PING_OPTIONS if action == "ping" else TRACE_OPTIONS
    parsed = parse(tokens, line, start, options)
    if isinstance(parsed, Failure):
        return ConfigError.from_failure(parsed, line).terminal_text(prompt), None
    if isinstance(parsed, str):
        return parsed, None
    probes: Callable[[ProbeRequest], ProbeRun] | None = getattr(device, "probes", None)
    if probes is None:
        return NO_PROBES, None
    request = ping_request(parsed) if action == "ping" else trace_request(parsed)
    try:
        probe_run = probes(request)
    except ProbeError as exc:
        return f"{exc}\n", None
    stream = OutputStream(on_abort=probe_run.abort)
    if action == "ping":
        header = f"{ABORT_HINT}Sending {len(request.ttls)}, {request.size}-byte ICMP Echos to {request.target}, " \
                 f"timeout is {int(request.timeout_s)} seconds:\n"
        if probe_run.source is not None:
            header += f"Packet sent with a source address of {probe_run.source} \n"
        printer: PingPrinter | TracePrinter = PingPrinter(stream)
    else:
        header = f"{ABORT_HINT}Tracing the route to {request.target}\nVRF info: (vrf in name/id, vrf out name/id)\n"
        printer = TracePrinter(stream, request)
    probe_run.start(printer.answer, printer.done)
    return header, stream
