"""The typed aiohttp application key under which handlers find their EmulatorServer."""

from __future__ import annotations

from typing import Any

from aiohttp import web

SERVER_KEY: web.AppKey[Any] = web.AppKey("server", object)
