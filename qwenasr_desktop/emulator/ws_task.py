"""One real-time task (run-task .. finish-task) of the WebSocket endpoint: parsing run-task, the
audio decoder, the engine session, and the events the engine produces.

Engine calls run on the engine's one thread, in order; the socket never waits on them, except
that audio queued but not yet processed is bounded (MAX_PENDING_S) so a client sending faster than
recognition cannot grow memory without limit: past it the socket simply stops being read.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import threading
from typing import TYPE_CHECKING

from ..core.context import Context, ContextMessage, Role
from ..core.models import Mode, UnknownModelError, model_info
from ..engines.base import StreamEvent, StreamingSession
from .audio import AudioFormatError, StreamDecoder

if TYPE_CHECKING:
    from .server import EmulatorServer

MAX_PENDING_S = 30  # seconds of decoded audio that may wait for the engine


class TaskFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def event(task_id: object, name: str, payload: dict | None = None, **header) -> str:
    return json.dumps({"header": {"task_id": task_id if isinstance(task_id, str) else "",
                                  "event": name, "attributes": {}, **header},
                       "payload": payload if payload is not None else {}}, ensure_ascii=False)


def _sentence(s, sid: int, final: bool) -> dict:
    return {"begin_time": s.begin_ms, "end_time": s.end_ms if final else None, "text": s.text,
            "heartbeat": False, "sentence_end": final, "sentence_id": sid,
            "words": [{"begin_time": w.begin_ms, "end_time": w.end_ms, "text": w.text,
                       "punctuation": w.punctuation} for w in s.words]}


class StreamTask:
    """One run-task: decoder, engine session, and the queue of events to send back."""

    def __init__(self, srv: EmulatorServer, task_id: str, model: str, params: dict, account: str,
                 context: Context | None = None):
        self.srv, self.task_id, self.model, self.params = srv, task_id, model, params
        self.context = context
        fmt = params.get("format")
        if not isinstance(fmt, str) or not fmt:
            raise TaskFailed("InvalidParameter", "Missing required parameter 'format'.")
        try:
            self.decoder = StreamDecoder(fmt.lower(), params.get("sample_rate"))
        except AudioFormatError as e:
            raise TaskFailed("InvalidParameter", str(e)) from None
        vid = params.get("vocabulary_id")
        self.vocabulary = srv.store.find_vocabulary(account, vid) if vid else None
        if vid and self.vocabulary is None:
            raise TaskFailed("InvalidParameter", f"vocabulary_id '{vid!s:.80}' does not exist in "
                             "this account.")
        self.session: StreamingSession | None = None
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.audio_chain: asyncio.Future | None = None
        self.sentence_id = 0
        self.last_end_ms = 0
        self.queued_finals = 0
        self.pending = 0  # decoded samples not yet handed to the engine
        self._closed = False
        self._lock = threading.Lock()  # closed flag vs. the session the engine thread opens

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Open the engine session in the background: task-started goes out at once, as on the
        cloud, even while the engine is still loading its model; audio waits for the session.
        If the task is closed before the session exists (the client left), the engine thread
        closes the session itself: nothing else would, and its worker would wait forever."""
        opts = self.srv.recognizer.options(self.model, self.params, self.vocabulary, self.context)

        def on_event(ev: StreamEvent) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is gone: the server stopped
                loop.call_soon_threadsafe(self.enqueue, ev)

        def open_session() -> None:
            session = self.srv.recognizer.engine.start_stream(opts, on_event)
            with self._lock:
                if not self._closed:
                    self.session = session
                    return
            session.close()

        self.audio_chain = asyncio.ensure_future(self.srv.run_engine(open_session))

    async def feed(self, data: bytes) -> None:
        try:
            samples = self.decoder.feed(data)
        except AudioFormatError as e:
            raise TaskFailed("InvalidParameter", str(e)) from None
        if not samples.size:
            return
        prev = self.audio_chain
        self.pending += samples.size

        async def push() -> None:
            try:
                if prev is not None:
                    await prev
                session = self.session
                if session is not None:
                    await self.srv.run_engine(lambda: session.send_audio(samples))
            finally:
                self.pending -= samples.size

        self.audio_chain = asyncio.ensure_future(push())
        if self.pending > MAX_PENDING_S * 16000:
            await asyncio.wait([self.audio_chain])  # back-pressure: stop reading the socket

    def enqueue(self, ev: StreamEvent) -> None:
        if ev.is_final:
            self.queued_finals += 1
        self.outbox.put_nowait(ev)

    def render(self, ev: StreamEvent) -> str:
        final = ev.is_final
        sid = self.sentence_id + 1
        if final:
            self.sentence_id = sid
            self.last_end_ms = max(self.last_end_ms, ev.sentence.end_ms)
        usage = {"duration": math.ceil(self.last_end_ms / 1000)} if final else None
        return event(self.task_id, "result-generated",
                     {"output": {"sentence": _sentence(ev.sentence, sid, final)}, "usage": usage})

    def heartbeat(self) -> str:
        return event(self.task_id, "result-generated", {"output": {"sentence": {
            "begin_time": self.last_end_ms, "end_time": None, "text": "", "heartbeat": True,
            "sentence_end": False, "sentence_id": 0, "words": []}}, "usage": None})

    async def finish(self) -> None:
        if self.audio_chain is not None:
            await self.audio_chain  # raises if the session could not be opened
        if self.session is not None:
            session = self.session
            transcript = await self.srv.run_engine(lambda: session.finish())
            # Finals the engine returned without an event still go out, in order.
            for s in transcript.sentences[self.queued_finals:]:
                s.is_final = True
                self.enqueue(StreamEvent(s))

    def close(self) -> None:
        chain = self.audio_chain
        if chain is not None and not chain.done():
            chain.cancel()
        elif chain is not None and not chain.cancelled():
            chain.exception()  # retrieved: a failed open is reported by finish(), or moot
        with self._lock:
            self._closed = True
            session, self.session = self.session, None
        if session is not None:
            with contextlib.suppress(Exception):
                session.close()


