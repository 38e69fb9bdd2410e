"""Light, dark, or whatever the system uses (the default): Qt's own colour-scheme hint, no custom styles.

With "system", Qt follows the desktop's setting live (Windows, macOS, GNOME/KDE portals), so
the app needs no theme code of its own; forcing light or dark is only an override.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

THEMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


def apply_theme(theme: str) -> None:
    app = QGuiApplication.instance()
    if app is None:
        return
    hints = QGuiApplication.styleHints()
    scheme = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(theme, Qt.ColorScheme.Unknown)
    if scheme is Qt.ColorScheme.Unknown:
        if hasattr(hints, "unsetColorScheme"):  # Qt 6.8+: back to following the system
            hints.unsetColorScheme()
    elif hasattr(hints, "setColorScheme"):
        hints.setColorScheme(scheme)


def current_scheme_name() -> str:
    scheme = QGuiApplication.styleHints().colorScheme()
    return {Qt.ColorScheme.Light: "light", Qt.ColorScheme.Dark: "dark"}.get(scheme, "unknown")
