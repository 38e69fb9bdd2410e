"""The user's model folders and measured speeds, kept in settings.ini and handed to the engine layer.

The engine layer never reads settings: at start the app tells it which folders the user added and
the speeds measured before; a speed measured on a worker thread comes back through a signal and is
saved on the GUI thread.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QObject, Signal

from ...core.user_models import USER_MODELS
from ..settings_keys import AppSettings, Key


def _json(settings: AppSettings, key: Key, kind: type) -> object:
    try:
        value = json.loads(settings.get(key))
    except ValueError:
        return kind()
    return value if isinstance(value, kind) else kind()


def saved_folders(settings: AppSettings) -> list[str]:
    value = _json(settings, Key.MODEL_FOLDERS, list)
    return [p for p in value if isinstance(p, str) and p] if isinstance(value, list) else []


def save_folders(settings: AppSettings, folders: list[str]) -> None:
    settings.set(Key.MODEL_FOLDERS, json.dumps(folders, ensure_ascii=False))


def saved_speeds(settings: AppSettings) -> dict[str, float]:
    value = _json(settings, Key.MODEL_SPEEDS, dict)
    if not isinstance(value, dict):
        return {}
    return {k: float(v) for k, v in value.items() if isinstance(k, str) and isinstance(v, int | float)}


class SpeedKeeper(QObject):
    """Saves a speed the engine measured (on whichever thread loaded the model)."""

    measured = Signal(str, float)

    def __init__(self, settings: AppSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.measured.connect(self._save)

    def _save(self, name: str, rtf: float) -> None:
        speeds = saved_speeds(self.settings)
        speeds[name] = round(rtf, 3)
        self.settings.set(Key.MODEL_SPEEDS, json.dumps(speeds, ensure_ascii=False))
        self.settings.sync()


def install_user_models(settings: AppSettings, parent: QObject | None = None) -> SpeedKeeper:
    """Hand the added folders and the known speeds to the engine layer through core's shared
    state: at start-up, without importing the engine (nothing is read until a picker asks)."""
    keeper = SpeedKeeper(settings, parent)
    USER_MODELS.folders[:] = saved_folders(settings)
    USER_MODELS.speeds.update(saved_speeds(settings))
    USER_MODELS.on_measured = keeper.measured.emit
    return keeper
