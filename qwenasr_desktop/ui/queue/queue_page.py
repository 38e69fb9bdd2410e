"""The Queue tab: add files or a folder, watch each file's status, open a finished one in the workbench.

A thin view: the FileQueue holds the rows, the QueueRunner works through them in the background
with the Recognize page's current settings (column B's: hotwords and context included).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.batch_queue import AUDIO_SUFFIXES, FileQueue, ItemStatus
from ...storage.sessions import SessionRepository
from .runner import QueueRunner, QueueSettings
from .table_model import QueueTableModel

INTRO = ("Files are recognized one after another in the background, with the engine, model, hotword "
         "list and context set on the Recognize & compare tab (what column B uses).")


class QueuePage(QWidget):
    openInWorkbench = Signal(int)  # session id of a finished file
    message = Signal(str)

    def __init__(self, sessions: SessionRepository, settings: Callable[[], QueueSettings],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = FileQueue()
        self.model = QueueTableModel(self.queue, self)
        self.runner = QueueRunner(self.queue, sessions, settings, self)
        self.add_files_button = QPushButton("Add files…")
        self.add_folder_button = QPushButton("Add folder…")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel the selected files (waiting or running).")
        self.cancel_all_button = QPushButton("Cancel all")
        self.open_button = QPushButton("Open in workbench")
        self.open_button.setToolTip("Correct and export the selected finished file's transcript.")
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(0, 380)
        self._layout()
        self.add_files_button.clicked.connect(self._choose_files)
        self.add_folder_button.clicked.connect(self._choose_folder)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.cancel_all_button.clicked.connect(self.runner.cancel_all)
        self.open_button.clicked.connect(self.open_selected)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.runner.rowChanged.connect(self._on_row_changed)
        self.runner.idle.connect(self._update_buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    def _layout(self) -> None:
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        bar = QHBoxLayout()
        for b in (self.add_files_button, self.add_folder_button, self.cancel_button, self.cancel_all_button):
            bar.addWidget(b)
        bar.addStretch()
        bar.addWidget(self.open_button)
        v = QVBoxLayout(self)
        v.setContentsMargins(4, 4, 4, 4)
        v.addWidget(intro)
        v.addLayout(bar)
        v.addWidget(self.table, 1)

    # ------------------------------------------------------------------------ API
    def add_files(self, paths: list[str]) -> int:
        """Queue files and start at once if nothing runs; how many were added."""
        added = self.model.add([str(p) for p in paths])
        if added:
            self.runner.start_next()
        self._update_buttons()
        return len(added)

    def add_folder(self, folder: str) -> int:
        files = FileQueue.audio_files(folder)
        if not files:
            self.message.emit(f"No audio files ({', '.join(sorted(AUDIO_SUFFIXES))}) in {folder}.")
            return 0
        return self.add_files(files)

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.table.selectionModel().selectedRows()})

    def cancel_selected(self) -> None:
        for row in self.selected_rows():
            self.runner.cancel(row)

    def open_selected(self) -> None:
        rows = [r for r in self.selected_rows() if self.queue.items[r].session_id is not None]
        if rows:
            self.openInWorkbench.emit(self.queue.items[rows[0]].session_id)

    # ---------------------------------------------------------------------- slots
    def _on_row_changed(self, row: int) -> None:
        self.model.row_changed(row)
        item = self.queue.items[row]
        if item.status is ItemStatus.FAILED:
            self.message.emit(f"{item.name}: {item.reason}")
        self._update_buttons()

    def _update_buttons(self) -> None:
        rows = self.selected_rows()
        items = self.queue.items
        self.open_button.setEnabled(any(items[r].status is ItemStatus.DONE for r in rows))
        self.cancel_button.setEnabled(any(items[r].status in (ItemStatus.WAITING, ItemStatus.RUNNING)
                                          for r in rows))
        self.cancel_all_button.setEnabled(any(i.status in (ItemStatus.WAITING, ItemStatus.RUNNING)
                                              for i in items))

    def _choose_files(self) -> None:
        pattern = " ".join(f"*{s}" for s in sorted(AUDIO_SUFFIXES))
        paths, _ = QFileDialog.getOpenFileNames(self, "Add audio files", "",
                                                f"Audio ({pattern});;All files (*)")
        if paths:
            self.add_files(paths)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of audio files")
        if folder:
            self.add_folder(folder)
