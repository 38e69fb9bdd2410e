"""Where the DashScope API lives: the two public regions, or any base URL (emulator, proxy).

A region is resolved once into a pair of endpoints (HTTP base and WebSocket URL) so the rest of
the client never builds host names itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

HTTP_PATH = "/api/v1"
WS_PATH = "/api-ws/v1/inference"


@dataclass(frozen=True)
class Endpoints:
    name: str  # "intl", "cn" or "custom"
    http_base: str  # e.g. https://dashscope-intl.aliyuncs.com/api/v1 (no trailing slash)
    ws_url: str  # e.g. wss://dashscope-intl.aliyuncs.com/api-ws/v1/inference

    def url(self, path: str) -> str:
        return self.http_base + "/" + path.lstrip("/")


REGIONS: dict[str, Endpoints] = {
    "intl": Endpoints("intl", "https://dashscope-intl.aliyuncs.com/api/v1",
                      "wss://dashscope-intl.aliyuncs.com/api-ws/v1/inference"),
    "cn": Endpoints("cn", "https://dashscope.aliyuncs.com/api/v1",
                    "wss://dashscope.aliyuncs.com/api-ws/v1/inference"),
}
DEFAULT_REGION = "intl"


class RegionError(ValueError):
    pass


def resolve_region(spec: str | None = None, ws_url: str | None = None) -> Endpoints:
    """`intl` (default), `cn`, or a base URL such as `http://127.0.0.1:8765`.

    A custom URL may name just the host (the standard paths are added) or the full HTTP base
    ending in `/api/v1`. The WebSocket URL is derived from it (http->ws, https->wss) unless given.
    """
    spec = (spec or DEFAULT_REGION).strip()
    if spec.lower() in REGIONS and ws_url is None:
        return REGIONS[spec.lower()]
    parts = urlsplit(spec)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegionError(f"Unknown region {spec!r}: use intl, cn, or a base URL such as "
                          "http://127.0.0.1:8765")
    path = parts.path.rstrip("/")
    if not path.endswith(HTTP_PATH):
        path = path + HTTP_PATH
    http_base = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    if ws_url is None:
        ws_scheme = "wss" if parts.scheme == "https" else "ws"
        root = path[: -len(HTTP_PATH)]
        ws_url = urlunsplit((ws_scheme, parts.netloc, root + WS_PATH, "", ""))
    return Endpoints("custom", http_base, ws_url)
