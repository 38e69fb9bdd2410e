"""The transcriptionist's workbench: correct a transcript while listening, then export it.

The page lays out small widgets (document bar, transport, options, editor, find bar, speaker
panel) and wires them to the player and to the Qt-free WorkbenchController, which owns the stored
document. Every edit is saved as it happens (one sentence row per edit), the audio position and
cursor are saved on pause, seek and close (and every few seconds while playing), a document that
was open when the app died is reopened at start-up, and the volume is written once the slider
rests rather than at every tick.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from ...core.export import ExportFormat
from ...core.transcript import Sentence, Transcript
from ...core.transcript_edit import TAGS, format_timestamp
from ...storage.hotword_lists import HotwordListRepository
from ...storage.transcripts import WorkbenchDocument
from ...storage.workbench_controller import WorkbenchController
from .document_bar import DocumentBar
from .editor import TranscriptEditor
from .find_bar import FindBar
from .hold_to_play import HoldToPlay
from .options_bar import OptionsBar
from .player import Player
from .shortcuts import ACTIONS, SPEC, ShortcutsDialog, effective_keys
from .speaker_panel import SpeakerPanel
from .transport_bar import TransportBar

PLACE_SAVE_MS = 3000  # while playing, the position is saved this often
CURSOR_SAVE_MS = 800
VOLUME_SAVE_MS = 600  # the volume is written once the slider has rested this long
NO_REPEAT = ("play_pause", "insert_timestamp", "tag_inaudible", "tag_crosstalk", "find")
KEYS_SHOWN = ("play_pause", "skip_back", "skip_forward", "slower", "faster", "insert_timestamp",
              "tag_inaudible", "tag_crosstalk", "seek_to_cursor", "find", "hold_to_play")


def _rest_timer(parent: QWidget, ms: int, slot) -> QTimer:
    """A single-shot timer restarted at each change: `slot` runs once the changes stop."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(slot)
    return timer


