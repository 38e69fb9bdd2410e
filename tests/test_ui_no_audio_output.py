"""With no working audio output device, Play says so and the clock does not run (issue 15).

Offscreen there is genuinely no output device; the check is still patched to say "none", so the
tests mean the same on a machine that has speakers.
"""

from __future__ import annotations

import pytest
from test_ui_compare_trust import WAIT_MS, tone  # tests/ is on sys.path

from qwenasr_desktop.core.transcript import Sentence, Transcript
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.sessions import SessionRepository
from qwenasr_desktop.ui.compare.compare_page import ComparePage
from qwenasr_desktop.ui.workbench import player as player_mod
from qwenasr_desktop.ui.workbench.page import WorkbenchPage


@pytest.fixture(autouse=True)
def no_output_device(monkeypatch):
    monkeypatch.setattr(player_mod, "output_device_available", lambda: False, raising=False)


def test_the_workbench_says_there_is_no_output_device_and_the_clock_stays(qtbot, tmp_path):
    page = WorkbenchPage(db.connect(tmp_path / "q.sqlite3"))
    qtbot.addWidget(page)
    page.show()
    page.open_transcript(Transcript([Sentence("hello there", 0, 1500)], language="en"),
                         tone(tmp_path / "clip.wav"), "Clip")
    qtbot.waitUntil(lambda: page.player.loaded, timeout=WAIT_MS)
    with qtbot.waitSignal(page.message, timeout=WAIT_MS) as said:
        page.play_button.click()
    assert "No audio output device" in said.args[0]
    qtbot.wait(400)
    assert not page.player.playing and page.player.position == 0
    assert "Play" in page.play_button.text()
    page.shutdown()


def test_the_compare_page_says_so_too_and_keeps_play_enabled(qtbot, tmp_path):
    conn = db.connect(tmp_path / "q.sqlite3")
    page = ComparePage(HotwordListRepository(conn), SessionRepository(conn), tmp_path / "sessions")
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.message, timeout=WAIT_MS):
        page.open_file(tone(tmp_path / "clip.wav"))
    qtbot.waitUntil(lambda: page.listen.player.loaded, timeout=WAIT_MS)
    with qtbot.waitSignal(page.message, timeout=WAIT_MS) as said:
        page.listen.play_button.click()
    assert "No audio output device" in said.args[0]
    assert not page.listen.player.playing and page.listen.play_button.isEnabled()
