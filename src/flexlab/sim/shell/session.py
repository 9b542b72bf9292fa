"""One IOS CLI session on a simulated router: EXEC levels, configuration mode, questions.

The session is transport-free: :meth:`CliSession.execute` takes one input line and returns
what IOS would print after the echoed line (``\\n`` line ends), and :attr:`prompt` is
what comes next. The SSH server adds echo, line editing and ``\\r\\n``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flexlab.sim.device_api import SimDevice
from flexlab.sim.shell import debug
from flexlab.sim.shell.config_commands import grammar_for
from flexlab.sim.shell.errors import UNKNOWN_COMMAND, ConfigError
from flexlab.sim.shell.exec_commands import (
    FILTERABLE,
    NOT_FROM_CONFIG,
    PRIVILEGED,
    PROBE_COMMANDS,
    OutputFilter,
    apply_filter,
    exec_grammar,
    parse_filters,
    split_pipe,
)
from flexlab.sim.shell.grammar import Failure, Grammar, Match
from flexlab.sim.shell.help import complete_word, next_words
from flexlab.sim.shell.interpreter import ConfigInterpreter, interpreter_for
from flexlab.sim.shell.params import Token, tokenize
from flexlab.sim.shell.ping import option_help
from flexlab.sim.shell.ping import run as probe_command
from flexlab.sim.shell.running_config import interface_config_text, running_config_text, startup_config_text
from flexlab.sim.shell.stream import OutputStream
from flexlab.sim.shell.vty_lines import VtyEntry, render_users
from flexlab.sim.show.errors import UnknownShowCommand
from flexlab.sim.state import NodeSnapshot

log = logging.getLogger(__name__)

Renderer = Callable[[NodeSnapshot, list[str]], str]

CONFIG_BANNER = "Enter configuration commands, one per line.  End with CNTL/Z.\n"
NO_PASSWORD_SET = "% No password set\n"
SAVE_QUESTION = "System configuration has been modified. Save? [yes/no]: "
PROCEED_RELOAD = "Proceed with reload? [confirm]"
ENABLE_ATTEMPTS = 3


@dataclass(frozen=True)
class Reply:
    """What the session answers to one line: output, whether to close, and maybe output still to come."""
    output: str = ""
    close: bool = False
    stream: OutputStream | None = None     # more output over lab time (ping), then the prompt


@dataclass(frozen=True)
class _Question:
    """IOS asking something (``Password:``, ``[confirm]``); the next line is the answer."""

    prompt: str
    answer: Callable[[str], Reply]
    hidden: bool = False


def config_i_message(username: str | None, vty: int | None, peer: str | None) -> tuple[str, int, str, str]:
    """``%SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.9)``."""
    where = "console" if vty is None else f"vty{vty}" + (f" ({peer})" if peer else "")
    return ("SYS", 5, "CONFIG_I", f"Configured from console by {username or 'console'} on {where}")


def login_privilege(device: SimDevice, username: str | None) -> int:
    """Privilege of a user after SSH login: device hook, else its `username` line.

    A user without a `username` line gets 15: containerlab's bootstrap user (admin) has
    privilege 15 and lands in ``#``.
    """
    hook = getattr(device, "login_privilege", None)
    if callable(hook):
        return int(hook(username))
    for line in device.config.find("username", username or ""):
        words = line.words
        if "privilege" in words:
            return int(words[words.index("privilege") + 1])
        return 1
    return PRIVILEGED


def _refused_word(exc: Exception, found: Match) -> Failure | None:
    """The renderers' UnknownShowCommand (``word_index``, ``incomplete``) as a parse failure."""
    if getattr(exc, "incomplete", False):
        return Failure("incomplete", found.positions[-1] if found.positions else 0)
    index = getattr(exc, "word_index", None)
    if isinstance(index, int) and 0 <= index < len(found.positions):
        return Failure("invalid", found.positions[index])
    return None


def _default_renderer(snapshot: NodeSnapshot, words: list[str]) -> str:
    from flexlab.sim import (
        show,  # imported late: built in parallel, optional at import time
    )

    return show.render(snapshot, words)


