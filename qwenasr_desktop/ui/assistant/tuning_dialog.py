"""The weight-tuning dialog: clips with references in, cost first, progress, cancel, evidence out.

The run happens on a pool thread (engines/tuning.py); this dialog only shows it. "Apply
recommended weights" goes through the editor's undo stack as one step, so Ctrl+Z in the editor
brings every old weight back.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import tuning_plan as plan
from ...core.hotwords import Hotword
from ...engines.base import CancelToken, Engine, EngineCancelledError, RecognitionOptions
from ...engines.tuning import TranscriptCache, TuningClip, TuningCost, TuningProgress, TuningRunner
from ...engines.tuning_menu import EngineMenuEntry, EstimateOnlyEngine, default_choices
from ..hotwords.commands import SetItemCommand
from ..jobs import LatestJob, run_job

TRIE_ONLY = {"prompt_min_weight": 9}


class _Bridge(QObject):
    """Carries progress from the worker thread to the GUI thread (queued by Qt)."""

    progressed = Signal(object)


def apply_weights_to_model(model, weights: dict[str, int], label: str = "Apply recommended weights") -> int:
    """Set the recommended weights in the editor's table as one undo step; returns rows changed."""
    changes = plan.weight_changes(model.items(), weights)
    if not changes:
        return 0
    stack = model.undo_stack
    stack.beginMacro(label)
    for row, old, new in changes:
        stack.push(SetItemCommand(model, row, old, new, f"Set weight of row {row + 1} to {new.weight}"))
    stack.endMacro()
    return len(changes)