def start_task(srv: EmulatorServer, task_id: object, payload: object, account: str | None) -> StreamTask:
    if not isinstance(task_id, str) or not task_id:
        raise TaskFailed("InvalidParameter", "Missing required parameter 'header.task_id'.")
    if not isinstance(payload, dict):
        raise TaskFailed("InvalidParameter", "Missing required parameter 'payload'.")
    if "input" not in payload:
        raise TaskFailed("InvalidParameter",
                         "Missing required parameter 'payload.input'! Please follow the protocol!")
    model = payload.get("model")
    if not isinstance(model, str) or not model:
        raise TaskFailed("InvalidParameter", "Missing required parameter 'payload.model'.")
    try:
        info = model_info(model)
    except UnknownModelError:
        raise TaskFailed("ModelNotFound", f"Model '{model:.80}' not found.") from None
    if not info.supports(Mode.REALTIME):
        raise TaskFailed("InvalidParameter", f"Model '{model}' is not a real-time model.")
    params = payload.get("parameters") or {}
    if not isinstance(params, dict):
        raise TaskFailed("InvalidParameter", "'payload.parameters' must be an object.")
    return StreamTask(srv, task_id, model, params, account or "", _context(payload.get("input")))


def _context(inp: object) -> Context | None:
    """`payload.input.context` (fun-asr-realtime context enhancement) as a core Context."""
    raw = inp.get("context") if isinstance(inp, dict) else None
    if not isinstance(raw, list):
        return None
    msgs = []
    for m in raw:
        if not isinstance(m, dict) or not isinstance(m.get("content"), list):
            continue
        role = Role.ASSISTANT if m.get("role") == "assistant" else Role.USER
        msgs += [ContextMessage(role, p["text"]) for p in m["content"]
                 if isinstance(p, dict) and isinstance(p.get("text"), str)]
    ctx = Context(msgs)
    return None if ctx.is_empty() else ctx
