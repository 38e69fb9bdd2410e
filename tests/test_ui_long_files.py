"""Long files on the Recognize & compare page: progress in words, sentences as chunks finish, stale
chunks dropped, and cancel + resume from the checkpoint stored in a real SQLite file.

The real offline engine on a vendored clip that it cuts into two chunks (the 35 s Harvard
sentences: 1.0-20.6 s and 21.0-35.0 s), so "after the first chunk" is a real state. Whisper runs
are few and shared: one uninterrupted run (the reference), one cancelled and resumed, one superseded.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from qwenasr_desktop.core.compare import Side
from qwenasr_desktop.core.models import LOCAL_BASE
from qwenasr_desktop.core.run_clock import RunClock, elapsed_text, time_left_text
from qwenasr_desktop.core.transcript import Checkpoint, Sentence
from qwenasr_desktop.engines.engine_labels import EngineChoice
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.sessions import ResumePointRepository, SessionRepository, resume_key
from qwenasr_desktop.ui.compare.compare_page import ComparePage
from qwenasr_desktop.ui.jobs import long_pool
from qwenasr_desktop.ui.recognition.runner import ComparisonRunner, RunRequest

CLIP = "dv_en_osr_us_000_0034_8k"  # two chunks
SHORT = "sh_en_ls_1089-134686-0001"
RUN_MS = 600_000
# A stopped after its first chunk; B had finished its own first chunk by then, or not yet.
OFFER = re.compile(r"^Resume (from 00:20|\(A from 00:20, B from 00:00\))$")
PROGRESS = re.compile(r"^A: 00:20 of 00:35 · elapsed \d+:\d\d · (about \d+ min|less than a minute) left$")


# ----------------------------------------------------------------------------- pure parts
class FakeTime:
    """A clock the test moves by hand: the arithmetic of the estimate, not the machine's speed."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_clock_says_nothing_about_time_left_before_the_first_chunk():
    t = FakeTime()
    c = RunClock(now=t)
    t.t += 190
    assert c.fraction is None and c.seconds_left() is None
    assert c.text() == "starting… · elapsed 3:10"


def test_clock_estimates_from_this_runs_speed_only():
    t = FakeTime()
    c = RunClock(now=t)
    c.begin(position_ms=600_000, duration_ms=3_483_000)  # resumed at 10:00 of 58:03
    assert c.text().startswith("10:00 of 58:03 · elapsed 0:00") and c.seconds_left() is None
    t.t += 60
    c.chunk(760_000, 3_483_000)  # 160 s of audio in 60 s
    assert c.seconds_left() == pytest.approx((3_483_000 - 760_000) / 160_000 * 60)
    t.t += 130
    assert c.text() == "12:40 of 58:03 · elapsed 3:10 · about 15 min left"
    assert c.fraction == pytest.approx(760 / 3483)


def test_clock_words():
    assert elapsed_text(3725) == "1:02:05" and elapsed_text(59) == "0:59"
    assert time_left_text(30) == "less than a minute left" and time_left_text(660) == "about 11 min left"


def test_resume_points_in_a_real_sqlite_file(tmp_path):
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF....")
    conn = db.connect(tmp_path / "q.sqlite3")
    points = ResumePointRepository(conn)
    key = resume_key(str(audio), {"model": "m"})
    assert key and key != resume_key(str(audio), {"model": "other"})
    point = Checkpoint(20_000, 35_000, [Sentence("Hello.", 0, 900)], carry="Hello.", language="en")
    points.save(key, point, audio_path=str(audio))
    points.save(key, Checkpoint(30_000, 35_000, point.sentences, carry="Hello."))  # one row, updated
    conn.close()
    again = ResumePointRepository(db.connect(tmp_path / "q.sqlite3"))  # after a "crash"
    assert again.load(key).position_ms == 30_000 and again.load(key).sentences[0].text == "Hello."
    os.utime(audio, (1, 1))  # the file changed: its old checkpoint is not offered for it
    assert again.load(resume_key(str(audio), {"model": "m"})) is None
    again.delete(key)
    assert again.load(key) is None and resume_key(str(tmp_path / "gone.wav"), {}) is None