class TuningDialog(QDialog):
    finished_run = Signal(object)  # the TuningReport, or None when cancelled or failed
    cost_estimated = Signal(object)  # the TuningCost, or None when it cannot be estimated
    applied = Signal(int)  # rows changed

    COLUMNS = ("Hotword", "Now", "Recall, false insertions by weight", "Advice", "Why")

    def __init__(self, table_model, parent: QWidget | None = None, *,
                 choices: list[EngineMenuEntry] | None = None, weights: tuple[int, ...] = plan.WEIGHTS,
                 cache: TranscriptCache | None = None, sessions=None) -> None:
        super().__init__(parent)
        self.sessions = sessions  # a SessionRepository: stored sessions with a reference are clips
        self.setWindowTitle("Tune hotword weights")
        self.table_model = table_model
        self.choices = choices or default_choices()
        self.weights = weights
        self.cache = cache if cache is not None else TranscriptCache()
        self.clips: list[TuningClip] = []
        self.report: plan.TuningReport | None = None
        self.cost: TuningCost | None = None
        self._cancel: CancelToken | None = None
        # The estimate reads every clip once (fingerprint, duration): off the GUI thread, and a
        # newer refresh (another engine, clip or checkbox) makes a running one stale.
        self.estimating = LatestJob(self)
        self._bridge = _Bridge(self)
        self._bridge.progressed.connect(self._on_progress)
        self._build()
        self._refresh_cost()

    # --- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        intro = QLabel("Re-recognizes your clips with each weight from 1 to 5 and measures, per hotword, "
                       "how often it is recognized, where it is written wrongly, and what happens to the "
                       "other words. The advice is the lowest weight that reaches the best recall "
                       "without new false insertions.")
        intro.setWordWrap(True)
        self.clip_table = QTableWidget(0, 2)
        self.clip_table.setHorizontalHeaderLabels(["Audio", "Reference transcript"])
        self.clip_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.clip_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.clip_table.setMaximumHeight(110)
        self.add_clip_button = QPushButton("Add clip…")
        self.add_clip_button.clicked.connect(self.choose_clip)
        self.add_sessions_button = QPushButton("Add stored sessions…")
        self.add_sessions_button.setToolTip("Recognition sessions whose transcript you corrected")
        self.add_sessions_button.clicked.connect(self.choose_sessions)
        self.add_sessions_button.setVisible(self.sessions is not None)
        self.remove_clip_button = QPushButton("Remove clip")
        self.remove_clip_button.clicked.connect(self.remove_selected_clip)
        self.engine_box = QComboBox()
        self.engine_box.addItems([c.label for c in self.choices])
        self.engine_box.currentIndexChanged.connect(self._refresh_cost)
        self.trie_only = QCheckBox("Offline: weights only through biasing (no prompt)")
        self.trie_only.setToolTip("Isolates the weights' effect: hotwords are not spelled out in the "
                                  "decoder prompt.")
        self.trie_only.toggled.connect(self._refresh_cost)
        self.cost_label = QLabel()
        self.cost_label.setAccessibleName("Cost of the tuning run")
        self.start_button = QPushButton("Start")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel run")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.results = QTableWidget(0, len(self.COLUMNS))
        self.results.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.apply_button = QPushButton("Apply recommended weights")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)

        clips_row = QHBoxLayout()
        clips_row.addWidget(self.add_clip_button)
        clips_row.addWidget(self.add_sessions_button)
        clips_row.addWidget(self.remove_clip_button)
        clips_row.addStretch(1)
        clips_row.addWidget(QLabel("Engine:"))
        clips_row.addWidget(self.engine_box)
        run_row = QHBoxLayout()
        run_row.addWidget(self.cost_label, 1)
        run_row.addWidget(self.start_button)
        run_row.addWidget(self.cancel_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.apply_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        for w in (intro, self.clip_table):
            layout.addWidget(w)
        layout.addLayout(clips_row)
        layout.addWidget(self.trie_only)
        layout.addLayout(run_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        layout.addLayout(bottom)
        self.resize(900, 620)

    # --- clips ---------------------------------------------------------------------------------
    def add_clip(self, audio: str | Path, reference: str, key: str = "", lang: str | None = None) -> None:
        """Add one clip with its correct transcript (also used by stored sessions)."""
        clip = TuningClip(Path(audio), reference, lang, key)
        if any(c.key == clip.key for c in self.clips):
            clip.key = f"{clip.key} ({len(self.clips) + 1})"
        self.clips.append(clip)
        row = self.clip_table.rowCount()
        self.clip_table.insertRow(row)
        self.clip_table.setItem(row, 0, QTableWidgetItem(clip.key))
        self.clip_table.setItem(row, 1, QTableWidgetItem(" ".join(reference.split())[:200]))
        self._refresh_cost()

    def choose_clip(self) -> None:
        audio, _ = QFileDialog.getOpenFileName(self, "Audio clip", "", "Audio (*.wav *.flac *.mp3 *.ogg "
                                               "*.m4a);;All files (*)")
        if not audio:
            return
        ref, _ = QFileDialog.getOpenFileName(self, "Its correct transcript", str(Path(audio).parent),
                                             "Text (*.txt *.md *.docx *.pdf)")
        if ref:
            self.add_clip_from_files(audio, ref)

    def choose_sessions(self) -> None:
        from .session_picker import SessionPicker, usable_sessions

        picker = SessionPicker(usable_sessions(self.sessions), self)
        if picker.exec() == QDialog.DialogCode.Accepted:
            self.add_sessions(picker.chosen())

    def add_sessions(self, clips) -> int:
        """Add SessionClips (skipping sessions already added); returns how many were added."""
        known = {c.key for c in self.clips}
        n = 0
        for c in clips:
            key = f"session {c.session_id}"
            if key not in known:
                self.add_clip(c.audio_path, c.reference, key, c.lang)
                n += 1
        return n

    def add_clip_from_files(self, audio: str, reference_path: str) -> bool:
        from ...documents import DocumentError, read_document

        try:
            self.add_clip(audio, read_document(reference_path))
        except DocumentError as e:
            self.status.setText(str(e))
            return False
        return True

    def remove_selected_clip(self) -> None:
        row = self.clip_table.currentRow()
        if 0 <= row < len(self.clips):
            del self.clips[row]
            self.clip_table.removeRow(row)
            self._refresh_cost()

    # --- cost ----------------------------------------------------------------------------------
    def choice(self) -> EngineMenuEntry:
        return self.choices[self.engine_box.currentIndex()]

    def _options(self) -> RecognitionOptions:
        c = self.choice()
        extra = dict(c.extra)
        if self.trie_only.isChecked() and not c.billed:
            extra.update(TRIE_ONLY)
        return RecognitionOptions(model=c.model, language_hints=list(self.table_model.language_hints),
                                  extra=extra)

    def _items(self) -> list[Hotword]:
        return [h for h in self.table_model.items() if h.text.strip()]

    def _runner(self, engine: Engine) -> TuningRunner:
        return TuningRunner(engine, self.clips, self._items(), self._options(), weights=self.weights,
                            cache=self.cache)

    def _refresh_cost(self) -> None:
        self.cost = None
        self.estimating.cancel()
        if not self.clips:
            self._show_cost(None, "Add at least one clip with its correct transcript.")
        elif not self._items():
            self._show_cost(None, "The list is empty: there is nothing to tune.")
        else:
            try:
                runner = self._runner(EstimateOnlyEngine(self.choice().engine_name))
            except Exception as e:  # e.g. an empty reference: say which
                self._show_cost(None, str(e))
                return
            billed = " (billed by the provider)" if self.choice().billed else ""

            def estimated(cost: TuningCost) -> None:
                self._show_cost(cost, f"This run makes {cost.describe()}{billed}.")

            self.cost_label.setText("Estimating the cost…")
            self.start_button.setEnabled(False)
            # An unreadable clip fails the estimate: its message says which.
            self.estimating.run(runner.estimate, estimated, lambda e: self._show_cost(None, str(e)))

    def _show_cost(self, cost: TuningCost | None, text: str) -> None:
        self.cost = cost
        self.cost_label.setText(text)
        self.start_button.setEnabled(cost is not None and self._cancel is None)
        self.cost_estimated.emit(cost)

    # --- running -------------------------------------------------------------------------------
    def start(self) -> None:
        if self.cost is None or self._cancel is not None:
            return
        choice = self.choice()
        if choice.billed:
            answer = QMessageBox.question(self, "Start a billed run?",
                                          f"This run makes {self.cost.describe()} on {choice.label}. "
                                          "Start it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            runner = self._runner(choice.factory())
        except Exception as e:
            self.status.setText(f"Cannot start: {e}")
            return
        self._cancel = CancelToken()
        cancel = self._cancel
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.apply_button.setEnabled(False)
        self.progress.setRange(0, max(1, self.cost.min_recognitions))
        self.progress.setValue(0)
        self.status.setText("Starting…")
        emit = self._bridge.progressed.emit
        # No parent: the job must outlive a dialog closed mid-run (its slots then simply drop).
        run_job(lambda: runner.run(progress=emit, cancel=cancel), self._on_done, self._on_failed)

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()
            self.status.setText("Cancelling after the current recognition…")
            self.cancel_button.setEnabled(False)

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def _on_progress(self, p: TuningProgress) -> None:
        self.progress.setRange(0, p.total)
        self.progress.setValue(p.done)
        self.status.setText(f"{p.done}/{p.total} runs, {p.recognitions} recognitions: {p.message}")

    def _finish(self) -> None:
        self._cancel = None
        self.cancel_button.setEnabled(False)
        self._refresh_cost()

    def _on_failed(self, error: BaseException) -> None:
        self._finish()
        if isinstance(error, EngineCancelledError):
            self.status.setText("Cancelled. Finished recognitions are kept: starting again reuses them.")
        else:
            self.status.setText(f"Tuning failed: {error}")
        self.finished_run.emit(None)

    def _on_done(self, report: plan.TuningReport) -> None:
        self._finish()
        self.report = report
        self._show(report)
        changes = plan.weight_changes(self.table_model.items(), report.recommended_weights())
        self.apply_button.setEnabled(bool(changes))
        self.status.setText(f"Done: {report.recognitions} recognitions "
                            f"({report.audio_seconds / 60:.1f} audio minutes), {report.cache_hits} from "
                            f"the cache. {len(changes)} weight{'s' * (len(changes) != 1)} to change.")
        self.finished_run.emit(report)

    def _show(self, report: plan.TuningReport) -> None:
        self.results.setRowCount(0)
        for h in report.hotwords:
            row = self.results.rowCount()
            self.results.insertRow(row)
            self.results.setItem(row, 0, QTableWidgetItem(h.text))
            self.results.setItem(row, 1, QTableWidgetItem(str(h.current)))
            from .weight_chart import WeightChart

            self.results.setCellWidget(row, 2, WeightChart(h, self.weights))
            advice = f"{h.current} → {h.recommended}" if h.changed else f"keep {h.current}"
            item = QTableWidgetItem(advice)
            if h.current_too_high:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.results.setItem(row, 3, item)
            why = h.recommendation.reason + (" (measured one at a time)"
                                             if h.source == plan.Phase.REFINE else "")
            self.results.setItem(row, 4, QTableWidgetItem(why))
            self.results.setRowHeight(row, 46)

    def chart(self, text: str):
        for row in range(self.results.rowCount()):
            if self.results.item(row, 0).text() == text:
                return self.results.cellWidget(row, 2)
        return None

    # --- apply ---------------------------------------------------------------------------------
    def apply(self) -> None:
        if self.report is None:
            return
        n = apply_weights_to_model(self.table_model, self.report.recommended_weights())
        self.apply_button.setEnabled(False)
        self.status.setText(f"Applied {n} weight{'s' * (n != 1)}; Ctrl+Z in the editor undoes it.")
        self.applied.emit(n)

    def reject(self) -> None:
        if self._cancel is not None:
            self.cancel()
        super().reject()
