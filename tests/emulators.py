"""The emulator as the DashScope test modules use it: one server per module, no recognition unless
a test needs it, optionally with the official SDK pointed at it; plus what the hostile-input tests
share (a threaded fake engine, a log watcher, raw WebSocket frames, WAV headers that lie)."""

from __future__ import annotations

import base64
import logging
import os
import queue
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from qwenasr_desktop.core.transcript import Sentence, Transcript
from qwenasr_desktop.emulator import EmulatorServer
from qwenasr_desktop.engines.base import Engine, EngineCapabilities, StreamEvent, StreamingSession


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


def client_fixtures(key: str, make_engine, sdk: bool = False):
    """(emu, engine, _clean) for a module that recognizes through the emulator: one server around
    `make_engine()` and one DashScope client for the module, faults and vocabularies forgotten
    around every test. Assign the three names at module level."""
    from qwenasr_desktop.engines.dashscope import DashScopeEngine
    from qwenasr_desktop.engines.dashscope.config import resolve_region

    @pytest.fixture(scope="module")
    def emu():
        with serving(key, make_engine(), sdk=sdk) as server:
            yield server

    @pytest.fixture(scope="module")
    def engine(emu):
        eng = DashScopeEngine(resolve_region(emu.base_url), key)
        yield eng
        eng.close()

    @pytest.fixture(autouse=True)
    def _clean(emu):
        reset(emu)
        yield
        reset(emu)

    return emu, engine, _clean


class ThreadedSession(StreamingSession):
    """A streaming session shaped like the local engine's: one worker thread blocked on a queue
    until close() or finish(); a session nobody closes leaks exactly that thread."""

    THREAD_NAME = "fake-asr-stream"

    def __init__(self, on_event) -> None:
        self._on_event = on_event
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._received = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.THREAD_NAME, daemon=True)
        self._thread.start()

    def send_audio(self, samples: np.ndarray) -> None:
        self._queue.put(np.asarray(samples, np.float32).copy())

    def finish(self, timeout: float | None = None) -> Transcript:
        self._queue.put("flush")
        self._done.wait(timeout)
        ms = self._received * 1000 // 16000
        return Transcript(sentences=[Sentence("fake", 0, ms)] if ms else [])

    def close(self) -> None:
        self._queue.put(None)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None or isinstance(item, str):
                break
            self._received += item.size
            ms = self._received * 1000 // 16000
            self._on_event(StreamEvent(Sentence("fake", 0, ms, is_final=False)))
        self._done.set()


class ThreadedEngine(Engine):
    """A fast stand-in for LocalEngine (too heavy to load per test on a shared two-core box) with
    the same threading: `open_delay_s` makes start_stream slow, like a model still loading."""

    name = "threaded-fake"
    capabilities = EngineCapabilities(streaming=True, context=False, inline_hotwords=True,
                                      cloud_vocabularies=False, file_upload=False)

    def __init__(self, open_delay_s: float = 0.0) -> None:
        self.open_delay_s = open_delay_s

    def recognize(self, audio, options, progress=None, cancel=None, *, on_chunk=None,
                  resume=None) -> Transcript:
        ms = len(audio) * 1000 // 16000
        return Transcript(sentences=[Sentence("fake", 0, ms)] if ms else [])

    def start_stream(self, options, on_event) -> ThreadedSession:
        time.sleep(self.open_delay_s)
        return ThreadedSession(on_event)


def stream_threads() -> int:
    return sum(t.name == ThreadedSession.THREAD_NAME for t in threading.enumerate())


POOL_THREADS = ("asyncio_", "emulator-engine", "ThreadPoolExecutor-")


def loose_threads() -> int:
    """Threads outside the bounded worker pools (asyncio's default executor, the engine's one
    worker): these are the ones a leak adds, so they must return to their starting count."""
    return sum(not t.name.startswith(POOL_THREADS) for t in threading.enumerate())


