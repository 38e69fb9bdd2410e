"""Settings → Models: the packaged models, the user's model folders and those in the HF cache.

A folder is validated when it is added, and refused with the message that names what is missing
or unsupported; cache folders are listed read-only. Each row says its size, languages, the speed
measured on this machine the first time it was used, and whether it fits in memory now.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.models import LOCAL_BASE, LOCAL_TINY_EN
from ...engines.local import model_folders
from ...engines.local.model_folders import ModelFolder, ModelFolderError, inspect_folder, memory_problem
from ...engines.local.model_speed import speed_of
from ..settings_keys import AppSettings
from .user_models import save_folders, saved_folders

COLUMNS = ("Model", "Languages", "Size", "Speed here", "Memory", "Where")
MEMORY_COLUMN = 4
ERROR_STYLE = "color: #b3261e;"
PATH_ROLE = Qt.ItemDataRole.UserRole


def speed_text(name: str) -> str:
    """The first-use estimate for continuous speech; short clips and hotword runs take longer
    (each clip pays a whole 30 s window; hotwords add a biased decode), see benchmarks/models.py."""
    rtf = speed_of(name)
    return f"about {rtf:.2f} × real time" if rtf is not None else "measured on first use"


def _size_text(size: int) -> str:
    return f"{size / 2**20:,.0f} MB" if size < 2**30 else f"{size / 2**30:.1f} GB"


class ModelsPage(QWidget):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.folders = saved_folders(settings)
        layout = QVBoxLayout(self)
        intro = QLabel("Whisper models in faster-whisper's CTranslate2 format that are already on this "
                       "computer can be used offline, with the same weighted hotwords. Nothing is "
                       "downloaded. Folders in the Hugging Face cache are listed by themselves. "
                       "Speed is estimated once, the first time a model is used, for long recordings "
                       "of continuous speech; short clips and hotwords take longer.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add model folder…")
        self.add_button.clicked.connect(self._browse)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.rescan_button = QPushButton("Look again")
        self.rescan_button.clicked.connect(self.refresh)
        for b in (self.add_button, self.remove_button, self.rescan_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.refresh()

    # ------------------------------------------------------------------ actions
    def add_folder(self, path: str) -> bool:
        """Validate and add a folder; False (and the reason shown) when it is not usable."""
        try:
            folder = inspect_folder(path)
        except ModelFolderError as e:
            self._say(str(e), error=True)
            return False
        if str(folder.path) in self.folders:
            self._say(f"{folder.path} is already listed.", error=True)
            return False
        self.folders.append(str(folder.path))
        self.refresh()
        self._say(f"Added {folder.label}: {folder.languages_text}, {_size_text(folder.size_bytes)}.")
        return True

    def remove_selected(self) -> None:
        path = self._selected_path()
        if path in self.folders:
            self.folders.remove(path)
            self.refresh()

    def apply(self) -> None:
        """Save the list; the pickers offer its models from now on."""
        save_folders(self.settings, self.folders)
        model_folders.set_user_folders(self.folders)
        model_folders.available_models(refresh=True)

    def refresh(self) -> None:
        """Re-read every folder (nothing changes for the pickers until apply)."""
        models, problems = model_folders.scan(self.folders)
        self.table.setRowCount(0)
        self._add_packaged()
        for m in models:
            self._add_row(m)
        self._say("\n".join(problems), error=True)
        self._selection_changed()

    # ------------------------------------------------------------------ rows
    def _add_packaged(self) -> None:
        from ...engines.local.packaged_models import BASE_MODEL_BIN_SIZE, TINY_EN_MODEL_BIN_SIZE

        for name, label, langs, size in (
                (LOCAL_BASE, "Whisper base", "multilingual", BASE_MODEL_BIN_SIZE),
                (LOCAL_TINY_EN, "Whisper tiny.en", "English only (.en)", TINY_EN_MODEL_BIN_SIZE)):
            self._put((label, langs, _size_text(size), speed_text(name), "", "installed with the app"))

    def _add_row(self, m: ModelFolder) -> None:
        added = m.source == "added"
        note = memory_problem(m)
        self._put((m.label, m.languages_text, _size_text(m.size_bytes), speed_text(m.model_id),
                   note or "fits", str(m.path) if added else "Hugging Face cache"),
                  path=str(m.path) if added else "", error=bool(note), where=str(m.path))

    def _put(self, cells: tuple[str, ...], path: str = "", error: bool = False, where: str = "") -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(PATH_ROLE, path)
            item.setToolTip(where if c == len(cells) - 1 and where else text)
            if error and c == MEMORY_COLUMN:
                item.setForeground(Qt.GlobalColor.red)
            self.table.setItem(r, c, item)

    def _selected_path(self) -> str:
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 0).data(PATH_ROLE) if rows else ""

    def _selection_changed(self) -> None:
        self.remove_button.setEnabled(bool(self._selected_path()))

    def _browse(self) -> None:
        start = self.folders[-1] if self.folders else str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Add a Whisper model folder", start)
        if chosen:
            self.add_folder(chosen)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setVisible(bool(text))
