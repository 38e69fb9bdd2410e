"""Runs the queue: one file at a time on a worker, progress from the engine's chunks, results stored.

One at a time because the offline engine already uses every core for one file; a second file
would only make both slower. Each file is recognized with what the Recognize page would use for
column B (engine, model, hotword list, context), read when the file starts, and its transcript is
stored as a session, so History and the workbench open it like any comparison. A cancelled row's
worker may still be stopping (a fraction of a second): the next file starts only once it has, and
nothing it reports afterwards changes the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from ...core.batch_queue import FileQueue, ItemStatus
from ...core.compare import Side
from ...core.hotwords import HotwordList
from ...core.transcript import Transcript
from ...engines.base import CancelToken, ChunkDone
from ...engines.engine_choice import make_engine
from ...storage.sessions import Session, SessionRepository
from ..jobs import long_pool, run_job
from ..recognition.runner import RunRequest


@dataclass
class QueueSettings:
    """What the Recognize page is set to when a file starts (its audio path is the queue's)."""

    request: RunRequest
    hotword_list: HotwordList | None = None


class QueueRunner(QObject):
    rowChanged = Signal(int)
    idle = Signal()  # nothing waiting or running any more
    _chunk = Signal(int, object, int, int)  # row, CancelToken, position_ms, duration_ms

    def __init__(self, queue: FileQueue, sessions: SessionRepository,
                 settings: Callable[[], QueueSettings], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue, self.sessions, self.settings = queue, sessions, settings
        self._token: CancelToken | None = None  # the running file's; None while no worker runs
        self._chunk.connect(self._on_chunk)

    @property
    def busy(self) -> bool:
        return self._token is not None

    def start_next(self) -> None:
        """Start the first waiting file, unless a worker is still running (or stopping)."""
        if self._token is not None:
            return
        row = self.queue.next_waiting()
        if row is None:
            self.idle.emit()
            return
        try:
            chosen = self.settings()
        except Exception as e:  # the Recognize page could not say what to use
            self._finish_row(row, f"the recognition settings cannot be read: {e}")
            return
        req = chosen.request
        req.audio_path = self.queue.items[row].path
        problem = req.problem()
        self.queue.start(row)
        self.rowChanged.emit(row)
        if problem:
            self._finish_row(row, problem)
            return
        self._run(row, req, chosen.hotword_list)

    def _run(self, row: int, req: RunRequest, hotword_list: HotwordList | None) -> None:
        token = self._token = CancelToken()

        def on_chunk(done: ChunkDone) -> None:  # on the worker thread
            if not token.cancelled:
                self._chunk.emit(row, token, done.checkpoint.position_ms, done.checkpoint.duration_ms)

        def work() -> Transcript:
            engine = make_engine(req.engine, req.url)
            return engine.recognize(req.audio_path, req.options(Side.B), cancel=token, on_chunk=on_chunk)

        def ok(t: Transcript) -> None:
            self._token = None
            if token.cancelled:
                self.start_next()
                return
            sid = self.sessions.add(Session(
                req.engine.value, req.model, req.mode.value, req.audio_path, Path(req.audio_path).name,
                {"b_adds": sorted(req.b_adds), "language_hints": req.language_hints, "url": req.url,
                 "queue": True}, hotword_list, req.context, transcript_b=t))
            self.queue.done(row, sid)
            self.rowChanged.emit(row)
            self.start_next()

        def fail(e: BaseException) -> None:
            self._token = None
            if token.cancelled:
                self.start_next()
                return
            self._finish_row(row, str(e) or type(e).__name__)

        run_job(work, ok, fail, self, pool=long_pool())

    def _finish_row(self, row: int, reason: str) -> None:
        self.queue.fail(row, reason)
        self.rowChanged.emit(row)
        self.start_next()

    @Slot(int, object, int, int)
    def _on_chunk(self, row: int, token: CancelToken, position_ms: int, duration_ms: int) -> None:
        if token is self._token and not token.cancelled:
            self.queue.progress(row, position_ms, duration_ms)
            self.rowChanged.emit(row)

    def cancel(self, row: int) -> None:
        running = self.queue.items[row].status is ItemStatus.RUNNING
        if self.queue.cancel(row):
            if running and self._token is not None:
                self._token.cancel()  # the engine stops within a decoder step; then the next file starts
            self.rowChanged.emit(row)

    def cancel_all(self) -> None:
        for row in range(len(self.queue.items)):
            self.cancel(row)
