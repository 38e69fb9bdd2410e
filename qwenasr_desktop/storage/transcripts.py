"""Workbench documents in SQLite: a transcript under correction, saved edit by edit.

One row per sentence keeps the engine's original next to the user's current version: saving an
edit rewrites only that sentence (cheap even for an hour of audio), and "learn from my
corrections" diffs the two. Every write is one short transaction, so a crash loses at most the
keystroke being written. `is_open` is set while the workbench shows a document and cleared on a
clean close; a document still marked open at start-up was open when the app died, and the
workbench reopens it (crash recovery) at the saved audio position and cursor.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field

from ..core.compare import Side
from ..core.transcript import Sentence, Transcript, Word
from ..core.transcript_edit import normalize_transcript
from .hotword_lists import now_iso, transaction


@dataclass
class WorkbenchDocument:
    id: int
    title: str
    audio_path: str
    original: Transcript
    current: Transcript
    speaker_names: dict[int, str] = field(default_factory=dict)
    hotword_list: str = ""  # name of the list the recognition used, to offer corrections to
    position_ms: int = 0
    cursor_sentence: int = 0
    cursor_offset: int = 0
    session_id: int | None = None
    side: Side | None = None  # which column of the comparison session it came from
    is_open: bool = False
    modified_at: str = ""


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    title: str
    audio_path: str
    modified_at: str
    session_id: int | None


def _sentence_json(s: Sentence) -> str:
    return json.dumps(asdict(s), ensure_ascii=False)


def _sentence(text: str) -> Sentence:
    d = json.loads(text)
    return Sentence(**{**d, "words": [Word(**w) for w in d.get("words", [])]})


def _side_column(side: Side | None) -> str:
    """The stored form: "a" or "b", or "" for a document not from a comparison."""
    return Side(side).value if side else ""


class TranscriptRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def create(self, transcript: Transcript, *, title: str = "", audio_path: str = "",
               session_id: int | None = None, side: Side | None = None, hotword_list: str = "") -> int:
        """A new document; its sentences are re-cut once so word i is token i of the text."""
        t = normalize_transcript(transcript)
        meta = {"language": t.language, "duration_ms": t.duration_ms, "engine": t.engine, "model": t.model}
        stamp = now_iso()
        with transaction(self._conn) as c:
            cur = c.execute("""INSERT INTO workbench_documents (session_id, side, title, audio_path, meta,
                hotword_list, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                            (session_id, _side_column(side), title, audio_path, json.dumps(meta),
                             hotword_list, stamp, stamp))
            doc_id = int(cur.lastrowid or 0)
            c.executemany("INSERT INTO workbench_sentences (document_id, position, original, current) "
                          "VALUES (?, ?, ?, ?)",
                          [(doc_id, k, _sentence_json(s), _sentence_json(s))
                           for k, s in enumerate(t.sentences)])
        return doc_id

    def for_session(self, session_id: int, side: Side) -> int | None:
        row = self._conn.execute("SELECT id FROM workbench_documents WHERE session_id = ? AND side = ?",
                                 (session_id, _side_column(side))).fetchone()
        return None if row is None else int(row[0])

    def load(self, doc_id: int) -> WorkbenchDocument:
        r = self._conn.execute("SELECT * FROM workbench_documents WHERE id = ?", (doc_id,)).fetchone()
        if r is None:
            raise KeyError(f"No workbench document with id {doc_id}.")
        rows = self._conn.execute("SELECT original, current FROM workbench_sentences WHERE document_id = ? "
                                  "ORDER BY position", (doc_id,)).fetchall()
        meta = json.loads(r["meta"] or "{}")

        def make(sentences: list[Sentence]) -> Transcript:
            return Transcript(sentences, meta.get("language"), int(meta.get("duration_ms") or 0),
                              meta.get("engine", ""), meta.get("model", ""))

        names = {int(k): v for k, v in json.loads(r["speaker_names"] or "{}").items()}
        return WorkbenchDocument(r["id"], r["title"], r["audio_path"],
                                 make([_sentence(x["original"]) for x in rows]),
                                 make([_sentence(x["current"]) for x in rows]), names, r["hotword_list"],
                                 r["position_ms"], r["cursor_sentence"], r["cursor_offset"], r["session_id"],
                                 Side(r["side"]) if r["side"] else None, bool(r["is_open"]),
                                 r["modified_at"])

    def save_sentence(self, doc_id: int, index: int, sentence: Sentence) -> None:
        """Autosave of one edit: only the edited sentence is written."""
        with transaction(self._conn) as c:
            cur = c.execute("UPDATE workbench_sentences SET current = ? "
                            "WHERE document_id = ? AND position = ?",
                            (_sentence_json(sentence), doc_id, index))
            if cur.rowcount != 1:
                raise IndexError(f"Document {doc_id} has no sentence {index}.")
            c.execute("UPDATE workbench_documents SET modified_at = ? WHERE id = ?", (now_iso(), doc_id))

    def set_speaker_name(self, doc_id: int, speaker: int, name: str) -> None:
        with transaction(self._conn) as c:
            row = c.execute("SELECT speaker_names FROM workbench_documents WHERE id = ?",
                            (doc_id,)).fetchone()
            if row is None:
                raise KeyError(f"No workbench document with id {doc_id}.")
            names = json.loads(row[0] or "{}")
            if name.strip():
                names[str(speaker)] = name.strip()
            else:
                names.pop(str(speaker), None)
            c.execute("UPDATE workbench_documents SET speaker_names = ?, modified_at = ? WHERE id = ?",
                      (json.dumps(names, ensure_ascii=False), now_iso(), doc_id))

    def set_place(self, doc_id: int, *, position_ms: int | None = None, cursor_sentence: int | None = None,
                  cursor_offset: int | None = None) -> None:
        """Where the user is: audio position and text cursor, restored on reopen."""
        values = {k: v for k, v in (("position_ms", position_ms), ("cursor_sentence", cursor_sentence),
                                    ("cursor_offset", cursor_offset)) if v is not None}
        if values:
            self._update(doc_id, **values)

    def set_open(self, doc_id: int, is_open: bool) -> None:
        self._update(doc_id, is_open=int(is_open))

    def left_open(self) -> list[int]:
        """Documents the workbench had open when the app last stopped without closing them."""
        return [int(r[0]) for r in self._conn.execute(
            "SELECT id FROM workbench_documents WHERE is_open = 1 ORDER BY modified_at DESC")]

    def recent(self, limit: int = 50) -> list[DocumentSummary]:
        rows = self._conn.execute("SELECT id, title, audio_path, modified_at, session_id FROM "
                                  "workbench_documents ORDER BY modified_at DESC, id DESC LIMIT ?", (limit,))
        return [DocumentSummary(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def delete(self, doc_id: int) -> None:
        with transaction(self._conn) as c:
            c.execute("DELETE FROM workbench_documents WHERE id = ?", (doc_id,))

    def _update(self, doc_id: int, **values: object) -> None:
        cols = ", ".join(f"{k} = ?" for k in values)
        with transaction(self._conn) as c:
            cur = c.execute(f"UPDATE workbench_documents SET {cols} WHERE id = ?", (*values.values(), doc_id))
            if cur.rowcount != 1:
                raise KeyError(f"No workbench document with id {doc_id}.")
