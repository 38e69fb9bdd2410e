"""Where the DashScope API key is kept, for the Settings dialog: the OS keyring, else the environment.

A thin layer over the DashScope client's auth module (engines/dashscope/auth.py), which owns the
keyring service/user names and the lookup order. What it adds is what a settings screen needs to
say: *where* the key currently comes from, and a plain message when no keyring can store it (a
headless Linux box without Secret Service), instead of a traceback or a silent plain-text file.
The key is never written anywhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum

from ..engines.dashscope import auth
from ..logs import register_secret


class KeySource(StrEnum):
    KEYRING = "keyring"
    ENVIRONMENT = "environment"
    NONE = "none"


@dataclass(frozen=True)
class KeyStatus:
    source: KeySource
    masked: str = ""  # e.g. "sk-…9f": safe to show
    keyring_also: bool = False  # a saved key exists but the environment variable overrides it

    @property
    def message(self) -> str:
        if self.source is KeySource.KEYRING:
            return f"Saved in the system keyring ({self.masked})."
        if self.source is KeySource.ENVIRONMENT:
            shadow = " It overrides the key saved in the keyring." if self.keyring_also else ""
            return f"Taken from the {auth.ENV_VAR} environment variable ({self.masked}).{shadow}"
        return "No key yet. The offline engine works without one."


class SecretStoreError(Exception):
    """The key could not be saved or removed; the message says why and what to do instead."""


def _keyring_key() -> str | None:
    try:
        import keyring

        key = keyring.get_password(auth.KEYRING_SERVICE, auth.KEYRING_USER)
    except Exception:  # no usable backend: the same as "nothing stored"
        return None
    return key.strip() if key and key.strip() else None


def status() -> KeyStatus:
    """The key the app would use, in the auth module's order: the environment, then the keyring."""
    env = os.environ.get(auth.ENV_VAR, "").strip()
    if env:
        register_secret(env)
        return KeyStatus(KeySource.ENVIRONMENT, auth.mask(env), _keyring_key() is not None)
    key = _keyring_key()
    if key:
        register_secret(key)
        return KeyStatus(KeySource.KEYRING, auth.mask(key))
    return KeyStatus(KeySource.NONE)


def current_key() -> str | None:
    """The key a connection would use (same order as the DashScope engine)."""
    try:
        return auth.load_api_key()
    except auth.MissingApiKeyError:
        return None


def save(key: str) -> KeyStatus:
    key = key.strip()
    if not key:
        raise SecretStoreError("The API key is empty.")
    if any(c.isspace() for c in key):
        raise SecretStoreError("The API key contains spaces or line breaks; paste only the key.")
    register_secret(key)
    try:
        auth.save_api_key(key)
    except Exception as e:
        raise SecretStoreError(
            f"No system keyring could store the key ({type(e).__name__}: {auth.redact(e)}). "
            f"Set the {auth.ENV_VAR} environment variable instead; the app never writes the key "
            "to a file.") from None
    if _keyring_key() != key:  # e.g. the null backend accepts and forgets
        raise SecretStoreError("The system keyring did not keep the key (reading it back gave "
                               f"something else). Set {auth.ENV_VAR} instead.")
    return status()


def forget() -> KeyStatus:
    try:
        auth.delete_api_key()
    except Exception as e:
        raise SecretStoreError(f"The key could not be removed from the system keyring "
                               f"({type(e).__name__}: {auth.redact(e)}).") from None
    return status()
