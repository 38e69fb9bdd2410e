"""The workbench's documents without any widget: which one is open, its edits, place, speakers,
preferences and exports.

The workbench page only shows and forwards; every decision about the stored document is made
here, so tests drive a whole editing session (open, edit, crash, restore, rename, export) against
a real SQLite file without building a window. It imports no Qt (the layer contract for
storage/), and knows nothing of the player: the page passes the audio position in.

Preferences the user changes continuously (the volume slider sends a value per tick) are kept
in memory and written by `flush_prefs`, which the page calls once the slider rests and on close;
everything else is written at once.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ..core import export
from ..core.compare import Side
from ..core.export import ExportFormat, speaker_name
from ..core.transcript import Sentence, Transcript
from .files import write_atomic
from .hotword_lists import HotwordListRepository
from .sessions import SessionRepository
from .transcripts import TranscriptRepository, WorkbenchDocument
from .workbench_prefs import WorkbenchPrefs, load_prefs, save_prefs


@dataclass(frozen=True)
class DocumentChoice:
    """One entry of the "Transcript:" list: what the user reads, and the document behind it."""

    id: int
    label: str


@dataclass(frozen=True)
class SpeakerRow:
    speaker: int  # the engine's speaker number (0-based)
    name: str  # the user's name for it, or "Speaker n"


class NoDocumentError(ValueError):
    """An action that needs an open transcript was asked for while none is open."""

    def __init__(self) -> None:
        super().__init__("No transcript is open.")


class WorkbenchController:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.docs = TranscriptRepository(conn)
        self.sessions = SessionRepository(conn)
        self.lists = HotwordListRepository(conn)
        self.prefs = load_prefs(conn)
        self.doc: WorkbenchDocument | None = None
        self._prefs_pending = False

    # ------------------------------------------------------------------ documents
    def choices(self) -> list[DocumentChoice]:
        """Documents opened before, newest first, labelled with their name and last edit."""
        out = []
        for d in self.docs.recent():
            when = datetime.fromisoformat(d.modified_at).astimezone().strftime("%Y-%m-%d %H:%M")
            name = d.title or Path(d.audio_path).name or "Untitled"
            out.append(DocumentChoice(d.id, f"{name} \u2014 edited {when}"))
        return out

    def document_for_session(self, session_id: int) -> int:
        """The document of a recognition session's transcript (B, with hotwords, when it has one),
        made on first use and reused after."""
        s = self.sessions.load(session_id)
        side = Side.B if s.transcript_b is not None else Side.A
        t = s.transcript_b if side is Side.B else s.transcript_a
        if t is None:
            raise ValueError("This session has no transcript yet: the recognition did not finish.")
        doc_id = self.docs.for_session(session_id, side)
        if doc_id is None:
            used_list = s.hotword_list.name if s.hotword_list and side is Side.B else ""
            title = s.title or Path(s.audio_path).name or f"Session {session_id}"
            doc_id = self.docs.create(t, title=title, audio_path=s.audio_path, session_id=session_id,
                                      side=side, hotword_list=used_list)
        return doc_id

    def document_for_transcript(self, t: Transcript, audio_path: str, title: str = "") -> int:
        return self.docs.create(t, title=title or Path(audio_path).name, audio_path=audio_path)

    def open(self, doc_id: int) -> WorkbenchDocument:
        """Loads the document and marks it open (so a crash reopens it). Raises KeyError when it
        does not exist; the caller closes the previous document first."""
        doc = self.docs.load(doc_id)
        self.docs.set_open(doc_id, True)
        self.doc = doc
        return doc

    def close(self, position_ms: int) -> None:
        """A clean close: the place is saved and the document is no longer "left open"."""
        if self.doc is None:
            return
        self.save_place(position_ms)
        self.docs.set_open(self.doc.id, False)
        self.doc = None

    def left_open(self) -> int | None:
        """The document to reopen after a crash (the newest one left open); any other one left
        open is marked closed, so only one is offered."""
        left = self.docs.left_open()
        for other in left[1:]:
            self.docs.set_open(other, False)
        return left[0] if left else None

    def audio_file(self) -> str | None:
        """The document's audio file when it is still there, else None (the text stays editable)."""
        if self.doc is None or not self.doc.audio_path or not Path(self.doc.audio_path).is_file():
            return None
        return self.doc.audio_path

    # ------------------------------------------------------------------ edits and place
    def save_edit(self, index: int, sentence: Sentence) -> None:
        """Autosave of one edited sentence: one row is written, however long the transcript."""
        if self.doc is None:
            raise NoDocumentError()
        self.docs.save_sentence(self.doc.id, index, sentence)
        self.doc.current.sentences[index] = sentence

    def move_cursor(self, index: int, offset: int) -> None:
        """Remembered in memory; written with the place (`save_place`) once the cursor rests."""
        if self.doc is not None:
            self.doc.cursor_sentence, self.doc.cursor_offset = index, offset

    def save_place(self, position_ms: int) -> bool:
        """Stores the audio position and cursor; False when no document is open."""
        if self.doc is None:
            return False
        self.doc.position_ms = max(0, int(position_ms))
        self.docs.set_place(self.doc.id, position_ms=self.doc.position_ms,
                            cursor_sentence=self.doc.cursor_sentence, cursor_offset=self.doc.cursor_offset)
        return True

    # ------------------------------------------------------------------ speakers
    def speakers(self) -> list[SpeakerRow]:
        if self.doc is None:
            return []
        ids = sorted({s.speaker for s in self.doc.current.sentences if s.speaker is not None})
        return [SpeakerRow(sp, speaker_name(sp, self.doc.speaker_names)) for sp in ids]

    def speaker_label(self, speaker: int) -> str:
        return speaker_name(speaker, self.doc.speaker_names if self.doc else {})

    def rename_speaker(self, speaker: int, name: str) -> dict[int, str]:
        """Stores the name (blank: back to "Speaker n") and returns every name of the document."""
        if self.doc is None:
            raise NoDocumentError()
        self.docs.set_speaker_name(self.doc.id, speaker, name)
        if name.strip():
            self.doc.speaker_names[speaker] = name.strip()
        else:
            self.doc.speaker_names.pop(speaker, None)
        return dict(self.doc.speaker_names)

    # ------------------------------------------------------------------ preferences
    def change_prefs(self, *, save_now: bool = True, **changes: object) -> WorkbenchPrefs:
        """Applies `changes` to the preferences; `save_now=False` leaves the write to `flush_prefs`
        (for values that change many times a second, like the volume)."""
        self.prefs = replace(self.prefs, **changes).clamped()  # type: ignore[arg-type]
        if save_now:
            save_prefs(self.conn, self.prefs)
            self._prefs_pending = False
        else:
            self._prefs_pending = True
        return self.prefs

    @property
    def prefs_pending(self) -> bool:
        return self._prefs_pending

    def flush_prefs(self) -> bool:
        """Writes preferences held back by `change_prefs(save_now=False)`; True if it wrote."""
        if not self._prefs_pending:
            return False
        save_prefs(self.conn, self.prefs)
        self._prefs_pending = False
        return True

    def reload_prefs(self) -> WorkbenchPrefs:
        """Reads the stored preferences again (the Settings dialog changed them); a volume still
        waiting to be written is kept rather than replaced by the stored, older one."""
        fresh = load_prefs(self.conn)
        if self._prefs_pending:
            fresh.volume = self.prefs.volume
        self.prefs = fresh
        return fresh

    # ------------------------------------------------------------------ export
    def default_file_name(self, fmt: ExportFormat) -> str:
        stem = Path(self.doc.audio_path).stem if self.doc else ""
        return export.file_name(self.prefs.name_template, audio_stem=stem, ext=fmt.extension,
                                title=self.doc.title if self.doc else "")

    def export_folder(self) -> Path:
        """Where the save dialog starts: next to the audio, else the home folder."""
        if self.doc is not None and self.doc.audio_path:
            return Path(self.doc.audio_path).parent
        return Path.home()

    def export_to(self, fmt: ExportFormat, path: Path) -> Path:
        """Writes the current text in `fmt`; a failure leaves an existing file as it was."""
        if self.doc is None:
            raise NoDocumentError()
        t, names = self.doc.current, self.doc.speaker_names
        if fmt is ExportFormat.DOCX:
            from .docx_export import write_docx

            return write_docx(path, t, names, title=self.doc.title)
        text = {ExportFormat.TXT: lambda: export.to_txt(t, names),
                ExportFormat.TXT_TIMED: lambda: export.to_txt(t, names, timestamps=True, speakers=True),
                ExportFormat.SRT: lambda: export.to_srt(t, names),
                ExportFormat.VTT: lambda: export.to_vtt(t, names),
                ExportFormat.JSON: lambda: export.to_json(t, names)}[fmt]()
        write_atomic(path, text)
        return path
