"""Every remembered preference, by a typed key instead of scattered string literals.

The settings file lives in the app's data folder (`settings.ini`), so `--data-dir` and
`QWENASR_DATA_DIR` isolate a test or a portable install completely, on every platform alike.
The API key is never stored here: it lives in the OS keyring (see storage/secret_store.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from ..core.models import DEFAULT_MODEL
from ..storage.appdirs import AppDirs

SETTINGS_FILE_NAME = "settings.ini"


@dataclass(frozen=True)
class KeySpec:
    path: str
    type: type
    default: Any


class Key(Enum):
    """Name, type and default of each setting. Reading returns the declared type, always."""

    WINDOW_GEOMETRY = KeySpec("window/geometry", QByteArray, None)
    WINDOW_STATE = KeySpec("window/state", QByteArray, None)
    LAST_TAB = KeySpec("window/last_tab", int, 0)
    LAST_LIST = KeySpec("session/last_list_id", int, 0)  # the editor's list; 0: none remembered
    COMPARE_LIST = KeySpec("compare/last_list_id", int, 0)  # last compared with; 0: none remembered
    LAST_MODEL = KeySpec("session/last_model", str, "")
    LAST_DOCUMENT = KeySpec("workbench/last_document_id", int, 0)  # reopened at start; 0: none
    REGION = KeySpec("cloud/region", str, "intl")  # intl, cn or custom
    CUSTOM_URL = KeySpec("cloud/custom_url", str, "")
    DEFAULT_MODEL = KeySpec("defaults/model", str, DEFAULT_MODEL)
    DEFAULT_LIST = KeySpec("defaults/hotword_list_id", int, 0)  # 0: none
    AUDIO_DEVICE = KeySpec("audio/input_device", str, "")  # a device name; "" = system default
    SESSIONS_DIR = KeySpec("storage/sessions_dir", str, "")  # "" = <data>/sessions
    THEME = KeySpec("appearance/theme", str, "system")  # system, light or dark
    DEBUG_LOGGING = KeySpec("logs/debug", bool, False)
    CHINESE_SCRIPT = KeySpec("recognition/chinese_script", str, "simplified")  # or "traditional"
    WELCOME_SEEN = KeySpec("first_run/welcome_seen", bool, False)
    MODEL_FOLDERS = KeySpec("models/folders", str, "[]")  # JSON list of the user's model folders
    MODEL_SPEEDS = KeySpec("models/speeds", str, "{}")  # JSON {model name: estimated RTF here}

    @property
    def spec(self) -> KeySpec:
        return self.value


class AppSettings:
    """A QSettings in INI format at `<data>/settings.ini`, read and written through `Key`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    @classmethod
    def for_dirs(cls, dirs: AppDirs) -> AppSettings:
        return cls(dirs.data / SETTINGS_FILE_NAME)

    def get(self, key: Key) -> Any:
        spec = key.spec
        if not self._qs.contains(spec.path):
            return spec.default
        raw = self._qs.value(spec.path)
        try:
            return _convert(raw, spec.type)
        except (TypeError, ValueError):
            return spec.default  # a hand-edited or foreign value: fall back rather than crash

    def set(self, key: Key, value: Any) -> None:
        spec = key.spec
        if value is None:
            self._qs.remove(spec.path)
            return
        if not isinstance(value, spec.type):
            raise TypeError(f"setting {key.name} takes {spec.type.__name__}, not {type(value).__name__}")
        self._qs.setValue(spec.path, value)

    def reset(self, key: Key) -> None:
        self._qs.remove(key.spec.path)

    def sync(self) -> None:
        """Write to disk now (QSettings otherwise writes on its own schedule and at exit)."""
        self._qs.sync()

    def status_ok(self) -> bool:
        return self._qs.status() == QSettings.Status.NoError

    def sessions_dir(self, dirs: AppDirs) -> Path:
        custom = self.get(Key.SESSIONS_DIR).strip()
        return Path(custom).expanduser() if custom else dirs.sessions


def _convert(raw: Any, t: type) -> Any:
    if t is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off", ""):
            return False
        raise ValueError(raw)
    if t is int:
        return int(raw)
    if t is str:
        return "" if raw is None else str(raw)
    if t is QByteArray:
        if isinstance(raw, QByteArray):
            return raw
        if isinstance(raw, bytes | bytearray):
            return QByteArray(bytes(raw))
        raise TypeError(raw)
    return t(raw)
