"""The real-time WebSocket endpoint (/api-ws/v1/inference): the run-task duplex protocol.

One task at a time per socket; after task-finished the socket may carry another run-task; after
task-failed the server closes it (as the cloud does). task-finished carries
`{"output": {}, "usage": null}`: the 1.x SDK only calls `on_complete` when the payload is non-empty
with an empty output. An unknown `vocabulary_id` fails the task with InvalidParameter (the cloud's
behaviour here is not documented). Interim results carry `end_time: null` and
`sentence_end: false`, finals integers and `true`, so both the SDK's heuristic (end_time not
null) and a doc-based client (sentence_end) read them the same way.

Hostile clients: every malformed frame (bad JSON, JSON nested too deep, a bad WAV header) is a
`task-failed`, never a dropped socket; a client that vanishes mid-task costs nothing afterwards
(its engine session is closed, sends to it are dropped quietly); a socket idle for
`idle_timeout_s` is closed, with `task-failed` if a task was running, as on the cloud.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from aiohttp import WSCloseCode, WSMsgType, web

from .appkey import SERVER_KEY
from .errors import ApiError, error_response
from .wire import JsonError, loads
from .ws_task import StreamTask, TaskFailed, event, start_task

if TYPE_CHECKING:
    from .server import EmulatorServer

IDLE_TIMEOUT_S = 23.0
MAX_FRAME = 2 << 20  # bytes per message: ~60 s of 16 kHz PCM; the SDK sends 100 ms frames
_END = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)


class _Dropped(Exception):
    """The drop fault fired: the connection is gone, stop serving it."""


class _Fail(Exception):
    """Raised by a handler: send task-failed, then close the socket."""

    def __init__(self, task_id: object, code: str, message: str) -> None:
        super().__init__(message)
        self.task_id, self.code, self.message = task_id, code, message


async def inference(request: web.Request) -> web.StreamResponse:
    srv: EmulatorServer = request.app[SERVER_KEY]
    if srv.faults.take("refuse_ws_count"):  # the service is briefly unreachable: reconnects fail
        return error_response(503, "ServiceUnavailable", "Fault injected.")
    account, auth_error = None, None
    try:
        account = srv.authenticate(request)
    except ApiError as e:
        if srv.ws_auth_mode == "handshake":
            return e.response()
        auth_error = e
    ws = web.WebSocketResponse(heartbeat=None, max_msg_size=MAX_FRAME, autoping=True)
    await ws.prepare(request)
    await Connection(srv, request, ws, account, auth_error).serve()
    return ws


class Connection:
    """One socket: reads frames, one method per event, until close, failure or idleness."""

    def __init__(self, srv: EmulatorServer, request: web.Request, ws: web.WebSocketResponse,
                 account: str | None, auth_error: ApiError | None) -> None:
        self.srv, self.request, self.ws = srv, request, ws
        self.account, self.auth_error = account, auth_error
        self.drop_after = srv.faults.take_drop()
        self.frames = 0
        self.task: StreamTask | None = None
        self.sender: asyncio.Task | None = None

    async def serve(self) -> None:
        try:
            while not self.ws.closed:
                try:
                    msg = await asyncio.wait_for(self.ws.receive(), timeout=self.srv.idle_timeout_s)
                except TimeoutError:
                    await self.on_idle()
                    return
                if msg.type in _END:
                    return
                try:
                    if msg.type == WSMsgType.BINARY:
                        await self.on_audio(msg.data)
                    elif msg.type == WSMsgType.TEXT:
                        await self.on_text(msg.data)
                except _Fail as f:
                    await self.end_task()
                    await self.fail(f.task_id, f.code, f.message)
                    return
                except _Dropped:
                    return
        finally:
            await self.end_task()

    # --- events ------------------------------------------------------------------------------
    async def on_idle(self) -> None:
        """No frame for idle_timeout_s: the cloud's CLIENT_ERROR for a task, a plain close without."""
        idle = self.srv.idle_timeout_s
        if self.task is None:
            await self._close(WSCloseCode.GOING_AWAY, f"idle for {idle:g} seconds")
            return
        tid = self.task.task_id
        await self.end_task()
        await self.fail(tid, "CLIENT_ERROR", f"request timeout after {idle:g} seconds.")

    async def on_audio(self, data: bytes) -> None:
        task = self.task
        if task is None:
            raise _Fail("", "InvalidParameter", "Binary audio received before run-task: send "
                        "run-task and wait for task-started first.")
        self.frames += 1
        if self.drop_after is not None and self.frames > self.drop_after:
            self.srv.log.info("fault: dropping the WebSocket after %d frames", self.drop_after)
            if self.request.transport is not None:
                self.request.transport.abort()
            raise _Dropped
        try:
            await task.feed(data)
        except TaskFailed as e:
            raise _Fail(task.task_id, e.code, e.message) from None

    async def on_text(self, text: str) -> None:
        current = self.task.task_id if self.task else ""
        try:
            frame = loads(text)
            header = frame["header"]
            action = header["action"]
            task_id = header.get("task_id") or ""
            payload = frame.get("payload")
        except JsonError as e:
            raise _Fail(current, "InvalidParameter", f"The message is not a valid JSON event: {e}") from None
        except (KeyError, TypeError, AttributeError):
            raise _Fail(current, "InvalidParameter",
                        "The message is not a valid JSON event with header.action.") from None
        if self.auth_error is not None:
            raise _Fail(task_id, self.auth_error.code, self.auth_error.message)
        if action == "run-task":
            await self.on_run_task(task_id, payload)
        elif action in ("continue-task", "finish-task"):
            if self.task is None or task_id != self.task.task_id:
                raise _Fail(task_id, "InvalidParameter", f"{action} for a task that is not running "
                            "on this connection.")
            if action == "finish-task":
                await self.on_finish_task(task_id)
        else:
            raise _Fail(task_id, "InvalidParameter", f"Unknown action {action!r:.60}; expected "
                        "run-task, continue-task or finish-task.")

    async def on_run_task(self, task_id: object, payload: object) -> None:
        if self.task is not None:
            raise _Fail(task_id, "InvalidParameter", "A task is already running on this "
                        "connection; send finish-task first.")
        try:
            task = start_task(self.srv, task_id, payload, self.account)
            task.start(asyncio.get_running_loop())
        except TaskFailed as e:
            raise _Fail(task_id, e.code, e.message) from None
        except Exception as e:
            self.srv.log.error("starting the stream failed: %s: %s", type(e).__name__, e)
            raise _Fail(task_id, "InternalError", f"Engine error: {type(e).__name__}") from None
        self.task = task
        self.sender = asyncio.create_task(self.pump(task))
        await self.send(event(task_id, "task-started"))

    async def on_finish_task(self, task_id: str) -> None:
        assert self.task is not None
        try:
            await self.task.finish()
        except Exception as e:
            self.srv.log.error("finishing the stream failed: %s: %s", type(e).__name__, e)
            raise _Fail(task_id, "InternalError", f"Engine error: {type(e).__name__}") from None
        await self.end_task()
        await self.send(event(task_id, "task-finished", {"output": {}, "usage": None}))

    # --- plumbing ----------------------------------------------------------------------------
    async def pump(self, task: StreamTask) -> None:
        """Results (and heartbeats, if asked for) from the engine to the socket, in order."""
        beat = self.srv.heartbeat_interval_s if task.params.get("heartbeat") else None
        while True:
            try:
                ev = await asyncio.wait_for(task.outbox.get(), timeout=beat)
            except TimeoutError:
                await self.send(task.heartbeat())
                continue
            if ev is None:
                return
            await self.send(task.render(ev))

    async def send(self, text: str) -> None:
        """Send if the client is still there; a client that left is not an error worth a log."""
        if self.srv.faults.delay_s:
            await asyncio.sleep(self.srv.faults.delay_s)
        if not self.ws.closed:
            with contextlib.suppress(ConnectionError):
                await self.ws.send_str(text)

    async def fail(self, task_id: object, code: str, message: str) -> None:
        await self.send(event(task_id, "task-failed", {}, error_code=code, error_message=message))
        await self._close(WSCloseCode.OK, "")

    async def _close(self, code: int, message: str) -> None:
        with contextlib.suppress(ConnectionError):
            await self.ws.close(code=code, message=message.encode())

    async def end_task(self) -> None:
        task, sender = self.task, self.sender
        self.task, self.sender = None, None
        if task is not None:
            task.close()
            if sender is not None:
                task.outbox.put_nowait(None)
                with contextlib.suppress(Exception):
                    await sender
