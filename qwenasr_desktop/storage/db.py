"""Opening the SQLite database: WAL journal, foreign keys on, schema migrated to the latest step.

Every write elsewhere is one short transaction (`with conn:`), so killing the app loses at most
the edit that was being written; WAL keeps those commits cheap and crash-safe.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from .migrations import LATEST_VERSION, MIGRATIONS, Migration


class DatabaseError(Exception):
    """The database cannot be used as it is; the message says why and what to do."""


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS,
            upto: int | None = None) -> int:
    """Apply the missing steps, each in its own transaction together with its version bump."""
    current = schema_version(conn)
    latest = migrations[-1].version if migrations else 0
    if current > latest:
        raise DatabaseError(f"The database is at schema version {current}, but this version of the "
                            f"app only knows up to {latest}. Update the app, or use another data folder.")
    for step in migrations:
        if step.version <= current or (upto is not None and step.version > upto):
            continue
        # executescript() commits first, so run the statements one by one inside our transaction.
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(step.sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        current = step.version
    return current


def _statements(sql: str) -> list[str]:
    parts, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            parts.append(buf.strip())
            buf = ""
    if buf.strip():
        parts.append(buf.strip())
    return parts


def connect(path: str | Path, *, migrate_to_latest: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) the database at `path`, ready for use."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # isolation_level=None: we open transactions ourselves, one per edit.
        conn = sqlite3.connect(path, isolation_level=None, timeout=5.0)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.row_factory = sqlite3.Row
        if migrate_to_latest:
            migrate(conn)
    except sqlite3.DatabaseError as e:
        raise DatabaseError(f"Cannot open the database {path}: {e}. If the file is damaged, move it "
                            "away and start the app again to create a new one.") from e
    return conn


__all__ = ["LATEST_VERSION", "DatabaseError", "Migration", "connect", "migrate", "schema_version"]
