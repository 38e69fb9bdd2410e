"""The real-time WebSocket endpoint (/api-ws/v1/inference): the run-task duplex protocol.

One task at a time per socket; after task-finished the socket may carry another run-task; after
task-failed the server closes it (as the cloud does). task-finished carries
`{"output": {}, "usage": null}`: the 1.x SDK only calls `on_complete` when the payload is non-empty
with an empty output. An unknown `vocabulary_id` fails the task with InvalidParameter (the cloud's
behaviour here is not documented). Interim results carry `end_time: null` and
`sentence_end: false`, finals integers and `true`, so both the SDK's heuristic (end_time not
null) and a doc-based client (sentence_end) read them the same way (protocol notes §2.5, §7.3).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

from ..core.context import Context, ContextMessage, Role
from ..core.models import Mode, UnknownModelError, model_info
from ..engines.base import StreamEvent, StreamingSession
from .appkey import SERVER_KEY
from .audio import AudioFormatError, StreamDecoder
from .errors import ApiError

if TYPE_CHECKING:
    from .server import EmulatorServer

IDLE_TIMEOUT_S = 23.0


class TaskFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _event(task_id: str, event: str, payload: dict | None = None, **header) -> str:
    return json.dumps({"header": {"task_id": task_id, "event": event, "attributes": {}, **header},
                       "payload": payload if payload is not None else {}}, ensure_ascii=False)


def _sentence(ev_sentence, sid: int, final: bool) -> dict:
    s = ev_sentence
    return {"begin_time": s.begin_ms, "end_time": s.end_ms if final else None, "text": s.text,
            "heartbeat": False, "sentence_end": final, "sentence_id": sid,
            "words": [{"begin_time": w.begin_ms, "end_time": w.end_ms, "text": w.text,
                       "punctuation": w.punctuation} for w in s.words]}


class _Task:
    """One run-task: decoder, engine session, and the queue of events to send back."""

    def __init__(self, srv: EmulatorServer, task_id: str, model: str, params: dict, account: str,
                 context: Context | None = None):
        self.srv, self.task_id, self.model, self.params = srv, task_id, model, params
        self.context = context
        fmt = params.get("format")
        rate = params.get("sample_rate")
        if not isinstance(fmt, str) or not fmt:
            raise TaskFailed("InvalidParameter", "Missing required parameter 'format'.")
        if isinstance(rate, bool) or not isinstance(rate, int) or not 1000 <= rate <= 192000:
            raise TaskFailed("InvalidParameter", "'sample_rate' must be an integer sample rate in Hz.")
        try:
            self.decoder = StreamDecoder(fmt.lower(), rate)
        except AudioFormatError as e:
            raise TaskFailed("InvalidParameter", str(e)) from None
        vid = params.get("vocabulary_id")
        self.vocabulary = srv.store.find_vocabulary(account, vid) if vid else None
        if vid and self.vocabulary is None:
            raise TaskFailed("InvalidParameter", f"vocabulary_id '{vid}' does not exist in this account.")
        self.session: StreamingSession | None = None
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.audio_chain: asyncio.Future | None = None
        self.sentence_id = 0
        self.last_end_ms = 0
        self.queued_finals = 0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Open the engine session in the background: task-started goes out at once, as on the
        cloud, even while the engine is still loading its model; audio waits for the session."""
        opts = self.srv.recognizer.options(self.model, self.params, self.vocabulary, self.context)

        def on_event(ev: StreamEvent) -> None:
            loop.call_soon_threadsafe(self.enqueue, ev)

        async def open_session() -> None:
            self.session = await self.srv.run_engine(
                lambda: self.srv.recognizer.engine.start_stream(opts, on_event))

        self.audio_chain = asyncio.ensure_future(open_session())

    async def feed(self, data: bytes) -> None:
        try:
            samples = self.decoder.feed(data)
        except AudioFormatError as e:
            raise TaskFailed("InvalidParameter", str(e)) from None
        if not samples.size:
            return
        # Engine calls run on the engine thread, in order; the socket never waits on them.
        prev = self.audio_chain

        async def push() -> None:
            if prev is not None:
                await prev
            session = self.session
            if session is not None:
                await self.srv.run_engine(lambda: session.send_audio(samples))

        self.audio_chain = asyncio.ensure_future(push())

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
        return _event(self.task_id, "result-generated",
                      {"output": {"sentence": _sentence(ev.sentence, sid, final)}, "usage": usage})

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
        if self.audio_chain is not None and not self.audio_chain.done():
            self.audio_chain.cancel()
        if self.session is not None:
            with contextlib.suppress(Exception):
                self.session.close()
            self.session = None