class CliSession:
    """The state of one terminal session (vty) on ``device``."""

    def __init__(
        self,
        device: SimDevice,
        *,
        username: str | None = None,
        privilege: int | None = None,
        renderer: Renderer | None = None,
        vty: int | None = None,
        peer: str | None = None,
    ) -> None:
        self.device = device
        self.username = username
        self.vty = vty          # the vty line the session holds (None: the console)
        self.peer = peer        # the client's address
        self.level = privilege if privilege is not None else login_privilege(device, username)
        self.renderer = renderer or _default_renderer
        self.config: ConfigInterpreter | None = None
        self.term_length = 24
        self.term_width = 80
        self._question: _Question | None = None
        self.vty_entry: VtyEntry | None = None   # set by the SSH server (`show users`)

    # -- what the terminal shows ---------------------------------------------------------

    @property
    def prompt(self) -> str:
        """The prompt now: a pending question's, the config mode's, or `host>` / `host#` by privilege."""
        if self._question is not None:
            return self._question.prompt
        name = self.device.hostname
        if self.config is not None:
            return f"{name}{self.config.prompt_suffix}#"
        return f"{name}{'#' if self.level >= PRIVILEGED else '>'}"

    @property
    def echo(self) -> bool:
        """False while IOS reads a password."""
        return not (self._question and self._question.hidden)

    @property
    def in_config(self) -> bool:
        """Whether the session is in configuration mode."""
        return self.config is not None

    # -- input ---------------------------------------------------------------------------

    def execute(self, line: str) -> Reply:
        """Run one input line; the reply is what IOS prints before the next prompt.

        A device with ``exec_cpu()`` (a context manager) is told the work, for `show
        processes cpu`."""
        exec_cpu = getattr(self.device, "exec_cpu", None)
        if exec_cpu is None:
            return self._execute(line)
        with exec_cpu():
            return self._execute(line)

    def _execute(self, line: str) -> Reply:
        if self.vty_entry is not None:
            self.vty_entry.touch()
        if self._question is not None:
            question, self._question = self._question, None
            return question.answer(line)
        prompt = self.prompt
        if self.config is not None:
            return self._config_line(line, prompt)
        return self._exec_line(line, prompt, tokenize(line), 0, from_config=False)

    def help(self, line: str) -> str | None:
        """What `?` typed after ``line`` shows (cli/help.py); None while IOS asks a question."""
        if self._question is not None:
            return None
        if self.config is not None:
            grammar, in_config = grammar_for(self.config.mode), True
        else:
            grammar, in_config = exec_grammar(self.level), False
        if line[-1:].isspace() or not line.strip():
            return self._probe_help(grammar, line) or next_words(grammar, line, self.prompt, in_config)
        return complete_word(grammar, line, self.prompt)

    def _probe_help(self, grammar: Grammar, line: str) -> str | None:
        """`ping 10.0.2.1 ?`: the ping/traceroute options (parsed outside the grammar)."""
        tokens = tokenize(line)
        words = tokens[1:] if tokens and tokens[0].text.lower() == "do" and self.config is not None else tokens
        grammar = exec_grammar(PRIVILEGED) if words is not tokens else grammar
        found = grammar.root.keyword_candidates(words[0].text) if words else []
        if len(found) != 1 or found[0][0].word not in PROBE_COMMANDS:
            return None
        return option_help(found[0][0].word, words)

    def interrupt(self) -> None:
        """Ctrl-C / Ctrl-Z: cancel a question; in configuration mode, back to EXEC."""
        self._question = None
        if self.config is not None:
            self._leave_config()

    def _leave_config(self) -> None:
        """Back to EXEC; IOS logs %SYS-5-CONFIG_I (optional device method ``log_message``)."""
        self.config = None
        log_message = getattr(self.device, "log_message", None)
        if callable(log_message):
            log_message(config_i_message(self.username, self.vty, self.peer))

    def _config_line(self, line: str, prompt: str) -> Reply:
        assert self.config is not None
        result = self.config.feed(line)
        if result.changed:
            self.device.config_changed()
        if result.kind == "error" and result.error is not None:
            return Reply(result.error.terminal_text(prompt))
        if result.kind in ("end", "exit"):
            self._leave_config()
        if result.kind == "do":
            return self._exec_line(line, prompt, tokenize(line), result.do_start, from_config=True)
        return Reply()

    def _exec_line(self, line: str, prompt: str, tokens: list[Token], start: int, *, from_config: bool) -> Reply:
        if len(tokens) <= start:
            return Reply()
        pipe = split_pipe(tokens)
        command = tokens[:pipe] if pipe is not None else tokens
        level = PRIVILEGED if from_config else self.level
        found = exec_grammar(level).match(command, line if pipe is None else line[: tokens[pipe].start], start)
        if isinstance(found, Match) and from_config and found.spec.action in NOT_FROM_CONFIG:
            found = Failure("invalid", tokens[start].start)
        if isinstance(found, Failure):
            return self._exec_failure(found, line, prompt, tokens, start)
        filters: list[OutputFilter] = []
        if pipe is not None:
            if found.spec.action not in FILTERABLE:
                return Reply(
                    ConfigError.from_failure(Failure("invalid", tokens[pipe].start), line).terminal_text(prompt)
                )
            parsed = parse_filters(tokens, line, pipe)
            if isinstance(parsed, Failure):
                return Reply(ConfigError.from_failure(parsed, line).terminal_text(prompt))
            filters = parsed
        if found.spec.action in PROBE_COMMANDS:
            text, stream = probe_command(self.device, found.spec.action, tokens, line, start, prompt)
            return Reply(text, stream=stream)
        if found.spec.action == "render":
            reply = self._show(found, line, prompt)
        elif found.spec.action == "running-interface":
            reply = self._show(found, line, prompt, self._running_interface)
        else:
            reply = self._run_exec(found.spec.action or "", list(found.words))
        output = reply.output
        for flt in filters:
            output = apply_filter(output, flt)
        return Reply(output, reply.close)

    def _exec_failure(self, failure: Failure, line: str, prompt: str, tokens: Sequence[Token], start: int) -> Reply:
        words = [t.text for t in tokens[start:]]
        if len(words) == 1 and failure.kind == "invalid":
            # IOS takes an unknown single word for a host name to telnet to.
            lookup = "" if self._domain_lookup_disabled() else "...domain server (255.255.255.255)"
            return Reply(f'Translating "{words[0]}"{lookup}\n{UNKNOWN_COMMAND}\n')
        if [w.lower() for w in words] == ["show"]:
            return Reply('% Type "show ?" for a list of subcommands\n')
        return Reply(ConfigError.from_failure(failure, line).terminal_text(prompt))

    def _domain_lookup_disabled(self) -> bool:
        return self.device.config.first("no", "ip", "domain", "lookup") is not None

    # -- EXEC actions ----------------------------------------------------------------------

    def _run_exec(self, action: str, words: list[str]) -> Reply:
        handlers: dict[str, Callable[[list[str]], Reply]] = {
            "running": lambda w: Reply(running_config_text(self.device.config)),
            "startup": lambda w: Reply(startup_config_text(self.device)),
            "privilege": lambda w: Reply(f"Current privilege level is {self.level}\n"),
            "users": lambda w: Reply(render_users(self.device, self.vty_entry)),
            "configure": lambda w: self._enter_config(),
            "configure-ask": lambda w: self._ask("Configuring from terminal, memory, or network [terminal]? ",
                                                 self._configure_answer),
            "term-length": lambda w: self._set_terminal("term_length", int(w[2])),
            "term-width": lambda w: self._set_terminal("term_width", int(w[2])),
            "noop": lambda w: Reply(),
            "write": lambda w: self._write(),
            "copy-run-start": lambda w: self._ask("Destination filename [startup-config]? ", lambda a: self._write()),
            "clear": lambda w: Reply(self._with_newline(self.device.clear(w))),
            "clear-logging": lambda w: self._confirm("Clear logging buffer [confirm]", w),
            "clear-counters": lambda w: self._confirm('Clear "show interface" counters on all interfaces [confirm]', w),
            "enable": lambda w: self._enable(int(w[1]) if len(w) > 1 else PRIVILEGED),
            "disable": lambda w: self._set_level(min(self.level, int(w[1]) if len(w) > 1 else 1)),
            "exit": lambda w: Reply(close=True),
            "reload": lambda w: self._reload(),
            "debug": lambda w: Reply(debug.debug(self.device, w)),
            "undebug": lambda w: Reply(debug.undebug(self.device, w)),
            "debugging": lambda w: Reply(debug.show_debugging(self.device)),
        }
        return handlers[action](words)

    def _running_interface(self, snapshot: NodeSnapshot, words: list[str]) -> str:
        text = interface_config_text(self.device.config, words[-1])
        if text is None:
            raise UnknownShowCommand(words, len(words) - 1)
        return text

    def _show(self, found: Match, line: str, prompt: str, renderer: Renderer | None = None) -> Reply:
        """Render a show command; a renderer refusing the words (e.g. an interface the device
        does not have) gets IOS's error, with the marker under the refused word."""
        words = list(found.words)
        try:
            text = (renderer or self.renderer)(self.device.snapshot(), words)
        except Exception as exc:
            refused = _refused_word(exc, found)
            if refused is not None:
                return Reply(ConfigError.from_failure(refused, line).terminal_text(prompt))
            log.exception("show renderer failed for %s on %s", " ".join(words), self.device.name)
            text = f"% flexlab: rendering '{' '.join(words)}' failed: {exc}"   # a bug must not kill the session
        return Reply(self._with_newline(text))

    @staticmethod
    def _with_newline(text: str) -> str:
        return text if not text or text.endswith("\n") else text + "\n"

    def _enter_config(self) -> Reply:
        self.config = interpreter_for(self.device)
        return Reply(CONFIG_BANNER)

    def _configure_answer(self, answer: str) -> Reply:
        if "terminal".startswith(answer.strip().lower()):
            return self._enter_config()
        return Reply('?Must be "terminal", "memory" or "network"\n')

    def _set_terminal(self, attribute: str, value: int) -> Reply:
        setattr(self, attribute, value)
        return Reply()

    def _write(self) -> Reply:
        self.device.write_memory()
        return Reply("Building configuration...\n[OK]\n")

    def _reload(self) -> Reply:
        """IOS's questions: save a modified config first?, then [confirm]; the session ends."""
        if not callable(getattr(self.device, "reload", None)):
            return Reply("% flexlab: reload is not available on this device\n")
        if getattr(self.device, "config_modified", False):
            return self._ask(SAVE_QUESTION, self._save_before_reload)
        return self._ask(PROCEED_RELOAD, self._proceed_reload)

    def _save_before_reload(self, answer: str) -> Reply:
        word = answer.strip().lower()
        if word in ("y", "yes", "n", "no"):
            saved = self._write().output if word.startswith("y") else ""
            return Reply(saved + self._ask(PROCEED_RELOAD, self._proceed_reload).output)
        self._ask(SAVE_QUESTION, self._save_before_reload)
        return Reply("% Please answer 'yes' or 'no'.\n")

    def _proceed_reload(self, answer: str) -> Reply:
        if answer.strip().lower() not in ("", "y", "yes"):
            return Reply()
        self.device.reload()  # type: ignore[attr-defined]
        return Reply(close=True)

    def _ask(self, prompt: str, answer: Callable[[str], Reply], hidden: bool = False) -> Reply:
        self._question = _Question(prompt, answer, hidden)
        return Reply()

    def _confirm(self, prompt: str, words: list[str]) -> Reply:
        def answer(text: str) -> Reply:
            if text.strip().lower() in ("", "y", "yes"):
                return Reply(self._with_newline(self.device.clear(words)))
            return Reply()
        return self._ask(prompt, answer)

    def _set_level(self, level: int) -> Reply:
        self.level = level
        return Reply()

    def _enable(self, level: int) -> Reply:
        """Down (or to the same level) needs no password; up to 15 needs `enable secret`
        (or `enable password`): without one a vty gets ``% No password set``, as on IOS.
        Per-level secrets (`enable secret level N`) are not modelled."""
        if level <= self.level:
            return self._set_level(level)
        if level < PRIVILEGED or not (self.device.config.find("enable", "secret")
                                      or self.device.config.find("enable", "password")):
            return Reply(NO_PASSWORD_SET)
        return self._ask_enable_password(ENABLE_ATTEMPTS)

    def _ask_enable_password(self, attempts_left: int) -> Reply:
        def answer(password: str) -> Reply:
            if self.device.check_enable(password):
                return self._set_level(PRIVILEGED)
            if attempts_left > 1:
                return self._ask_enable_password(attempts_left - 1)
            return Reply("% Bad secrets\n\n")
        return self._ask("Password: ", answer, hidden=True)
