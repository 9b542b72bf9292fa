"""The exceptions a device session raises, for handlers that report them instead of crashing.

unicon's errors share no base class beyond ``Exception``, so a handler that turns a failed
connect, command or disconnect into a reported problem names them here, once. A socket that
dies under the session raises ``OSError`` (the builtin ``ConnectionError`` and ``TimeoutError``
are ``OSError`` too).
"""

from __future__ import annotations

from genie.metaparser.util.exceptions import InvalidCommandError, SchemaEmptyParserError, SchemaError
from unicon.core import errors as unicon_errors

SESSION_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    unicon_errors.ConnectionError,
    unicon_errors.ConnectionInfraError,
    unicon_errors.CredentialsExhaustedError,
    unicon_errors.EOF,
    unicon_errors.SessionConnectionError,
    unicon_errors.SessionError,
    unicon_errors.SpawnInitError,
    unicon_errors.StateMachineError,
    unicon_errors.SubCommandFailure,
    unicon_errors.TimeoutError,
    unicon_errors.UniconAuthenticationError,
)
"""A connect, command, configure or disconnect over the CLI failed."""

READ_ERRORS: tuple[type[Exception], ...] = (*SESSION_ERRORS, InvalidCommandError, SchemaEmptyParserError, SchemaError)
"""A read failed: the session, the command (Genie wraps a refused one in InvalidCommandError),
or Genie's parse of what the device printed."""
