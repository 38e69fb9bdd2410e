"""Shared fixtures. Qt runs offscreen; the speech clips are vendored in tests/data (README there)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO / "tests" / "data"


def load_manifest(name: str = "manifest.jsonl") -> list[dict]:
    path = TESTDATA / name
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            rec["audio_path"] = path.parent / rec["audio"]
            records.append(rec)
    return records


@pytest.fixture(scope="session")
def manifest() -> dict[str, dict]:
    if not TESTDATA.is_dir():
        pytest.fail(f"test data not found at {TESTDATA}; it is part of the repository")
    return {r["id"]: r for r in load_manifest()}


@pytest.fixture()
def data_dir(tmp_path, monkeypatch) -> Path:
    """A private app data directory per test, so no test sees another's database or settings."""
    d = tmp_path / "appdata"
    d.mkdir()
    monkeypatch.setenv("QWENASR_DATA_DIR", str(d))
    return d


@pytest.fixture()
def db_path(data_dir) -> Path:
    """The app's database file inside the test's private data directory."""
    from qwenasr_desktop.storage.appdirs import resolve_app_dirs

    return resolve_app_dirs().ensure().database


@pytest.fixture()
def repo(db_path):
    """Hotword lists in that database (modules with another kind of `repo` define their own)."""
    from qwenasr_desktop.storage import db
    from qwenasr_desktop.storage.hotword_lists import HotwordListRepository

    r = HotwordListRepository(db.connect(db_path))
    yield r
    r._conn.close()
