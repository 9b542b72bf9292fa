"""IOS `show` commands rendered from a :class:`~flexlab.sim.state.NodeSnapshot`.

``render(snapshot, words)`` takes the canonical (abbreviation-expanded) command words and
returns the text the device prints: no echoed command, no trailing prompt. Commands this
module does not know raise :class:`UnknownShowCommand`, which tells the CLI where IOS would
put its ``^`` marker (or that the command is incomplete).
"""

from __future__ import annotations

from collections.abc import Callable

from flexlab.sim.show import bgp, crypto, interfaces, misc, routing, syslog, tool_commands, version
from flexlab.sim.show.errors import UnknownShowCommand
from flexlab.sim.state import NodeSnapshot

__all__ = ["UnknownShowCommand", "render", "supported_commands"]

# A handler gets the snapshot and the words after its key, and validates them itself.
Handler = Callable[[NodeSnapshot, list[str], list[str]], str]


def _no_args(renderer: Callable[[NodeSnapshot], str]) -> Handler:
    def handler(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
        _expect(words, args, allowed=())
        return renderer(snap)

    return handler


def _expect(words: list[str], args: list[str], allowed: tuple[str, ...]) -> None:
    """Accept no argument or exactly one of ``allowed``."""
    first_arg = len(words) - len(args)
    if args and args[0].lower() not in allowed:
        raise UnknownShowCommand(words, first_arg)
    if len(args) > 1:
        raise UnknownShowCommand(words, first_arg + 1)


def _at_most_one(words: list[str], args: list[str]) -> None:
    """Accept no argument or one free-form argument (a name or a number)."""
    if len(args) > 1:
        raise UnknownShowCommand(words, len(words) - len(args) + 1)


def _interfaces(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    return interfaces.render_interfaces(snap, args)


def _ikev2_sa(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    _expect(words, args, allowed=("detailed", "detail"))
    return crypto.render_ikev2_sa(snap, detailed=bool(args))


def _flexvpn_client(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    _at_most_one(words, args)
    return crypto.render_flexvpn_client(snap, args[0] if args else None)


def _crypto_session(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    _expect(words, args, allowed=("detail",))
    return crypto.render_crypto_session(snap, detail=bool(args))


def _ip_route(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    if args and args[0][:1].isdigit():
        return tool_commands.route_entry(snap, words, args)
    _expect(words, args, allowed=("bgp", "static", "connected", "local"))
    return routing.render_ip_route(snap, args[0].lower() if args else None)


def _ip_local_pool(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    _at_most_one(words, args)
    return misc.render_ip_local_pool(snap, args[0] if args else None)


def _ip_sla_statistics(snap: NodeSnapshot, words: list[str], args: list[str]) -> str:
    if args and not args[0].isdigit():
        raise UnknownShowCommand(words, len(words) - len(args))
    _at_most_one(words, args)
    return misc.render_ip_sla_statistics(snap, int(args[0]) if args else None)


_COMMANDS: dict[tuple[str, ...], Handler] = {
    ("show", "version"): _no_args(version.render_version),
    ("show", "clock"): _no_args(version.render_clock),
    ("show", "ip", "interface", "brief"): _no_args(interfaces.render_ip_interface_brief),
    ("show", "interfaces"): _interfaces,
    ("show", "crypto", "ikev2", "sa"): _ikev2_sa,
    ("show", "crypto", "ikev2", "client", "flexvpn"): _flexvpn_client,
    ("show", "crypto", "session"): _crypto_session,
    ("show", "ip", "bgp", "summary"): _no_args(bgp.render_ip_bgp_summary),
    ("show", "bgp", "all", "summary"): _no_args(bgp.render_bgp_all_summary),
    ("show", "ip", "route"): _ip_route,
    ("show", "logging"): _no_args(syslog.render_logging),
    ("show", "ip", "local", "pool"): _ip_local_pool,
    ("show", "ip", "sla", "statistics"): _ip_sla_statistics,
    ("show", "ntp", "status"): _no_args(misc.render_ntp_status),
    ("show", "ntp", "associations"): _no_args(misc.render_ntp_associations),
    **tool_commands.COMMANDS,
}


def supported_commands() -> list[tuple[str, ...]]:
    """The fixed words of every supported command (for CLI help and abbreviation)."""
    return list(_COMMANDS)


def render(snapshot: NodeSnapshot, words: list[str]) -> str:
    """The device's output for the canonical show command ``words``."""
    lowered = [w.lower() for w in words]
    for length in range(len(lowered), 0, -1):
        handler = _COMMANDS.get(tuple(lowered[:length]))
        if handler is not None:
            return handler(snapshot, list(words), list(words[length:]))
    raise _unknown(words, lowered)


def _unknown(words: list[str], lowered: list[str]) -> UnknownShowCommand:
    """Incomplete when the words start a known command, else point at the first word no
    known command has at that position."""
    if any(len(key) > len(lowered) and list(key[: len(lowered)]) == lowered for key in _COMMANDS):
        return UnknownShowCommand(words, len(words), incomplete=True)
    matched = max(
        (_common_prefix(key, lowered) for key in _COMMANDS),
        default=0,
    )
    return UnknownShowCommand(words, matched)


def _common_prefix(key: tuple[str, ...], words: list[str]) -> int:
    count = 0
    for expected, given in zip(key, words, strict=False):
        if expected != given:
            break
        count += 1
    return count
