"""The API key: where it comes from, and how it is kept out of every log line and message.

The key lives in the OS keyring (or `DASHSCOPE_API_KEY` for headless use); it is never written
to settings or the database. Every error message and every log record produced by this package
passes through `redact`, which replaces any key it has seen with a short masked form.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading

ENV_VAR = "DASHSCOPE_API_KEY"
KEYRING_SERVICE = "qwenasr-desktop"
KEYRING_USER = "dashscope-api-key"

_lock = threading.Lock()
_secrets: set[str] = set()
# Anything shaped like a DashScope key ("sk-" + 16 or more word characters), even one never registered.
_KEY_SHAPE = re.compile(r"sk-[A-Za-z0-9_\-]{8,}")
_BEARER = re.compile(r"(?i)(bearer\s+)([^\s'\",}]+)")


class MissingApiKeyError(Exception):
    pass


def mask(key: str) -> str:
    """A form safe to show: the first 3 and last 2 characters."""
    if len(key) <= 8:
        return "***"
    return f"{key[:3]}…{key[-2:]}"


def register_secret(key: str | None) -> None:
    if key:
        with _lock:
            _secrets.add(key)


def redact(text: object) -> str:
    """`text` with every known key, key-shaped token and Bearer credential masked."""
    s = str(text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for key in known:
        if key in s:
            s = s.replace(key, mask(key))
    s = _BEARER.sub(lambda m: m.group(1) + "***", s)
    return _KEY_SHAPE.sub(lambda m: mask(m.group(0)), s)


class RedactingFilter(logging.Filter):
    """Masks keys in a record's formatted message; attached to the package's loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # a bad format string: leave it to logging's own error path
            return True
        clean = redact(msg)
        if clean != msg or record.args:
            record.msg, record.args = clean, None
        return True


def get_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger


def load_api_key(explicit: str | None = None) -> str:
    """Explicit key, else `DASHSCOPE_API_KEY`, else the OS keyring. Registers it for redaction."""
    key = explicit or os.environ.get(ENV_VAR) or _keyring_get()
    if not key:
        raise MissingApiKeyError(
            f"No DashScope API key: set {ENV_VAR} or save the key in the app's settings "
            "(it is kept in the system keyring).")
    key = key.strip()
    register_secret(key)
    return key


def save_api_key(key: str) -> None:
    import keyring

    register_secret(key)
    keyring.set_password(KEYRING_SERVICE, KEYRING_USER, key.strip())


def delete_api_key() -> None:
    import keyring
    from keyring.errors import PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError):
        keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)


def _keyring_get() -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
    except Exception:  # no usable backend (headless CI): behave as "no key stored"
        return None
