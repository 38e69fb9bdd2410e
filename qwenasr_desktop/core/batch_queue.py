"""The batch queue's state, without Qt: files, each with its status, one running at a time.

Kept free of widgets and threads so its rules (what "add" skips, what "cancel all" touches, how a
row reads) are tested directly; the table model shows it, the QueueRunner drives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .transcript import clock

AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".ogg", ".opus", ".mp3", ".m4a", ".aac"})


class ItemStatus(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({ItemStatus.DONE, ItemStatus.FAILED, ItemStatus.CANCELLED})


@dataclass
class QueueItem:
    path: str
    status: ItemStatus = ItemStatus.WAITING
    position_ms: int = 0
    duration_ms: int = 0  # 0: not known yet (before the first chunk)
    reason: str = ""  # why it failed
    session_id: int | None = None  # the stored result, once done

    @property
    def name(self) -> str:
        return Path(self.path).name

    def status_text(self) -> str:
        """How the row reads: "running 34 % of 12:00", "failed: <reason>"..."""
        if self.status is ItemStatus.RUNNING:
            if not self.duration_ms:
                return "running…"
            pct = round(100 * min(1.0, self.position_ms / self.duration_ms))
            return f"running {pct} % of {clock(self.duration_ms)}"
        if self.status is ItemStatus.FAILED:
            return f"failed: {self.reason}"
        return self.status.value


class FileQueue:
    def __init__(self) -> None:
        self.items: list[QueueItem] = []

    def add(self, paths: list[str]) -> list[int]:
        """Rows added; a file already waiting or running is not queued twice."""
        pending = {i.path for i in self.items if i.status not in FINISHED}
        added = []
        for p in paths:
            p = str(p)
            if p in pending:
                continue
            pending.add(p)
            self.items.append(QueueItem(p))
            added.append(len(self.items) - 1)
        return added

    @staticmethod
    def audio_files(folder: str | Path) -> list[str]:
        """The folder's audio files (not its subfolders'), sorted by name; [] for an unreadable folder."""
        try:
            entries = sorted(Path(folder).iterdir())
        except OSError:
            return []
        return [str(p) for p in entries if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES]

    def next_waiting(self) -> int | None:
        return next((k for k, i in enumerate(self.items) if i.status is ItemStatus.WAITING), None)

    def running(self) -> int | None:
        return next((k for k, i in enumerate(self.items) if i.status is ItemStatus.RUNNING), None)

    def start(self, row: int) -> None:
        item = self.items[row]
        item.status, item.position_ms, item.reason = ItemStatus.RUNNING, 0, ""

    def progress(self, row: int, position_ms: int, duration_ms: int) -> None:
        item = self.items[row]
        if item.status is ItemStatus.RUNNING:
            item.position_ms, item.duration_ms = position_ms, duration_ms

    def done(self, row: int, session_id: int) -> None:
        item = self.items[row]
        item.status, item.session_id = ItemStatus.DONE, session_id
        item.position_ms = item.duration_ms

    def fail(self, row: int, reason: str) -> None:
        item = self.items[row]
        item.status, item.reason = ItemStatus.FAILED, reason or "unknown error"

    def cancel(self, row: int) -> bool:
        """A waiting or running row becomes cancelled; True if it changed (a finished row stays)."""
        item = self.items[row]
        if item.status in FINISHED:
            return False
        item.status = ItemStatus.CANCELLED
        return True

    def cancel_all(self) -> list[int]:
        return [k for k in range(len(self.items)) if self.cancel(k)]