# ------------------------------------------------------------------------- real engine runs
def make_page(qtbot, db_file: Path) -> ComparePage:
    conn = db.connect(db_file)
    page = ComparePage(HotwordListRepository(conn), SessionRepository(conn), db_file.parent / "sessions")
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    assert page.settings.select_model(LOCAL_BASE)
    page.settings.add_context.setChecked(False)
    return page


def open_clip(qtbot, page: ComparePage, path: Path) -> None:
    with qtbot.waitSignal(page.message, timeout=60_000, check_params_cb=lambda m: m.startswith("Opened")):
        page.open_file(str(path))


class Watch:
    """What the page showed at each chunk of side A: the bar's line and A's column."""

    def __init__(self, page: ComparePage) -> None:
        self.page, self.seen, self.after_cancel = page, [], []
        self.cancelled = False
        page.runner.chunk.connect(self._on_chunk)

    def _on_chunk(self, key: str, done) -> None:
        if self.cancelled:
            self.after_cancel.append((key, done))
        if key == "a":
            cols = self.page.view.columns
            self.seen.append((cols.progress[Side.A].format(), done.checkpoint.position_ms))


@pytest.fixture(scope="module")
def full_run(qapp, manifest, tmp_path_factory, request):
    """One uninterrupted run: the reference for resume, and the progress lines of each chunk."""
    from pytestqt.qtbot import QtBot

    qtbot = QtBot(request)
    page = make_page(qtbot, tmp_path_factory.mktemp("full") / "q.sqlite3")
    open_clip(qtbot, page, manifest[CLIP]["audio_path"])
    watch = Watch(page)
    column_at_chunk = []
    page.runner.chunk.connect(lambda key, _d: key == "a" and column_at_chunk.append(
        page.transcripts["a"].text if page.transcripts["a"] else ""))
    shown = []  # (A's sentences, A's column) each time the view showed a comparison
    page.view.comparisonReady.connect(lambda r: shown.append(
        (len(r.a.sentences), page.view.columns.view_a.toPlainText())))
    with qtbot.waitSignal(page.runFinished, timeout=RUN_MS):
        page.run_box.compare.click()
    yield page, watch, (column_at_chunk, shown)
    page.close()


@pytest.mark.slow
def test_progress_line_advances_with_real_chunks(full_run):
    _page, watch, _ = full_run
    positions = [p for _, p in watch.seen]
    assert positions == [20_648, 35_048]
    # Read after the page handled the chunk: the line moved from "starting…" to audio position of
    # the total, elapsed, and an estimate measured on the first chunk.
    assert PROGRESS.match(watch.seen[0][0]), watch.seen[0][0]
    assert watch.seen[1][0].startswith("A: 00:35 of 00:35 · elapsed ")


@pytest.mark.slow
def test_sentences_reach_the_column_chunk_by_chunk(full_run):
    page, _, (column_at_chunk, shown) = full_run
    first, final = column_at_chunk[0], page.view.result.a.text  # A's text after the first chunk
    assert "gold ring" in first.lower() and "bell" not in first.lower()
    assert "bell" in final.lower()
    # ...and it was on screen while the run went on (the comparison job is not queued behind the
    # recognitions until they end)
    first_chunk = sum(s.end_ms <= 20_648 for s in page.view.result.a.sentences)
    assert any(n == first_chunk and "gold ring" in text.lower() and "bell" not in text.lower()
               for n, text in shown), shown
    assert page.sessions.resume_points().load(page.long_run.keys[Side.A]) is None  # finished: dropped