async def inference(request: web.Request) -> web.StreamResponse:
    srv: EmulatorServer = request.app[SERVER_KEY]
    account = None
    auth_error = None
    try:
        account = srv.authenticate(request)
    except ApiError as e:
        if srv.ws_auth_mode == "handshake":
            return e.response()
        auth_error = e
    ws = web.WebSocketResponse(heartbeat=None, max_msg_size=16 << 20, autoping=True)
    await ws.prepare(request)
    transport = request.transport
    drop_after = srv.faults.take_drop()
    frames = 0
    loop = asyncio.get_running_loop()
    task: _Task | None = None
    sender: asyncio.Task | None = None
    idle = srv.idle_timeout_s

    async def send(text: str) -> None:
        if srv.faults.delay_s:
            await asyncio.sleep(srv.faults.delay_s)
        if not ws.closed:
            await ws.send_str(text)

    async def pump(t: _Task) -> None:
        heartbeat = bool(t.params.get("heartbeat"))
        while True:
            try:
                ev = await asyncio.wait_for(t.outbox.get(), timeout=srv.heartbeat_interval_s
                                            if heartbeat else None)
            except TimeoutError:
                await send(_event(t.task_id, "result-generated", {"output": {"sentence": {
                    "begin_time": t.last_end_ms, "end_time": None, "text": "", "heartbeat": True,
                    "sentence_end": False, "sentence_id": 0, "words": []}}, "usage": None}))
                continue
            if ev is None:
                return
            await send(t.render(ev))

    async def fail(task_id: str, code: str, message: str) -> None:
        await send(_event(task_id, "task-failed", {}, error_code=code, error_message=message))
        await ws.close()

    async def end_task() -> None:
        nonlocal task, sender
        if task is not None:
            task.close()
            if sender is not None:
                task.outbox.put_nowait(None)
                with contextlib.suppress(Exception):
                    await sender
        task, sender = None, None

    try:
        while not ws.closed:
            try:
                msg = await asyncio.wait_for(ws.receive(), timeout=idle if task else None)
            except TimeoutError:
                tid = task.task_id if task else ""
                await end_task()
                await fail(tid, "CLIENT_ERROR", f"request timeout after {idle:g} seconds.")
                break
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                break
            if msg.type == WSMsgType.BINARY:
                if task is None:
                    await fail("", "InvalidParameter", "Binary audio received before run-task: send "
                               "run-task and wait for task-started first.")
                    break
                frames += 1
                if drop_after is not None and frames > drop_after:
                    srv.log.info("fault: dropping the WebSocket after %d frames", drop_after)
                    if transport is not None:
                        transport.abort()
                    break
                try:
                    await task.feed(msg.data)
                except TaskFailed as e:
                    tid = task.task_id
                    await end_task()
                    await fail(tid, e.code, e.message)
                    break
                continue
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                frame = json.loads(msg.data)
                header = frame["header"]
                action = header["action"]
                task_id = header.get("task_id") or ""
                payload = frame.get("payload")
            except (ValueError, KeyError, TypeError):
                await fail(task.task_id if task else "", "InvalidParameter",
                           "The message is not a valid JSON event with header.action.")
                break
            if auth_error is not None:
                await fail(task_id, auth_error.code, auth_error.message)
                break
            if action == "run-task":
                if task is not None:
                    await fail(task_id, "InvalidParameter", "A task is already running on this "
                               "connection; send finish-task first.")
                    break
                try:
                    task = _start_task(srv, task_id, payload, account)
                    task.start(loop)
                except TaskFailed as e:
                    task = None
                    await fail(task_id, e.code, e.message)
                    break
                except Exception as e:
                    srv.log.error("starting the stream failed: %s: %s", type(e).__name__, e)
                    task = None
                    await fail(task_id, "InternalError", f"Engine error: {type(e).__name__}")
                    break
                sender = asyncio.create_task(pump(task))
                await send(_event(task_id, "task-started"))
            elif action in ("continue-task", "finish-task"):
                if task is None or task_id != task.task_id:
                    await fail(task_id, "InvalidParameter", f"{action} for a task that is not running "
                               "on this connection.")
                    break
                if action == "finish-task":
                    try:
                        await task.finish()
                    except Exception as e:
                        srv.log.error("finishing the stream failed: %s: %s", type(e).__name__, e)
                        await end_task()
                        await fail(task_id, "InternalError", f"Engine error: {type(e).__name__}")
                        break
                    await end_task()
                    await send(_event(task_id, "task-finished", {"output": {}, "usage": None}))
            else:
                await fail(task_id, "InvalidParameter", f"Unknown action {action!r}; expected run-task, "
                           "continue-task or finish-task.")
                break
    finally:
        await end_task()
    return ws


def _start_task(srv: EmulatorServer, task_id: object, payload: object, account: str | None) -> _Task:
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
        raise TaskFailed("ModelNotFound", f"Model '{model}' not found.") from None
    if not info.supports(Mode.REALTIME):
        raise TaskFailed("InvalidParameter", f"Model '{model}' is not a real-time model.")
    params = payload.get("parameters") or {}
    if not isinstance(params, dict):
        raise TaskFailed("InvalidParameter", "'payload.parameters' must be an object.")
    return _Task(srv, task_id, model, params, account or "", _context(payload.get("input")))


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
