"""Recognition sessions in SQLite: what was recognized, how, and both transcripts, to reopen later.

A session row is written when a run starts (audio path and settings) and updated when each
transcript is in, so a crash mid-run still leaves the recording and its settings in the history.
The hotword list and the context are stored as snapshots (JSON): editing the list later does not
change what an old comparison shows.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import asdict, dataclass, field

from ..core.context import Context, ContextMessage, Role
from ..core.hotwords import Hotword, HotwordList
from ..core.transcript import Checkpoint, Transcript
from .hotword_lists import now_iso, transaction


@dataclass
class Session:
    engine: str
    model: str
    mode: str  # core.models.Mode value: "realtime" or "file"
    audio_path: str = ""
    title: str = ""
    settings: dict = field(default_factory=dict)  # language hints, what B adds, engine URL...
    hotword_list: HotwordList | None = None
    context: Context | None = None
    transcript_a: Transcript | None = None
    transcript_b: Transcript | None = None
    reference: str = ""
    id: int | None = None
    created_at: str = ""


@dataclass(frozen=True)
class SessionSummary:
    """One row of the history list."""

    id: int
    created_at: str
    title: str
    audio_path: str
    engine: str
    model: str
    mode: str
    complete: bool  # both transcripts stored (a queued file: its one transcript, B's settings)
    queued: bool = False  # recognized by the batch queue: one transcript, with B's settings


def list_to_json(hl: HotwordList | None) -> str | None:
    if hl is None:
        return None
    return json.dumps({"name": hl.name, "target_model": hl.target_model, "prefix": hl.prefix,
                       "items": [{"text": h.text, "weight": h.weight, "lang": h.lang} for h in hl.items]},
                      ensure_ascii=False)


def list_from_json(text: str | None) -> HotwordList | None:
    if not text:
        return None
    d = json.loads(text)
    return HotwordList(d["name"], d["target_model"], [Hotword(i["text"], i["weight"], i.get("lang"))
                                                      for i in d["items"]], d.get("prefix", ""))


def context_to_json(ctx: Context | None) -> str | None:
    if ctx is None:
        return None
    return json.dumps([{"role": m.role.value, "text": m.text} for m in ctx.messages], ensure_ascii=False)


def context_from_json(text: str | None) -> Context | None:
    if not text:
        return None
    return Context([ContextMessage(Role(m["role"]), m["text"]) for m in json.loads(text)])


def _transcript_json(t: Transcript | None) -> str | None:
    return None if t is None else json.dumps(t.to_dict(), ensure_ascii=False)


def _transcript(text: str | None) -> Transcript | None:
    return None if not text else Transcript.from_dict(json.loads(text))


class SessionRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(self, s: Session) -> int:
        s.created_at = s.created_at or now_iso()
        with transaction(self._conn) as c:
            cur = c.execute("""INSERT INTO sessions (created_at, title, audio_path, engine, model, mode,
                settings, list_snapshot, context, transcript_a, transcript_b, reference)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                            (s.created_at, s.title, s.audio_path, s.engine, s.model, s.mode,
                             json.dumps(s.settings, ensure_ascii=False), list_to_json(s.hotword_list),
                             context_to_json(s.context), _transcript_json(s.transcript_a),
                             _transcript_json(s.transcript_b), s.reference))
            s.id = int(cur.lastrowid or 0)
        return s.id

    def set_transcripts(self, session_id: int, a: Transcript | None, b: Transcript | None) -> None:
        self._update(session_id, transcript_a=_transcript_json(a), transcript_b=_transcript_json(b))

    def set_audio_path(self, session_id: int, path: str) -> None:
        self._update(session_id, audio_path=path)

    def set_reference(self, session_id: int, reference: str) -> None:
        self._update(session_id, reference=reference)

    def load(self, session_id: int) -> Session:
        r = self._conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if r is None:
            raise KeyError(f"No session with id {session_id}.")
        return Session(r["engine"], r["model"], r["mode"], r["audio_path"], r["title"],
                       json.loads(r["settings"] or "{}"), list_from_json(r["list_snapshot"]),
                       context_from_json(r["context"]), _transcript(r["transcript_a"]),
                       _transcript(r["transcript_b"]), r["reference"], r["id"], r["created_at"])

    def history(self, limit: int = 200) -> list[SessionSummary]:
        """Newest first."""
        rows = self._conn.execute("""SELECT id, created_at, title, audio_path, engine, model, mode,
            COALESCE(json_extract(settings, '$.queue'), 0) AS queued,
            transcript_b IS NOT NULL AND (transcript_a IS NOT NULL
                OR COALESCE(json_extract(settings, '$.queue'), 0)) AS complete
            FROM sessions ORDER BY created_at DESC, id DESC LIMIT ?""", (limit,)).fetchall()
        return [SessionSummary(r["id"], r["created_at"], r["title"], r["audio_path"], r["engine"],
                               r["model"], r["mode"], bool(r["complete"]), bool(r["queued"])) for r in rows]

    def resume_points(self) -> ResumePointRepository:
        """The unfinished file runs' checkpoints, in the same database."""
        return ResumePointRepository(self._conn)

    def delete(self, session_id: int) -> None:
        with transaction(self._conn) as c:
            c.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def _update(self, session_id: int, **values: object) -> None:
        cols = ", ".join(f"{k} = ?" for k in values)
        with transaction(self._conn) as c:
            cur = c.execute(f"UPDATE sessions SET {cols} WHERE id = ?", (*values.values(), session_id))
            if cur.rowcount != 1:
                raise KeyError(f"No session with id {session_id}.")


