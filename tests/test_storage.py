"""Storage on real SQLite files: write, close, reopen, read back; migrations from older schemas."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys

import pytest

from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.storage import db as dbmod
from qwenasr_desktop.storage.appdirs import DATABASE_NAME, resolve_app_dirs
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository, ListNameError
from qwenasr_desktop.storage.migrations import LATEST_VERSION, MIGRATIONS

ITEMS = [Hotword("厄洛替尼盐酸盐", 5, "zh"), Hotword("Фенибут Белфарм", 3),
         Hotword("EGFR inhibitor", 4, "en")]


def reopen(path):
    return HotwordListRepository(dbmod.connect(path))


def test_app_dirs_follow_the_environment_and_explicit_folder(data_dir, tmp_path):
    dirs = resolve_app_dirs().ensure()
    assert dirs.data == data_dir.resolve()
    assert dirs.database.name == DATABASE_NAME
    assert dirs.logs.is_dir() and dirs.sessions.is_dir()
    assert resolve_app_dirs(tmp_path / "other").data == (tmp_path / "other").resolve()


def test_new_database_uses_wal_foreign_keys_and_latest_schema(db_path):
    conn = dbmod.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert dbmod.schema_version(conn) == LATEST_VERSION


def test_list_survives_close_and_reopen(db_path):
    repo = reopen(db_path)
    list_id = repo.create("Pharmacology", "fun-asr-realtime", ITEMS, prefix="pharma", language_hints=["zh"])
    repo._conn.close()
    loaded = reopen(db_path).load(list_id)
    assert loaded.hotwords.name == "Pharmacology"
    assert loaded.hotwords.target_model == "fun-asr-realtime"
    assert loaded.hotwords.prefix == "pharma"
    assert loaded.hotwords.items == ITEMS
    assert loaded.language_hints == ["zh"]
    assert loaded.created_at and loaded.modified_at


def test_each_item_edit_is_saved_immediately_and_keeps_order(db_path):
    repo = reopen(db_path)
    list_id = repo.create("L", "fun-asr", ITEMS)
    repo.set_item(list_id, 1, Hotword("Фенибут", 2, "ru"))
    repo.insert_items(list_id, 1, [Hotword("a", 1), Hotword("b", 2)])
    repo.remove_rows(list_id, [0, 4])
    # A second connection (another process after a crash) sees every committed edit.
    other = reopen(db_path).load(list_id).hotwords.items
    assert other == [Hotword("a", 1), Hotword("b", 2), Hotword("Фенибут", 2, "ru")]
    repo.replace_items(list_id, [Hotword("x", 5)])
    assert reopen(db_path).load(list_id).hotwords.items == [Hotword("x", 5)]


def test_edit_of_missing_row_fails_and_changes_nothing(db_path):
    repo = reopen(db_path)
    list_id = repo.create("L", "fun-asr", ITEMS)
    with pytest.raises(IndexError):
        repo.set_item(list_id, 7, Hotword("nope"))
    assert repo.load(list_id).hotwords.items == ITEMS


def test_rename_duplicate_delete(db_path):
    repo = reopen(db_path)
    a = repo.create("Cardiology", "fun-asr", ITEMS)
    b = repo.duplicate(a)
    assert repo.load(b).hotwords.name == "Cardiology (copy)"
    assert repo.load(b).hotwords.items == ITEMS
    c = repo.duplicate(a)
    assert repo.load(c).hotwords.name == "Cardiology (copy) 2"
    with pytest.raises(ListNameError, match="already a list named"):
        repo.rename(b, "cardiology")
    with pytest.raises(ListNameError, match="needs a name"):
        repo.rename(b, "   ")
    repo.rename(b, "Neurology")
    repo.delete(a)
    names = [s.name for s in reopen(db_path).summaries()]
    assert names == ["Cardiology (copy) 2", "Neurology"]
    # The items of a deleted list go with it (foreign key cascade).
    assert repo._conn.execute("SELECT COUNT(*) FROM hotword_items WHERE list_id = ?", (a,)).fetchone()[0] == 0


def test_summaries_count_items(db_path):
    repo = reopen(db_path)
    repo.create("B", "fun-asr", ITEMS)
    repo.create("a", "paraformer-v2")
    assert [(s.name, s.item_count) for s in repo.summaries()] == [("a", 0), ("B", 3)]


def test_cloud_state_and_app_state_round_trip(db_path):
    repo = reopen(db_path)
    list_id = repo.create("L", "fun-asr")
    repo.set_cloud_state(list_id, "vocab-pharma-123", "OK", "2026-01-01T00:00:00Z")
    repo.set_state("last_list", str(list_id))
    repo2 = reopen(db_path)
    loaded = repo2.load(list_id)
    assert (loaded.cloud_vocabulary_id, loaded.cloud_status) == ("vocab-pharma-123", "OK")
    assert repo2.get_state("last_list") == str(list_id)
    assert repo2.get_state("missing", "d") == "d"


def test_migration_from_version_1_keeps_the_data(db_path):
    conn = dbmod.connect(db_path, migrate_to_latest=False)
    assert dbmod.migrate(conn, upto=1) == 1
    conn.execute("INSERT INTO hotword_lists (name, target_model, prefix, created_at, modified_at) "
                 "VALUES ('Old', 'fun-asr', 'old', 't0', 't0')")
    conn.execute("INSERT INTO hotword_items (list_id, position, text, weight, lang) "
                 "VALUES (1, 0, '厄洛替尼', 4, 'zh')")
    conn.close()
    repo = reopen(db_path)
    assert dbmod.schema_version(repo._conn) == LATEST_VERSION
    loaded = repo.load(1)
    assert loaded.hotwords.items == [Hotword("厄洛替尼", 4, "zh")]
    assert loaded.language_hints == [] and loaded.cloud_vocabulary_id is None


def test_failed_migration_rolls_back_to_previous_version(db_path):
    conn = dbmod.connect(db_path, migrate_to_latest=False)
    broken = (*MIGRATIONS, dbmod.Migration(LATEST_VERSION + 1, "broken",
                                           "CREATE TABLE t (x INTEGER);\nSELECT * FROM no_such_table;"))
    with pytest.raises(sqlite3.OperationalError):
        dbmod.migrate(conn, broken)
    assert dbmod.schema_version(conn) == LATEST_VERSION
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 't'").fetchone() is None


def test_database_from_a_newer_app_is_refused_with_a_clear_message(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.close()
    with pytest.raises(dbmod.DatabaseError, match="Update the app"):
        dbmod.connect(db_path)


def test_damaged_file_gives_a_clear_message(db_path):
    db_path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(dbmod.DatabaseError, match="move it away"):
        dbmod.connect(db_path)


WRITER = """
import sys
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
repo = HotwordListRepository(db.connect(sys.argv[1]))
list_id = repo.create("Killed", "fun-asr")
for n in range(100000):
    repo.insert_items(list_id, n, [Hotword(f"word {n}", 1 + n % 5)])
    print(n, flush=True)
"""


def test_killed_writer_loses_nothing_it_reported_as_saved(db_path):
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for _ in range(50):
        last = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    items = reopen(db_path).load(1).hotwords.items
    assert len(items) >= last + 1
    assert items[: last + 1] == [Hotword(f"word {n}", 1 + n % 5) for n in range(last + 1)]
