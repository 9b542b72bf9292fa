"""Files only their owner may read: state, ledgers, run records, reports, testbeds, configs.

Modes are set explicitly (``fchmod``/``chmod``), never left to the umask: unicon changes the
process umask while its threads connect, so a plain ``write_text`` can come out 0666.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from flexlab.errors import FlexlabError

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) and make it 0700."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR_MODE)
    return path


def write_private(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically as a 0600 file (its directory must exist)."""
    payload = data.encode() if isinstance(data, str) else data
    # per process and thread: certify runs rows in threads (--jobs), two may write one file at once
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            fd = -1
            handle.write(payload)
    finally:
        if fd >= 0:
            os.close(fd)
    os.replace(tmp, path)
    return path


def make_private(path: Path) -> None:
    """Tighten an existing tree: directories 0700, files 0600 (symlinks are left alone)."""
    if path.is_symlink():
        return
    if path.is_dir():
        os.chmod(path, PRIVATE_DIR_MODE)
        for child in path.iterdir():
            make_private(child)
    elif path.exists():
        os.chmod(path, PRIVATE_FILE_MODE)


def check_writable(path: Path, what: str) -> None:
    """Refuse ``path`` early when a file cannot be created there (FlexlabError naming it)."""
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if path.is_dir():
        raise FlexlabError(f"{what} {path} is a directory")
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise FlexlabError(f"{what} {path}: cannot create a file there ({parent} is not a writable directory)")
