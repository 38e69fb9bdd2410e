"""Rotating log files in the app's logs folder, with secrets and transcripts kept out of them.

Users attach these files to bug reports, so they must be safe to share: the DashScope API key is
masked in every line (message, arguments and tracebacks alike, through the dashscope package's
`redact`), and text the user dictated is replaced by its length unless debug logging is on
(`--debug`, `QWENASR_DEBUG=1`, or the checkbox in Settings). Code that logs what was said wraps
it in `private(...)` or passes `extra={"private": True}`; everything else is logged as is.

Redaction happens on the handler (formatter + filter), not on loggers, because a logger's filters
do not see records propagated from its children or from third-party libraries (httpx, websockets).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path

LOG_FILE_NAME = "qwenasr-desktop.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
DEBUG_ENV = "QWENASR_DEBUG"
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


# Anything shaped like a DashScope key, even one never registered (same rule as the auth module).
_KEY_SHAPE = re.compile(r"sk-[A-Za-z0-9_\-]{8,}")
_BEARER = re.compile(r"(?i)(bearer\s+)([^\s'\",}]+)")
_secrets: set[str] = set()
_AUTH_MODULE = "qwenasr_desktop.engines.dashscope.auth"


def _mask(key: str) -> str:
    return "***" if len(key) <= 8 else f"{key[:3]}…{key[-2:]}"


def redact(text: object) -> str:
    """Mask every API key: those registered here, those the DashScope auth module has loaded
    (asked only if that module is already imported: start-up must not pull in httpx), Bearer
    credentials and key-shaped tokens."""
    s = str(text)
    for key in sorted(_secrets, key=len, reverse=True):
        if key in s:
            s = s.replace(key, _mask(key))
    auth = sys.modules.get(_AUTH_MODULE)
    if auth is not None:
        s = auth.redact(s)
    s = _BEARER.sub(lambda m: m.group(1) + "***", s)
    return _KEY_SHAPE.sub(lambda m: _mask(m.group(0)), s)


def register_secret(key: str | None) -> None:
    """Remember a key so that it is masked wherever it appears, whatever its shape."""
    if key and key.strip():
        _secrets.add(key.strip())
    auth = sys.modules.get(_AUTH_MODULE)
    if auth is not None and key:
        auth.register_secret(key.strip())


_show_private = False  # set by setup_logging(debug=...)


class Private:
    """Marks user text (a transcript, a hotword list) in a log call: `log.info("got %s", private(t))`.

    Renders as `<private: N chars>` unless debug logging is on. The decision is made in `__str__`
    itself, not in a filter, because other filters (the DashScope loggers' key redaction) may format
    the message before ours runs; whoever formats it gets the hidden form. `.text` is the text.
    """

    __slots__ = ("text",)

    def __init__(self, text: object) -> None:
        self.text = str(text)

    def __str__(self) -> str:
        return self.text if _show_private else self.hidden()

    def __repr__(self) -> str:
        return repr(self.text) if _show_private else self.hidden()

    def hidden(self) -> str:
        return f"<private: {len(self.text)} chars>"


def private(text: object) -> Private:
    return Private(text)


class PrivacyFilter(logging.Filter):
    """Replaces whole `extra={"private": True}` records by their length unless `debug`."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__()
        self.debug = debug

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.debug and getattr(record, "private", False):
            try:
                n = len(record.getMessage())
            except Exception:
                n = len(str(record.msg))
            record.msg, record.args = f"<private message: {n} chars>", None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the finished line, so keys inside arguments and tracebacks are caught too."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def debug_requested(flag: bool = False) -> bool:
    return flag or os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def setup_logging(logs_dir: Path, debug: bool = False) -> Path:
    """Send the app's and libraries' log records to `<logs_dir>/qwenasr-desktop.log` (rotating).

    Safe to call again (e.g. after the user toggles debug logging): the previous handler is
    replaced. Returns the log file path.
    """
    logs_dir.mkdir(parents=True, exist_ok=True)
    path = logs_dir / LOG_FILE_NAME
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_qwenasr", False):
            root.removeHandler(h)
            h.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                                   encoding="utf-8", delay=True)
    handler._qwenasr = True  # type: ignore[attr-defined]
    handler.setFormatter(RedactingFormatter(FORMAT))
    global _show_private
    _show_private = debug
    handler.addFilter(PrivacyFilter(debug))
    handler.setLevel(logging.DEBUG if debug else logging.INFO)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    # The key from the environment is known from the start, so even a message that quotes it
    # before the DashScope client has loaded it is masked.
    register_secret(os.environ.get("DASHSCOPE_API_KEY", "").strip() or None)
    logging.captureWarnings(True)
    _install_excepthook()
    return path


def _install_excepthook() -> None:
    if getattr(sys.excepthook, "_qwenasr", False):
        return
    previous = sys.excepthook

    def hook(exc_type, exc, tb) -> None:
        logging.getLogger("qwenasr_desktop").critical("Uncaught exception", exc_info=(exc_type, exc, tb))
        previous(exc_type, exc, tb)

    hook._qwenasr = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def log_files(logs_dir: Path) -> list[Path]:
    """The current log and its rotated predecessors, newest first."""
    return sorted(logs_dir.glob(LOG_FILE_NAME + "*"), key=lambda p: p.stat().st_mtime, reverse=True)