@pytest.mark.slow
def test_cancel_after_first_chunk_then_resume_after_restart_gives_one_runs_transcript(
        full_run, qtbot, manifest, tmp_path):
    reference, _, _ = full_run
    db_file = tmp_path / "q.sqlite3"
    page = make_page(qtbot, db_file)
    open_clip(qtbot, page, manifest[CLIP]["audio_path"])
    watch = Watch(page)
    shown = {}

    def cancel_at_first_chunk(key: str, done) -> None:
        if key == "a" and not watch.cancelled:
            watch.cancelled = True
            page.run_box.cancel.click()
            shown["free"] = not page.runner.busy and page.run_box.compare.isEnabled()

    page.runner.chunk.connect(cancel_at_first_chunk)
    with qtbot.waitSignal(page.runFinished, timeout=RUN_MS):
        page.run_box.compare.click()
    assert shown["free"]  # the page is free at the click; the workers stop at their chunk's end
    qtbot.waitUntil(lambda: long_pool().activeThreadCount() == 0, timeout=RUN_MS)
    assert watch.after_cancel == []  # nothing of the cancelled run reached the page afterwards
    assert page.run_box.resume.isVisible() and OFFER.match(page.run_box.resume.text())
    # each side's point is what that side showed (A and B have equal options here, yet two points)
    points, keys = page.sessions.resume_points(), page.long_run.keys
    assert keys[Side.A] != keys[Side.B]
    for side in Side:
        point, shown_t = points.load(keys[side]), page.transcripts[side.value]
        assert (point.sentences if point else []) == (shown_t.sentences if shown_t else [])
    first_session = page.session_id
    page.close()

    restarted = make_page(qtbot, db_file)  # the app started again on the same database
    open_clip(qtbot, restarted, manifest[CLIP]["audio_path"])
    qtbot.waitUntil(restarted.run_box.resume.isVisible, timeout=10_000)
    assert OFFER.match(restarted.run_box.resume.text()), restarted.run_box.resume.text()
    with qtbot.waitSignal(restarted.runFinished, timeout=RUN_MS):
        restarted.run_box.resume.click()
    qtbot.waitUntil(lambda: not restarted.view.busy, timeout=30_000)
    ref = reference.view.result
    assert restarted.view.result.a.text == ref.a.text and restarted.view.result.b.text == ref.b.text
    assert [s.begin_ms for s in restarted.view.result.a.sentences] == [s.begin_ms for s in ref.a.sentences]
    assert not restarted.run_box.resume.isVisible()  # done: nothing left to resume
    [summary] = restarted.sessions.history()  # the resumed run completed the session it continued
    assert summary.id == first_session and summary.complete


@pytest.mark.slow
def test_a_superseded_run_never_reports_into_the_new_one(qtbot, manifest, tmp_path):
    runner = ComparisonRunner()
    seen: list[tuple[str, int]] = []
    finished: dict[str, str] = {}
    long_req = RunRequest(EngineChoice.OFFLINE, LOCAL_BASE, page_mode(), str(manifest[CLIP]["audio_path"]))
    short_req = RunRequest(EngineChoice.OFFLINE, LOCAL_BASE, page_mode(), str(manifest[SHORT]["audio_path"]))
    superseded = []

    def on_chunk(key: str, done) -> None:
        seen.append((key, done.checkpoint.duration_ms))
        if not superseded and done.checkpoint.duration_ms > 30_000:
            superseded.append(len(seen))  # this side's second chunk is being decoded right now
            runner.start_file(short_req)

    runner.chunk.connect(on_chunk)
    runner.finished.connect(lambda key, t: finished.__setitem__(key, t.text))
    with qtbot.waitSignal(runner.done, timeout=RUN_MS):
        runner.start_file(long_req)
    assert superseded
    assert all(d < 30_000 for _, d in seen[superseded[0]:]), seen  # no chunk of the long file after
    assert set(finished) == {"a", "b"} and all("gold" not in t.lower() for t in finished.values())


def page_mode():
    from qwenasr_desktop.core.models import Mode

    return Mode.FILE
