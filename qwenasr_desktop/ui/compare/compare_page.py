"""The "Recognize & compare" page: the panels on the left, the comparison on the right.

This class only wires things: the source, settings and context widgets describe the run, the
ComparisonRunner does it off the GUI thread, the CompareView shows it, the SessionRepository
keeps it. Audio reaches real-time sessions from the microphone (MicCapture) or from a file fed
at a few times real-time speed, through the same `runner.feed`.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...audio.model_check import inspect_audio
from ...audio.quality import Severity
from ...audio.recorder import new_recording_path
from ...core.compare import ExportInfo, Side
from ...core.models import Mode
from ...core.transcript import Transcript
from ...engines.base import ChunkDone
from ...engines.engine_choice import can_run_concurrently, load_offline_model, offline_model_loaded
from ...engines.engine_labels import EngineChoice, engine_label
from ...storage.hotword_lists import HotwordListRepository
from ...storage.sessions import Session, SessionRepository
from ..context.context_panel import ContextPanel
from ..jobs import run_job
from ..recognition.collapsible import Collapsible
from ..recognition.file_feeder import FileFeeder
from ..recognition.mic import MicSource
from ..recognition.run_box import RunBox
from ..recognition.runner import ComparisonRunner, RunRequest
from ..recognition.settings_box import SettingsBox
from ..recognition.source_box import AUDIO_SUFFIXES, SourceBox
from .columns import SideState
from .compare_view import CompareView
from .listen_bar import ListenBar
from .long_run import LongRun


class ComparePage(QWidget):
    message = Signal(str)
    sessionSaved = Signal(int)
    runFinished = Signal()
    modelPreloaded = Signal(str)  # model name, loaded (or found loaded) in the background

    def __init__(self, lists: HotwordListRepository, sessions: SessionRepository, sessions_dir: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sessions, self.sessions_dir = sessions, sessions_dir
        self.audio_path = ""
        self._references: dict[str, str] = {}  # a reference belongs to its recording
        self.chinese_script: Callable[[], str] = lambda: "simplified"  # Settings' choice (install.py)
        self.session_id: int | None = None
        # Keyed by Side (a StrEnum: the runner's signals carry its value, "a" or "b", which looks it up)
        self.transcripts: dict[Side, Transcript | None] = {Side.A: None, Side.B: None}
        self.source = SourceBox()
        self.settings = SettingsBox(lists)
        self.run_box = RunBox()
        self.context_panel = ContextPanel()
        self.view = CompareView()
        self.listen = ListenBar()  # play the recording; open the finished comparison in the workbench
        self.runner = ComparisonRunner(self)
        self.long_run = LongRun(self.view.columns, sessions.resume_points(), self)
        self.mic = MicSource(self)
        self.feeder = FileFeeder(self)
        self._layout()
        self._connect()
        self.setAcceptDrops(True)
        self.context_panel.set_model(self.settings.model_info)
        self.settings_section.set_summary(self.settings.summary())

    def _layout(self) -> None:
        """A toolbar with the actions and the run's state on top, always visible whatever the height;
        the audio and (foldable) settings on the left; the comparison on the right."""
        self.settings.setTitle("")
        self.settings_section = Collapsible("2. Recognition settings", self.settings)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addWidget(self.source)
        lv.addWidget(self.run_box.warnings)  # right under the audio it is about
        lv.addWidget(self.settings_section)
        lv.addStretch()
        scroll = QScrollArea()
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        self.left_tabs = QTabWidget()
        self.left_tabs.addTab(scroll, "Recognition")
        self.left_tabs.addTab(self.context_panel, "Context")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.left_tabs)
        split.addWidget(self.view)
        split.setStretchFactor(1, 1)
        split.setSizes([380, 900])
        v = QVBoxLayout(self)
        v.setContentsMargins(4, 4, 4, 4)
        v.addLayout(self._toolbar())
        v.addWidget(split, 1)

    def _toolbar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        for w in (self.source.open_button, self.source.record, self.source.pause, self.source.stop):
            bar.addWidget(w)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.VLine)
        bar.addWidget(line)
        bar.addWidget(self.run_box, 1)
        bar.addWidget(self.listen)
        return bar

    def _connect(self) -> None:
        self.source.fileChosen.connect(self.open_file)
        self.source.modeChanged.connect(self.settings.set_mode)
        self.source.recordClicked.connect(self.start_recording)
        self.source.pauseToggled.connect(self.mic.pause)
        self.source.stopClicked.connect(self.stop_recording)
        self.settings.modelChanged.connect(self.context_panel.set_model)
        self.settings.changed.connect(lambda: self.settings_section.set_summary(self.settings.summary()))
        self.run_box.compare.clicked.connect(self.start_comparison)
        self.run_box.cancel.clicked.connect(self.cancel)
        self.run_box.resume.clicked.connect(lambda: self.start_comparison(resume=True))
        self.settings.changed.connect(self.refresh_resume)
        self.source.modeChanged.connect(lambda _mode: self.refresh_resume())
        self.runner.sideStarted.connect(lambda key: self.long_run.side_started(key, self.runner.request))
        self.runner.chunk.connect(self._on_chunk)  # a method: queued from the engine's thread
        self.runner.live.connect(self._on_live)
        self.runner.connection.connect(self._on_connection)
        self.runner.finished.connect(self._on_side_finished)
        self.runner.failed.connect(self._on_side_failed)
        self.runner.done.connect(self._on_done)
        self.mic.audio.connect(self.runner.feed)
        self.feeder.block.connect(self.runner.feed)
        self.feeder.progress.connect(self._on_feed_progress)
        self.feeder.finished.connect(self.runner.finish_stream)
        self.feeder.finished.connect(self._on_feed_finished)
        self.mic.audio.connect(lambda _: self.source.set_elapsed(self.mic.elapsed_s))
        self.mic.level.connect(self.source.meter.set_level)
        self.mic.warning.connect(self.message)
        self.view.message.connect(self.message)
        self.listen.message.connect(self.message)
        self.view.referenceChanged.connect(self._on_reference_changed)

    # --------------------------------------------------------------------- preload
    def preload_model(self) -> None:
        """Load the chosen offline model in the background now, not when Compare is clicked."""
        if self.settings.engine_choice is not EngineChoice.OFFLINE:
            return
        name = self.settings.model_info.name
        if not offline_model_loaded(name):
            self.message.emit(f"Loading the offline model {name} in the background…")

        def loaded(seconds: float) -> None:
            if seconds > 0.05:
                self.message.emit(f"Offline model {name} loaded ({seconds:.1f} s).")
            self.modelPreloaded.emit(name)

        run_job(lambda: load_offline_model(name), loaded,
                lambda e: self.message.emit(f"The offline model could not be loaded: {e}"), self)

    # ---------------------------------------------------------------------- audio
    def open_file(self, path: str) -> None:
        path = str(path)
        if path != self.audio_path:
            self._switch_recording(path)
        self.audio_path = path
        self.source.set_file(path)
        self.listen.set_audio(path)
        self.run_box.set_warnings([])
        self.run_box.set_rejected("")
        model = self.settings.model_info
        # The check runs in the background: its answer is shown only if that file is still the one open.
        run_job(lambda: inspect_audio(path, model), lambda r: self._on_inspected(path, r),
                lambda e: self._on_unreadable(path, e), self)

    def _switch_recording(self, path: str) -> None:
        """Another recording: the shown comparison and reference were about the previous one."""
        if self.runner.busy:
            self.cancel()
        if self.audio_path:
            self._references[self.audio_path] = self.view.reference.toPlainText()
        self.session_id = None
        self.listen.set_session(None)
        self.transcripts = {Side.A: None, Side.B: None}
        self.view.reference.blockSignals(True)
        self.view.set_reference(self._references.get(path, ""))
        self.view.reference.blockSignals(False)
        self.view.clear(f"Opened <b>{escape(Path(path).name)}</b>. Press <b>Compare A / B</b>.")
        self.run_box.status.setText("")

    def _on_inspected(self, path: str, result) -> None:
        if path != self.audio_path:
            return
        self.run_box.set_warnings(result.warnings)
        errors = [f.message for f in result.report.findings if f.severity is Severity.ERROR]
        self._refuse(path, " ".join(errors))
        self.refresh_resume()
        self.message.emit(f"Opened {Path(path).name} ({result.duration_s:.1f} s).")

    def _on_unreadable(self, path: str, e: BaseException) -> None:
        if path != self.audio_path:
            return
        reason = f"{Path(path).name} cannot be read as audio: {e}"
        self.run_box.set_warnings([reason])
        self._refuse(path, reason)
        self.message.emit(reason)

    def _refuse(self, path: str, reason: str) -> None:
        """Compare is off for a file the check rejected; the columns say why, not "Press Compare"."""
        self.run_box.set_rejected(reason)
        if reason:
            self.view.clear(f"<b>{escape(Path(path).name)}</b> cannot be compared: {escape(reason)}")

    def dragEnterEvent(self, event) -> None:
        if any(Path(u.toLocalFile()).suffix.lower() in AUDIO_SUFFIXES for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        for u in event.mimeData().urls():
            if Path(u.toLocalFile()).suffix.lower() in AUDIO_SUFFIXES:
                self.open_file(u.toLocalFile())
                event.acceptProposedAction()
                return

    def start_recording(self) -> None:
        path = new_recording_path(self.sessions_dir)
        try:
            self.mic.start(self.source.device_index(), path)
        except Exception as e:  # AudioDeviceError says which device and why
            self.message.emit(str(e))
            return
        self._switch_recording(str(path))
        self.listen.set_audio("")  # the file is being written: nothing to play yet
        self.audio_path = str(path)
        self.source.set_file(self.audio_path)
        self.run_box.set_rejected("")
        self.source.set_recording(True)
        if self.source.mode is not Mode.REALTIME:
            self.message.emit(f"Recording to {path.name}. Stop, then press Compare A / B.")
        elif not self._start(live=True):  # the run cannot start: do not record for nothing
            self.mic.stop()
            self.source.set_recording(False)

    def stop_recording(self) -> None:
        self.mic.stop()
        self.source.set_recording(False)
        if self.session_id is not None:
            self.sessions.set_audio_path(self.session_id, self.audio_path)
        self.runner.finish_stream()
        self.open_file(self.audio_path)

    # ------------------------------------------------------------------------ runs
    def request(self) -> RunRequest:
        s = self.settings
        return RunRequest(s.engine_choice, s.model.currentData(), self.source.mode, self.audio_path,
                          s.url.text(), s.hotwords(), s.language_hints(), self.context_panel.context(),
                          s.b_adds(), s.vocabulary_id(), self.chinese_script())

    def start_comparison(self, resume: bool = False) -> None:
        if self.source.mode is Mode.REALTIME and self.mic.running:
            return
        if not self.audio_path:
            self.message.emit("Open an audio file first (or record one).")
            return
        if self.run_box.rejected:
            self.message.emit(self.run_box.rejected)
            return
        self._start(live=self.source.mode is Mode.REALTIME, resume=resume)

    def _start(self, live: bool, resume: bool = False) -> bool:
        req = self.request()
        problem = req.problem()
        if problem:
            self.run_box.status.setText(problem)
            self.message.emit(problem)
            return False
        self.transcripts = {Side.A: None, Side.B: None}
        self.listen.set_session(None)
        if not live:  # a resumed run completes the session it continues (History gets no orphan)
            self.long_run.begin(req, resume)
        self.session_id = self.long_run.resumed_session if not live else None
        if self.session_id is None:
            self.session_id = self.sessions.add(Session(
                req.engine.value, req.model, req.mode.value, req.audio_path, Path(req.audio_path).name,
                {"b_adds": sorted(req.b_adds), "language_hints": req.language_hints, "url": req.url},
                self.settings.snapshot(), req.context, reference=self.view.reference.toPlainText()))
        self.long_run.session_id = self.session_id
        self.view.info = ExportInfo(audio=req.audio_path, engine=engine_label(req.engine.value),
                                    model=req.model)
        what = "Recognizing…" if not live else ("listening…" if self.mic.running else "audio sent")
        self.view.start_run(req.b_adds_text(), what)
        if not live:  # how far is unknown until the engine has found the speech (model, VAD)
            self.run_box.set_resume("")
            wait_b = not can_run_concurrently(req.engine)
            self.view.columns.set_progress(Side.A, None, "starting…")
            self.view.columns.set_progress(Side.B, None, "waiting for A…" if wait_b else "starting…")
        elif self.mic.running:
            for side in Side:
                self.view.columns.set_progress(side, None, what)
        self.run_box.set_running(True, "Recognizing A and B…")
        if not live:
            self.runner.start_file(req)
            for key, point in req.resume.items():  # what the earlier run found is shown at once
                self._on_chunk(key, ChunkDone([], point), store=False)
        else:
            self.runner.start_stream(req)
            if not self.mic.running:
                self._stream_file(req.audio_path)
        return True

    def _stream_file(self, path: str) -> None:
        from ...audio.decode import load_audio

        run_job(lambda: load_audio(path), self.feeder.start,
                lambda e: (self.runner.cancel(), self.message.emit(str(e))), self)

    def _on_feed_progress(self, fraction: float) -> None:
        for side in Side:
            if self.view.columns.states[side] is SideState.RUNNING:
                self.view.columns.set_progress(side, fraction, "audio sent")

    def _on_feed_finished(self) -> None:
        """All audio is sent, but the engines are still finishing: a busy bar, not a false 100 %."""
        for side in Side:
            if self.view.columns.states[side] is SideState.RUNNING:
                self.view.columns.set_progress(side, None, "finishing…")

    def _on_chunk(self, key: str, done: ChunkDone, store: bool = True) -> None:
        """A finished chunk of the current run: its sentences join the column, its checkpoint is kept."""
        if store:
            self.long_run.chunk(key, done)
        cp = done.checkpoint
        self._on_live(key, Transcript(cp.sentences, cp.language, cp.duration_ms,
                                      verification=cp.verification))

    def refresh_resume(self) -> None:
        """Offer "Resume from 12:40" when this file, with these settings, has an unfinished run stored."""
        idle_file = self.audio_path and not self.runner.busy and self.source.mode is Mode.FILE
        self.run_box.set_resume(self.long_run.offer_text(self.request()) if idle_file else "")

    def cancel(self) -> None:
        self.feeder.stop()
        if self.mic.running:
            self.mic.stop()
            self.source.set_recording(False)
        self.runner.cancel()

    def _on_live(self, key: str, transcript: Transcript) -> None:
        self.transcripts[Side(key)] = transcript
        req = self.runner.request
        a, b = self.transcripts[Side.A], self.transcripts[Side.B]
        self.view.set_transcripts(a, b, req.hotwords if req else [], req.b_adds_text() if req else "",
                                  live=True)

    def _on_connection(self, key: str, notice) -> None:
        """A cloud stream dropped, resumed or gave up (ResumeNotice): say so, it may take seconds."""
        text = f"{Side(key).name}: {notice.text}"
        self.run_box.status.setText(text)
        self.message.emit(text)

    def _on_side_finished(self, key: str, transcript: Transcript) -> None:
        self.transcripts[Side(key)] = transcript
        self.view.columns.set_done(Side(key))
        self.long_run.side_finished(key)
        self._on_live(key, transcript)

    def _on_side_failed(self, key: str, message: str) -> None:
        self.view.columns.set_failed(Side(key), message)
        self.run_box.status.setText(f"{Side(key).name} failed: {message}")
        self.message.emit(f"Column {Side(key).name}: {message}")

    def _on_done(self) -> None:
        self.run_box.set_running(False)
        self.long_run.stop()
        self.refresh_resume()
        a, b = self.transcripts[Side.A], self.transcripts[Side.B]
        req = self.runner.request
        if self.session_id is not None:
            self.sessions.set_transcripts(self.session_id, a, b)
            self.sessionSaved.emit(self.session_id)
            self.listen.set_session(self.session_id if (a or b) else None)
        ok = {s for s in Side if self.view.columns.states[s] is SideState.DONE}
        reasons = {self.view.columns.reasons[s] for s in Side if s not in ok}
        if ok == set(Side):
            self.run_box.status.setText("Done. Both columns are final.")
        elif reasons == {"Cancelled."}:
            self.run_box.status.setText("Cancelled." if not ok else f"{ok.pop().name} finished; the other "
                                        "side was cancelled.")
        # final rendering: a failed side says why in its column and gets no numbers
        self.view.set_transcripts(a, b, req.hotwords if req else [], req.b_adds_text() if req else "",
                                  scored=ok)
        latest = b or a
        if latest is not None:
            self.context_panel.set_previous_transcript(latest.text)
        self.runFinished.emit()

    def _on_reference_changed(self, text: str) -> None:
        if self.session_id is not None and not self.runner.busy:
            self.sessions.set_reference(self.session_id, text)

    # --------------------------------------------------------------------- history
    def show_session(self, session_id: int) -> None:
        """A stored comparison from History, as it was (stored_session.py)."""
        from .stored_session import show_stored_session

        show_stored_session(self, session_id)
        self.refresh_resume()
