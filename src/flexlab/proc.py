"""Small process helpers shared by the embedded lab process and the lab facade."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess


def pid_alive(pid: int) -> bool:
    """True while a process with this pid exists (also when owned by another user).

    A finished child of this process is reaped first, so it does not linger as a zombie
    that still answers to its pid.
    """
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass  # not our child: ask the kernel below
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return not _zombie(pid)
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process nobody reaped yet (e.g. reparented to an init that does not reap)
    still answers kill(pid, 0), but it is dead."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2:].startswith(b"Z")


def run_tool(
    name: str, env_var: str, install_hint: str, args: list[str], timeout_s: float, error: type[Exception],
) -> str:
    """Run an external tool (``$env_var`` may hold the command, e.g. "sudo -n <tool>") and
    return its stdout. Every failure raises ``error`` naming the command line and the cause."""
    words = shlex.split(os.environ.get(env_var) or "") or [name]
    executable = shutil.which(words[0])
    if executable is None:
        raise error(
            f"'{words[0]}' executable not found on PATH: {install_hint}"
            f" or set {env_var} to the command that runs it (e.g. \"sudo -n {name}\")"
        )
    shown = f"{name} " + " ".join(args)
    try:
        result = subprocess.run([executable, *words[1:], *args], capture_output=True, text=True,
                                timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise error(f"'{shown}' timed out after {timeout_s:g} s") from None
    except OSError as exc:
        raise error(f"cannot run '{shown}': {exc.strerror}") from None
    if result.returncode != 0:
        detail = result.stderr.strip() or result.stdout.strip() or "(no output)"
        raise error(f"'{shown}' failed with exit code {result.returncode}: {detail}")
    return result.stdout
