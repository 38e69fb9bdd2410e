"""Two transcript columns, A and B, side by side, scrolling together, each saying its own state.

A column never shows text that is not from the run it is labelled with: a run starts by clearing
both columns to "Recognizing…", and a side that failed says "Failed: <reason>" in the column
itself (a transcriptionist reads the column, not the status line). Each column has its own
progress bar right above its text, where the eye already is.
"""

from __future__ import annotations

from enum import StrEnum
from html import escape

from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QTextBrowser, QWidget

from ...core.compare import Comparison, Side
from .diff_html import column_html

NOTE_STYLE = "color:#6b6b6b"
FAIL_STYLE = "color:#a94442"


class SideState(StrEnum):
    IDLE = "idle"  # nothing run yet, or a stored session shown
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class TwoColumns(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_a = QLabel("<b>A: without</b>")
        self.title_b = QLabel("<b>B: with</b>")
        self.view_a = QTextBrowser()
        self.view_b = QTextBrowser()
        self.states = {Side.A: SideState.IDLE, Side.B: SideState.IDLE}
        self.reasons = {Side.A: "", Side.B: ""}
        self.progress = {Side.A: QProgressBar(), Side.B: QProgressBar()}
        for bar in self.progress.values():
            bar.setRange(0, 100)
            bar.setMaximumHeight(16)
            bar.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.title_a, 0, 0)
        grid.addWidget(self.title_b, 0, 1)
        grid.addWidget(self.progress[Side.A], 1, 0)
        grid.addWidget(self.progress[Side.B], 1, 1)
        grid.addWidget(self.view_a, 2, 0)
        grid.addWidget(self.view_b, 2, 1)
        self._syncing = False
        bar_a, bar_b = self.view_a.verticalScrollBar(), self.view_b.verticalScrollBar()
        bar_a.valueChanged.connect(lambda v: self._sync(bar_a, bar_b))
        bar_b.valueChanged.connect(lambda v: self._sync(bar_b, bar_a))

    def view(self, side: Side) -> QTextBrowser:
        return self.view_a if side is Side.A else self.view_b

    def set_titles(self, b_adds: str) -> None:
        self.title_a.setText(f"<b>A: without {b_adds}</b>" if b_adds != "nothing" else "<b>A</b>")
        self.title_b.setText(f"<b>B: with {b_adds}</b>")

    # ----------------------------------------------------------------- run state
    def start_run(self, what: str = "Recognizing…") -> None:
        """A new run: the previous text goes at once, both columns say they are working."""
        self._set_note("")
        for side in Side:
            self.states[side], self.reasons[side] = SideState.RUNNING, ""
            self.set_progress(side, 0.0, what)
            self.progress[side].show()
            self.view(side).setHtml(self._state_html(side))

    def set_progress(self, side: Side, fraction: float | None, what: str = "Recognizing…",
                     percent: bool = True) -> None:
        """`fraction` None: working, but how far is unknown (a busy bar rather than a fake 0 %).
        `percent` False: `what` already says how far ("12:40 of 58:03 · …")."""
        bar = self.progress[side]
        if fraction is None:
            bar.setRange(0, 0)
        else:
            bar.setRange(0, 100)
            bar.setValue(round(100 * fraction))
        text = f"{side.name}: {what}" + (" %p%" if fraction is not None and percent else "")
        bar.setFormat(text)
        bar.setToolTip(text.replace(" %p%", ""))

    def set_done(self, side: Side) -> None:
        self.states[side] = SideState.DONE
        self.set_progress(side, 1.0, "done")
        self.progress[side].hide()

    def set_failed(self, side: Side, reason: str) -> None:
        self.states[side], self.reasons[side] = SideState.FAILED, reason
        self.progress[side].hide()
        view = self.view(side)
        if view.toPlainText().strip() in ("", "Recognizing…"):
            view.setHtml(self._state_html(side))
        # partial text (real time) stays; the final rendering puts the reason above it (_column)

    def set_idle(self) -> None:
        for side in Side:
            self.states[side], self.reasons[side] = SideState.IDLE, ""
            self.progress[side].hide()

    def _state_html(self, side: Side) -> str:
        if self.states[side] is SideState.FAILED:
            return f"<p style='{FAIL_STYLE}'><b>Failed:</b> {escape(self.reasons[side])}</p>"
        return f"<p style='{NOTE_STYLE}'><i>Recognizing…</i></p>"

    # -------------------------------------------------------------------- text
    def show_comparison(self, result: Comparison) -> None:
        ver = result.b.verification if result.b is not None else None
        self._set_note(ver.describe() if ver else "")
        for side in Side:
            view = self.view(side)
            bar = view.verticalScrollBar()
            at_end = bar.value() >= bar.maximum() - 4
            keep = bar.value()
            view.setHtml(self._column(result, side))
            bar.setValue(bar.maximum() if at_end else keep)  # live text: follow the end

    def _column(self, result: Comparison, side: Side) -> str:
        """The side's text, or what it is doing while it has none; a failure is said above its text."""
        state = self.states[side]
        has_text = bool(result.transcript_of(side).sentences)
        if state is SideState.RUNNING and not has_text:
            return self._state_html(side)
        if state is SideState.FAILED:
            return self._state_html(side) + (column_html(result, side) if has_text else "")
        return column_html(result, side)

    def _set_note(self, note: str) -> None:
        """What the hotwords did, under B's title; it belongs to one comparison and goes with it."""
        title = self.title_b.text().split("<br>")[0]
        self.title_b.setText(title + (f"<br><span style='color:#6b6b6b'>{note}</span>" if note else ""))
        self.title_b.setToolTip("Hotwords and context only propose changes to the plain transcript; "
                                "a change is kept where the audio, decoded without them, agrees."
                                if note else "")

    def show_placeholder(self, text: str) -> None:
        self._set_note("")
        for view in (self.view_a, self.view_b):
            view.setHtml(f"<p style='{NOTE_STYLE}'>{text}</p>")

    def _sync(self, src, dst) -> None:
        """Same relative position: A and B may differ in length, the place in the audio is what matters."""
        if self._syncing:
            return
        self._syncing = True
        frac = src.value() / src.maximum() if src.maximum() else 0.0
        dst.setValue(round(frac * dst.maximum()))
        self._syncing = False
