"""daemon.log cannot grow without bound: repeated messages are dropped, the file rotates."""

from __future__ import annotations

import logging
import logging.handlers

from flexlab.sim import daemon


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("asyncio", logging.WARNING, __file__, 1, message, None, None)


def test_a_repeated_message_passes_once_per_interval():
    repeat = daemon._RepeatFilter(interval_s=60.0)
    assert repeat.filter(_record("socket.send() raised exception."))
    assert not any(repeat.filter(_record("socket.send() raised exception.")) for _ in range(10000))
    assert repeat.filter(_record("another message"))


def test_the_log_file_rotates_at_its_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(logging, "basicConfig", lambda **kwargs: handlers.extend(kwargs["handlers"]))
    handlers: list[logging.Handler] = []
    daemon._log_to_rotating_file(tmp_path / daemon.LOG_FILE)
    [handler] = handlers
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    for number in range(20000):   # distinct messages: the repeat filter lets them all through
        handler.handle(_record(f"client {number} went away " + "x" * 200))
    handler.close()
    files = sorted(tmp_path.glob("daemon.log*"))
    assert len(files) == daemon.LOG_BACKUPS + 1
    assert all(f.stat().st_size <= daemon.LOG_MAX_BYTES for f in files)
