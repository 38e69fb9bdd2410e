"""The transcriptionist's workbench: correct a transcript while listening, then export it.

Wires the editor, the player and the storage together. Every edit is saved as it happens (one
sentence row per edit), the audio position and cursor are saved on pause, seek and close (and
every few seconds while playing), and a document that was open when the app died is reopened
at start-up.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core import export
from ...core.export import ExportFormat, speaker_name
from ...core.transcript import Transcript, clock
from ...core.transcript_edit import TAGS, format_timestamp
from ...storage.files import write_atomic
from ...storage.hotword_lists import HotwordListRepository
from ...storage.sessions import SessionRepository
from ...storage.transcripts import TranscriptRepository, WorkbenchDocument
from ...storage.workbench_prefs import load_prefs, save_prefs
from .editor import TranscriptEditor
from .player import Player
from .shortcuts import ACTIONS, SPEC, ShortcutsDialog, effective_keys

PLACE_SAVE_MS = 3000  # while playing, the position is saved this often
CURSOR_SAVE_MS = 800


class WorkbenchPage(QWidget):
    message = Signal(str)
    placeSaved = Signal()
    documentOpened = Signal(int)  # document id: the tab remembers it, to reopen it at the next start

    def __init__(self, conn: sqlite3.Connection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conn = conn
        self.docs = TranscriptRepository(conn)
        self.sessions = SessionRepository(conn)
        self.lists = HotwordListRepository(conn)
        self.prefs = load_prefs(conn)
        self.doc: WorkbenchDocument | None = None
        self.player = Player(self)
        self.editor = TranscriptEditor()
        self.actions: dict[str, QAction] = {}
        self._hold_key = QKeySequence()
        self._holding = False
        self._place_timer = QTimer(self)
        self._place_timer.setInterval(PLACE_SAVE_MS)
        self._place_timer.timeout.connect(self.save_place)
        self._cursor_timer = QTimer(self)  # the cursor is saved once it rests, not on every move
        self._cursor_timer.setSingleShot(True)
        self._cursor_timer.setInterval(CURSOR_SAVE_MS)
        self._cursor_timer.timeout.connect(self.save_place)
        self._build()
        self._make_actions()
        self.apply_prefs()
        self._connect()
        QApplication.instance().installEventFilter(self)
        self.refresh_documents()
        self._show_empty(True)
        self._on_speed(self.player.speed)

    # ================================================================== layout
    def _build(self) -> None:
        self.doc_box = QComboBox()
        self.doc_box.setMinimumContentsLength(30)
        self.doc_box.setToolTip("Transcripts you have opened in the workbench, newest first.")
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for fmt in ExportFormat:
            menu.addAction(fmt.label, lambda f=fmt: self.export_dialog(f))
        self.export_button.setMenu(menu)
        self.learn_button = QPushButton("Learn from my corrections\u2026")
        self.learn_button.setToolTip("Add the words you corrected to the hotword list, so the engine "
                                     "gets them right next time.")
        self.shortcuts_button = QPushButton("Shortcuts\u2026")
        top = QHBoxLayout()
        top.addWidget(QLabel("Transcript:"))
        top.addWidget(self.doc_box, 1)
        top.addWidget(self.export_button)
        top.addWidget(self.learn_button)
        top.addWidget(self.shortcuts_button)

        self.back_button = QPushButton()
        self.play_button = QPushButton()
        self.play_button.setMinimumWidth(110)
        self.forward_button = QPushButton()
        self.time_label = QLabel("00:00.0 / 00:00")
        self.time_label.setMinimumWidth(120)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Audio position: drag to move.")
        self.slower_button = QPushButton("\u2212")
        self.faster_button = QPushButton("+")
        for b in (self.slower_button, self.faster_button):
            b.setFixedWidth(32)
        self.speed_label = QLabel()
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(90)
        self.volume.setToolTip("Volume")
        transport = QHBoxLayout()
        for w in (self.back_button, self.play_button, self.forward_button, self.time_label):
            transport.addWidget(w)
        transport.addWidget(self.slider, 1)
        transport.addWidget(QLabel("Speed"))
        for w in (self.slower_button, self.speed_label, self.faster_button):
            transport.addWidget(w)
        transport.addSpacing(12)
        transport.addWidget(QLabel("Volume"))
        transport.addWidget(self.volume)

        self.skip_spin = QDoubleSpinBox()
        self.skip_spin.setRange(0.5, 60)
        self.skip_spin.setDecimals(1)
        self.skip_spin.setSingleStep(0.5)
        self.skip_spin.setSuffix(" s")
        self.skip_spin.setToolTip("How far Skip back and Skip forward jump.")
        self.rewind_spin = QDoubleSpinBox()
        self.rewind_spin.setRange(0, 5)
        self.rewind_spin.setDecimals(1)
        self.rewind_spin.setSingleStep(0.5)
        self.rewind_spin.setSuffix(" s")
        self.rewind_spin.setToolTip("After a pause, playback starts this far back so you hear the "
                                    "last words again.")
        options = QHBoxLayout()
        options.addWidget(QLabel("Skip by"))
        options.addWidget(self.skip_spin)
        options.addSpacing(12)
        options.addWidget(QLabel("Replay on resume"))
        options.addWidget(self.rewind_spin)
        options.addStretch()
        self.save_state = QLabel()
        self.save_state.setStyleSheet("color: #1a7f37")
        options.addWidget(self.save_state)

        self.find_bar = QWidget()
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("Find in transcript")
        self.find_edit.setClearButtonEnabled(True)
        self.find_prev = QPushButton("Previous")
        self.find_next = QPushButton("Next")
        self.find_count = QLabel()
        self.find_close = QToolButton()
        self.find_close.setText("\u2715")
        self.find_close.setToolTip("Close the search bar")
        fb = QHBoxLayout(self.find_bar)
        fb.setContentsMargins(0, 0, 0, 0)
        for w in (QLabel("Find:"), self.find_edit, self.find_prev, self.find_next, self.find_count,
                  self.find_close):
            fb.addWidget(w)
        self.find_bar.hide()

        self.speakers = QTableWidget(0, 2)
        self.speakers.setHorizontalHeaderLabels(["Speaker", "Name (double-click to rename)"])
        self.speakers.verticalHeader().hide()
        self.speakers.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.speakers.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                      | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.no_speakers = QLabel("The engine did not tell speakers apart in this transcript.")
        self.no_speakers.setWordWrap(True)
        self.keys_help = QLabel()
        self.keys_help.setWordWrap(True)
        self.keys_help.setTextFormat(Qt.TextFormat.RichText)
        side = QWidget()
        sv = QVBoxLayout(side)
        sv.setContentsMargins(0, 0, 0, 0)
        sv.addWidget(QLabel("<b>Speakers</b>"))
        sv.addWidget(self.speakers)
        sv.addWidget(self.no_speakers)
        sv.addWidget(QLabel("<b>Keys</b>"))
        sv.addWidget(self.keys_help)
        sv.addStretch()

        self.empty = QLabel("No transcript open. Pick one above, or open a session from the History tab "
                            "with \u201cOpen in workbench\u201d.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Horizontal)
        editor_box = QWidget()
        ev = QVBoxLayout(editor_box)
        ev.setContentsMargins(0, 0, 0, 0)
        ev.addWidget(self.empty)
        ev.addWidget(self.editor, 1)
        ev.addWidget(self.find_bar)
        split.addWidget(editor_box)
        split.addWidget(side)
        split.setStretchFactor(0, 1)
        split.setSizes([900, 330])
        v = QVBoxLayout(self)
        v.setContentsMargins(6, 6, 6, 6)
        v.addLayout(top)
        v.addLayout(transport)
        v.addLayout(options)
        v.addWidget(split, 1)

    def _make_actions(self) -> None:
        handlers = {
            "play_pause": self.player.toggle,
            "skip_back": lambda: self.player.skip(-self.prefs.skip_back_s),
            "skip_forward": lambda: self.player.skip(self.prefs.skip_forward_s),
            "slower": lambda: self.player.step_speed(-1),
            "faster": lambda: self.player.step_speed(1),
            "insert_timestamp": lambda: self.editor.insert_marker(format_timestamp(self.player.position)),
            "tag_inaudible": lambda: self.editor.insert_marker(TAGS[0]),
            "tag_crosstalk": lambda: self.editor.insert_marker(TAGS[1]),
            "seek_to_cursor": self._play_from_cursor,
            "find": self.show_find,
            "volume_up": lambda: self.volume.setValue(self.volume.value() + 10),
            "volume_down": lambda: self.volume.setValue(self.volume.value() - 10),
        }
        for spec in ACTIONS:
            if spec.id == "hold_to_play":
                continue
            a = QAction(spec.label, self)
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            a.setAutoRepeat(spec.id not in ("play_pause", "insert_timestamp", "tag_inaudible",
                                            "tag_crosstalk", "find"))
            a.triggered.connect(handlers[spec.id])
            self.addAction(a)
            self.actions[spec.id] = a

    def reload_prefs(self) -> None:
        """The Settings dialog changed the stored preferences: show and use them."""
        self.prefs = load_prefs(self.conn)
        self.apply_prefs()

    def apply_prefs(self) -> None:
        keys = effective_keys(self.prefs.shortcuts)
        for action_id, action in self.actions.items():
            action.setShortcut(QKeySequence(keys[action_id]))
        self._hold_key = QKeySequence(keys["hold_to_play"])
        self.editor.action_keys = [a.shortcut() for a in self.actions.values() if not a.shortcut().isEmpty()]
        self.player.rewind_on_resume_ms = round(self.prefs.rewind_on_resume_s * 1000)
        self.player.set_speed(self.prefs.speed)
        self.player.set_volume(self.prefs.volume)
        for w, value in ((self.volume, self.prefs.volume), (self.skip_spin, self.prefs.skip_back_s),
                         (self.rewind_spin, self.prefs.rewind_on_resume_s)):
            w.blockSignals(True)
            w.setValue(value)
            w.blockSignals(False)

        def k(action_id: str) -> str:
            return QKeySequence(keys[action_id]).toString(QKeySequence.SequenceFormat.NativeText) or "none"

        s = self.prefs.skip_back_s
        self.back_button.setText(f"\u00ab Back {s:g} s ({k('skip_back')})")
        self.forward_button.setText(f"Forward {s:g} s \u00bb ({k('skip_forward')})")
        self.slower_button.setToolTip(f"Slower ({k('slower')})")
        self.faster_button.setToolTip(f"Faster ({k('faster')})")
        self._update_play_button(self.player.playing)
        rows = [(SPEC[i].label, k(i)) for i in ("play_pause", "skip_back", "skip_forward", "slower", "faster",
                                               "insert_timestamp", "tag_inaudible", "tag_crosstalk",
                                               "seek_to_cursor", "find", "hold_to_play")]
        self.keys_help.setText("<table>" + "".join(
            f"<tr><td style='padding-right:10px'><b>{key}</b></td><td>{label}</td></tr>"
            for label, key in rows)
            + "</table><p style='color:#6e7781'>Click a word to move the audio there.</p>")

    def _connect(self) -> None:
        p = self.player
        self.play_button.clicked.connect(p.toggle)
        self.back_button.clicked.connect(self.actions["skip_back"].trigger)
        self.forward_button.clicked.connect(self.actions["skip_forward"].trigger)
        self.slower_button.clicked.connect(self.actions["slower"].trigger)
        self.faster_button.clicked.connect(self.actions["faster"].trigger)
        p.positionChanged.connect(self._on_position)
        p.durationChanged.connect(self._on_duration)
        p.playingChanged.connect(self._on_playing)
        p.speedChanged.connect(self._on_speed)
        p.error.connect(lambda text: self.message.emit(f"Audio: {text}"))
        self.slider.sliderMoved.connect(p.seek)
        self.volume.valueChanged.connect(self._on_volume)
        self.skip_spin.valueChanged.connect(self._on_skip)
        self.rewind_spin.valueChanged.connect(self._on_rewind)
        self.editor.seekRequested.connect(self._seek)
        self.editor.sentenceEdited.connect(self._on_sentence_edited)
        self.editor.renameSpeaker.connect(self.rename_speaker)
        self.editor.message.connect(self.message)
        self.editor.cursorMoved.connect(self._on_cursor)
        self.speakers.itemChanged.connect(self._on_speaker_item)
        self.doc_box.activated.connect(lambda i: self.open_document(self.doc_box.itemData(i)))
        self.learn_button.clicked.connect(self.learn)
        self.shortcuts_button.clicked.connect(self.edit_shortcuts)
        self.find_edit.textChanged.connect(self._on_find_text)
        self.find_edit.returnPressed.connect(lambda: self.find_step(1))
        self.find_next.clicked.connect(lambda: self.find_step(1))
        self.find_prev.clicked.connect(lambda: self.find_step(-1))
        self.find_close.clicked.connect(self.hide_find)

    # ================================================================== documents
    def refresh_documents(self) -> None:
        self.doc_box.blockSignals(True)
        self.doc_box.clear()
        for d in self.docs.recent():
            when = datetime.fromisoformat(d.modified_at).astimezone().strftime("%Y-%m-%d %H:%M")
            name = d.title or Path(d.audio_path).name or "Untitled"
            self.doc_box.addItem(f"{name} \u2014 edited {when}", d.id)
        if self.doc is not None:
            self.doc_box.setCurrentIndex(max(0, self.doc_box.findData(self.doc.id)))
        else:
            self.doc_box.setCurrentIndex(-1)
            self.doc_box.setPlaceholderText("Choose a transcript\u2026")
        self.doc_box.blockSignals(False)

    def open_session(self, session_id: int) -> int:
        """Opens a recognition session's transcript (B, with hotwords, when it has one)."""
        s = self.sessions.load(session_id)
        side = "b" if s.transcript_b is not None else "a"
        t = s.transcript_b if side == "b" else s.transcript_a
        if t is None:
            raise ValueError("This session has no transcript yet: the recognition did not finish.")
        doc_id = self.docs.for_session(session_id, side)
        if doc_id is None:
            used_list = s.hotword_list.name if s.hotword_list and side == "b" else ""
            title = s.title or Path(s.audio_path).name or f"Session {session_id}"
            doc_id = self.docs.create(t, title=title, audio_path=s.audio_path, session_id=session_id,
                                      side=side, hotword_list=used_list)
        self.open_document(doc_id)
        return doc_id

    def open_transcript(self, t: Transcript, audio_path: str, title: str = "") -> int:
        doc_id = self.docs.create(t, title=title or Path(audio_path).name, audio_path=audio_path)
        self.open_document(doc_id)
        return doc_id

    def open_document(self, doc_id: int) -> None:
        if self.doc is not None and self.doc.id == doc_id:
            return
        self.close_document()
        self.doc = self.docs.load(doc_id)
        self.docs.set_open(doc_id, True)
        self.editor.set_sentences(self.doc.current.sentences, self.doc.speaker_names,
                                  self.doc.original.sentences)
        self._fill_speakers()
        self._show_empty(False)
        audio = self.doc.audio_path
        if audio and Path(audio).is_file():
            self.player.load(audio)
            self.player.seek(self.doc.position_ms)
        else:
            self.player.load("")
            self.message.emit(f"The audio file is missing ({audio or 'none recorded'}); you can still "
                              "edit and export the text.")
        self._on_position(self.doc.position_ms)
        self.editor.place_cursor(self.doc.cursor_sentence, self.doc.cursor_offset)
        self.editor.setFocus()
        self.refresh_documents()
        self._saved("Opened; every edit is saved as you type.")
        self.documentOpened.emit(doc_id)

    def close_document(self) -> None:
        if self.doc is None:
            return
        self.player.pause()
        self._cursor_timer.stop()
        self.save_place()
        self.docs.set_open(self.doc.id, False)
        self.player.load("")
        self.doc = None
        self.editor.set_sentences([], {})
        self._show_empty(True)

    def restore_after_crash(self) -> int | None:
        """Reopens the document that was open when the app last stopped without closing it."""
        left = self.docs.left_open()
        if not left:
            return None
        self.open_document(left[0])
        for other in left[1:]:
            self.docs.set_open(other, False)
        self.message.emit("Reopened the transcript you were working on when the app stopped; "
                          "all your edits are there.")
        return left[0]

    def _show_empty(self, empty: bool) -> None:
        self.empty.setVisible(empty)
        self.editor.setVisible(not empty)
        for w in (self.export_button, self.learn_button, self.play_button, self.back_button,
                  self.forward_button, self.slider):
            w.setEnabled(not empty)

    # ================================================================== edits and place
    def _on_sentence_edited(self, index: int, sentence) -> None:
        if self.doc is None:
            return
        self.docs.save_sentence(self.doc.id, index, sentence)
        self.doc.current.sentences[index] = sentence
        self._saved("All edits saved")

    def _on_cursor(self, index: int, offset: int) -> None:
        if self.doc is not None:
            self.doc.cursor_sentence, self.doc.cursor_offset = index, offset
            self._cursor_timer.start()

    def save_place(self) -> None:
        if self.doc is None:
            return
        self.doc.position_ms = self.player.position
        self.docs.set_place(self.doc.id, position_ms=self.doc.position_ms,
                            cursor_sentence=self.doc.cursor_sentence, cursor_offset=self.doc.cursor_offset)
        self.placeSaved.emit()

    def _saved(self, text: str) -> None:
        self.save_state.setText(f"\u2713 {text} {datetime.now().strftime('%H:%M:%S')}")

    # ================================================================== speakers
    def _fill_speakers(self) -> None:
        sentences = self.doc.current.sentences if self.doc else []
        ids = sorted({s.speaker for s in sentences if s.speaker is not None})
        self.speakers.blockSignals(True)
        self.speakers.setRowCount(len(ids))
        for row, sp in enumerate(ids):
            tag = QTableWidgetItem(f"Speaker {sp + 1}")
            tag.setFlags(tag.flags() & ~Qt.ItemFlag.ItemIsEditable)
            tag.setData(Qt.ItemDataRole.UserRole, sp)
            self.speakers.setItem(row, 0, tag)
            self.speakers.setItem(row, 1, QTableWidgetItem(speaker_name(sp, self.doc.speaker_names)))
        self.speakers.blockSignals(False)
        rows_h = sum(self.speakers.rowHeight(r) for r in range(len(ids)))
        self.speakers.setFixedHeight(self.speakers.horizontalHeader().height() + rows_h + 4)
        self.speakers.setVisible(bool(ids))
        self.no_speakers.setVisible(not ids)

    def _on_speaker_item(self, item: QTableWidgetItem) -> None:
        if item.column() == 1:
            sp = self.speakers.item(item.row(), 0).data(Qt.ItemDataRole.UserRole)
            self.set_speaker_name(sp, item.text())

    def set_speaker_name(self, speaker: int, name: str) -> None:
        if self.doc is None:
            return
        self.docs.set_speaker_name(self.doc.id, speaker, name)
        if name.strip():
            self.doc.speaker_names[speaker] = name.strip()
        else:
            self.doc.speaker_names.pop(speaker, None)
        self.editor.set_speaker_names(self.doc.speaker_names)
        self._fill_speakers()
        self._saved("Speaker renamed")

    def rename_speaker(self, speaker: int) -> None:
        if self.doc is None:
            return
        name, ok = QInputDialog.getText(self, "Rename speaker", f"Name for Speaker {speaker + 1}:",
                                        text=speaker_name(speaker, self.doc.speaker_names))
        if ok:
            self.set_speaker_name(speaker, name)

    # ================================================================== playback
    def _seek(self, ms: int) -> None:
        self.player.seek(ms)
        self._on_position(ms)
        self.save_place()

    def _play_from_cursor(self) -> None:
        ms = self.editor.time_at_cursor()
        if ms is not None:
            self._seek(ms)
            self.player._paused_once = False  # an explicit place: no replay rewind
            self.player.play()

    def _on_position(self, ms: int) -> None:
        d = self.player.duration
        tenths = (ms // 100) % 10
        self.time_label.setText(f"{clock(ms)}.{tenths} / {clock(d) if d > 0 else '--:--'}")
        if not self.slider.isSliderDown():
            self.slider.setValue(ms)
        self.editor.show_playing(ms, follow=self.prefs.follow_playback and self.player.playing)

    def _on_duration(self, duration: int) -> None:
        self.slider.setRange(0, max(0, duration))
        self._on_position(self.player.position)

    def _on_playing(self, playing: bool) -> None:
        self._update_play_button(playing)
        if playing:
            self._place_timer.start()
        else:
            self._place_timer.stop()
            self.save_place()

    def _update_play_button(self, playing: bool) -> None:
        key = self.actions["play_pause"].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        label = "\u2016 Pause" if playing else "\u25b6 Play"
        self.play_button.setText(label + (f" ({key})" if key else ""))

    def _on_speed(self, speed: float) -> None:
        pitch = "pitch kept" if self.player.pitch_kept else "pitch changes"
        # Say it where it matters: off normal speed, whether voices still sound like themselves.
        self.speed_label.setText(f"{speed:.2f}\u00d7" + ("" if speed == 1.0 else f" ({pitch})"))
        self.speed_label.setToolTip(f"Playback speed ({pitch}).")
        if speed != self.prefs.speed:
            self.prefs.speed = speed
            save_prefs(self.conn, self.prefs)

    def _on_volume(self, value: int) -> None:
        self.player.set_volume(value)
        self.prefs.volume = value
        save_prefs(self.conn, self.prefs)

    def _on_skip(self, value: float) -> None:
        self.prefs.skip_back_s = self.prefs.skip_forward_s = value
        save_prefs(self.conn, self.prefs)
        self.apply_prefs()

    def _on_rewind(self, value: float) -> None:
        self.prefs.rewind_on_resume_s = value
        self.player.rewind_on_resume_ms = round(value * 1000)
        save_prefs(self.conn, self.prefs)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Hold-to-play: a pedal key plays while held; auto-repeats are swallowed."""
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride) \
                and not self._hold_key.isEmpty() and self.isVisible() and isinstance(event, QKeyEvent):
            combo = QKeySequence(event.keyCombination())
            if combo.matches(self._hold_key) == QKeySequence.SequenceMatch.ExactMatch:
                if not isinstance(obj, QWidget) or obj.window() is not self.window():
                    return False
                if kind == QEvent.Type.KeyPress and not event.isAutoRepeat() and not self._holding:
                    self._holding = True
                    self.player.play()
                elif kind == QEvent.Type.KeyRelease and not event.isAutoRepeat() and self._holding:
                    self._holding = False
                    self.player.pause()
                return kind != QEvent.Type.ShortcutOverride
        return False

    # ================================================================== search
    def show_find(self) -> None:
        self.find_bar.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()
        self._on_find_text(self.find_edit.text())

    def hide_find(self) -> None:
        self.find_bar.hide()
        self.editor.find_all("")
        self.editor.setFocus()

    def _on_find_text(self, text: str) -> None:
        found = self.editor.find_all(text)
        self.find_count.setText(f"{len(found)} found" if text else "")
        if found:
            self._go_to_match(0)

    def find_step(self, direction: int) -> None:
        found = self.editor.find_all(self.find_edit.text())
        if not found:
            self.find_count.setText("Not found" if self.find_edit.text() else "")
            return
        pos = self.editor.textCursor().selectionStart()
        starts = [c.selectionStart() for c in found]
        if direction > 0:
            idx = next((k for k, s in enumerate(starts) if s > pos), 0)
        else:
            idx = next((k for k in range(len(starts) - 1, -1, -1) if starts[k] < pos), len(starts) - 1)
        self._go_to_match(idx)

    def _go_to_match(self, idx: int) -> None:
        found = self.editor._found
        self.editor.setTextCursor(found[idx])
        self.editor.ensureCursorVisible()
        self.find_count.setText(f"{idx + 1} of {len(found)}")

    # ================================================================== learn, shortcuts, export
    def learn(self) -> None:
        from .learn_dialog import LearnDialog

        if self.doc is None:
            return
        dlg = LearnDialog(self.lists, self.doc.original, self.doc.current, self.doc.hotword_list, self)
        if dlg.exec():
            n = len(dlg.checked())
            where = dlg.list_box.currentText()
            self.message.emit(f"Added {n} hotword{'s' if n != 1 else ''} to \u201c{where}\u201d.")

    def edit_shortcuts(self) -> None:
        dlg = ShortcutsDialog(effective_keys(self.prefs.shortcuts), self)
        if dlg.exec():
            self.set_shortcuts(dlg.overrides())

    def set_shortcuts(self, overrides: dict[str, str]) -> None:
        self.prefs.shortcuts = dict(overrides)
        save_prefs(self.conn, self.prefs)
        self.apply_prefs()

    def default_file_name(self, fmt: ExportFormat) -> str:
        stem = Path(self.doc.audio_path).stem if self.doc else ""
        return export.file_name(self.prefs.name_template, audio_stem=stem, ext=fmt.extension,
                                title=self.doc.title if self.doc else "")

    def export_dialog(self, fmt: ExportFormat) -> None:
        if self.doc is None:
            return
        folder = Path(self.doc.audio_path).parent if self.doc.audio_path else Path.home()
        path, _ = QFileDialog.getSaveFileName(self, f"Export {fmt.label}",
                                              str(folder / self.default_file_name(fmt)))
        if path:
            try:
                self.export_to(fmt, Path(path))
            except (OSError, UnicodeEncodeError) as e:
                self.message.emit(f"Could not write {path}: {getattr(e, 'strerror', None) or e}.")
            else:
                self.message.emit(f"Exported {Path(path).name}.")

    def export_to(self, fmt: ExportFormat, path: Path) -> Path:
        if self.doc is None:
            raise ValueError("No transcript is open.")
        t, names = self.doc.current, self.doc.speaker_names
        if fmt is ExportFormat.DOCX:
            from ...storage.docx_export import write_docx

            return write_docx(path, t, names, title=self.doc.title)
        text = {ExportFormat.TXT: lambda: export.to_txt(t, names),
                ExportFormat.TXT_TIMED: lambda: export.to_txt(t, names, timestamps=True, speakers=True),
                ExportFormat.SRT: lambda: export.to_srt(t, names),
                ExportFormat.VTT: lambda: export.to_vtt(t, names),
                ExportFormat.JSON: lambda: export.to_json(t, names)}[fmt]()
        write_atomic(path, text)  # a failure leaves an existing file as it was
        return path

    # ================================================================== lifetime
    def shutdown(self) -> None:
        """A clean close: the place is saved and the document is no longer "left open"."""
        QApplication.instance().removeEventFilter(self)
        self.close_document()
