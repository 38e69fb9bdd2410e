"""storage/sessions.py on a real SQLite file: round trip, history order, migration from version 2."""

from __future__ import annotations

import sqlite3

import pytest

from qwenasr_desktop.core.context import Context, ContextMessage, Role
from qwenasr_desktop.core.hotwords import Hotword, HotwordList
from qwenasr_desktop.core.transcript import Sentence, Transcript, Word
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.migrations import MIGRATIONS
from qwenasr_desktop.storage.sessions import Session, SessionRepository


def transcript(text: str) -> Transcript:
    return Transcript([Sentence(text, 0, 900, [Word(text.split()[0], 0, 300, probability=0.5)])],
                      language="en", duration_ms=1000, engine="local", model="local-whisper-base")


@pytest.fixture()
def repo(tmp_path):
    conn = db.connect(tmp_path / "q.sqlite3")
    yield SessionRepository(conn)
    conn.close()


def test_round_trip_keeps_everything(repo, tmp_path):
    hl = HotwordList("Cities", "local-whisper-base", [Hotword("Basle", 5, "en"), Hotword("吕贝克", 3)])
    ctx = Context([ContextMessage(Role.USER, "printers in Europe"), ContextMessage(Role.ASSISTANT, "ok")])
    sid = repo.add(Session("local", "local-whisper-base", "file", str(tmp_path / "a.wav"), "clip",
                           {"b_adds": ["hotwords", "context"], "language_hints": ["en"]}, hl, ctx))
    assert repo.load(sid).transcript_a is None
    repo.set_transcripts(sid, transcript("Basel town"), transcript("Basle town"))
    repo.set_reference(sid, "Basle town")
    s = repo.load(sid)
    assert s.hotword_list == hl and s.context == ctx
    assert s.transcript_a == transcript("Basel town") and s.transcript_b.text == "Basle town"
    assert s.settings["b_adds"] == ["hotwords", "context"] and s.reference == "Basle town"
    assert s.created_at and s.audio_path.endswith("a.wav")


def test_history_is_newest_first_and_says_which_runs_finished(repo):
    first = repo.add(Session("local", "m", "file", title="one", created_at="2026-01-01T00:00:00"))
    second = repo.add(Session("dashscope-intl", "fun-asr", "realtime", title="two",
                              created_at="2026-01-02T00:00:00"))
    repo.set_transcripts(first, transcript("a"), transcript("b"))
    h = repo.history()
    assert [(s.id, s.complete) for s in h] == [(second, False), (first, True)]
    repo.delete(second)
    assert [s.id for s in repo.history()] == [first]
    with pytest.raises(KeyError, match="No session"):
        repo.load(second)
    with pytest.raises(KeyError, match="No session"):
        repo.set_reference(second, "x")


def test_a_version_2_database_is_migrated_and_keeps_its_lists(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = db.connect(path, migrate_to_latest=False)
    db.migrate(conn, MIGRATIONS, upto=2)
    HotwordListRepository(conn).create("Old list", "fun-asr", [Hotword("Qwen")])
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("SELECT * FROM sessions")
    conn.close()
    conn = db.connect(path)
    assert db.schema_version(conn) == MIGRATIONS[-1].version  # later steps apply on top
    assert HotwordListRepository(conn).summaries()[0].name == "Old list"
    assert SessionRepository(conn).history() == []
    conn.close()
