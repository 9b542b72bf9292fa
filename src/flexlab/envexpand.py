"""Environment-variable substitution in topology files, as the lab tool does it."""

from __future__ import annotations

import os
import re

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-=])([^}]*))?\}")


def expand_env(text: str) -> str:
    """``${VAR}``, ``${VAR:=default}``, ``${VAR:-default}`` (default when unset or empty) and
    ``${VAR=default}``, ``${VAR-default}`` (when unset)."""

    def value(match: re.Match[str]) -> str:
        name, colon, operator, default = match.groups()
        current = os.environ.get(name)
        if operator is None:
            return current or ""
        return default if current is None or (colon and current == "") else current

    return _ENV_REFERENCE.sub(value, text)
