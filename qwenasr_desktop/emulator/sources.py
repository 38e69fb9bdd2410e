"""Fetching the audio a file task or flash call names, and deciding which URLs may be fetched.

Only audio the emulator may read is fetched: its own oss:// uploads, data: URLs carried in the
request itself, and http(s) URLs under prefixes the operator allowed (`allow_urls`). Fetching any
http(s) address would let a client make the emulator reach the machine's other local services or
its LAN (SSRF) once it is bound anywhere but loopback. Redirects are not followed (a redirect could
leave the allowed prefix) and downloads stop at the upload size cap.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import httpx

from .errors import ApiError, invalid

if TYPE_CHECKING:
    from .server import EmulatorServer

DOWNLOAD_FAILED = "The audio file cannot be downloaded."


def normalize_prefixes(prefixes: Iterable[str]) -> tuple[tuple[str, str, str], ...]:
    """(scheme, host[:port], path) of each allowed prefix; ValueError names a bad one."""
    out = []
    for p in prefixes:
        parts = urlsplit(p)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"allowed URL prefix {p!r} must look like https://host[:port]/path/")
        out.append((parts.scheme, parts.netloc.lower(), parts.path or "/"))
    return tuple(out)


def url_allowed(url: str, prefixes: tuple[tuple[str, str, str], ...]) -> bool:
    """True if `url` is under one of the prefixes: same scheme and host, path inside the prefix's."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if "@" in parts.netloc:  # user:pass@host tricks
        return False
    if any(seg in (".", "..") for seg in unquote(parts.path).split("/")):
        return False  # a dot segment could climb out of the prefix on the far side
    for scheme, netloc, path in prefixes:
        if parts.scheme != scheme or parts.netloc.lower() != netloc:
            continue
        p = parts.path or "/"
        if p == path or p.startswith(path if path.endswith("/") else path + "/"):
            return True
    return False


def check_url(srv: EmulatorServer, url: str) -> None:
    """Refuse, at submit time, a URL the emulator will not fetch (the message says how to allow it)."""
    if url.startswith(("oss://", "data:")):
        return
    if url.startswith(("http://", "https://")):
        if not url_allowed(url, srv.allow_urls):
            raise ApiError(400, "InvalidParameter", f"The URL {url[:80]!r} is not allowed here: the "
                           "emulator fetches only its own oss:// uploads and http(s) URLs under a "
                           "prefix given with --allow-url.")
        return
    raise ApiError(400, "InvalidURL", f"Unsupported URL {url[:80]!r}: use http(s)://, oss:// or a "
                   "data: URL.")


async def fetch_audio(srv: EmulatorServer, url: str, account: str, model: str,
                      oss_resolve: bool) -> bytes:
    """Bytes of an input URL: oss:// (needs the resolve header), data: URL, or an allowed http(s)."""
    check_url(srv, url)
    if url.startswith("oss://"):
        if not oss_resolve:
            raise ApiError(400, "InvalidParameter", "oss:// URLs need the header "
                           "X-DashScope-OssResourceResolve: enable.")
        up = srv.store.find_upload(url[len("oss://"):])
        if up is None or up.account != account:
            raise ApiError(400, "InvalidFile.DownloadFailed", DOWNLOAD_FAILED + " (Not uploaded "
                           "here, or expired.)")
        if up.model != model:
            raise ApiError(400, "InvalidFile.DownloadFailed", f"The uploaded file is bound to model "
                           f"'{up.model}', not '{model}'.")
        try:
            return up.read()
        except OSError:
            raise ApiError(400, "InvalidFile.DownloadFailed", DOWNLOAD_FAILED) from None
    if url.startswith("data:"):
        head, _, b64 = url.partition(",")
        if ";base64" not in head:
            raise invalid("data URLs must be base64 encoded (data:<mime>;base64,<data>).")
        try:
            return base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise invalid("The data URL's base64 payload is malformed.") from None
    return await _download(url, srv.store.upload_max_bytes)


async def _download(url: str, limit: int) -> bytes:
    try:
        async with httpx.AsyncClient(timeout=20, follow_redirects=False) as client, \
                client.stream("GET", url) as r:
            if r.status_code != 200:
                raise ApiError(400, "InvalidFile.DownloadFailed",
                               f"{DOWNLOAD_FAILED} (HTTP {r.status_code}).")
            data = bytearray()
            async for chunk in r.aiter_bytes():
                data += chunk
                if len(data) > limit:
                    raise ApiError(400, "InvalidFile.DownloadFailed", f"The audio file is larger "
                                   f"than {limit >> 20} MiB.")
            return bytes(data)
    except httpx.HTTPError:
        raise ApiError(400, "InvalidFile.DownloadFailed", DOWNLOAD_FAILED) from None
