"""The hotword editor page: list sidebar on the left, the selected list's table on the right.

This class wires widgets to the repository and owns the user actions; the cells, the undo
commands and the validation live in their own modules, Import and Export in file_actions.py.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core import hotword_io
from ...core.hotword_paste import rows_from_clipboard
from ...core.hotwords import HotwordList, ProblemSeverity, language_label
from ...core.models import DEFAULT_MODEL
from ...storage.hotword_lists import HotwordListRepository, ListNameError
from ..jobs import LatestJob
from .file_actions import ListFileActions
from .import_dialog import ImportReportDialog
from .list_sidebar import ListSidebar
from .summary_bar import SummaryBar
from .table_model import Column, HotwordTableModel
from .table_view import HotwordTableView

LAST_LIST_KEY = "hotwords.last_list"
KEYS_HELP = ("Keys: Tab moves between cells · F2 or typing edits · Insert or Ctrl+N adds a row · "
             "Delete removes · digits 1-5 set a weight · Ctrl+V pastes lines as rows · Ctrl+Z undo")


class RepositorySink:
    """Saves the table's edits of one list, one transaction per edit."""

    def __init__(self, repo: HotwordListRepository, list_id: int) -> None:
        self.repo, self.list_id = repo, list_id

    def set_item(self, row, item):
        self.repo.set_item(self.list_id, row, item)

    def insert_items(self, row, items):
        self.repo.insert_items(self.list_id, row, items)

    def remove_rows(self, rows):
        self.repo.remove_rows(self.list_id, rows)


