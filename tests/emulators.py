"""The emulator as the DashScope test modules use it: one server per module, no recognition unless
a test needs it, optionally with the official SDK pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from qwenasr_desktop.emulator import EmulatorServer


def no_engine():
    raise AssertionError("this test must not reach recognition")


@contextmanager
def serving(key: str | None, engine=no_engine, sdk: bool = False, **options) -> Iterator[EmulatorServer]:
    """An emulator on a free loopback port; with `sdk`, the dashscope package talks to it."""
    with EmulatorServer(engine, api_key=key, **options) as server:
        if not sdk:
            yield server
            return
        import dashscope

        old = dashscope.base_http_api_url, dashscope.base_websocket_api_url
        dashscope.base_http_api_url, dashscope.base_websocket_api_url = server.http_base, server.ws_url
        try:
            yield server
        finally:
            dashscope.base_http_api_url, dashscope.base_websocket_api_url = old


def reset(server: EmulatorServer) -> None:
    """Forget injected faults and the vocabularies earlier tests created."""
    server.faults.reset()
    server.store.vocabularies.clear()


def clean_emulator_fixtures(key: str):
    """(emu, _clean) for a module whose tests need no recognition: one server for the module,
    faults and vocabularies forgotten around every test. Assign both names at module level."""

    @pytest.fixture(scope="module")
    def emu():
        with serving(key) as server:
            yield server

    @pytest.fixture(autouse=True)
    def _clean(emu):
        reset(emu)
        yield
        reset(emu)

    return emu, _clean
