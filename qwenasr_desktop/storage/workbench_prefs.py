"""The workbench's playback preferences and shortcuts, kept in the database's app_state table.

They belong with the user's data (a portable data folder carries its pedal setup along) and
are read and written as one JSON value; unknown or damaged values fall back to the defaults.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field, fields

from .hotword_lists import transaction

PREFS_KEY = "workbench.prefs"
SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


@dataclass
class WorkbenchPrefs:
    skip_back_s: float = 5.0
    skip_forward_s: float = 5.0
    rewind_on_resume_s: float = 1.0  # 0..5: heard again after each pause, to pick up the thread
    volume: int = 100  # percent
    speed: float = 1.0
    follow_playback: bool = True  # keep the played word in view
    shortcuts: dict[str, str] = field(default_factory=dict)  # action id -> key sequence text
    name_template: str = "{audio_stem}_{date}.{ext}"

    def clamped(self) -> WorkbenchPrefs:
        self.skip_back_s = min(60.0, max(0.5, float(self.skip_back_s)))
        self.skip_forward_s = min(60.0, max(0.5, float(self.skip_forward_s)))
        self.rewind_on_resume_s = min(5.0, max(0.0, float(self.rewind_on_resume_s)))
        self.volume = min(100, max(0, int(self.volume)))
        self.speed = min(SPEEDS, key=lambda s: abs(s - float(self.speed)))
        return self


def load_prefs(conn: sqlite3.Connection) -> WorkbenchPrefs:
    row = conn.execute("SELECT value FROM app_state WHERE key = ?", (PREFS_KEY,)).fetchone()
    if row is None:
        return WorkbenchPrefs()
    try:
        data = json.loads(row[0])
        known = {f.name for f in fields(WorkbenchPrefs)}
        prefs = WorkbenchPrefs(**{k: v for k, v in data.items() if k in known})
        prefs.shortcuts = {str(k): str(v) for k, v in dict(prefs.shortcuts).items()}
        return prefs.clamped()
    except (ValueError, TypeError, AttributeError):
        return WorkbenchPrefs()


def save_prefs(conn: sqlite3.Connection, prefs: WorkbenchPrefs) -> None:
    with transaction(conn) as c:
        c.execute("INSERT INTO app_state(key, value) VALUES (?, ?) "
                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                  (PREFS_KEY, json.dumps(asdict(prefs.clamped()), ensure_ascii=False)))
