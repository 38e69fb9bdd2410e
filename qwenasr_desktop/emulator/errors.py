"""Cloud-shaped error bodies: `{"request_id", "code", "message"}` with the cloud's status codes."""

from __future__ import annotations

import uuid

from aiohttp import web


def request_id() -> str:
    return str(uuid.uuid4())


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> web.Response:
        return error_response(self.status, self.code, self.message)


def error_response(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"request_id": request_id(), "code": code, "message": message},
                             status=status)


def invalid(message: str) -> ApiError:
    return ApiError(400, "InvalidParameter", message)


NO_KEY = ApiError(401, "InvalidApiKey", "No API-key provided.")
BAD_KEY = ApiError(401, "InvalidApiKey", "Invalid API-key provided.")
URL_ERROR = ApiError(404, "InvalidParameter", "url error, please check url!")