class WorkbenchPage(QWidget):
    message = Signal(str)
    placeSaved = Signal()
    documentOpened = Signal(int)  # document id: the tab remembers it, to reopen it at the next start

    def __init__(self, conn: sqlite3.Connection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.control = WorkbenchController(conn)
        self.player = Player(self)
        self.editor = TranscriptEditor()
        self.documents = DocumentBar()
        self.transport = TransportBar()
        self.options = OptionsBar()
        self.find_bar = FindBar(self.editor)
        self.speaker_panel = SpeakerPanel()
        self.hold = HoldToPlay(self, self.player)
        self.actions: dict[str, QAction] = {}
        self._place_timer = QTimer(self)
        self._place_timer.setInterval(PLACE_SAVE_MS)
        self._place_timer.timeout.connect(self.save_place)
        self._cursor_timer = _rest_timer(self, CURSOR_SAVE_MS, self.save_place)  # saved once it rests
        self._volume_timer = _rest_timer(self, VOLUME_SAVE_MS, self.control.flush_prefs)
        self._build()
        self._make_actions()
        self.apply_prefs()
        self._connect()
        self.refresh_documents()
        self._show_empty(True)
        self._on_speed(self.player.speed)

    # ------------------------------------------------------------------ what other code reads
    @property
    def doc(self) -> WorkbenchDocument | None:
        return self.control.doc

    @property
    def conn(self) -> sqlite3.Connection:
        return self.control.conn

    @property
    def lists(self) -> HotwordListRepository:
        return self.control.lists

    @property
    def play_button(self) -> QPushButton:
        return self.transport.play_button

    # ------------------------------------------------------------------ layout and wiring
    def _build(self) -> None:
        self.empty = QLabel("No transcript open. Pick one above, or open a session from the History tab "
                            "with \u201cOpen in workbench\u201d.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        editor_box = QWidget()
        ev = QVBoxLayout(editor_box)
        ev.setContentsMargins(0, 0, 0, 0)
        ev.addWidget(self.empty)
        ev.addWidget(self.editor, 1)
        ev.addWidget(self.find_bar)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(editor_box)
        split.addWidget(self.speaker_panel)
        split.setStretchFactor(0, 1)
        split.setSizes([900, 330])
        v = QVBoxLayout(self)
        v.setContentsMargins(6, 6, 6, 6)
        for row in (self.documents, self.transport, self.options):
            v.addWidget(row)
        v.addWidget(split, 1)

    def _make_actions(self) -> None:
        volume = self.transport.volume
        handlers = {
            "play_pause": self.player.toggle,
            "skip_back": lambda: self.player.skip(-self.control.prefs.skip_back_s),
            "skip_forward": lambda: self.player.skip(self.control.prefs.skip_forward_s),
            "slower": lambda: self.player.step_speed(-1),
            "faster": lambda: self.player.step_speed(1),
            "insert_timestamp": lambda: self.editor.insert_marker(format_timestamp(self.player.position)),
            "tag_inaudible": lambda: self.editor.insert_marker(TAGS[0]),
            "tag_crosstalk": lambda: self.editor.insert_marker(TAGS[1]),
            "seek_to_cursor": self._play_from_cursor,
            "find": self.find_bar.open_bar,
            "volume_up": lambda: volume.setValue(volume.value() + 10),
            "volume_down": lambda: volume.setValue(volume.value() - 10),
        }
        for spec in ACTIONS:
            if spec.id == "hold_to_play":
                continue
            a = QAction(spec.label, self)
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            a.setAutoRepeat(spec.id not in NO_REPEAT)
            a.triggered.connect(handlers[spec.id])
            self.addAction(a)
            self.actions[spec.id] = a

    def _connect(self) -> None:
        p, t = self.player, self.transport
        for button, action in ((t.play_button, "play_pause"), (t.back_button, "skip_back"),
                               (t.forward_button, "skip_forward"), (t.slower_button, "slower"),
                               (t.faster_button, "faster")):
            button.clicked.connect(self.actions[action].trigger)
        p.positionChanged.connect(self._on_position)
        p.durationChanged.connect(self._on_duration)
        p.playingChanged.connect(self._on_playing)
        p.speedChanged.connect(self._on_speed)
        p.error.connect(lambda text: self.message.emit(f"Audio: {text}"))
        t.seekRequested.connect(p.seek)
        t.volumeChanged.connect(self._on_volume)
        self.options.skipChanged.connect(self._on_skip)
        self.options.rewindChanged.connect(self._on_rewind)
        self.editor.seekRequested.connect(self._seek)
        self.editor.sentenceEdited.connect(self._on_sentence_edited)
        self.editor.renameSpeaker.connect(self.rename_speaker)
        self.editor.message.connect(self.message)
        self.editor.cursorMoved.connect(self._on_cursor)
        self.speaker_panel.renamed.connect(self.set_speaker_name)
        self.documents.documentChosen.connect(self.open_document)
        self.documents.exportRequested.connect(self.export_dialog)
        self.documents.learn_button.clicked.connect(self.learn)
        self.documents.shortcuts_button.clicked.connect(self.edit_shortcuts)

    # ------------------------------------------------------------------ preferences
    def reload_prefs(self) -> None:
        """The Settings dialog changed the stored preferences: show and use them."""
        self.control.reload_prefs()
        self.apply_prefs()

    def apply_prefs(self) -> None:
        prefs = self.control.prefs
        keys = effective_keys(prefs.shortcuts)
        for action_id, action in self.actions.items():
            action.setShortcut(QKeySequence(keys[action_id]))
        self.hold.key = QKeySequence(keys["hold_to_play"])
        self.editor.action_keys = [a.shortcut() for a in self.actions.values() if not a.shortcut().isEmpty()]
        self.player.rewind_on_resume_ms = round(prefs.rewind_on_resume_s * 1000)
        self.player.set_speed(prefs.speed)
        self.player.set_volume(prefs.volume)
        self.transport.show_volume(prefs.volume)
        self.options.show_values(prefs.skip_back_s, prefs.rewind_on_resume_s)
        native = {i: QKeySequence(keys[i]).toString(QKeySequence.SequenceFormat.NativeText) or "none"
                  for i in keys}
        self.transport.show_keys(prefs.skip_back_s, native)
        self._update_play_button(self.player.playing)
        self.speaker_panel.show_keys([(SPEC[i].label, native[i]) for i in KEYS_SHOWN])

    def _on_speed(self, speed: float) -> None:
        self.transport.show_speed(speed, self.player.pitch_kept)
        if speed != self.control.prefs.speed:
            self.control.change_prefs(speed=speed)

    def _on_volume(self, value: int) -> None:
        """Every slider tick changes the sound at once; the stored value is written once the
        slider rests (a drag sends dozens of ticks), and at the latest on close."""
        self.player.set_volume(value)
        self.control.change_prefs(save_now=False, volume=value)
        self._volume_timer.start()

    def _on_skip(self, value: float) -> None:
        self.control.change_prefs(skip_back_s=value, skip_forward_s=value)
        self.apply_prefs()

    def _on_rewind(self, value: float) -> None:
        self.control.change_prefs(rewind_on_resume_s=value)
        self.player.rewind_on_resume_ms = round(value * 1000)

    def edit_shortcuts(self) -> None:
        dlg = ShortcutsDialog(effective_keys(self.control.prefs.shortcuts), self)
        if dlg.exec():
            self.set_shortcuts(dlg.overrides())

    def set_shortcuts(self, overrides: dict[str, str]) -> None:
        self.control.change_prefs(shortcuts=dict(overrides))
        self.apply_prefs()

    # ------------------------------------------------------------------ documents
    def refresh_documents(self) -> None:
        self.documents.show_choices(self.control.choices(), self.doc.id if self.doc else None)

    def open_session(self, session_id: int) -> int:
        """Opens a recognition session's transcript (B, with hotwords, when it has one)."""
        doc_id = self.control.document_for_session(session_id)
        self.open_document(doc_id)
        return doc_id

    def open_transcript(self, t: Transcript, audio_path: str, title: str = "") -> int:
        doc_id = self.control.document_for_transcript(t, audio_path, title)
        self.open_document(doc_id)
        return doc_id

    def open_document(self, doc_id: int) -> None:
        if self.doc is not None and self.doc.id == doc_id:
            return
        self.close_document()
        doc = self.control.open(doc_id)
        self.editor.set_sentences(doc.current.sentences, doc.speaker_names, doc.original.sentences)
        self.speaker_panel.show_speakers(self.control.speakers())
        self._show_empty(False)
        audio = self.control.audio_file()
        if audio is not None:
            self.player.load(audio)
            self.player.seek(doc.position_ms)
        else:
            self.player.load("")
            self.message.emit(f"The audio file is missing ({doc.audio_path or 'none recorded'}); you can "
                              "still edit and export the text.")
        self._on_position(doc.position_ms)
        self.editor.place_cursor(doc.cursor_sentence, doc.cursor_offset)
        self.editor.setFocus()
        self.refresh_documents()
        self.options.show_saved("Opened; every edit is saved as you type.")
        self.documentOpened.emit(doc_id)

    def close_document(self) -> None:
        if self.doc is None:
            return
        self.player.pause()
        self._cursor_timer.stop()
        self.control.close(self.player.position)
        self.placeSaved.emit()
        self.player.load("")
        self.editor.set_sentences([], {})
        self.speaker_panel.show_speakers([])
        self._show_empty(True)

    def restore_after_crash(self) -> int | None:
        """Reopens the document that was open when the app last stopped without closing it."""
        doc_id = self.control.left_open()
        if doc_id is None:
            return None
        self.open_document(doc_id)
        self.message.emit("Reopened the transcript you were working on when the app stopped; "
                          "all your edits are there.")
        return doc_id

    def _show_empty(self, empty: bool) -> None:
        self.empty.setVisible(empty)
        self.editor.setVisible(not empty)
        self.documents.set_document_open(not empty)
        self.transport.set_document_open(not empty)

    # ------------------------------------------------------------------ edits, place, speakers
    def _on_sentence_edited(self, index: int, sentence: Sentence) -> None:
        if self.doc is not None:
            self.control.save_edit(index, sentence)
            self.options.show_saved("All edits saved")

    def _on_cursor(self, index: int, offset: int) -> None:
        if self.doc is not None:
            self.control.move_cursor(index, offset)
            self._cursor_timer.start()

    def save_place(self) -> None:
        if self.control.save_place(self.player.position):
            self.placeSaved.emit()

    def set_speaker_name(self, speaker: int, name: str) -> None:
        if self.doc is None:
            return
        self.editor.set_speaker_names(self.control.rename_speaker(speaker, name))
        self.speaker_panel.show_speakers(self.control.speakers())
        self.options.show_saved("Speaker renamed")

    def rename_speaker(self, speaker: int) -> None:
        if self.doc is None:
            return
        name, ok = QInputDialog.getText(self, "Rename speaker", f"Name for Speaker {speaker + 1}:",
                                        text=self.control.speaker_label(speaker))
        if ok:
            self.set_speaker_name(speaker, name)

    # ------------------------------------------------------------------ playback
    def _seek(self, ms: int) -> None:
        self.player.seek(ms)
        self._on_position(ms)
        self.save_place()

    def _play_from_cursor(self) -> None:
        ms = self.editor.time_at_cursor()
        if ms is not None:
            self._seek(ms)
            self.player.play(replay=False)  # an explicit place: no replay rewind

    def _on_position(self, ms: int) -> None:
        self.transport.show_position(ms, self.player.duration)
        self.editor.show_playing(ms, follow=self.control.prefs.follow_playback and self.player.playing)

    def _on_duration(self, duration: int) -> None:
        self.transport.set_duration(duration)
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
        self.transport.show_playing(playing, key)

    # ------------------------------------------------------------------ learn, export
    def learn(self) -> None:
        from .learn_dialog import LearnDialog

        if self.doc is None:
            return
        dlg = LearnDialog(self.lists, self.doc.original, self.doc.current, self.doc.hotword_list, self)
        if dlg.exec():
            n = len(dlg.checked())
            where = dlg.list_box.currentText()
            self.message.emit(f"Added {n} hotword{'s' if n != 1 else ''} to \u201c{where}\u201d.")

    def default_file_name(self, fmt: ExportFormat) -> str:
        return self.control.default_file_name(fmt)

    def export_dialog(self, fmt: ExportFormat) -> None:
        if self.doc is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, f"Export {fmt.label}",
                                              str(self.control.export_folder() / self.default_file_name(fmt)))
        if path:
            try:
                self.export_to(fmt, Path(path))
            except (OSError, UnicodeEncodeError) as e:
                self.message.emit(f"Could not write {path}: {getattr(e, 'strerror', None) or e}.")
            else:
                self.message.emit(f"Exported {Path(path).name}.")

    def export_to(self, fmt: ExportFormat, path: Path) -> Path:
        return self.control.export_to(fmt, path)

    # ------------------------------------------------------------------ lifetime
    def shutdown(self) -> None:
        """A clean close: the place and a resting volume are saved, and the document is no longer
        "left open"."""
        self.hold.remove()
        self._volume_timer.stop()
        self.control.flush_prefs()
        self.close_document()
