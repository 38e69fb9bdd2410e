"""The report shown after reading a hotword file: what was read, which lines were left out and why.

Nothing is added to the list until the user presses "Add"; closing the dialog leaves the list
exactly as it was.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.hotword_io import ImportReport


class ImportReportDialog(QDialog):
    def __init__(self, filename: str, report: ImportReport, list_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(f"Import {filename}")
        self.resize(720, 420)
        n_ok = len(report.items)
        rejected_lines = sorted({i.line for i in report.rejected})
        if report.unreadable:
            headline = f"Nothing could be imported from {filename}."
        else:
            headline = (f"{n_ok} hotword{'s' * (n_ok != 1)} can be added to \"{list_name}\". "
                        f"{len(rejected_lines)} row{'s' * (len(rejected_lines) != 1)} left out "
                        "(listed below with their line numbers). The list is unchanged until you "
                        "press Add.")
        self.headline = QLabel(headline)
        self.headline.setWordWrap(True)
        self.issues = QTableWidget(len(report.issues), 3)
        self.issues.setHorizontalHeaderLabels(["Line", "Result", "Problem"])
        self.issues.verticalHeader().hide()
        self.issues.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.issues.setWordWrap(True)
        header = self.issues.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for n, issue in enumerate(sorted(report.issues, key=lambda i: i.line)):
            self.issues.setItem(n, 0, QTableWidgetItem("file" if issue.line == 0 else str(issue.line)))
            self.issues.setItem(n, 1, QTableWidgetItem("left out" if issue.fatal else "note"))
            self.issues.setItem(n, 2, QTableWidgetItem(issue.message))
        self.issues.resizeRowsToContents()
        self.issues.setVisible(bool(report.issues))

        self.buttons = QDialogButtonBox()
        self.add_button = None
        if n_ok:
            self.add_button = self.buttons.addButton(f"Add {n_ok} hotword{'s' * (n_ok != 1)}",
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
            self.add_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(
            "Cancel" if n_ok else "Close", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.issues, 1)
        layout.addWidget(self.buttons)
