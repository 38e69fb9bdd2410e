"""Runs the same audio twice, A (plain) and B (with what the user picked), off the GUI thread.

File mode: two background jobs, concurrently when the engine allows, each with progress and a
shared cancel token. Real-time mode: two streaming sessions fed from one audio stream; the
engines' event callbacks arrive on their own threads and cross to the GUI thread as signals.
Nothing here blocks the GUI thread: opening sessions (which may load a model) and finishing
them (which waits for the last finals) are jobs too. A cloud session whose connection drops
resumes by itself (engines/dashscope/resume.py decides when and how often); the runner only
passes its notices on (`connection`), so the page can say what is happening.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from ...core.compare import Side
from ...core.context import Context
from ...core.hotwords import Hotword
from ...core.models import Mode, model_info
from ...core.transcript import Checkpoint, Transcript
from ...engines.base import (
    CancelToken,
    ChunkDone,
    Engine,
    EngineCancelledError,
    RecognitionOptions,
    StreamEvent,
    StreamingSession,
)
from ...engines.dashscope.resume import FAILED, ResumeNotice, ResumePolicy, ResumingSession
from ...engines.engine_choice import can_run_concurrently, make_engine
from ...engines.engine_labels import EngineChoice
from ...engines.live_transcript import LiveTranscript
from ..jobs import long_pool, run_job

HOTWORDS, CONTEXT = "hotwords", "context"


@dataclass
class RunRequest:
    """Everything one A/B run needs; what B adds is a subset of {"hotwords", "context"}."""

    engine: EngineChoice
    model: str
    mode: Mode
    audio_path: str = ""
    url: str = ""
    hotwords: list[Hotword] = field(default_factory=list)
    language_hints: list[str] = field(default_factory=list)
    context: Context | None = None
    b_adds: frozenset[str] = frozenset({HOTWORDS, CONTEXT})
    vocabulary_id: str | None = None  # the list's cloud vocabulary (DashScope takes no inline list)
    chinese_script: str = "simplified"  # Mandarin output of both sides (offline engine)
    resume: dict[str, Checkpoint] = field(default_factory=dict)  # side -> where its last run stopped

    @property
    def cloud(self) -> bool:
        return self.engine is not EngineChoice.OFFLINE

    def problem(self) -> str | None:
        """Why this run cannot start as asked, in words; None when it can."""
        if self.cloud and HOTWORDS in self.b_adds and self.hotwords and not self.vocabulary_id:
            return ("DashScope uses a hotword list only once it is on the cloud. Upload (sync) the list "
                    "on the Hotword lists page, then compare again.")
        return None

    def options(self, side: Side) -> RecognitionOptions:
        opts = RecognitionOptions(model=self.model, language_hints=list(self.language_hints),
                                  chinese_script=self.chinese_script)
        if side is Side.B:
            if HOTWORDS in self.b_adds and self.cloud:
                opts.vocabulary_id = self.vocabulary_id
            elif HOTWORDS in self.b_adds:
                opts.hotwords = list(self.hotwords)
            if CONTEXT in self.b_adds and self.context and model_info(self.model).supports_context:
                opts.context = self.context
        return opts

    def shaping(self, side: Side) -> dict:
        """Everything that changes what `side` recognizes: a checkpoint is reused only under the same."""
        o = self.options(side)
        return {"engine": self.engine.value, "url": self.url if self.cloud else "", "model": o.model,
                "hotwords": [(h.text, h.weight, h.lang) for h in o.hotwords],
                "vocabulary_id": o.vocabulary_id, "language_hints": o.language_hints,
                "context": o.context.as_prompt_text() if o.context else "",
                "chinese_script": o.chinese_script, "extra": o.extra}

    def b_adds_text(self) -> str:
        parts = [p for p in (HOTWORDS, CONTEXT) if p in self.b_adds]
        return " and ".join(parts) if parts else "nothing"


def snapshot(cp: Checkpoint) -> Checkpoint:
    """A copy the engine's later chunks do not change: its lists grow and its counters count on, but
    a finished sentence is never edited, so copying the list (not the sentences) is enough, and cheap
    at the end of an hour (a deep copy of a thousand sentences would hold the GIL for a while)."""
    ver = replace(cp.verification) if cp.verification is not None else None
    return Checkpoint(cp.position_ms, cp.duration_ms, list(cp.sentences), cp.carry, ver, cp.language)


class ComparisonRunner(QObject):
    progress = Signal(str, float)  # side, fraction
    sideStarted = Signal(str)  # side: its recognition starts now (B after A when they take turns)
    chunk = Signal(str, object)  # side, ChunkDone of the current run (never of a cancelled one)
    live = Signal(str, object)  # side, Transcript so far (real-time)
    finished = Signal(str, object)  # side, final Transcript
    failed = Signal(str, str)  # side, message
    streamReady = Signal()
    connection = Signal(str, object)  # side, ResumeNotice: a cloud stream dropped, resumed or gave up
    done = Signal()  # both sides finished, failed or were cancelled
    _event = Signal(str, object)  # side, StreamEvent: from engine threads to the GUI thread
    _notice = Signal(str, object)  # side, ResumeNotice: from the resuming thread to the GUI thread
    _chunk = Signal(str, object, object)  # side, CancelToken of its run, ChunkDone: to the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = CancelToken()
        self._pending: set[str] = set()
        self._sessions: dict[str, StreamingSession] = {}
        self._live: dict[str, LiveTranscript] = {}
        self._backlog: list[np.ndarray] = []
        self._streaming = False
        self._event.connect(self._on_event)
        self._notice.connect(self._on_notice)
        self._chunk.connect(self._on_chunk)
        self.request: RunRequest | None = None
        self.resume_policy: Callable[[], ResumePolicy] = ResumePolicy  # one per cloud session

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    # ------------------------------------------------------------------ file mode
    def start_file(self, req: RunRequest) -> None:
        self._cancel.cancel()  # a run still going is superseded: it stops at its next chunk, unheard
        self.request, self._cancel, self._live = req, CancelToken(), {}
        self._pending = {Side.A.value, Side.B.value}
        if can_run_concurrently(req.engine):
            for side in (Side.A, Side.B):
                self._start_side(req, side)
        else:
            self._start_side(req, Side.A, then_b=True)

    def _start_side(self, req: RunRequest, side: Side, then_b: bool = False) -> None:
        cancel, key = self._cancel, side.value

        def report(f: float) -> None:  # on the pool thread: a cancelled run reports nothing more
            if not cancel.cancelled:
                self.progress.emit(key, f)

        def on_chunk(done: ChunkDone) -> None:  # on the pool thread; the engine keeps mutating its state
            if not cancel.cancelled:
                self._chunk.emit(key, cancel, ChunkDone(list(done.new_sentences), snapshot(done.checkpoint)))

        def work() -> Transcript:  # on a pool thread
            engine = make_engine(req.engine, req.url)
            point = req.resume.get(key)
            if point is not None and engine.capabilities.resumable:  # it continues from (and mutates)
                point = Checkpoint.from_dict(point.to_dict())  # the checkpoint: give it its own
            else:
                point = None
            return engine.recognize(req.audio_path, req.options(side), progress=report, cancel=cancel,
                                    on_chunk=on_chunk, resume=point)

        def ok(t: Transcript) -> None:
            if cancel is not self._cancel:  # an earlier run, finishing after a new one started
                return
            if cancel.cancelled:  # finished its last chunk after the user cancelled: cancelled it is
                fail(EngineCancelledError())
                return
            self.finished.emit(key, t)
            if then_b:
                self._start_side(req, Side.B)
            self._side_done(key)

        def fail(e: BaseException) -> None:
            if cancel is not self._cancel or key not in self._pending:  # or reported cancelled already
                return
            self.failed.emit(key, str(e) or type(e).__name__)
            if then_b:
                self._side_done(Side.B.value)
            self._side_done(key)

        self.sideStarted.emit(key)
        run_job(work, ok, fail, self, pool=long_pool())

    @Slot(str, object, object)
    def _on_chunk(self, key: str, token: CancelToken, done: ChunkDone) -> None:
        """Passed on only if it belongs to the run now shown: a cancelled or replaced run's chunk,
        queued before the cancel, must not write into the columns."""
        if token is self._cancel and not token.cancelled and key in self._pending:
            self.chunk.emit(key, done)

    def cancel(self) -> None:
        """Both sides are reported cancelled at once, so the page is free within the click. A file run's
        workers stop at their next chunk boundary (the offline engine checks the token between
        chunks); nothing they report afterwards is passed on."""
        self._cancel.cancel()
        if self._live:  # real-time run: close the sessions
            for s in self._sessions.values():
                s.close()
            self._sessions, self._streaming = {}, False
        for key in list(self._pending):
            self.failed.emit(key, "Cancelled.")
            self._side_done(key)

    def _side_done(self, key: str) -> None:
        if key in self._pending:
            self._pending.discard(key)
            if not self._pending:
                self.done.emit()

    # ------------------------------------------------------------- real-time mode
    def start_stream(self, req: RunRequest) -> None:
        """Open both sessions (in a job: it may load a model); audio sent meanwhile is kept."""
        self.request, self._cancel = req, CancelToken()
        self._pending = {Side.A.value, Side.B.value}
        self._backlog, self._sessions, self._streaming = [], {}, True
        self._live = {s.value: LiveTranscript() for s in Side}

        def work() -> dict[str, StreamingSession]:
            engine: Engine = make_engine(req.engine, req.url)
            return {side.value: self._open_session(engine, req, side) for side in (Side.A, Side.B)}

        def ok(sessions: dict[str, StreamingSession]) -> None:
            if not self._pending:  # cancelled while opening
                for s in sessions.values():
                    s.close()
                return
            self._sessions = sessions
            for block in self._backlog:
                for s in sessions.values():
                    s.send_audio(block)
            self._backlog = []
            self.streamReady.emit()
            if not self._streaming:  # stopped while opening
                self._finish_sessions()

        def fail(e: BaseException) -> None:
            self._streaming = False
            for key in list(self._pending):
                self.failed.emit(key, str(e))
                self._side_done(key)

        run_job(work, ok, fail, self)

    def _open_session(self, engine: Engine, req: RunRequest, side: Side) -> StreamingSession:
        """On the job's thread. A cloud session resumes by itself after a dropped connection."""
        key = side.value

        def on_event(ev: StreamEvent) -> None:
            self._event.emit(key, ev)

        if not req.cloud:
            return engine.start_stream(req.options(side), on_event)
        return ResumingSession.start(engine, req.options(side), on_event,
                                     lambda n: self._notice.emit(key, n), self.resume_policy())

    @Slot(object)
    def feed(self, block: np.ndarray) -> None:
        """One block of 16 kHz mono audio to both sessions (the same samples, so A and B hear alike)."""
        if not self._streaming:
            return
        if not self._sessions:
            self._backlog.append(block)
            return
        for s in self._sessions.values():
            s.send_audio(block)

    def finish_stream(self) -> None:
        """No more audio: wait (off the GUI thread) for both sessions' last finals."""
        if not self._streaming:
            return
        self._streaming = False
        if self._sessions:
            self._finish_sessions()

    def _finish_sessions(self) -> None:
        sessions, self._sessions = self._sessions, {}
        for key, session in sessions.items():
            def work(session=session) -> Transcript:
                return session.finish(timeout=600)

            run_job(work, lambda t, key=key: self._stream_finished(key, t),
                    lambda e, key=key: self._stream_failed(key, e), self)

    def _stream_finished(self, key: str, t: Transcript) -> None:
        if key in self._pending:
            self.finished.emit(key, t)
            self._side_done(key)

    def _stream_failed(self, key: str, e: BaseException) -> None:
        if key in self._pending:  # not a side given up on already (_on_notice)
            self.failed.emit(key, str(e))
            self._side_done(key)

    @Slot(str, object)
    def _on_notice(self, key: str, notice: ResumeNotice) -> None:
        """Passed on; a side given up on fails now, not when the user stops the microphone."""
        if key not in self._pending:  # from a run that was cancelled or replaced
            return
        self.connection.emit(key, notice)
        if notice.state == FAILED:
            session = self._sessions.pop(key, None)
            if session is not None:
                session.close()
            self.failed.emit(key, notice.text)
            self._side_done(key)

    @Slot(str, object)
    def _on_event(self, key: str, event: StreamEvent) -> None:
        live = self._live.get(key)
        if live is None or key not in self._pending:
            return
        live.apply(event)
        self.live.emit(key, live.snapshot())
