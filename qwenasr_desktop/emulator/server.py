"""A DashScope-compatible server on loopback, backed by a real recognition engine.

HTTP and WebSocket share one port (aiohttp). Paths, envelopes, ids, statuses and error bodies
follow ../shared/design/dashscope-protocol.md; where the notes are uncertain, the emulator does
what the official `dashscope` SDK accepts (each such place says so in its docstring).

Use in tests:

    with EmulatorServer(engine=my_engine, api_key="sk-test") as emu:
        emu.http_base   # http://127.0.0.1:PORT/api/v1
        emu.ws_url      # ws://127.0.0.1:PORT/api-ws/v1/inference
        emu.faults.http_error_count = 2
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import secrets
import socket
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from aiohttp import web

from ..engines.base import Engine
from . import files, http_api, ws_api
from .appkey import SERVER_KEY
from .errors import BAD_KEY, NO_KEY, URL_ERROR, ApiError, error_response, invalid
from .faults import Faults
from .recognizer import Recognizer
from .sources import normalize_prefixes
from .store import UPLOAD_MAX_BYTES, UPLOAD_TTL_S, Store

API = "/api/v1"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and "localhost"; names are not resolved (they could be anything)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class EmulatorServer:
    def __init__(self, engine: Engine | Callable[[], Engine] | None = None, *,
                 host: str = "127.0.0.1", port: int = 0, api_key: str | None = None,
                 ws_auth_mode: str = "handshake", idle_timeout_s: float = ws_api.IDLE_TIMEOUT_S,
                 heartbeat_interval_s: float = 1.0, allow_remote: bool = False,
                 allow_urls: Sequence[str] = (), upload_ttl_s: float = UPLOAD_TTL_S,
                 upload_max_bytes: int = UPLOAD_MAX_BYTES) -> None:
        """`engine`: an Engine, or a factory called on first recognition (default: LocalEngine).
        `api_key`: the only key accepted; None accepts any non-empty key (each key an account).
        `ws_auth_mode`: "handshake" (HTTP 401 at upgrade) or "task-failed" (accept, then fail
        run-task with InvalidApiKey); the cloud has been seen doing both.
        `idle_timeout_s`: a socket with no task, or a task with no audio, for this long is closed
        (the cloud closes idle connections too).
        `allow_remote`: bind a non-loopback address (refused otherwise: the emulator has no TLS
        and accepts any key by default). `allow_urls`: http(s) URL prefixes file tasks may fetch
        (none by default: only this emulator's oss:// uploads and data: URLs).
        `upload_ttl_s`, `upload_max_bytes`: expiry and size cap of temporary uploads."""
        if ws_auth_mode not in ("handshake", "task-failed"):
            raise ValueError("ws_auth_mode must be 'handshake' or 'task-failed'")
        if not allow_remote and not is_loopback(host):
            raise ValueError(f"refusing to serve on {host}, which is not a loopback address; "
                             "pass allow_remote (--allow-remote) to expose the emulator")
        self.allow_urls = normalize_prefixes(allow_urls)
        self.host, self.port = host, port
        self.api_key = api_key
        self.ws_auth_mode = ws_auth_mode
        self.idle_timeout_s = idle_timeout_s
        self.heartbeat_interval_s = heartbeat_interval_s
        self.faults = Faults()
        self.store = Store(upload_ttl_s, upload_max_bytes)
        self.recognizer = Recognizer(engine)
        self.secret = secrets.token_bytes(16)
        self.log = logging.getLogger("qwenasr_desktop.emulator")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task] = set()
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None
        self._start_error: BaseException | None = None

    # --- addresses ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def http_base(self) -> str:
        return self.base_url + API

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/api-ws/v1/inference"

    # --- auth and helpers used by the handlers ---------------------------------------------
    def authenticate(self, request: web.Request) -> str:
        """The account (the key itself) of a request, or raise the cloud's 401.

        Keys are printable ASCII (as the cloud issues them); anything else is simply a wrong key.
        The comparison is on bytes: `compare_digest` raises TypeError on non-ASCII str."""
        value = request.headers.get("Authorization", "")
        scheme, _, key = value.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise NO_KEY
        if not (key.isascii() and key.isprintable()):
            raise BAD_KEY
        if self.api_key is not None and not hmac.compare_digest(
                key.encode(), self.api_key.encode("utf-8", "surrogatepass")):
            raise BAD_KEY
        return key

    async def run_engine(self, fn: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.recognizer.executor, fn)

    def spawn(self, coro: Coroutine) -> None:
        t = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)

    # --- app -------------------------------------------------------------------------------
    def build_app(self) -> web.Application:
        # Bodies are read into memory (JSON) or spooled to disk (uploads): bounded by the upload cap.
        app = web.Application(client_max_size=self.store.upload_max_bytes + (1 << 20),
                              middlewares=[self._middleware])
        app[SERVER_KEY] = self
        r = app.router
        r.add_post(f"{API}/services/audio/asr/customization", http_api.customization)
        r.add_post(f"{API}/services/audio/asr/transcription", files.transcription)
        r.add_post(f"{API}/services/aigc/multimodal-generation/generation", http_api.flash)
        r.add_get(f"{API}/tasks/{{task_id}}", files.task_get)
        r.add_post(f"{API}/tasks/{{task_id}}/cancel", files.task_cancel)
        r.add_get(f"{API}/uploads", files.uploads)
        r.add_post("/oss", files.oss_upload)
        r.add_get("/results/{token}.json", files.result_file)
        r.add_get("/api-ws/v1/inference", ws_api.inference)
        r.add_get("/api-ws/v1/inference/", ws_api.inference)
        r.add_route("*", "/emulator/faults", self._faults_route)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler) -> web.StreamResponse:
        """Fault injection (API routes only), cloud-shaped errors, and no crash on any input."""
        is_api = request.path.startswith(API)
        try:
            if is_api:
                if self.faults.delay_s:
                    await asyncio.sleep(self.faults.delay_s)
                if self.faults.take("http_error_count"):
                    status = self.faults.http_error_status
                    code = self.faults.http_error_code or {
                        429: "Throttling", 500: "InternalError", 503: "ServiceUnavailable",
                        504: "GatewayTimeout"}.get(status, "InternalError")
                    msg = {429: "Requests throttling triggered."}.get(status, "Fault injected.")
                    if code == "Arrearage":
                        msg = "Access denied, please make sure your account is in good standing."
                    return error_response(status, code, msg)
            return await handler(request)
        except ApiError as e:
            return e.response()
        except web.HTTPException as e:
            if e.status in (404, 405):
                return URL_ERROR.response()
            if e.status == 413:
                return error_response(413, "RequestTooLarge", "The request body is too large.")
            raise
        except Exception:
            self.log.exception("unhandled error on %s %s", request.method, request.path)
            return error_response(500, "InternalError", "The emulator hit an internal error.")

    async def _faults_route(self, request: web.Request) -> web.Response:
        self.authenticate(request)
        if request.method == "POST":
            body = await http_api.read_json(request)
            reset = body.pop("reset", False)
            if not isinstance(reset, bool):
                raise invalid("'reset' must be true or false.")
            try:
                self.faults.update(body)  # checks every value first: all or nothing
            except ValueError as e:
                raise invalid(str(e)) from None
            if reset:
                self.faults.reset()
                self.faults.update(body)
        elif request.method != "GET":
            raise URL_ERROR
        return web.json_response(self.faults.snapshot())

    # --- lifecycle -------------------------------------------------------------------------
    async def _serve(self) -> None:
        self._stopped = asyncio.Event()
        try:
            self._runner = web.AppRunner(self.build_app(), access_log=None)
            await self._runner.setup()
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            self.port = sock.getsockname()[1]
            await web.SockSite(self._runner, sock).start()
        except BaseException as e:
            self._start_error = e
            self._ready.set()
            raise
        self._ready.set()
        await self._stopped.wait()
        for t in list(self._tasks):
            t.cancel()
        await self._runner.cleanup()

    def start(self) -> EmulatorServer:
        """Serve in a background thread; returns once the port is bound."""
        def run() -> None:
            self._loop = asyncio.new_event_loop()
            try:
                self._loop.run_until_complete(self._serve())
            except BaseException:
                pass
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=run, name="dashscope-emulator", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._start_error is not None:
            raise OSError(f"Cannot start the emulator on {self.host}:{self.port}: "
                          f"{self._start_error}") from self._start_error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.recognizer.shutdown()
        self.store.close()

    def serve_forever(self) -> None:
        """Foreground serving for the CLI; Ctrl+C stops it."""
        if self._thread is None:
            self.start()
        try:
            assert self._thread is not None
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
