"""Keep the job's secrets out of what it leaves behind.

pyATS writes the whole environment into ``env.txt`` and every CLI session into a log in
the run directory, and zips that directory into the archive: the PSK and the login
password would travel with every archive. The job calls :func:`scrub_run_dir` on its run
directory before easypy archives it: every occurrence of a secret value is replaced by a
marker naming its variable, and the tree is made owner-only (files 0600, dirs 0700).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flexlab.design import SecretsModel
from flexlab.privatefs import make_private

log = logging.getLogger(__name__)

#: Shorter values are not scrubbed (they would mangle ordinary text); such a secret is
#: reported instead.
MIN_SECRET_LENGTH = 4
SECRET_FIELDS = ("psk_env", "password_env", "enable_env")


def secret_values(secrets: SecretsModel | None = None) -> dict[str, str]:
    """{env var name: value} of the secrets set in the environment."""
    model = secrets or SecretsModel()
    names = {getattr(model, field) for field in SECRET_FIELDS} | {"FLEXLAB_PSK", "FLEXLAB_PASSWORD", "FLEXLAB_ENABLE"}
    return {name: os.environ[name] for name in sorted(names) if os.environ.get(name)}


def scrub_bytes(data: bytes, secrets: dict[str, str]) -> bytes:
    """``data`` with every secret value replaced by ``<redacted:NAME>`` (longest value first)."""
    for name, value in sorted(secrets.items(), key=lambda item: -len(item[1])):
        if len(value) >= MIN_SECRET_LENGTH:
            data = data.replace(value.encode(), f"<redacted:{name}>".encode())
    return data


def scrub_run_dir(root: Path, secrets: dict[str, str]) -> list[Path]:
    """Scrub every regular file under ``root`` in place and make the tree private; returns the
    files that held a secret."""
    short = [name for name, value in secrets.items() if len(value) < MIN_SECRET_LENGTH]
    if short:
        log.warning("secrets shorter than %d characters are not scrubbed from the archive: %s",
                    MIN_SECRET_LENGTH, ", ".join(short))
    changed: list[Path] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        try:
            data = path.read_bytes()
            clean = scrub_bytes(data, secrets)
            if clean != data:
                path.write_bytes(clean)
                changed.append(path)
        except OSError as exc:
            log.warning("cannot scrub %s: %s", path, exc)
    make_private(root)
    return changed
