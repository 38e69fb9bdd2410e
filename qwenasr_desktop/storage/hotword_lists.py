"""Hotword lists in SQLite: the lists, their items in order, and their cloud sync state.

Each method is one short transaction, so the editor can save every single edit as it happens
(autosave) and a crash loses at most the edit being written. Items are addressed by their row
index in the list, exactly as the editor shows them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..core.hotwords import Hotword, HotwordList


class ListNameError(ValueError):
    """A list name that is empty or already taken."""


@dataclass(frozen=True)
class ListSummary:
    """What the list sidebar shows, without loading the items."""

    id: int
    name: str
    target_model: str
    item_count: int
    modified_at: str


@dataclass
class StoredList:
    """A list as stored: the editable `HotwordList` plus its id, hints and cloud sync state."""

    id: int
    hotwords: HotwordList
    language_hints: list[str] = field(default_factory=list)
    cloud_vocabulary_id: str | None = None
    cloud_status: str | None = None
    cloud_synced_at: str | None = None
    created_at: str = ""
    modified_at: str = ""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic write: committed as a whole or not at all."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class HotwordListRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # --- lists -------------------------------------------------------------------------------

    def summaries(self) -> list[ListSummary]:
        rows = self._conn.execute("""
            SELECT l.id, l.name, l.target_model, l.modified_at, COUNT(i.id) AS n
            FROM hotword_lists l LEFT JOIN hotword_items i ON i.list_id = l.id
            GROUP BY l.id ORDER BY l.name COLLATE NOCASE""").fetchall()
        return [ListSummary(r["id"], r["name"], r["target_model"], r["n"], r["modified_at"]) for r in rows]

    def create(self, name: str, target_model: str, items: Sequence[Hotword] = (), prefix: str = "",
               language_hints: Sequence[str] = ()) -> int:
        name = self._check_name(name)
        stamp = now_iso()
        with transaction(self._conn) as c:
            cur = c.execute("""INSERT INTO hotword_lists
                (name, target_model, prefix, language_hints, created_at, modified_at)
                VALUES (?, ?, ?, ?, ?, ?)""", (name, target_model, prefix, ",".join(language_hints),
                                              stamp, stamp))
            list_id = int(cur.lastrowid or 0)
            self._insert_rows(c, list_id, 0, items)
        return list_id

    def load(self, list_id: int) -> StoredList:
        row = self._conn.execute("SELECT * FROM hotword_lists WHERE id = ?", (list_id,)).fetchone()
        if row is None:
            raise KeyError(f"No hotword list with id {list_id}.")
        items = [Hotword(r["text"], r["weight"], r["lang"]) for r in self._conn.execute(
            "SELECT text, weight, lang FROM hotword_items WHERE list_id = ? ORDER BY position", (list_id,))]
        hints = [h for h in row["language_hints"].split(",") if h]
        return StoredList(row["id"], HotwordList(row["name"], row["target_model"], items, row["prefix"]),
                          hints, row["cloud_vocabulary_id"], row["cloud_status"], row["cloud_synced_at"],
                          row["created_at"], row["modified_at"])

    def rename(self, list_id: int, name: str) -> None:
        name = self._check_name(name, except_id=list_id)
        self._update_list(list_id, name=name)

    def duplicate(self, list_id: int, name: str | None = None) -> int:
        src = self.load(list_id)
        new_name = name or self.free_name(f"{src.hotwords.name} (copy)")
        return self.create(new_name, src.hotwords.target_model, src.hotwords.items, src.hotwords.prefix,
                           src.language_hints)

    def delete(self, list_id: int) -> None:
        with transaction(self._conn) as c:
            c.execute("DELETE FROM hotword_lists WHERE id = ?", (list_id,))

    def set_target_model(self, list_id: int, target_model: str) -> None:
        self._update_list(list_id, target_model=target_model)

    def set_prefix(self, list_id: int, prefix: str) -> None:
        self._update_list(list_id, prefix=prefix)

    def set_language_hints(self, list_id: int, hints: Sequence[str]) -> None:
        self._update_list(list_id, language_hints=",".join(hints))

    def set_cloud_state(self, list_id: int, vocabulary_id: str | None, status: str | None,
                        synced_at: str | None = None) -> None:
        self._update_list(list_id, cloud_vocabulary_id=vocabulary_id, cloud_status=status,
                          cloud_synced_at=synced_at)

    def free_name(self, wanted: str) -> str:
        """`wanted`, or `wanted 2`, `wanted 3`... whichever is not taken yet."""
        taken = {r[0].casefold() for r in self._conn.execute("SELECT name FROM hotword_lists")}
        if wanted.casefold() not in taken:
            return wanted
        n = 2
        while f"{wanted} {n}".casefold() in taken:
            n += 1
        return f"{wanted} {n}"

    # --- items -------------------------------------------------------------------------------

    def set_item(self, list_id: int, row: int, item: Hotword) -> None:
        with transaction(self._conn) as c:
            cur = c.execute("UPDATE hotword_items SET text = ?, weight = ?, lang = ? "
                            "WHERE list_id = ? AND position = ?",
                            (item.text, item.weight, item.lang, list_id, row))
            if cur.rowcount != 1:
                raise IndexError(f"List {list_id} has no row {row}.")
            self._touch(c, list_id)

    def insert_items(self, list_id: int, row: int, items: Sequence[Hotword]) -> None:
        with transaction(self._conn) as c:
            self._insert_rows(c, list_id, row, items)
            self._touch(c, list_id)

    def remove_rows(self, list_id: int, rows: Sequence[int]) -> None:
        """Remove the given row indexes (any order); later rows move up."""
        with transaction(self._conn) as c:
            for row in sorted(set(rows), reverse=True):
                c.execute("DELETE FROM hotword_items WHERE list_id = ? AND position = ?", (list_id, row))
                c.execute("UPDATE hotword_items SET position = position - 1 "
                          "WHERE list_id = ? AND position > ?", (list_id, row))
            self._touch(c, list_id)

    def replace_items(self, list_id: int, items: Sequence[Hotword]) -> None:
        with transaction(self._conn) as c:
            c.execute("DELETE FROM hotword_items WHERE list_id = ?", (list_id,))
            self._insert_rows(c, list_id, 0, items)
            self._touch(c, list_id)

    # --- app state (small key/value settings that belong with the data) ---------------------

    def get_state(self, key: str, default: str | None = None) -> str | None:
        row = self._conn.execute("SELECT value FROM app_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_state(self, key: str, value: str) -> None:
        with transaction(self._conn) as c:
            c.execute("INSERT INTO app_state(key, value) VALUES (?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # --- helpers -------------------------------------------------------------------------------

    def _check_name(self, name: str, except_id: int | None = None) -> str:
        name = (name or "").strip()
        if not name:
            raise ListNameError("A list needs a name.")
        row = self._conn.execute("SELECT id FROM hotword_lists WHERE name = ? COLLATE NOCASE",
                                 (name,)).fetchone()
        if row is not None and row[0] != except_id:
            raise ListNameError(f"There is already a list named \"{name}\". Pick another name.")
        return name

    def _update_list(self, list_id: int, **values: object) -> None:
        cols = ", ".join(f"{k} = ?" for k in values)
        with transaction(self._conn) as c:
            cur = c.execute(f"UPDATE hotword_lists SET {cols}, modified_at = ? WHERE id = ?",
                            (*values.values(), now_iso(), list_id))
            if cur.rowcount != 1:
                raise KeyError(f"No hotword list with id {list_id}.")

    @staticmethod
    def _insert_rows(c: sqlite3.Connection, list_id: int, row: int, items: Sequence[Hotword]) -> None:
        if not items:
            return
        c.execute("UPDATE hotword_items SET position = position + ? WHERE list_id = ? AND position >= ?",
                  (len(items), list_id, row))
        c.executemany("INSERT INTO hotword_items (list_id, position, text, weight, lang) "
                      "VALUES (?, ?, ?, ?, ?)",
                      [(list_id, row + k, h.text, h.weight, h.lang) for k, h in enumerate(items)])

    @staticmethod
    def _touch(c: sqlite3.Connection, list_id: int) -> None:
        c.execute("UPDATE hotword_lists SET modified_at = ? WHERE id = ?", (now_iso(), list_id))
