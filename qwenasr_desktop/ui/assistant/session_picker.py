"""Pick stored recognition sessions (audio + the corrected transcript) as tuning clips."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

from ...storage.sessions import SessionRepository


@dataclass(frozen=True)
class SessionClip:
    session_id: int
    title: str
    audio_path: str
    reference: str
    lang: str | None = None


def usable_sessions(sessions: SessionRepository, limit: int = 200) -> list[SessionClip]:
    """Sessions with a reference transcript whose audio file still exists, newest first."""
    out = []
    for summary in sessions.history(limit):
        if not summary.audio_path or not Path(summary.audio_path).is_file():
            continue
        s = sessions.load(summary.id)
        if s.reference.strip():
            hints = s.settings.get("language_hints") or []
            lang = hints[0] if hints and hints[0] in ("en", "zh") else None
            title = s.title or Path(s.audio_path).name
            out.append(SessionClip(summary.id, f"{title} ({summary.created_at[:16]})", s.audio_path,
                                   s.reference, lang))
    return out


class SessionPicker(QDialog):
    def __init__(self, clips: list[SessionClip], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stored sessions with a corrected transcript")
        self.clips = clips
        self.list = QListWidget()
        for c in clips:
            item = QListWidgetItem(c.title)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setToolTip(c.reference[:300])
            self.list.addItem(item)
        note = QLabel("Sessions appear here once they have a reference (the correct transcript) and "
                      "their audio file still exists." if not clips else "Tick the sessions to tune on.")
        note.setWordWrap(True)
        std = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(std.Ok | std.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def chosen(self) -> list[SessionClip]:
        return [c for k, c in enumerate(self.clips)
                if self.list.item(k).checkState() == Qt.CheckState.Checked]
