"""Import and Export for the hotword editor page: file dialogs, the import report, writing a file.

A mixin of HotwordEditorPage (it uses the page's `model`, `message`, `importReportShown`,
`import_dialog` and `import_job`), kept apart so the page module stays about wiring the list
sidebar and the table. The file is read on a worker thread through the page's `import_job`
(a LatestJob): opening another list drops a running import, so rows read for one list never
land in another.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ...core import hotword_io
from ...core.hotwords import Hotword
from ...storage.files import read_head, write_atomic
from .import_dialog import ImportReportDialog

EXPORT_FILTERS = {
    "Cloud API JSON (*.json)": hotword_io.Format.JSON,
    "CSV with header (*.csv)": hotword_io.Format.CSV,
    "TSV with header (*.tsv)": hotword_io.Format.TSV,
    "Plain text, one per line (*.txt)": hotword_io.Format.TEXT,
}


class ListFileActions:
    """Import… and Export… of the page's open list."""

    def choose_import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import hotwords", "",
                                              "Hotword lists (*.json *.csv *.tsv *.txt);;All files (*)")
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        """Read and check the file off the GUI thread, then show the report; the list is untouched
        until the user accepts the valid rows."""
        target = self.model.hotword_list.target_model

        def work():
            data = read_head(path, hotword_io.MAX_IMPORT_BYTES + 1)  # a huge file costs no memory
            return hotword_io.parse_hotwords(data, filename=path, target_model=target)

        self.import_job.run(work, lambda report: self._show_import_report(path, report),
                            lambda e: self._import_failed(path, e))

    def _import_failed(self, path: str, error: BaseException) -> None:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        QMessageBox.warning(self, "Import hotwords", f"Cannot read {Path(path).name}: {reason}.")

    def _show_import_report(self, path: str, report: hotword_io.ImportReport) -> None:
        dialog = ImportReportDialog(Path(path).name, report, self.model.hotword_list.name, self)
        dialog.accepted.connect(lambda: self._add_imported(Path(path).name, report.items))
        dialog.finished.connect(lambda _r: self._forget_import_dialog(dialog))
        self.import_dialog = dialog
        dialog.open()
        self.importReportShown.emit(dialog)

    def _forget_import_dialog(self, dialog: ImportReportDialog) -> None:
        if self.import_dialog is dialog:
            self.import_dialog = None
        dialog.deleteLater()

    def _add_imported(self, name: str, items: list[Hotword]) -> None:
        at = self.model.rowCount()
        self.model.add_rows(at, items, f"Import {len(items)} hotwords from {name}")
        self.message.emit(f"Added {len(items)} hotwords from {name} (Ctrl+Z takes them out again).")

    def choose_export_file(self) -> None:
        name = self.model.hotword_list.name or "hotwords"
        path, chosen = QFileDialog.getSaveFileName(self, "Export hotwords", f"{name}.json",
                                                   ";;".join(EXPORT_FILTERS))
        if not path:
            return
        n_err = sum(1 for p in self.model.problems() if p.is_error)
        if n_err and QMessageBox.question(
                self, "Export hotwords",
                f"The list has {n_err} error{'s' * (n_err != 1)}; the cloud will refuse it as it is. "
                "Export anyway?") != QMessageBox.StandardButton.Yes:
            return
        fmt = EXPORT_FILTERS.get(chosen) if Path(path).suffix == "" else hotword_io.format_for_path(path)
        self.export_file(path, fmt or hotword_io.Format.JSON)

    def export_file(self, path: str, fmt: hotword_io.Format) -> bool:
        try:
            write_atomic(path, hotword_io.serialize(self.model.items(), fmt))
        except (OSError, UnicodeEncodeError) as e:
            QMessageBox.warning(self, "Export hotwords",
                                f"Cannot write {path}: {getattr(e, 'strerror', None) or e}.")
            return False
        self.message.emit(f"Exported {self.model.rowCount()} hotwords to {Path(path).name}.")
        return True
