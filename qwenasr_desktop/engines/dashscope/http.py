"""One HTTP client for every DashScope call: auth header, envelope parsing, error mapping, retries.

Retry policy (mirrors the official SDKs, and no further): HTTP 429 is retried for every call
(throttling rejects before doing any work); 500/502/503/504 are retried only for idempotent calls
(polls, queries, list, full-replacement update). Submits that create something (async task,
vocabulary create, flash recognition) are never retried on a server error or timeout: the first
attempt may have been accepted and billed.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from .auth import get_logger, redact, register_secret
from .config import Endpoints
from .errors import DashScopeError, NetworkError, TimeoutError_, from_response

log = get_logger(__name__)

RETRY_STATUSES_IDEMPOTENT = frozenset({429, 500, 502, 503, 504})
RETRY_STATUSES_SUBMIT = frozenset({429})


@dataclass
class RetryPolicy:
    attempts: int = 4  # total tries
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            ms = response.headers.get("retry-after-ms")
            sec = response.headers.get("retry-after")
            try:
                if ms is not None:
                    return min(float(ms) / 1000, self.max_delay)
                if sec is not None:
                    return min(float(sec), self.max_delay)
            except ValueError:
                pass
        d = min(self.base_delay * (2 ** attempt), self.max_delay)
        return d * (1 + random.uniform(-self.jitter, self.jitter))


@dataclass
class ApiResponse:
    status: int
    body: dict
    request_id: str

    @property
    def output(self) -> dict:
        """`output`, or `data` for the endpoints (upload policy) that use that envelope."""
        out = self.body.get("output")
        if out is None:
            out = self.body.get("data")
        return out if isinstance(out, dict) else {}


class HttpClient:
    def __init__(self, endpoints: Endpoints, api_key: str, *, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None) -> None:
        register_secret(api_key)
        self.endpoints = endpoints
        self._api_key = api_key
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._client = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        self._client.close()

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"}

    def call(self, method: str, path: str, *, json: dict | None = None, params: dict | None = None,
             headers: dict | None = None, idempotent: bool, context: str = "") -> ApiResponse:
        """Send one API request; return the parsed 200 body or raise a mapped DashScopeError."""
        url = self.endpoints.url(path)
        hdrs = {**self.auth_headers, "Accept": "application/json; charset=utf-8"}
        if json is not None:
            hdrs["Content-Type"] = "application/json; charset=utf-8"
        hdrs.update(headers or {})
        retry_on = RETRY_STATUSES_IDEMPOTENT if idempotent else RETRY_STATUSES_SUBMIT
        attempt = 0
        while True:
            try:
                resp = self._client.request(method, url, json=json, params=params, headers=hdrs)
            except httpx.TimeoutException as e:
                if idempotent and attempt + 1 < self.retry.attempts:
                    self._backoff(attempt, None, f"timeout on {path}")
                    attempt += 1
                    continue
                raise TimeoutError_(f"{context + ': ' if context else ''}No answer from DashScope in "
                                    f"time ({type(e).__name__}). "
                                    + ("" if idempotent else "The request may still have been "
                                       "accepted; check before sending it again.")) from None
            except httpx.TransportError as e:
                raise _network_error(e, url, context) from None
            if resp.status_code == 200:
                body = _json_or_empty(resp)
                if isinstance(body, dict) and body.get("code") and not (body.get("output")
                                                                         or body.get("data")):
                    # A 200 carrying a business error code (the v2 SDK treats it as a failure).
                    raise from_response(200, body, context=context)
                body = body if isinstance(body, dict) else {}
                return ApiResponse(200, body, str(body.get("request_id", "")))
            if resp.status_code in retry_on and attempt + 1 < self.retry.attempts:
                self._backoff(attempt, resp, f"HTTP {resp.status_code} on {path}")
                attempt += 1
                continue
            raise from_response(resp.status_code, _json_or_text(resp), context=context)

    def get_raw(self, url: str, *, context: str = "") -> bytes:
        """Download a result file (a pre-signed URL: no Authorization header), retrying 5xx/429."""
        attempt = 0
        while True:
            try:
                resp = self._client.get(url)
            except httpx.TimeoutException:
                if attempt + 1 < self.retry.attempts:
                    self._backoff(attempt, None, "timeout downloading a result")
                    attempt += 1
                    continue
                raise TimeoutError_(f"{context}: the result download timed out.") from None
            except httpx.TransportError as e:
                raise _network_error(e, url, context) from None
            if resp.status_code == 200:
                return resp.content
            if resp.status_code in RETRY_STATUSES_IDEMPOTENT and attempt + 1 < self.retry.attempts:
                self._backoff(attempt, resp, f"HTTP {resp.status_code} downloading a result")
                attempt += 1
                continue
            raise from_response(resp.status_code, _json_or_text(resp), context=context)

    def post_form(self, url: str, data: dict, files: dict, *, context: str = "") -> None:
        """The temporary-upload form POST to the storage host (no Authorization header)."""
        try:
            resp = self._client.post(url, data=data, files=files)
        except httpx.TimeoutException:
            raise TimeoutError_(f"{context}: the upload timed out.") from None
        except httpx.TransportError as e:
            raise _network_error(e, url, context) from None
        if resp.status_code != 200:
            raise from_response(resp.status_code, _json_or_text(resp), context=context)

    def _backoff(self, attempt: int, resp: httpx.Response | None, why: str) -> None:
        d = self.retry.delay(attempt, resp)
        log.info("retrying in %.2f s after %s", d, why)
        self._sleep(d)


def new_request_id() -> str:
    return str(uuid.uuid4())


def _json_or_empty(resp: httpx.Response) -> object:
    try:
        return resp.json()
    except ValueError:
        return {}


def _json_or_text(resp: httpx.Response) -> object:
    try:
        return resp.json()
    except ValueError:
        return resp.text


def _network_error(e: Exception, url: str, context: str) -> DashScopeError:
    text = str(e)
    host = httpx.URL(url).host
    prefix = f"{context}: " if context else ""
    low = text.lower()
    if "name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low \
            or "temporary failure in name resolution" in low:
        msg = f"{prefix}Cannot resolve {host} (DNS). Check the network connection and the region setting."
    elif "ssl" in low or "certificate" in low or "tls" in low:
        msg = (f"{prefix}A secure connection to {host} could not be set up (TLS/certificate error). "
               "A proxy or wrong system clock can cause this.")
    elif "refused" in low:
        msg = f"{prefix}{host} refused the connection. Is the service (or emulator) running?"
    else:
        msg = f"{prefix}Cannot reach {host}: {redact(text) or type(e).__name__}."
    return NetworkError(msg, code=type(e).__name__)
