"""Real-time recognition over the run-task WebSocket protocol.

Audio handed to `send_audio` is kept in full (as 16-bit PCM) for the life of the session and
sent in 100 ms binary frames. If the socket drops mid-task, nothing is lost: the session reports
the drop (`on_error`, `dropped`), and `resume()` opens a new connection and a new task that
starts from the end of the last final sentence, re-sending the audio captured since then; the
new task's times are shifted so the transcript stays on one time axis.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import uuid
from collections.abc import Callable

import numpy as np
import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from ...core.transcript import Sentence, Transcript
from ..base import SAMPLE_RATE, RecognitionOptions, StreamEvent, StreamingSession
from .auth import get_logger, register_secret
from .config import Endpoints
from .errors import (
    ConnectionDroppedError,
    DashScopeError,
    NetworkError,
    TimeoutError_,
    from_code,
)
from .results import sentence_from_cloud

log = get_logger(__name__)
# websockets logs handshake headers (the Authorization header among them) at DEBUG: give it a
# logger that masks keys.
ws_log = get_logger(__name__ + ".ws")

FRAME_MS = 100
BYTES_PER_MS = SAMPLE_RATE * 2 // 1000  # 16-bit mono at 16 kHz
REALTIME_PARAMS = ("semantic_punctuation_enabled", "max_sentence_silence", "heartbeat",
                   "multi_threshold_mode_enabled", "disfluency_removal_enabled",
                   "punctuation_prediction_enabled", "inverse_text_normalization_enabled")


def to_pcm16(samples: np.ndarray) -> bytes:
    x = np.clip(np.asarray(samples, dtype=np.float32).reshape(-1), -1.0, 1.0)
    return (x * 32767.0).astype("<i2").tobytes()


class _Task:
    """One WebSocket connection carrying one run-task."""

    def __init__(self, task_id: str, offset_ms: int) -> None:
        self.task_id = task_id
        self.offset_ms = offset_ms
        self.ws: ClientConnection | None = None  # set once connected
        self.started = asyncio.Event()
        self.done = asyncio.Event()  # finished, failed or dropped
        self.finished = False
        self.error: DashScopeError | None = None
        self.wake = asyncio.Event()
        self.sender: asyncio.Future | None = None
        self.receiver: asyncio.Future | None = None


class RealtimeSession(StreamingSession):
    def __init__(self, endpoints: Endpoints, api_key: str, options: RecognitionOptions,
                 on_event: Callable[[StreamEvent], None],
                 on_error: Callable[[DashScopeError], None] | None = None, *,
                 connect_timeout: float = 15.0, frame_ms: int = FRAME_MS) -> None:
        register_secret(api_key)
        self.endpoints = endpoints
        self._api_key = api_key
        self.options = options
        self.on_event = on_event
        self.on_error = on_error
        self.connect_timeout = connect_timeout
        self.frame_bytes = frame_ms * BYTES_PER_MS
        self._pcm = bytearray()
        self._pcm_lock = threading.Lock()
        self._sent = 0  # byte position in _pcm of the next frame to send
        self._finishing = False
        self.finals: list[Sentence] = []
        self._task: _Task | None = None
        self.dropped: ConnectionDroppedError | None = None
        self.dropped_at_ms = 0  # how far the audio had been sent when the connection dropped
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="dashscope-realtime",
                                        daemon=True)
        self._thread.start()
        try:
            self._run(self._open(0), timeout=connect_timeout + 5)
        except BaseException:
            self._shutdown()
            raise

    # --- public API ------------------------------------------------------------------------
    def send_audio(self, samples: np.ndarray) -> None:
        data = to_pcm16(samples)
        with self._pcm_lock:
            self._pcm += data
        self._wake()

    def captured_audio(self) -> np.ndarray:
        """Everything handed to send_audio so far (16 kHz float32), whatever the connection did."""
        with self._pcm_lock:
            return np.frombuffer(bytes(self._pcm), dtype="<i2").astype(np.float32) / 32768.0

    @property
    def resume_point_ms(self) -> int:
        return self.finals[-1].end_ms if self.finals else 0

    def resume(self) -> None:
        """After a drop: a new connection and task from the last final's end; audio re-sent."""
        if self.dropped is None:
            return
        start_ms = self.resume_point_ms
        log.info("resuming from %d ms after a dropped connection", start_ms)
        dropped = self.dropped
        with self._pcm_lock:
            self._sent = min(len(self._pcm), start_ms * BYTES_PER_MS)
        self.dropped = None
        try:
            self._run(self._open(start_ms), timeout=self.connect_timeout + 5)
        except BaseException:
            # Still dropped: a caller retrying later must find it so, or its resume() does nothing.
            self.dropped = self.dropped or dropped
            raise
        self._wake()

    def finish(self, timeout: float | None = 120.0) -> Transcript:
        """Send the rest of the audio and finish-task; wait for task-finished."""
        self._finishing = True
        if self.dropped is not None:
            raise self.dropped
        self._wake()
        task = self._task
        assert task is not None
        try:
            self._run(task.done.wait(), timeout=timeout)
        except TimeoutError:
            raise TimeoutError_(f"No task-finished within {timeout:g} s of finishing the stream.") from None
        if task.error is not None:
            raise task.error
        self._shutdown()
        return self.transcript()

    def transcript(self) -> Transcript:
        end = self.finals[-1].end_ms if self.finals else 0
        with self._pcm_lock:
            dur = len(self._pcm) // BYTES_PER_MS
        return Transcript(sentences=list(self.finals), duration_ms=max(dur, end), engine="dashscope",
                          model=self.options.model)

    def close(self) -> None:
        self._shutdown()

    # --- internals -------------------------------------------------------------------------
    def _run(self, coro, timeout: float | None):
        fut = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return fut.result(timeout)
        except TimeoutError:
            fut.cancel()
            raise

    def _wake(self) -> None:
        task = self._task
        if task is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(task.wake.set)

    def _shutdown(self) -> None:
        """Close the socket, cancel what still runs on the loop, stop the loop thread."""
        if self._loop.is_running():
            async def drain() -> None:
                task = self._task
                if task is not None and task.ws is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(task.ws.close(), 2)
                others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
                for t in others:
                    t.cancel()
                await asyncio.gather(*others, return_exceptions=True)

            if threading.current_thread() is not self._thread:
                with contextlib.suppress(Exception):
                    asyncio.run_coroutine_threadsafe(drain(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def _run_task_frame(self, task_id: str) -> str:
        o = self.options
        params: dict = {"format": "pcm", "sample_rate": SAMPLE_RATE}
        if o.vocabulary_id:
            params["vocabulary_id"] = o.vocabulary_id
        if o.language_hints:
            params["language_hints"] = list(o.language_hints)
        for k in REALTIME_PARAMS:
            if k in o.extra:
                params[k] = o.extra[k]
        inp: dict = {}
        if o.context is not None and not o.context.is_empty():
            inp["context"] = o.context.to_cloud()
        return json.dumps({"header": {"action": "run-task", "task_id": task_id, "streaming": "duplex"},
                           "payload": {"task_group": "audio", "task": "asr", "function": "recognition",
                                       "model": o.model, "parameters": params, "input": inp}},
                          ensure_ascii=False)

    async def _open(self, offset_ms: int) -> None:
        task = _Task(uuid.uuid4().hex, offset_ms)
        self._task = task
        try:
            ws = await asyncio.wait_for(connect(
                self.endpoints.ws_url, additional_headers={"Authorization": f"Bearer {self._api_key}"},
                max_size=16 << 20, open_timeout=self.connect_timeout,
                logger=ws_log), self.connect_timeout)
        except InvalidStatus as e:
            status = e.response.status_code
            body = e.response.body or b""
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = {}
            raise from_code(str(parsed.get("code", "")), str(parsed.get("message", "")), status=status,
                            context="Opening the real-time connection") from None
        except (OSError, TimeoutError, websockets.exceptions.InvalidHandshake) as e:
            raise NetworkError(f"Cannot open the real-time connection to {self.endpoints.ws_url}: "
                               f"{type(e).__name__}: {e}") from None
        task.ws = ws
        await ws.send(self._run_task_frame(task.task_id))
        receiver = task.receiver = asyncio.ensure_future(self._receive(task, ws))
        waiters = {asyncio.ensure_future(task.started.wait()), asyncio.ensure_future(task.done.wait())}
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED, timeout=self.connect_timeout)
        for w in waiters:
            w.cancel()
        if not task.started.is_set():
            receiver.cancel()
            await ws.close()
            raise task.error or TimeoutError_("The service did not start the real-time task in time.")
        task.sender = asyncio.ensure_future(self._send_loop(task, ws))

    async def _send_loop(self, task: _Task, ws: ClientConnection) -> None:
        try:
            while not task.done.is_set():
                await task.wake.wait()
                task.wake.clear()
                while True:
                    with self._pcm_lock:
                        avail = len(self._pcm) - self._sent
                        take = self.frame_bytes if avail >= self.frame_bytes else (
                            avail if self._finishing and avail > 0 else 0)
                        frame = bytes(self._pcm[self._sent:self._sent + take]) if take else b""
                    if not frame:
                        break
                    await ws.send(frame)
                    with self._pcm_lock:
                        self._sent += len(frame)
                if self._finishing:
                    await ws.send(json.dumps({"header": {"action": "finish-task", "task_id": task.task_id,
                                                         "streaming": "duplex"},
                                              "payload": {"input": {}}}))
                    return
        except ConnectionClosed:
            return  # the receiver reports the drop

    async def _receive(self, task: _Task, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                if isinstance(raw, bytes):
                    continue
                try:
                    msg = json.loads(raw)
                    header = msg["header"]
                    event = header["event"]
                except (ValueError, KeyError, TypeError):
                    log.warning("ignoring a malformed server message")
                    continue
                if event == "task-started":
                    task.started.set()
                elif event == "result-generated":
                    self._on_result(task, (msg.get("payload") or {}).get("output") or {})
                elif event == "task-finished":
                    task.finished = True
                    task.done.set()
                    await ws.close()
                    return
                elif event == "task-failed":
                    task.error = from_code(str(header.get("error_code", "")),
                                           str(header.get("error_message", "")),
                                           context="Real-time recognition failed")
                    self._report(task.error)  # before done: finish() must not return ahead of it
                    task.done.set()
                    return
        except ConnectionClosed:
            pass
        if not task.done.is_set():
            with self._pcm_lock:
                kept = len(self._pcm) // BYTES_PER_MS
                self.dropped_at_ms = self._sent // BYTES_PER_MS
            self.dropped = ConnectionDroppedError(
                f"The real-time connection dropped. The {kept / 1000:.1f} s of audio captured so far "
                f"is kept; recognition can resume from {self.resume_point_ms / 1000:.1f} s.",
                code="ConnectionDropped")
            task.error = self.dropped
            self._report(self.dropped)  # before done: a caller woken by done has had on_error
            task.done.set()

    def _report(self, err: DashScopeError) -> None:
        log.warning("%s", err)
        if self.on_error is not None:
            try:
                self.on_error(err)
            except Exception:
                log.exception("on_error callback failed")

    def _on_result(self, task: _Task, output: dict) -> None:
        s = output.get("sentence")
        if not isinstance(s, dict) or s.get("heartbeat"):
            return
        sentence = sentence_from_cloud(s, offset_ms=task.offset_ms)
        if sentence.is_final:
            self.finals.append(sentence)
        try:
            self.on_event(StreamEvent(sentence))
        except Exception:
            log.exception("on_event callback failed")