class HotwordEditorPage(QWidget, ListFileActions):
    message = Signal(str)  # a short note for the status bar
    importReportShown = Signal(object)

    def __init__(self, repo: HotwordListRepository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.repo = repo
        self.list_id: int | None = None
        self.import_dialog: ImportReportDialog | None = None
        self.import_job = LatestJob(self)  # a list switch drops a running import (see open_list)
        self.save_error_box: QMessageBox | None = None
        self.model = HotwordTableModel(self)
        self.sidebar = ListSidebar()
        self.summary = SummaryBar()
        self.table = HotwordTableView(self.model)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter hotwords (Ctrl+F)")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setAccessibleName("Filter hotwords")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAccessibleName("Problem in the current row")
        self.detail.setMinimumHeight(40)
        keys = QLabel(KEYS_HELP)
        keys.setStyleSheet("color: #666;")
        keys.setWordWrap(True)
        self._make_actions()
        self._layout(keys)
        self._connect()
        self.reload_lists(select=self._initial_list_id())

    # --- construction ------------------------------------------------------------------------

    def _make_actions(self) -> None:
        def action(text: str, keys: list[str | QKeySequence.StandardKey], slot, tip: str,
                   context=Qt.ShortcutContext.WidgetWithChildrenShortcut) -> QAction:
            a = QAction(text, self)
            a.setShortcuts([QKeySequence(k) for k in keys])
            a.setShortcutContext(context)
            a.setToolTip(f"{tip} ({', '.join(QKeySequence(k).toString() for k in keys)})" if keys else tip)
            a.triggered.connect(slot)
            return a

        self.add_row_action = action("Add row", ["Ins", "Ctrl+N"], self.add_row, "Add an empty row")
        self.delete_rows_action = action("Delete rows", [QKeySequence.StandardKey.Delete],
                                         self.delete_selected_rows, "Delete the selected rows")
        self.paste_action = action("Paste rows", [QKeySequence.StandardKey.Paste], self.paste_rows,
                                   "Add one row per line of the clipboard")
        self.copy_json_action = action("Copy API JSON", [], self.copy_api_json,
                                       "Copy the list as the cloud API's vocabulary JSON")
        self.import_action = action("Import…", ["Ctrl+O"], self.choose_import_file,
                                    "Add hotwords from a JSON, CSV, TSV or text file")
        self.export_action = action("Export…", ["Ctrl+E"], self.choose_export_file,
                                    "Save the list as API JSON, CSV, TSV or text")
        self.find_action = action("Filter", ["Ctrl+F"], self.filter_box.setFocus, "Filter the rows")
        self.undo_action = self.model.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.model.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        for a, short in ((self.undo_action, "Undo"), (self.redo_action, "Redo")):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            # The toolbar button shows the short icon text ("Undo Import 6 hotwords from …json" would
            # widen the window); the Edit menu and the tooltip (the action's text) say the whole step.
            a.setIconText(short)
        # Row actions apply to the table; the rest to the whole page.
        self.table.addActions([self.delete_rows_action, self.paste_action])
        self.addActions([self.add_row_action, self.undo_action, self.redo_action, self.import_action,
                         self.export_action, self.find_action, self.copy_json_action])

    def _layout(self, keys: QLabel) -> None:
        toolbar = QHBoxLayout()
        for a in (self.add_row_action, self.delete_rows_action, self.paste_action, self.undo_action,
                  self.redo_action, self.import_action, self.export_action, self.copy_json_action):
            b = QToolButton()
            b.setDefaultAction(a)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            toolbar.addWidget(b)
        toolbar.addStretch(1)
        toolbar.addWidget(self.filter_box, 2)
        self.filter_box.setMinimumWidth(150)

        self.right = QWidget()
        right = QVBoxLayout(self.right)
        right.setContentsMargins(8, 0, 0, 0)
        right.addWidget(self.title)
        right.addWidget(self.summary)
        right.addLayout(toolbar)
        right.addWidget(self.table, 1)
        right.addWidget(self.detail)
        right.addWidget(keys)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([230, 1000])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        self.sidebar.listSelected.connect(self.open_list)
        self.sidebar.newRequested.connect(self.new_list)
        self.sidebar.renameRequested.connect(self.rename_list)
        self.sidebar.duplicateRequested.connect(self.duplicate_list)
        self.sidebar.deleteConfirmed.connect(self.delete_list)
        self.summary.targetModelChanged.connect(self._on_target_model_changed)
        self.summary.hintsChanged.connect(self._on_hints_changed)
        self.summary.prefixChanged.connect(self._on_prefix_changed)
        self.model.validationChanged.connect(self._update_summary)
        self.model.validationChanged.connect(self._update_detail)
        # Row counts in the sidebar: refreshed once per burst of row changes.
        self._sidebar_timer = QTimer(self)
        self._sidebar_timer.setSingleShot(True)
        self._sidebar_timer.timeout.connect(self._refresh_sidebar)
        self.model.rowsInserted.connect(self._sidebar_timer.start)
        self.model.rowsRemoved.connect(self._sidebar_timer.start)
        self.model.saveFailed.connect(self._on_save_failed)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_detail())
        self.filter_box.textChanged.connect(self.table.proxy.setFilterFixedString)

    # --- lists -------------------------------------------------------------------------------

    def _initial_list_id(self) -> int | None:
        saved = self.repo.get_state(LAST_LIST_KEY)
        ids = [s.id for s in self.repo.summaries()]
        if saved and saved.isdigit() and int(saved) in ids:
            return int(saved)
        return ids[0] if ids else None

    def reload_lists(self, select: int | None = None) -> None:
        summaries = self.repo.summaries()
        if select is None and summaries:
            select = summaries[0].id
        self.sidebar.set_lists(summaries, select)
        if select is None:
            self._show_no_list()
        elif select != self.list_id:
            self.open_list(select)

    def _refresh_sidebar(self, *_args) -> None:
        if self.list_id is not None:
            self.sidebar.set_lists(self.repo.summaries(), self.list_id)

    def open_list(self, list_id: int) -> None:
        stored = self.repo.load(list_id)
        self.import_job.cancel()  # its rows were read for the list that was open
        self.list_id = list_id
        self.model.set_document(stored.hotwords, stored.language_hints, RepositorySink(self.repo, list_id))
        self.summary.set_state(stored.hotwords.target_model, stored.language_hints, stored.hotwords.prefix)
        self.title.setText(stored.hotwords.name)
        self.right.setEnabled(True)
        self.repo.set_state(LAST_LIST_KEY, str(list_id))
        self._update_summary()
        self._update_detail()

    def _show_no_list(self) -> None:
        self.import_job.cancel()
        self.list_id = None
        self.model.set_document(HotwordList("", DEFAULT_MODEL))
        self.title.setText("No hotword list yet: press New to create one")
        self.right.setEnabled(False)

    def new_list(self) -> None:
        target = self.model.hotword_list.target_model if self.list_id is not None else DEFAULT_MODEL
        list_id = self.repo.create(self.repo.free_name("New list"), target)
        self.reload_lists(select=list_id)
        self.sidebar.list.editItem(self.sidebar.list.currentItem())

    def rename_list(self, list_id: int, name: str) -> None:
        try:
            self.repo.rename(list_id, name)
        except ListNameError as e:
            QMessageBox.warning(self, "Rename hotword list", str(e))
        self.reload_lists(select=list_id)
        if list_id == self.list_id:
            stored = self.repo.load(list_id).hotwords.name
            self.title.setText(stored)
            self.model.hotword_list.name = stored  # Import's report and Export's file name use it

    def duplicate_list(self, list_id: int) -> None:
        self.reload_lists(select=self.repo.duplicate(list_id))
        self.message.emit("List duplicated.")

    def delete_list(self, list_id: int) -> None:
        name = self.repo.load(list_id).hotwords.name
        self.repo.delete(list_id)
        if list_id == self.list_id:
            self.list_id = None
        self.reload_lists()
        self.message.emit(f"Deleted the list \"{name}\".")

    def _on_target_model_changed(self, name: str) -> None:
        if self.list_id is None:
            return
        self.repo.set_target_model(self.list_id, name)
        self.model.set_target_model(name)
        hints = [h for h in self.model.language_hints if h in self.model.model_info.languages]
        if hints != self.model.language_hints:
            self._on_hints_changed(hints)
        self.summary.set_state(name, hints)
        self._refresh_sidebar()

    def _on_prefix_changed(self, prefix: str) -> None:
        if self.list_id is not None and prefix != self.model.hotword_list.prefix:
            self.repo.set_prefix(self.list_id, prefix)
            self.model.hotword_list.prefix = prefix

    def _on_hints_changed(self, hints: list) -> None:
        if self.list_id is None:
            return
        self.repo.set_language_hints(self.list_id, hints)
        self.model.set_language_hints(hints)

    # --- rows ----------------------------------------------------------------------------------

    def add_row(self) -> None:
        current = self.table.current_source_row()
        row = self.model.rowCount() if current is None else current + 1
        self.filter_box.clear()
        self.model.add_blank_row(row)
        self.table.setFocus()
        self.table.go_to(row, Column.TEXT, edit=True)

    def delete_selected_rows(self) -> None:
        rows = self.table.selected_source_rows()
        if not rows:
            return
        self.model.remove_rows(rows)
        if self.model.rowCount():
            self.table.go_to(min(rows[0], self.model.rowCount() - 1), Column.TEXT)
        self.message.emit(f"Deleted {len(rows)} row{'s' * (len(rows) != 1)} (Ctrl+Z brings them back).")

    def paste_rows(self, text: str | None = None) -> None:
        if text is None or not isinstance(text, str):
            text = QGuiApplication.clipboard().text()
        rows = rows_from_clipboard(text)
        if not rows:
            self.message.emit("The clipboard holds no text to paste as hotwords.")
            return
        current = self.table.current_source_row()
        at = self.model.rowCount() if current is None else current + 1
        self.filter_box.clear()
        self.model.add_rows(at, rows, f"Paste {len(rows)} rows")
        self.table.go_to(at, Column.TEXT)
        self.message.emit(f"Pasted {len(rows)} row{'s' * (len(rows) != 1)}.")

    def copy_api_json(self) -> None:
        QGuiApplication.clipboard().setText(hotword_io.to_json(self.model.items()))
        self.message.emit("Copied the list as API JSON.")

    # --- feedback ------------------------------------------------------------------------------

    def _update_summary(self) -> None:
        off = [self.model.item(r).text for r in self.model.rows_off_by_hints()]
        row_problems = [p for p in self.model.problems() if p.row is not None]
        self.summary.show_counts(self.model.rowCount(), row_problems, off, self.model.list_problems())

    def _update_detail(self) -> None:
        row = self.table.current_source_row()
        if row is None or row >= self.model.rowCount():
            self.detail.setText("Select a row to see whether the cloud will accept it.")
            self.detail.setStyleSheet("")
            return
        problems = self.model.row_problems(row)
        item = self.model.item(row)
        if not problems:
            lang = language_label(item.lang) if item.lang else "any language"
            self.detail.setText(f"Row {row + 1} is fine: \"{self.model.preview_text(row).strip()}\", "
                                f"{lang}, weight {item.weight}.")
            self.detail.setStyleSheet("color: #1e6e3c;")
            return
        severity = self.model.row_severity(row)
        self.detail.setText(f"Row {row + 1}: " + " ".join(p.message for p in problems))
        self.detail.setStyleSheet("color: #b00020; font-weight: 600;" if severity is ProblemSeverity.ERROR
                                  else "color: #8a5a00;")

    def _on_save_failed(self, text: str) -> None:
        """Say so without blocking (the edit was not applied, so nothing on screen is unsaved)."""
        box = QMessageBox(QMessageBox.Icon.Critical, "Not saved",
                          f"{text}\nThe table shows what is stored.", QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.save_error_box = box
        box.open()
        self.message.emit(text)

    def show_first_problem(self) -> None:
        """Put the cursor on the first row with an error (used for screenshots and after import)."""
        rows = sorted(p.row for p in self.model.problems() if p.is_error and p.row is not None)
        if rows:
            self.table.go_to(rows[0], Column.TEXT)