class LogWatch(logging.Handler):
    """Every record logged anywhere while installed (server threads included)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        """Records with a traceback, or errors from aiohttp/asyncio (a handler that crashed)."""
        return [f"{r.name}: {r.getMessage()}" for r in self.records
                if r.exc_info or (r.levelno >= logging.ERROR and r.name.startswith(("aiohttp", "asyncio")))]

    def __enter__(self) -> LogWatch:
        root = logging.getLogger()
        self._old = root.level
        root.addHandler(self)
        root.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._old)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wav_header(rate: int, channels: int = 1, bits: int = 16, data_bytes: int = 0) -> bytes:
    """A RIFF/WAVE PCM header saying whatever the test wants it to say (no checks)."""
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block & 0xFFFFFFFF, block & 0xFFFF, bits)
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE" + b"fmt " + struct.pack("<I", 16)
            + fmt + b"data" + struct.pack("<I", data_bytes))


def raw_ws_open(base_url: str, authorization: bytes,
                path: str = "/api-ws/v1/inference") -> tuple[socket.socket, bytes]:
    """A WebSocket handshake by hand (any header bytes allowed); (socket, response head)."""
    host, port = base_url.split("//", 1)[1].rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=10)
    key = base64.b64encode(os.urandom(16))
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
              b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
              b"Sec-WebSocket-Key: " + key + b"\r\nAuthorization: " + authorization + b"\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
    return s, head


def ws_frame(data: bytes | str) -> bytes:
    """One masked client frame (text for str, binary for bytes)."""
    opcode = 1 if isinstance(data, str) else 2
    payload = data.encode() if isinstance(data, str) else data
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 1 << 16:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    mask = os.urandom(4)
    m = np.resize(np.frombuffer(mask, np.uint8), n)
    masked = (np.frombuffer(payload, np.uint8) ^ m).tobytes()
    return head + mask + masked


def abort(s: socket.socket) -> None:
    """Close with a TCP reset, as a killed client does."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


LADDER_STEP = 0.01  # the level of second k of a ladder


def ladder(seconds: int) -> np.ndarray:
    """16 kHz audio whose second k (1-based) is the constant k/100, which LadderEngine reads back
    as the word "wk": a transcript then says exactly which seconds were recognized, how often, when."""
    return np.concatenate([np.full(16000, k * LADDER_STEP, np.float32) for k in range(1, seconds + 1)])


class LadderSession(StreamingSession):
    """One final sentence per whole second of audio ("w7" for level 0.07; silence says nothing),
    a partial for the second in progress; times count from the session's first sample."""

    def __init__(self, on_event) -> None:
        self._on_event = on_event
        self._buf = np.zeros(0, np.float32)
        self._seconds = 0
        self.finals: list[Sentence] = []

    def _sentence(self, block: np.ndarray, final: bool) -> Sentence | None:
        k = round(float(np.mean(block)) / LADDER_STEP)
        begin = self._seconds * 1000
        return Sentence(f"w{k}", begin, begin + block.size * 1000 // 16000, is_final=final) if k else None

    def send_audio(self, samples: np.ndarray) -> None:
        self._buf = np.concatenate([self._buf, np.asarray(samples, np.float32).reshape(-1)])
        while self._buf.size >= 16000:
            s = self._sentence(self._buf[:16000], True)
            self._buf, self._seconds = self._buf[16000:], self._seconds + 1
            if s is not None:
                self.finals.append(s)
                self._on_event(StreamEvent(s))
        if self._buf.size and (s := self._sentence(self._buf, False)) is not None:
            self._on_event(StreamEvent(s))

    def finish(self, timeout: float | None = None) -> Transcript:
        """The rest as a last final, returned only (the emulator sends finals it did not see)."""
        rest = self._sentence(self._buf, True) if self._buf.size else None
        return Transcript(sentences=self.finals + ([rest] if rest is not None else []))

    def close(self) -> None:
        self._buf = np.zeros(0, np.float32)


class LadderEngine(ThreadedEngine):
    name = "ladder-fake"

    def start_stream(self, options, on_event) -> LadderSession:
        return LadderSession(on_event)


async def ws_exchange(url: str, *frames, key: str | None, max_size: int | None = 2**20) -> list[dict]:
    """Send frames over a real WebSocket; collect server events until the server closes it."""
    import json

    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    headers = {"Authorization": f"Bearer {key}"} if key else {}
    events = []
    async with connect(url, additional_headers=headers, max_size=max_size) as ws:
        for f in frames:
            await ws.send(f)
        try:
            async for m in ws:
                events.append(json.loads(m))
        except ConnectionClosed:
            pass
    return events


def ws_run(coro):
    """Run one WebSocket exchange, bounded: a hung server fails the test instead of CI."""
    import asyncio

    return asyncio.run(asyncio.wait_for(coro, 20))
