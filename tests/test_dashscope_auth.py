"""Where the API key comes from, and how it is masked. The OS keyring does not exist on this
headless machine, so an in-memory keyring backend stands in for it."""

from __future__ import annotations

import keyring
import pytest
from memory_keyring import MemoryKeyring

from qwenasr_desktop.engines.dashscope import auth


@pytest.fixture()
def ring(monkeypatch):
    old = keyring.get_keyring()
    mem = MemoryKeyring()
    keyring.set_keyring(mem)
    monkeypatch.delenv(auth.ENV_VAR, raising=False)
    yield mem
    keyring.set_keyring(old)


def test_key_sources_in_order(ring, monkeypatch):
    with pytest.raises(auth.MissingApiKeyError, match="DASHSCOPE_API_KEY"):
        auth.load_api_key()
    auth.save_api_key("sk-fromkeyring-123456")
    assert ring.store == {(auth.KEYRING_SERVICE, auth.KEYRING_USER): "sk-fromkeyring-123456"}
    assert auth.load_api_key() == "sk-fromkeyring-123456"
    monkeypatch.setenv(auth.ENV_VAR, " sk-fromenv-1234567 ")
    assert auth.load_api_key() == "sk-fromenv-1234567"  # the environment wins, trimmed
    assert auth.load_api_key("sk-explicit-12345678") == "sk-explicit-12345678"
    auth.delete_api_key()
    auth.delete_api_key()  # deleting twice is fine
    monkeypatch.delenv(auth.ENV_VAR)
    with pytest.raises(auth.MissingApiKeyError):
        auth.load_api_key()


def test_redaction_covers_registered_and_key_shaped_secrets():
    auth.register_secret("plainsecretwithoutprefix")
    text = ("key plainsecretwithoutprefix, other sk-abcdef0123456789 and "
            "{'Authorization': 'Bearer tok3n-value'}")
    out = auth.redact(text)
    for secret in ("plainsecretwithoutprefix", "sk-abcdef0123456789", "tok3n-value"):
        assert secret not in out
    assert auth.mask("sk-abcdef0123456789") == "sk-…89" and auth.mask("short") == "***"
