"""The batch queue: its rules without widgets, then the real tab on the real offline engine with real
clips, a broken file and a real SQLite file; cancel; and a finished row opened in the workbench."""

from __future__ import annotations

import pytest

from qwenasr_desktop.core.batch_queue import FileQueue, ItemStatus, QueueItem
from qwenasr_desktop.core.models import LOCAL_BASE, Mode
from qwenasr_desktop.engines.engine_labels import EngineChoice
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.appdirs import AppDirs
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.sessions import SessionRepository
from qwenasr_desktop.ui.compare.install import add_compare_pages
from qwenasr_desktop.ui.main_window import MainWindow
from qwenasr_desktop.ui.queue.queue_page import QueuePage
from qwenasr_desktop.ui.queue.runner import QueueSettings
from qwenasr_desktop.ui.recognition.runner import RunRequest

SHORT = ("sh_en_ls_1089-134686-0001", "sh_en_lj001_0028")
LONG = "dv_en_osr_us_000_0034_8k"
RUN_MS = 600_000


# ---------------------------------------------------------------------------- the pure queue
def test_a_file_is_not_queued_twice_while_it_waits_or_runs():
    q = FileQueue()
    assert q.add(["a.wav", "b.wav", "a.wav"]) == [0, 1]
    q.start(0)
    assert q.add(["a.wav"]) == []
    q.done(0, 7)
    assert q.add(["a.wav"]) == [2]  # finished: it may be run again


def test_status_words():
    item = QueueItem("x.wav", ItemStatus.RUNNING)
    assert item.status_text() == "running…"  # no chunk yet: no made-up percentage
    item.position_ms, item.duration_ms = 244_800, 720_000
    assert item.status_text() == "running 34 % of 12:00"
    item.status, item.reason = ItemStatus.FAILED, "not audio"
    assert item.status_text() == "failed: not audio"


def test_cancel_all_touches_only_unfinished_rows():
    q = FileQueue()
    q.add(["a.wav", "b.wav", "c.wav"])
    q.start(0)
    q.done(0, 1)
    q.start(1)
    assert q.cancel_all() == [1, 2]
    assert [i.status for i in q.items] == [ItemStatus.DONE, ItemStatus.CANCELLED, ItemStatus.CANCELLED]
    assert q.next_waiting() is None


def test_a_folder_gives_its_audio_files_sorted(tmp_path):
    for name in ("b.wav", "a.FLAC", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.wav").write_bytes(b"x")
    assert FileQueue.audio_files(tmp_path) == [str(tmp_path / "a.FLAC"), str(tmp_path / "b.wav")]
    assert FileQueue.audio_files(tmp_path / "missing") == []


# ------------------------------------------------------------------------ the tab, real engine
def offline_settings() -> QueueSettings:
    return QueueSettings(RunRequest(EngineChoice.OFFLINE, LOCAL_BASE, Mode.FILE))


@pytest.fixture()
def queue_page(qtbot, tmp_path):
    sessions = SessionRepository(db.connect(tmp_path / "q.sqlite3"))
    page = QueuePage(sessions, offline_settings)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    return page


def statuses(page: QueuePage) -> list[str]:
    return [page.model.index(r, 1).data() for r in range(page.model.rowCount())]


@pytest.mark.slow
def test_three_files_one_broken_the_others_done_and_stored(qtbot, queue_page, manifest, tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"this is not audio at all")
    folder = tmp_path / "in"
    folder.mkdir()
    clips = [manifest[c]["audio_path"] for c in SHORT]
    for k, clip in enumerate(clips):
        (folder / f"{k}-{clip.name}").write_bytes(clip.read_bytes())
    assert queue_page.add_files([str(broken)]) == 1
    with qtbot.waitSignal(queue_page.runner.idle, timeout=RUN_MS):
        assert queue_page.add_folder(str(folder)) == 2
    rows = statuses(queue_page)
    assert rows[0].startswith("failed: ") and "Traceback" not in rows[0] and len(rows[0]) > 12, rows[0]
    assert rows[1:] == ["done", "done"]
    for item, rec in zip(queue_page.queue.items[1:], SHORT, strict=True):
        s = queue_page.runner.sessions.load(item.session_id)
        assert s.audio_path == item.path and s.transcript_b is not None and s.transcript_a is None
        words = set(manifest[rec]["reference_normalized"].split())
        heard = set(s.transcript_b.text.lower().replace(",", "").replace(".", "").split())
        assert len(words & heard) >= len(words) // 2, s.transcript_b.text


@pytest.mark.slow
def test_cancel_one_and_cancel_all(qtbot, queue_page, manifest):
    long_clip, short_clip = (str(manifest[c]["audio_path"]) for c in (LONG, SHORT[0]))
    queue_page.add_files([long_clip, short_clip, str(manifest[SHORT[1]]["audio_path"])])
    assert statuses(queue_page)[0] == "running…"
    queue_page.table.selectRow(1)
    assert queue_page.cancel_button.isEnabled()
    queue_page.cancel_button.click()  # a waiting row
    assert statuses(queue_page)[1] == "cancelled"
    with qtbot.waitSignal(queue_page.runner.idle, timeout=RUN_MS):
        queue_page.cancel_all_button.click()  # the running row and the last waiting one
        assert statuses(queue_page) == ["cancelled"] * 3
    assert statuses(queue_page) == ["cancelled"] * 3  # the stopped worker changed nothing afterwards
    assert queue_page.runner.sessions.history() == [] and not queue_page.cancel_all_button.isEnabled()


@pytest.mark.slow
def test_a_finished_row_opens_in_the_workbench(qtbot, tmp_path, manifest):
    dirs = AppDirs(tmp_path / "data").ensure()
    repo = HotwordListRepository(db.connect(dirs.database))
    window = MainWindow(repo)
    qtbot.addWidget(window)
    pages = add_compare_pages(window, repo, dirs)
    window.resize(1280, 720)
    window.show()
    assert pages.compare.settings.select_model(LOCAL_BASE)
    window.tabs.setCurrentWidget(pages.queue_holder)
    page = pages.queue_holder.ensure()
    clip = str(manifest[SHORT[0]]["audio_path"])
    with qtbot.waitSignal(page.runner.idle, timeout=RUN_MS):
        page.add_files([clip])
    page.table.selectRow(0)
    assert page.open_button.isEnabled()
    page.open_button.click()
    assert window.tabs.currentWidget() is pages.workbench.holder
    doc = pages.workbench.page.doc
    assert doc is not None and doc.audio_path == clip and doc.current.sentences
    [summary] = pages.sessions.history()  # History lists it too, as finished
    assert summary.audio_path == clip and summary.queued and summary.complete
