"""The workbench's small widgets on their own (real Qt widgets, offscreen), and the page's volume
write: one write to a real SQLite file once the slider rests, not one per tick."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QAbstractSlider

from qwenasr_desktop.core.transcript import Sentence, Word
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.workbench_controller import DocumentChoice, SpeakerRow
from qwenasr_desktop.storage.workbench_prefs import load_prefs
from qwenasr_desktop.ui.workbench.document_bar import DocumentBar
from qwenasr_desktop.ui.workbench.editor import TranscriptEditor
from qwenasr_desktop.ui.workbench.find_bar import FindBar
from qwenasr_desktop.ui.workbench.page import VOLUME_SAVE_MS, WorkbenchPage
from qwenasr_desktop.ui.workbench.speaker_panel import SpeakerPanel
from qwenasr_desktop.ui.workbench.transport_bar import TransportBar, position_text


def sentence(text: str, begin: int) -> Sentence:
    words = [Word(w, begin + k * 300, begin + k * 300 + 250) for k, w in enumerate(text.split())]
    return Sentence(text, begin, words[-1].end_ms, words)


SENTENCES = [sentence("the red fox ran", 0), sentence("a red hen sat", 3000),
             sentence("no colour here", 6000), sentence("red again at last", 3_725_000)]


@pytest.fixture()
def editor(qtbot):
    ed = TranscriptEditor()
    qtbot.addWidget(ed)
    ed.set_sentences(SENTENCES, {})
    ed.show()
    return ed


def test_position_text_has_tenths_and_hours_past_the_hour():
    assert position_text(61_250, 0) == "01:01.2 / --:--"
    assert position_text(3_725_900, 3_800_000) == "1:02:05.9 / 1:03:20"


def test_transport_shows_the_position_and_reports_only_user_volume_changes(qtbot):
    bar = TransportBar()
    qtbot.addWidget(bar)
    bar.set_duration(10_000)
    bar.show_position(4_300, 10_000)
    assert bar.time_label.text() == "00:04.3 / 00:10" and bar.slider.value() == 4_300
    with qtbot.assertNotEmitted(bar.volumeChanged):
        bar.show_volume(40)  # the stored value, shown
    with qtbot.waitSignal(bar.volumeChanged) as sig:
        bar.volume.triggerAction(QAbstractSlider.SliderAction.SliderSingleStepAdd)
    assert sig.args == [41]
    with qtbot.waitSignal(bar.seekRequested) as seek:
        bar.slider.sliderMoved.emit(2_000)
    assert seek.args == [2_000]
    bar.show_speed(0.75, True)
    assert bar.speed_label.text() == "0.75\u00d7 (pitch kept)"
    bar.set_document_open(False)
    assert not bar.play_button.isEnabled() and not bar.slider.isEnabled()


def test_find_bar_counts_steps_wraps_and_clears(qtbot, editor):
    bar = FindBar(editor)
    qtbot.addWidget(bar)
    bar.open_bar()
    qtbot.keyClicks(bar.edit, "red")
    assert bar.count.text() == "1 of 3"
    bar.step(1)
    bar.step(1)
    assert bar.count.text() == "3 of 3" and editor.textCursor().blockNumber() == 3
    bar.step(1)  # past the last match: back to the first
    assert bar.count.text() == "1 of 3" and editor.textCursor().blockNumber() == 0
    bar.step(-1)
    assert bar.count.text() == "3 of 3"
    assert editor.textCursor().selectedText() == "red"
    found = [s for s in editor.extraSelections() if s.cursor.hasSelection()]
    assert len(found) == 3
    bar.edit.setText("purple")
    bar.step(1)
    assert bar.count.text() == "Not found"
    bar.edit.setText("red")
    bar.close_bar()
    assert not bar.isVisible()
    assert not [s for s in editor.extraSelections() if s.cursor.hasSelection()]


def test_gutter_labels_are_the_sentence_starts(editor):
    assert editor.start_labels == ["00:00", "00:03", "00:06", "1:02:05"]
    cur = QTextCursor(editor.document().findBlockByNumber(2))
    editor.setTextCursor(cur)
    editor.gutter.repaint()  # paints without error with the cursor on a middle sentence


def test_speaker_panel_lists_speakers_and_reports_a_rename(qtbot):
    panel = SpeakerPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_speakers([SpeakerRow(0, "Speaker 1"), SpeakerRow(3, "Dr. Li")])
    assert panel.table.rowCount() == 2 and panel.table.item(1, 1).text() == "Dr. Li"
    assert not panel.table.item(0, 0).flags() & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(panel.renamed) as sig:
        panel.table.item(1, 1).setText("Ann")
    assert sig.args == [3, "Ann"]
    panel.show_speakers([])
    assert panel.no_speakers.isVisible() and not panel.table.isVisible()


def test_document_bar_lists_choices_and_reports_the_one_picked(qtbot):
    bar = DocumentBar()
    qtbot.addWidget(bar)
    bar.show_choices([DocumentChoice(7, "a.wav"), DocumentChoice(9, "b.wav")], current=9)
    assert bar.doc_box.currentText() == "b.wav"
    with qtbot.waitSignal(bar.documentChosen) as sig:
        bar.doc_box.activated.emit(0)
    assert sig.args == [7]
    bar.show_choices([DocumentChoice(7, "a.wav")], current=None)
    assert bar.doc_box.currentIndex() == -1


def test_a_volume_drag_is_written_once_when_the_slider_rests(qtbot, tmp_path):
    path = tmp_path / "app.sqlite3"
    page = WorkbenchPage(db.connect(path))
    qtbot.addWidget(page)
    writes: list[str] = []
    page.conn.set_trace_callback(lambda sql: writes.append(sql) if "app_state" in sql else None)
    slider = page.transport.volume
    for value in range(100, 19, -1):  # a drag: eighty ticks
        slider.setValue(value)
    assert page.player.volume == 20  # the sound follows every tick
    assert writes == []
    assert load_prefs(db.connect(path)).volume == 100
    qtbot.waitUntil(lambda: len(writes) == 1, timeout=VOLUME_SAVE_MS * 10)
    qtbot.wait(VOLUME_SAVE_MS + 200)
    assert len(writes) == 1 and load_prefs(db.connect(path)).volume == 20
    slider.setValue(55)
    page.shutdown()  # closing before the slider rested still keeps the value
    assert len(writes) == 2 and load_prefs(db.connect(path)).volume == 55


def test_following_playback_scrolls_the_word_into_view_once_not_back_and_forth(qtbot):
    ed = TranscriptEditor()
    qtbot.addWidget(ed)
    ed.resize(700, 400)
    ed.set_sentences([sentence("one two three four five six", k * 4000) for k in range(300)], {})
    ed.show()
    qtbot.waitExposed(ed)
    bar = ed.verticalScrollBar()
    late = ed.sentences[200].words[3]
    ed.show_playing(late.begin_ms, follow=True)
    assert ed.playing_word == (200, 3)
    block = ed.document().findBlockByNumber(200)
    at = QTextCursor(block)
    at.setPosition(block.position() + ed.tokens(200)[3].start)
    word = ed.cursorRect(at)
    assert ed.viewport().rect().contains(word)
    assert word.top() < ed.viewport().height() // 2  # near a third down, not at an edge
    settled = bar.value()
    for k in range(4, 6):  # the next words are in view already: no scrolling
        ed.show_playing(ed.sentences[200].words[k].begin_ms, follow=True)
        assert bar.value() == settled
    ed.show_playing(ed.sentences[10].words[0].begin_ms, follow=False)
    assert bar.value() == settled and ed.playing_word == (10, 0)
