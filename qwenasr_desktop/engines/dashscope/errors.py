"""DashScope failures as a small hierarchy, each with a message fit to show the user.

The cloud's own `code` and `message` are kept (the user may need to quote them to support), but
the first sentence says what to do. Every message is passed through `auth.redact`.
"""

from __future__ import annotations

from typing import Any

from ..base import EngineError
from .auth import redact


class DashScopeError(EngineError):
    """A failure reported by (or on the way to) DashScope."""

    retryable = False

    def __init__(self, message: str, *, code: str = "", status: int | None = None,
                 request_id: str = "", cloud_message: str = "") -> None:
        self.code = code
        self.status = status
        self.request_id = request_id
        self.cloud_message = redact(cloud_message)
        super().__init__(redact(message))


class AuthError(DashScopeError):
    """Missing, wrong or other-region API key."""


class ThrottledError(DashScopeError):
    retryable = True


class QuotaError(DashScopeError):
    """Arrearage, free tier exhausted, model not purchased."""


class BadRequestError(DashScopeError):
    """The request was rejected as invalid (the cloud's InvalidParameter and friends)."""


class NotFoundError(BadRequestError):
    pass


class ServerError(DashScopeError):
    retryable = True


class TimeoutError_(DashScopeError):
    """No answer in time. A submit may still have been accepted, so it is never retried."""


class NetworkError(DashScopeError):
    """DNS, TLS or connection failure: the request never reached the service."""


class TaskFailedError(DashScopeError):
    """A file task or a real-time task ended in failure."""


class ConnectionDroppedError(DashScopeError):
    """The WebSocket closed in the middle of a real-time task."""


class ValidationError(DashScopeError):
    """Refused locally before sending: the cloud would reject it or silently ignore it."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        self.problems = problems or []
        super().__init__(message, code="LocalValidation")


def _suffix(code: str, msg: str, request_id: str) -> str:
    bits = [b for b in (code, msg) if b]
    s = f" (cloud said: {': '.join(bits)})" if bits else ""
    if request_id:
        s += f" [request {request_id}]"
    return s


def from_response(status: int, body: object, *, context: str = "") -> DashScopeError:
    """Map an HTTP error status and its JSON body (`code`, `message`/`msg`) to an error."""
    code, msg, rid = "", "", ""
    if isinstance(body, dict):
        code = str(body.get("code") or "")
        msg = str(body.get("message") or body.get("msg") or "")
        rid = str(body.get("request_id") or "")
    elif body:
        msg = str(body)[:300]
    return from_code(code, msg, status=status, request_id=rid, context=context)


def from_code(code: str, msg: str = "", *, status: int | None = None, request_id: str = "",
              context: str = "") -> DashScopeError:
    """Map a cloud error code (HTTP body or WebSocket task-failed) to an error class and message."""
    prefix = f"{context}: " if context else ""
    tail = _suffix(code, msg, request_id)
    kw: dict[str, Any] = dict(code=code, status=status, request_id=request_id, cloud_message=msg)
    if code == "InvalidApiKey" or status == 401:
        return AuthError(f"{prefix}The API key was rejected. Check the key, and that it belongs to "
                         f"the selected region (Singapore and Beijing keys differ).{tail}", **kw)
    if code == "Arrearage" or code.startswith(("AllocationQuota", "AccessDenied")) or status == 403:
        return QuotaError(f"{prefix}The account cannot use this service: it is out of credit or quota, "
                          f"or the model is not enabled for it.{tail}", **kw)
    if code.startswith("Throttling") or status == 429:
        return ThrottledError(f"{prefix}Too many requests; the service asked us to slow down. Try "
                              f"again in a moment.{tail}", **kw)
    if code in ("ModelNotFound", "Model.NotExist") or status == 404:
        return NotFoundError(f"{prefix}Not found: the model or resource does not exist in this "
                             f"region.{tail}", **kw)
    if (status is not None and status >= 500) or code in ("InternalError", "ServiceUnavailable",
                                                         "GatewayTimeout"):
        return ServerError(f"{prefix}The service had an internal error. Try again later.{tail}", **kw)
    if (status is not None and 400 <= status < 500) or code:
        return BadRequestError(f"{prefix}The request was rejected.{tail}", **kw)
    return DashScopeError(f"{prefix}Unexpected response.{tail}", **kw)