def resume_key(audio_path: str, shaping: dict) -> str | None:
    """What a stored checkpoint belongs to: this file as it is now, and the options that shape the result.

    Size and modification time stand for the content (hashing an hour of audio would cost seconds);
    a file re-recorded under the same name gets a new key, so a stale checkpoint is never applied
    to it. None when the file cannot be read: there is nothing to resume then.
    """
    try:
        st = os.stat(audio_path)
    except OSError:
        return None
    blob = json.dumps({"path": os.path.abspath(audio_path), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                       "options": shaping}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResumePointRepository:
    """The latest Checkpoint of each unfinished file run, written after every chunk.

    A chunk adds a few sentences to a checkpoint that, near the end of an hour, holds a thousand:
    only the new sentences are inserted and one small row updated, so the write stays cheap on the
    GUI thread however long the file (docs/benchmarks.md). A cancel or a crash at minute 50
    resumes at minute 50; the rows go when the run finishes.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def save(self, key: str, checkpoint: Checkpoint, *, audio_path: str = "",
             session_id: int | None = None) -> None:
        ver = checkpoint.verification
        with transaction(self._conn) as c:
            c.execute("""INSERT INTO resume_points (key, session_id, audio_path, position_ms, duration_ms,
                carry, verification, language, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET session_id = excluded.session_id,
                audio_path = excluded.audio_path, position_ms = excluded.position_ms,
                duration_ms = excluded.duration_ms, carry = excluded.carry,
                verification = excluded.verification, language = excluded.language,
                updated_at = excluded.updated_at""",
                      (key, session_id, audio_path, checkpoint.position_ms, checkpoint.duration_ms,
                       checkpoint.carry, json.dumps(asdict(ver)) if ver else None, checkpoint.language,
                       now_iso()))
            stored = c.execute("SELECT COUNT(*) FROM resume_sentences WHERE key = ?", (key,)).fetchone()[0]
            if stored > len(checkpoint.sentences):  # not this run's continuation: replace them all
                c.execute("DELETE FROM resume_sentences WHERE key = ?", (key,))
                stored = 0
            c.executemany("INSERT INTO resume_sentences (key, position, sentence) VALUES (?, ?, ?)",
                          [(key, k, json.dumps(asdict(s), ensure_ascii=False))
                           for k, s in enumerate(checkpoint.sentences[stored:], start=stored)])

    def load(self, key: str | None) -> Checkpoint | None:
        if key is None:
            return None
        r = self._conn.execute("SELECT * FROM resume_points WHERE key = ?", (key,)).fetchone()
        if r is None:
            return None
        rows = self._conn.execute("SELECT sentence FROM resume_sentences WHERE key = ? ORDER BY position",
                                  (key,)).fetchall()
        try:
            return Checkpoint.from_dict({
                "position_ms": r["position_ms"], "duration_ms": r["duration_ms"], "carry": r["carry"],
                "language": r["language"], "sentences": [json.loads(s["sentence"]) for s in rows],
                "verification": json.loads(r["verification"]) if r["verification"] else None})
        except (ValueError, TypeError, KeyError):  # unreadable (written by another version): start over
            self.delete(key)
            return None

    def session_of(self, key: str | None) -> int | None:
        """The session of the run that stored this point (None once that session was deleted)."""
        r = self._conn.execute("SELECT session_id FROM resume_points WHERE key = ?", (key,)).fetchone()
        return None if r is None else r["session_id"]

    def delete(self, key: str | None) -> None:
        if key is not None:
            with transaction(self._conn) as c:
                c.execute("DELETE FROM resume_points WHERE key = ?", (key,))
