""""Test connection": one cheap, read-only, authenticated call, turned into a one-line verdict.

Listing one page of the account's hotword lists needs a valid key and the right region, and
changes nothing, so it tells exactly what the user wants to know before a recognition: can this
key reach this endpoint. Runs on a worker thread (see ui/settings/dialog.py); the engine comes
from engines/factory.py like every other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import cast

CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str
    elapsed_ms: int = 0


def region_spec(region: str, custom_url: str) -> str:
    """The value the DashScope client's `resolve_region` takes, from the dialog's two fields."""
    return custom_url.strip() if region == "custom" else region


def check_connection(region: str, custom_url: str, api_key: str | None,
                     timeout: float = CONNECT_TIMEOUT_S) -> ConnectionResult:
    from ..factory import DASHSCOPE, EngineSetupError, make_engine
    from .engine import DashScopeEngine
    from .errors import AuthError, DashScopeError, NetworkError

    if region == "custom" and not custom_url.strip():
        return ConnectionResult(False, "Enter the custom base URL first (for example "
                                       "http://127.0.0.1:8765 for the emulator).")
    if not api_key:
        return ConnectionResult(False, "No API key: paste one above and save it, or set "
                                       "DASHSCOPE_API_KEY.")
    t0 = time.perf_counter()
    try:
        engine = cast(DashScopeEngine, make_engine(DASHSCOPE, region=region_spec(region, custom_url),
                                                   api_key=api_key, timeout=timeout))
    except EngineSetupError as e:  # a bad region or URL: its message says what is wrong
        return ConnectionResult(False, str(e))
    endpoints = engine.endpoints
    engine.http.retry.attempts = 1  # a test answers now; retries would hide the problem for seconds
    try:
        lists = engine.vocabularies.list(page_size=1)
    except AuthError as e:
        return ConnectionResult(False, f"The key was refused by {endpoints.http_base}: {e} "
                                       "Keys only work in the region they were created in.")
    except NetworkError as e:
        return ConnectionResult(False, str(e))
    except DashScopeError as e:
        return ConnectionResult(False, f"{endpoints.http_base} answered with an error: {e}")
    finally:
        engine.close()
    ms = int((time.perf_counter() - t0) * 1000)
    more = "" if lists else " (no hotword lists in the cloud yet)"
    return ConnectionResult(True, f"Connected to {endpoints.http_base}: the key works{more}. "
                                  f"Round trip {ms} ms.", ms)
