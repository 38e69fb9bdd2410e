"""A file run's progress in words and its resume points: the part of a long file the page must not lose.

Each side gets a RunClock when its recognition starts; every finished chunk moves it on, and a
one-second timer keeps "elapsed" and "left" current between chunks. After every chunk the side's
checkpoint is stored (one small upsert, on the GUI thread where the connection lives), so a
cancel or a crash resumes from the last chunk; a side that finishes drops its point. The cloud
reports once, at the end: its columns say what it is doing and for how long, never a percentage.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from ...core.compare import Side
from ...core.run_clock import CLOUD_STAGE, RunClock
from ...core.transcript import Checkpoint, clock
from ...engines.base import ChunkDone
from ...engines.engine_choice import engine_resumable
from ...storage.sessions import ResumePointRepository, resume_key
from ..recognition.runner import RunRequest
from .columns import SideState, TwoColumns

TICK_MS = 1000


def side_key(req: RunRequest, side: Side) -> str | None:
    """A side's resume point: with no list and no context B's options equal A's, yet each side
    writes its own point as its chunks finish, so the side is part of the key."""
    return resume_key(req.audio_path, {**req.shaping(side), "side": side.value})


class LongRun(QObject):
    def __init__(self, columns: TwoColumns, points: ResumePointRepository,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns, self.points = columns, points
        self.clocks: dict[Side, RunClock] = {}
        self.keys: dict[Side, str | None] = {}
        self.resumable = False
        self.waiting = "starting…"
        self.session_id: int | None = None  # the session the run's points belong to
        self.resumed_session: int | None = None
        self.audio_path = ""
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.refresh)

    # ------------------------------------------------------------------ resume points
    def stored(self, req: RunRequest) -> dict[Side, Checkpoint]:
        """The checkpoints a resumable engine could continue `req` from (none for another file or options)."""
        if req.cloud or not req.audio_path or not engine_resumable(req.engine):
            return {}
        found = {side: self.points.load(side_key(req, side)) for side in Side}
        return {side: p for side, p in found.items() if p is not None}

    def offer_text(self, req: RunRequest) -> str:
        """ "Resume from 12:40" for the button, or "" when there is nothing to resume."""
        points = self.stored(req)
        if not points:
            return ""
        where = {side: clock(points[side].position_ms) if side in points else "00:00" for side in Side}
        if len(set(where.values())) == 1:
            return f"Resume from {where[Side.A]}"
        return f"Resume (A from {where[Side.A]}, B from {where[Side.B]})"

    # ------------------------------------------------------------------------- a run
    def begin(self, req: RunRequest, resume: bool) -> None:
        """A file run starts: resume from the stored points, or forget them (start over).
        `resumed_session`: the session of the run being continued, if it still exists."""
        self.resumable = not req.cloud and engine_resumable(req.engine)
        self.keys = {side: side_key(req, side) for side in Side}
        self.session_id, self.audio_path, self.resumed_session = None, req.audio_path, None
        self.waiting = CLOUD_STAGE if req.cloud else "starting…"
        if resume and self.resumable:
            req.resume = {side.value: p for side, p in self.stored(req).items()}
            self.resumed_session = next(filter(None, (self.points.session_of(k) for k in self.keys.values())),
                                        None)
        else:
            req.resume = {}
            for key in self.keys.values():
                self.points.delete(key)
        self.clocks = {}
        self._timer.start()

    def side_started(self, key: str, req: RunRequest | None) -> None:
        side = Side(key)
        run_clock = RunClock()
        point = req.resume.get(key) if req is not None else None
        if point is not None:
            run_clock.begin(point.position_ms, point.duration_ms)
        self.clocks[side] = run_clock
        self.refresh()

    def chunk(self, key: str, done: ChunkDone) -> None:
        side = Side(key)
        cp = done.checkpoint
        run_clock = self.clocks.setdefault(side, RunClock())
        run_clock.chunk(cp.position_ms, cp.duration_ms)
        if self.resumable and self.keys.get(side):
            self.points.save(self.keys[side], cp, audio_path=self.audio_path,  # type: ignore[arg-type]
                             session_id=self.session_id)
        self.refresh()

    def side_finished(self, key: str) -> None:
        """The whole transcript is stored with the session: its resume point has served."""
        side = Side(key)
        self.points.delete(self.keys.get(side))
        self.clocks.pop(side, None)

    def stop(self) -> None:
        self._timer.stop()
        self.clocks = {}

    def refresh(self) -> None:
        """Every running side's line: position of total, elapsed, time left (once it is measured)."""
        for side, run_clock in self.clocks.items():
            if self.columns.states[side] is SideState.RUNNING:
                self.columns.set_progress(side, run_clock.fraction, run_clock.text(self.waiting),
                                          percent=False)
