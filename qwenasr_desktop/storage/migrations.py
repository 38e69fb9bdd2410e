"""The database schema as an ordered list of migrations; PRAGMA user_version is the step reached.

Append new steps at the end, never edit a released one: a user's database is at whatever step
their last version left it. Later features (sessions, transcripts) add their tables as new steps
here and their queries in a module of their own beside `hotword_lists.py`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "hotword lists and their items", """
        CREATE TABLE hotword_lists (
            id           INTEGER PRIMARY KEY,
            name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
            target_model TEXT NOT NULL,
            prefix       TEXT NOT NULL DEFAULT '',
            created_at   TEXT NOT NULL,
            modified_at  TEXT NOT NULL
        );
        CREATE TABLE hotword_items (
            id       INTEGER PRIMARY KEY,
            list_id  INTEGER NOT NULL REFERENCES hotword_lists(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text     TEXT NOT NULL,
            weight   INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 5),
            lang     TEXT
        );
        CREATE INDEX hotword_items_by_list ON hotword_items(list_id, position);
        CREATE TABLE app_state (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
    """),
    Migration(2, "cloud vocabulary sync columns and per-list language hints", """
        ALTER TABLE hotword_lists ADD COLUMN language_hints TEXT NOT NULL DEFAULT '';
        ALTER TABLE hotword_lists ADD COLUMN cloud_vocabulary_id TEXT;
        ALTER TABLE hotword_lists ADD COLUMN cloud_status TEXT;
        ALTER TABLE hotword_lists ADD COLUMN cloud_synced_at TEXT;
    """),
    Migration(3, "recognition sessions: audio, settings, list snapshot, context, both transcripts", """
        CREATE TABLE sessions (
            id            INTEGER PRIMARY KEY,
            created_at    TEXT NOT NULL,
            title         TEXT NOT NULL DEFAULT '',
            audio_path    TEXT NOT NULL DEFAULT '',
            engine        TEXT NOT NULL,
            model         TEXT NOT NULL,
            mode          TEXT NOT NULL,
            settings      TEXT NOT NULL DEFAULT '{}',
            list_snapshot TEXT,
            context       TEXT,
            transcript_a  TEXT,
            transcript_b  TEXT,
            reference     TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX sessions_by_time ON sessions(created_at);
    """),
    Migration(4, "workbench documents: a transcript being corrected, one row per sentence", """
        CREATE TABLE workbench_documents (
            id              INTEGER PRIMARY KEY,
            session_id      INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            side            TEXT NOT NULL DEFAULT '',
            title           TEXT NOT NULL DEFAULT '',
            audio_path      TEXT NOT NULL DEFAULT '',
            meta            TEXT NOT NULL DEFAULT '{}',
            speaker_names   TEXT NOT NULL DEFAULT '{}',
            hotword_list    TEXT NOT NULL DEFAULT '',
            position_ms     INTEGER NOT NULL DEFAULT 0,
            cursor_sentence INTEGER NOT NULL DEFAULT 0,
            cursor_offset   INTEGER NOT NULL DEFAULT 0,
            is_open         INTEGER NOT NULL DEFAULT 0,
            created_at      TEXT NOT NULL,
            modified_at     TEXT NOT NULL
        );
        CREATE UNIQUE INDEX workbench_documents_by_session
            ON workbench_documents(session_id, side) WHERE session_id IS NOT NULL;
        CREATE TABLE workbench_sentences (
            document_id INTEGER NOT NULL REFERENCES workbench_documents(id) ON DELETE CASCADE,
            position    INTEGER NOT NULL,
            original    TEXT NOT NULL,
            current     TEXT NOT NULL,
            PRIMARY KEY (document_id, position)
        );
    """),
    Migration(5, "resume points: where an unfinished file recognition stopped, and its sentences so far", """
        CREATE TABLE resume_points (
            key          TEXT PRIMARY KEY,
            session_id   INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            audio_path   TEXT NOT NULL DEFAULT '',
            position_ms  INTEGER NOT NULL,
            duration_ms  INTEGER NOT NULL,
            carry        TEXT NOT NULL DEFAULT '',
            verification TEXT,
            language     TEXT,
            updated_at   TEXT NOT NULL
        );
        CREATE TABLE resume_sentences (
            key      TEXT NOT NULL REFERENCES resume_points(key) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            sentence TEXT NOT NULL,
            PRIMARY KEY (key, position)
        );
    """),
)

LATEST_VERSION = MIGRATIONS[-1].version
