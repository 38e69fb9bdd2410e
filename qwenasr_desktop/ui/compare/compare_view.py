"""The comparison: two columns, the metrics and hits tables, the reference, copy and export.

The comparison itself (alignment, hits, scores) is computed by core.compare in a background job,
since aligning long transcripts takes a while in Python; live updates are coalesced, so at most
one job runs and the newest inputs always win.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.compare import Comparison, ExportInfo, Side, compare, hits_csv
from ...core.hotwords import Hotword
from ...core.transcript import Transcript
from ...storage.files import write_atomic
from ..jobs import run_job
from .columns import TwoColumns
from .diff_html import CHANGED_STYLE, HOTWORD_STYLE, comparison_html
from .tables import HitsModel, MetricsModel

DEBOUNCE_MS = 300


class CompareView(QWidget):
    comparisonReady = Signal(object)  # Comparison
    referenceChanged = Signal(str)
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: Comparison | None = None
        self.info = ExportInfo()
        self._inputs: tuple | None = None
        self._job_running = False
        self._dirty = False
        self._generation = 0  # bumped by start_run/clear: a job of an older run is dropped
        self.scored: set[Side] = set(Side)  # sides whose numbers are shown (finished, succeeded)
        self.columns = TwoColumns()
        self.legend = QLabel(f"<span style='{HOTWORD_STYLE}'>&nbsp;hotword&nbsp;</span> &nbsp; "
                             f"<span style='{CHANGED_STYLE}'>&nbsp;differs between A and B&nbsp;</span> "
                             "&nbsp; <i style='color:#6b6b6b'>grey italics: still being recognized</i>")
        self.legend.setWordWrap(True)
        self.metrics = MetricsModel(self)
        self.hits = HitsModel(self)
        self.reference = QPlainTextEdit()
        self.reference.setPlaceholderText("Optional: type or load the correct transcript to get WER, "
                                          "U-WER, B-WER and hotword recall for A and B.")
        self.load_reference = QPushButton("Load reference…")
        self.copy = QPushButton("Copy")
        self.export_html = QPushButton("Export HTML…")
        self.export_csv = QPushButton("Export hits CSV…")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._recompute)
        self._layout()
        self.reference.textChanged.connect(self._on_reference_edited)
        self.load_reference.clicked.connect(self._choose_reference)
        self.copy.clicked.connect(self.copy_to_clipboard)
        self.export_html.clicked.connect(lambda: self._choose_export("html"))
        self.export_csv.clicked.connect(lambda: self._choose_export("csv"))
        self._set_export_enabled(False)
        self.columns.show_placeholder("Open an audio file or record, then press <b>Compare A / B</b>. "
                                      "Column A is recognized without, column B with your hotwords "
                                      "and/or context.")

    def _layout(self) -> None:
        top = QWidget()
        tv = QVBoxLayout(top)
        tv.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.legend, 1)
        for b in (self.copy, self.export_html, self.export_csv):
            header.addWidget(b)
        tv.addLayout(header)
        tv.addWidget(self.columns, 1)
        metrics_view = _table(self.metrics)
        hits_view = _table(self.hits)
        metrics_view.setMinimumWidth(180)
        hits_view.setMinimumWidth(220)
        ref_box = QWidget()
        rv = QVBoxLayout(ref_box)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(QLabel("<b>Reference transcript</b>"))
        rv.addWidget(self.reference, 1)
        rv.addWidget(self.load_reference, 0, Qt.AlignmentFlag.AlignLeft)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        for title, w in (("<b>Metrics</b>", metrics_view), ("<b>Hotword hits</b>", hits_view)):
            box = QWidget()
            bv = QVBoxLayout(box)
            bv.setContentsMargins(0, 0, 0, 0)
            bv.addWidget(QLabel(title))
            bv.addWidget(w)
            bottom.addWidget(box)
        bottom.addWidget(ref_box)
        bottom.setStretchFactor(2, 1)
        self._bottom = bottom
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([430, 270])
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(split)
        self.metrics_view, self.hits_view = metrics_view, hits_view

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_sized", False):  # widths known only once laid out
            self._sized = True
            w = self._bottom.width()
            self._bottom.setSizes([int(w * 0.34), int(w * 0.36), w - int(w * 0.34) - int(w * 0.36)])

    # ------------------------------------------------------------------------ API
    @property
    def busy(self) -> bool:
        """A comparison is being computed or is about to be (live updates are coalesced)."""
        return self._job_running or self._debounce.isActive()

    def start_run(self, b_adds: str, what: str = "Recognizing…") -> None:
        """A run starts: nothing of the previous one stays on screen (text, numbers, exports)."""
        self.clear()
        self.columns.set_titles(b_adds)
        self.columns.start_run(what)

    def clear(self, placeholder: str = "") -> None:
        """Forget the shown comparison (a new recording was opened, or a run starts)."""
        self._generation += 1
        self._debounce.stop()
        self._inputs, self.result, self._dirty = None, None, False
        self.metrics.set_comparison(None)
        self.hits.set_comparison(None)
        self._set_export_enabled(False)
        self.columns.set_idle()
        if placeholder:
            self.columns.show_placeholder(placeholder)

    def set_transcripts(self, a: Transcript | None, b: Transcript | None, hotwords: list[Hotword],
                        b_adds: str, live: bool = False, scored: set[Side] | None = None) -> None:
        """New or growing transcripts; the comparison follows shortly (coalesced).

        `scored`: the sides that finished successfully; a failed side gets no numbers, and
        nothing is scored against the reference while the text is still growing (`live`).
        """
        self.scored = set(Side) if scored is None else set(scored)
        self._inputs = (a or Transcript(), b or Transcript(), list(hotwords), b_adds, live)
        self.columns.set_titles(b_adds)
        if live:
            if not self._debounce.isActive():
                self._debounce.start()
        else:
            self._debounce.stop()
            self._recompute()

    def set_reference(self, text: str) -> None:
        self.reference.setPlainText(text)

    def copy_to_clipboard(self) -> None:
        if self.result is None:
            return
        mime = QMimeData()
        mime.setHtml(comparison_html(self.result, self.info))
        mime.setText(f"A (without):\n{self.result.a.text}\n\nB (with {self.result.b_adds}):\n"
                     f"{self.result.b.text}\n\n{hits_csv(self.result)}")
        QGuiApplication.clipboard().setMimeData(mime)
        self.message.emit("Comparison copied (as formatted text and as plain text).")

    def export(self, path: str, kind: str) -> None:
        if self.result is None:
            return
        text = comparison_html(self.result, self.info) if kind == "html" else hits_csv(self.result)
        try:
            write_atomic(path, text)  # a failure leaves an existing file as it was
        except (OSError, UnicodeEncodeError) as e:
            self.message.emit(f"Cannot write {path}: {e.strerror or e}")
            return
        self.message.emit(f"Saved {path}")

    # ---------------------------------------------------------------------- slots
    def _on_reference_edited(self) -> None:
        self.referenceChanged.emit(self.reference.toPlainText())
        if self._inputs is not None:
            self._debounce.start()

    def _recompute(self) -> None:
        if self._inputs is None:
            return
        if self._job_running:
            self._dirty = True
            return
        a, b, hot, b_adds, live = self._inputs
        ref = "" if live else self.reference.toPlainText()  # no WER of half-recognized text
        self._job_running, self._dirty = True, False
        generation = self._generation
        run_job(lambda: compare(a, b, hot, ref, b_adds=b_adds, live=live),
                lambda r: self._on_result(r, generation), self._on_error, self)

    def _on_result(self, result: Comparison, generation: int | None = None) -> None:
        self._job_running = False
        if generation is not None and generation != self._generation:  # an older run's text
            if self._dirty and self._inputs is not None:
                self._recompute()
            return
        if self._dirty:
            self._recompute()
            return
        self.show_result(result)

    def show_result(self, result: Comparison) -> None:
        """Show a computed comparison (the background job's, or one given directly)."""
        self._inputs = (result.a, result.b, result.hotwords, result.b_adds, False)
        self.columns.set_titles(result.b_adds)
        self.result = result
        self.columns.show_comparison(result)
        self.metrics.set_comparison(result, self.scored)
        self.hits.set_comparison(result, self.scored)
        self._set_export_enabled(bool(self.scored))  # nothing to export from a run that all failed
        self.comparisonReady.emit(result)

    def _on_error(self, e: BaseException) -> None:
        self._job_running = False
        self.message.emit(f"Could not compare the transcripts: {e}")

    def _set_export_enabled(self, on: bool) -> None:
        for b in (self.copy, self.export_html, self.export_csv):
            b.setEnabled(on)

    def _choose_reference(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load reference transcript", "",
                                              "Text (*.txt);;All files (*)")
        if path:
            try:
                self.set_reference(Path(path).read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError) as e:
                self.message.emit(f"Cannot read {path} as UTF-8 text: {e}")

    def _choose_export(self, kind: str) -> None:
        filt = "HTML (*.html)" if kind == "html" else "CSV (*.csv)"
        path, _ = QFileDialog.getSaveFileName(self, "Export comparison", f"comparison.{kind}", filt)
        if path:
            self.export(path, kind)


def _table(model) -> QTableView:
    """A read-only table whose columns fit their contents (numbers must never be cut off)."""
    view = QTableView()
    view.setModel(model)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    return view
