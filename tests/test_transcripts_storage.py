"""Workbench documents on a real SQLite file: every edit saved, kept across close and reopen."""

from __future__ import annotations

import pytest

from qwenasr_desktop.core.compare import Side
from qwenasr_desktop.core.transcript import Sentence, Transcript, Word
from qwenasr_desktop.core.transcript_edit import apply_text_edit
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.migrations import LATEST_VERSION
from qwenasr_desktop.storage.sessions import Session, SessionRepository
from qwenasr_desktop.storage.transcripts import TranscriptRepository
from qwenasr_desktop.storage.workbench_prefs import WorkbenchPrefs, load_prefs, save_prefs


def engine_transcript() -> Transcript:
    return Transcript([
        Sentence("Hello cue when.", 0, 1500, [Word(" Hello", 0, 400), Word(" cue", 500, 800),
                                               Word(" when", 800, 1100, ".")], speaker=0),
        Sentence("你好世界", 2000, 3000, [Word("你好", 2000, 2400), Word("世界", 2500, 3000)], speaker=1),
    ], language="en", duration_ms=3000, engine="local", model="whisper-base")


def test_edits_place_and_speaker_names_survive_close_and_reopen(tmp_path):
    path = tmp_path / "app.sqlite3"
    conn = db.connect(path)
    repo = TranscriptRepository(conn)
    doc_id = repo.create(engine_transcript(), title="Talk", audio_path="/a/talk.wav", hotword_list="Demo")
    doc = repo.load(doc_id)
    assert [w.text for w in doc.current.sentences[1].words] == ["你", "好", "世", "界"]  # one word per token
    edited = apply_text_edit(doc.current.sentences[0], "Hello Qwen.").sentence
    repo.save_sentence(doc_id, 0, edited)
    repo.set_speaker_name(doc_id, 1, "  Li Wei ")
    repo.set_place(doc_id, position_ms=2345, cursor_sentence=1, cursor_offset=2)
    repo.set_open(doc_id, True)
    conn.close()

    again = TranscriptRepository(db.connect(path)).load(doc_id)
    assert again.current.sentences[0].text == "Hello Qwen."
    assert [(w.text, w.begin_ms, w.end_ms) for w in again.current.sentences[0].words] == [
        ("Hello", 0, 400), ("Qwen", 500, 1100)]
    assert again.original.sentences[0].text == "Hello cue when."  # the engine's version stays for learning
    assert again.speaker_names == {1: "Li Wei"}
    assert (again.position_ms, again.cursor_sentence, again.cursor_offset) == (2345, 1, 2)
    assert again.hotword_list == "Demo" and again.current.model == "whisper-base"
    assert again.is_open


def test_documents_left_open_are_found_for_crash_recovery(tmp_path):
    repo = TranscriptRepository(db.connect(tmp_path / "a.sqlite3"))
    a = repo.create(engine_transcript(), title="a")
    b = repo.create(engine_transcript(), title="b")
    repo.set_open(a, True)
    repo.set_open(b, True)
    repo.set_open(b, False)  # closed cleanly
    assert repo.left_open() == [a]


def test_one_document_per_session_side_and_session_delete_keeps_the_work(tmp_path):
    conn = db.connect(tmp_path / "a.sqlite3")
    sessions = SessionRepository(conn)
    sid = sessions.add(Session("local", "whisper-base", "file", transcript_b=engine_transcript()))
    repo = TranscriptRepository(conn)
    doc_id = repo.create(engine_transcript(), session_id=sid, side=Side.B)
    assert repo.for_session(sid, Side.B) == doc_id and repo.for_session(sid, Side.A) is None
    assert repo.load(doc_id).side is Side.B
    with pytest.raises(Exception, match="UNIQUE"):
        repo.create(engine_transcript(), session_id=sid, side=Side.B)
    sessions.delete(sid)
    assert repo.load(doc_id).session_id is None  # the corrected transcript is not thrown away


def test_saving_a_missing_sentence_or_document_fails_clearly(tmp_path):
    repo = TranscriptRepository(db.connect(tmp_path / "a.sqlite3"))
    doc_id = repo.create(engine_transcript())
    with pytest.raises(IndexError, match="no sentence 7"):
        repo.save_sentence(doc_id, 7, Sentence("x", 0, 1))
    with pytest.raises(KeyError, match="No workbench document with id 99"):
        repo.load(99)


def test_migration_4_applies_to_a_version_3_database_with_sessions(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = db.connect(path, migrate_to_latest=False)
    db.migrate(conn, upto=3)
    SessionRepository(conn).add(Session("local", "m", "file"))
    conn.close()
    conn = db.connect(path)
    assert db.schema_version(conn) == LATEST_VERSION >= 4
    assert len(SessionRepository(conn).history()) == 1


def test_prefs_round_trip_clamped_and_damaged_value_falls_back(tmp_path):
    conn = db.connect(tmp_path / "a.sqlite3")
    assert load_prefs(conn) == WorkbenchPrefs()
    save_prefs(conn, WorkbenchPrefs(rewind_on_resume_s=9, speed=1.3, shortcuts={"play_pause": "F9"}))
    p = load_prefs(conn)
    assert (p.rewind_on_resume_s, p.speed, p.shortcuts) == (5.0, 1.25, {"play_pause": "F9"})
    conn.execute("UPDATE app_state SET value = 'not json' WHERE key = 'workbench.prefs'")
    assert load_prefs(conn) == WorkbenchPrefs()
