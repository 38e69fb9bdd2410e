"""Two transcript columns, A and B, side by side, scrolling together."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QTextBrowser, QWidget

from ...core.compare import Comparison, Side, column_html


class TwoColumns(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_a = QLabel("<b>A: without</b>")
        self.title_b = QLabel("<b>B: with</b>")
        self.view_a = QTextBrowser()
        self.view_b = QTextBrowser()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.title_a, 0, 0)
        grid.addWidget(self.title_b, 0, 1)
        grid.addWidget(self.view_a, 1, 0)
        grid.addWidget(self.view_b, 1, 1)
        self._syncing = False
        bar_a, bar_b = self.view_a.verticalScrollBar(), self.view_b.verticalScrollBar()
        bar_a.valueChanged.connect(lambda v: self._sync(bar_a, bar_b))
        bar_b.valueChanged.connect(lambda v: self._sync(bar_b, bar_a))

    def set_titles(self, b_adds: str) -> None:
        self.title_a.setText(f"<b>A: without {b_adds}</b>" if b_adds != "nothing" else "<b>A</b>")
        self.title_b.setText(f"<b>B: with {b_adds}</b>")

    def show_comparison(self, result: Comparison) -> None:
        ver = result.b.verification if result.b is not None else None
        note = ver.describe() if ver else ""
        title = self.title_b.text().split("<br>")[0]
        self.title_b.setText(title + (f"<br><span style='color:#6b6b6b'>{note}</span>" if note else ""))
        self.title_b.setToolTip("Hotwords and context only propose changes to the plain transcript; "
                                "a change is kept where the audio, decoded without them, agrees."
                                if note else "")
        for side, view in ((Side.A, self.view_a), (Side.B, self.view_b)):
            bar = view.verticalScrollBar()
            at_end = bar.value() >= bar.maximum() - 4
            keep = bar.value()
            view.setHtml(column_html(result, side))
            bar.setValue(bar.maximum() if at_end else keep)  # live text: follow the end

    def show_placeholder(self, text: str) -> None:
        for view in (self.view_a, self.view_b):
            view.setHtml(f"<p style='color:#6b6b6b'>{text}</p>")

    def _sync(self, src, dst) -> None:
        """Same relative position: A and B may differ in length, the place in the audio is what matters."""
        if self._syncing:
            return
        self._syncing = True
        frac = src.value() / src.maximum() if src.maximum() else 0.0
        dst.setValue(round(frac * dst.maximum()))
        self._syncing = False
