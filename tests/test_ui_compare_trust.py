"""The compare page never shows what a transcriptionist could mistake for this run's result (issue 15).

A scripted engine stands in for Whisper (each test controls when a side finishes or fails), so
these run in well under a second each; test_ui_compare.py covers the real engine.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qwenasr_desktop.core.compare import Side
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.models import LOCAL_BASE
from qwenasr_desktop.core.transcript import Checkpoint, Sentence, Transcript
from qwenasr_desktop.engines.base import ChunkDone, EngineError
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.sessions import SessionRepository
from qwenasr_desktop.ui.compare import compare_page as page_mod
from qwenasr_desktop.ui.compare.columns import SideState
from qwenasr_desktop.ui.compare.compare_page import ComparePage
from qwenasr_desktop.ui.recognition import runner as runner_mod

WAIT_MS = 60_000  # a bound, not a speed claim: a shared 2-core CI machine can be slow


class ScriptedEngine:
    """Says `texts[side]`; a side in `fail` raises; `gate` holds every side until it is set."""

    def __init__(self) -> None:
        self.texts = {Side.A: "the first words", Side.B: "the first words"}
        self.fail: dict[Side, str] = {}
        self.gate = threading.Event()
        self.gate.set()
        self.steps = (0.25, 0.5)

    def recognize(self, audio, options, progress=None, cancel=None, *, on_chunk=None,
                  resume=None) -> Transcript:
        side = Side.B if options.hotwords else Side.A
        for f in self.steps:  # a chunk per step: the page's progress comes from chunks
            progress(f)
            if on_chunk:
                on_chunk(ChunkDone([], Checkpoint(round(f * 1000), 1000)))
        while not self.gate.wait(0.02):
            cancel.raise_if_cancelled()
        if side in self.fail:
            raise EngineError(self.fail[side])
        progress(1.0)
        return Transcript([Sentence(self.texts[side], 0, 1000)], language="en")


@pytest.fixture()
def engine(monkeypatch) -> ScriptedEngine:
    e = ScriptedEngine()
    monkeypatch.setattr(runner_mod, "make_engine", lambda choice, url="": e)
    monkeypatch.setattr(runner_mod, "can_run_concurrently", lambda choice: True)
    monkeypatch.setattr(page_mod, "can_run_concurrently", lambda choice: True)
    yield e
    e.gate.set()


@pytest.fixture()
def page(qtbot, tmp_path) -> ComparePage:
    conn = db.connect(tmp_path / "q.sqlite3")
    lists = HotwordListRepository(conn)
    list_id = lists.create("Towns", LOCAL_BASE, [Hotword("Basle", 4, "en")])
    p = ComparePage(lists, SessionRepository(conn), tmp_path / "sessions")
    qtbot.addWidget(p)
    p.resize(1280, 720)
    p.show()
    p.settings.select_model(LOCAL_BASE)
    p.settings.select_list(list_id)
    p.settings.add_context.setChecked(False)
    return p


def tone(path: Path, seconds: float = 2.0) -> str:
    t = np.arange(int(16000 * seconds)) / 16000
    sf.write(str(path), (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    return str(path)


def open_checked(qtbot, page: ComparePage, path: str) -> None:
    with qtbot.waitSignal(page.message, timeout=WAIT_MS):
        page.open_file(path)


def run(qtbot, page: ComparePage) -> None:
    with qtbot.waitSignal(page.runFinished, timeout=WAIT_MS):
        page.run_box.compare.click()
    qtbot.waitUntil(lambda: not page.view.busy, timeout=WAIT_MS)


def column(page: ComparePage, side: Side) -> str:
    return page.view.columns.view(side).toPlainText()


def test_a_new_run_clears_both_columns_and_says_recognizing(qtbot, page, engine, tmp_path):
    open_checked(qtbot, page, tone(tmp_path / "one.wav"))
    run(qtbot, page)
    assert "the first words" in column(page, Side.A)
    engine.texts = {Side.A: "second clip", Side.B: "second clip"}
    engine.gate.clear()
    open_checked(qtbot, page, tone(tmp_path / "two.wav"))
    page.run_box.compare.click()
    for side in Side:
        assert column(page, side) == "Recognizing…"
        assert page.view.columns.states[side] is SideState.RUNNING
    assert page.view.result is None and page.view.metrics.rowCount() == 0
    engine.gate.set()
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "second clip" in column(page, Side.B), timeout=WAIT_MS)


def test_progress_is_the_engines_and_is_shown_in_the_column(qtbot, page, engine, tmp_path):
    open_checked(qtbot, page, tone(tmp_path / "one.wav"))
    engine.gate.clear()
    page.run_box.compare.click()
    bar = page.view.columns.progress[Side.A]
    assert bar.isVisible() and bar.maximum() == 0  # before the first chunk: busy, not "0 %"
    qtbot.waitUntil(lambda: bar.value() == 50 and bar.maximum() == 100, timeout=WAIT_MS)
    assert bar.text().startswith("A: 00:00 of 00:01 · elapsed 0:0")  # the audio position, not a bare %
    engine.gate.set()
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=WAIT_MS)
    assert not bar.isVisible()


def test_a_failed_side_says_why_in_its_column_and_gets_no_numbers(qtbot, page, engine, tmp_path):
    open_checked(qtbot, page, tone(tmp_path / "one.wav"))
    page.view.set_reference("the first words")
    engine.fail[Side.B] = "The model ran out of memory."
    run(qtbot, page)
    assert column(page, Side.B).startswith("Failed: The model ran out of memory.")
    assert "(no speech recognized)" not in column(page, Side.B)
    metrics = page.view.metrics
    rows = {metrics.index(r, 0).data(): (metrics.index(r, 1).data(), metrics.index(r, 2).data())
            for r in range(metrics.rowCount())}
    assert rows["WER"] == ("0.0%", "–")
    assert "B failed" in page.run_box.status.text()


def test_the_reference_belongs_to_its_recording(qtbot, page, engine, tmp_path):
    one, two = tone(tmp_path / "one.wav"), tone(tmp_path / "two.wav")
    open_checked(qtbot, page, one)
    page.view.set_reference("the first words")
    run(qtbot, page)
    assert page.view.result.scores_a is not None
    open_checked(qtbot, page, two)
    assert page.view.reference.toPlainText() == ""
    assert page.view.result is None and page.view.metrics.rowCount() == 0
    assert "the first words" not in column(page, Side.A)
    open_checked(qtbot, page, one)
    assert page.view.reference.toPlainText() == "the first words"


@pytest.mark.parametrize("kind", ["text renamed .wav", "empty wav"])
def test_compare_is_off_for_a_file_the_audio_check_rejected(qtbot, page, engine, tmp_path, kind):
    bad = tmp_path / "bad.wav"
    if kind == "empty wav":
        sf.write(str(bad), np.zeros(0, np.float32), 16000)
    else:
        bad.write_text("not audio at all\n" * 50)
    open_checked(qtbot, page, str(bad))
    assert not page.run_box.compare.isEnabled()
    assert page.run_box.warnings.isVisible()
    for side in Side:  # the columns say why, not "Press Compare A / B"
        text = page.view.columns.view(side).toPlainText()
        assert "bad.wav cannot be compared" in text and "Press" not in text, text
    open_checked(qtbot, page, tone(tmp_path / "good.wav"))
    assert page.run_box.compare.isEnabled()
    assert "Press" in page.view.columns.view(Side.A).toPlainText()


def test_an_audio_check_is_shown_only_for_the_file_it_was_made_for(qtbot, page, engine, tmp_path,
                                                                   monkeypatch):
    real = page_mod.inspect_audio
    slow = tmp_path / "slow.wav"
    sf.write(str(slow), np.zeros(0, np.float32), 16000)  # rejected: empty

    def inspect(path, model):
        if path == str(slow):
            time.sleep(0.4)  # its answer arrives after the second file's
        return real(path, model)

    monkeypatch.setattr(page_mod, "inspect_audio", inspect)
    page.open_file(str(slow))
    good = tone(tmp_path / "good.wav")
    page.open_file(good)
    qtbot.wait(800)
    assert page.audio_path == good
    assert "empty" not in page.run_box.warnings.text()
    assert page.run_box.compare.isEnabled()


def test_a_cancelled_run_says_so_and_offers_nothing_to_export(qtbot, page, engine, tmp_path):
    open_checked(qtbot, page, tone(tmp_path / "one.wav"))
    engine.gate.clear()
    with qtbot.waitSignal(page.runFinished, timeout=WAIT_MS):
        page.run_box.compare.click()
        page.run_box.cancel.click()
    qtbot.waitUntil(lambda: not page.view.busy, timeout=WAIT_MS)
    assert page.run_box.status.text() == "Cancelled."
    assert all(column(page, s) == "Failed: Cancelled." for s in Side)
    assert not page.view.copy.isEnabled() and not page.view.export_html.isEnabled()


def test_what_the_hotwords_did_is_said_under_b_and_goes_with_its_comparison(qtbot):
    from qwenasr_desktop.core.compare import compare
    from qwenasr_desktop.core.transcript import Verification
    from qwenasr_desktop.ui.compare.columns import TwoColumns

    cols = TwoColumns()
    qtbot.addWidget(cols)
    cols.set_titles("hotwords")
    ver = Verification()
    ver.add(proposed=2, kept=1)
    a = Transcript([Sentence("in Basel", 0, 900)])
    b = Transcript([Sentence("in Basle", 0, 900)], verification=ver)
    cols.show_comparison(compare(a, b, [Hotword("Basle", 4)], b_adds="hotwords"))
    assert ver.describe() in cols.title_b.text() and cols.title_b.toolTip()
    cols.show_placeholder("Opened other.wav. Press Compare A / B.")  # another recording
    assert cols.title_b.text() == "<b>B: with hotwords</b>" and not cols.title_b.toolTip()
    cols.show_comparison(compare(a, b, [Hotword("Basle", 4)], b_adds="hotwords"))
    cols.start_run()  # a new run: the old note must not stand over the new text
    assert cols.title_b.text() == "<b>B: with hotwords</b>"
