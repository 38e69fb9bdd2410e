"""Where the app keeps its files: one data folder holding the database, logs and sessions.

Tests and portable installs point everything at one folder (``--data-dir`` or the
``QWENASR_DATA_DIR`` environment variable); otherwise the platform's usual user data folder is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "QwenASR Desktop"
APP_SLUG = "qwenasr-desktop"
ORGANIZATION = "QwenASR"
DATA_DIR_ENV = "QWENASR_DATA_DIR"
DATABASE_NAME = "qwenasr.sqlite3"


@dataclass(frozen=True)
class AppDirs:
    """The folders the app writes to. `ensure()` creates them; nothing is created on import."""

    data: Path

    @property
    def database(self) -> Path:
        return self.data / DATABASE_NAME

    @property
    def logs(self) -> Path:
        return self.data / "logs"

    @property
    def sessions(self) -> Path:
        """Recordings and transcripts of transcription sessions (filled by a later feature)."""
        return self.data / "sessions"

    def ensure(self) -> AppDirs:
        for folder in (self.data, self.logs, self.sessions):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def default_data_dir() -> Path:
    # Imported here so that merely importing storage stays cheap.
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_SLUG, appauthor=False))


def resolve_app_dirs(data_dir: str | os.PathLike[str] | None = None) -> AppDirs:
    """An explicit folder wins, then $QWENASR_DATA_DIR, then the platform default."""
    if data_dir:
        return AppDirs(Path(data_dir).expanduser().resolve())
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    if env:
        return AppDirs(Path(env).expanduser().resolve())
    return AppDirs(default_data_dir())
