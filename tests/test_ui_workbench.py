"""The workbench with real widgets, a real SQLite file and real speech recognized by the offline engine.

Playback runs through the real QMediaPlayer (FFmpeg backend). Offscreen there is no audio output
device, but the player's clock still advances, so with the device check told there is one
(`an_output_device`) play/pause/seek/speed are exercised for real; only the sound itself (and so
whether pitch compensation *sounds* right) cannot be checked here. test_ui_no_audio_output.py
checks what happens without a device.
"""

from __future__ import annotations

import re

import docx
import pytest
import srt
import webvtt
from conftest import TESTDATA  # tests/ is on sys.path (rootdir conftest, no package)
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication
from workbench_data import make_interview

from qwenasr_desktop.core.export import ExportFormat, from_json
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.transcript_edit import format_timestamp, tokenize
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.transcripts import TranscriptRepository
from qwenasr_desktop.storage.workbench_prefs import load_prefs
from qwenasr_desktop.ui.workbench import player as player_mod
from qwenasr_desktop.ui.workbench.learn_dialog import LearnDialog
from qwenasr_desktop.ui.workbench.page import WorkbenchPage
from qwenasr_desktop.ui.workbench.shortcuts import ShortcutsDialog

LOAD_MS = 10_000


@pytest.fixture(autouse=True)
def an_output_device(monkeypatch):
    monkeypatch.setattr(player_mod, "output_device_available", lambda: True)


@pytest.fixture(scope="session")
def interview(tmp_path_factory):
    return make_interview(TESTDATA, tmp_path_factory.mktemp("interview"))


def make_page(qtbot, db_path) -> WorkbenchPage:
    page = WorkbenchPage(db.connect(db_path))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    return page


@pytest.fixture()
def page(qtbot, tmp_path, interview):
    wav, transcript, _ = interview
    p = make_page(qtbot, tmp_path / "app.sqlite3")
    p.open_transcript(transcript, str(wav), "Interview")
    qtbot.waitUntil(lambda: p.player.loaded and p.player.duration > 0, timeout=LOAD_MS)
    yield p
    p.shutdown()


def word_index(page: WorkbenchPage, sentence: int, text: str) -> int:
    return [w.text for w in page.editor.sentences[sentence].words].index(text)


def click_word(qtbot, page: WorkbenchPage, sentence: int, k: int) -> None:
    ed = page.editor
    tok = ed.tokens(sentence)[k]
    block = ed.document().findBlockByNumber(sentence)
    cur = ed.textCursor()
    cur.setPosition(block.position() + tok.start + 1)
    rect = ed.cursorRect(cur)
    qtbot.mouseClick(ed.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def select_word(page: WorkbenchPage, sentence: int, k: int) -> None:
    ed = page.editor
    tok = ed.tokens(sentence)[k]
    block = ed.document().findBlockByNumber(sentence)
    cur = ed.textCursor()
    cur.setPosition(block.position() + tok.start)
    cur.setPosition(block.position() + tok.start + len(tok.text), cur.MoveMode.KeepAnchor)
    ed.setTextCursor(cur)


# ------------------------------------------------------------------------------ seeking and playback


def test_click_on_a_word_seeks_there_and_highlights_it(qtbot, page):
    k = word_index(page, 2, "cotton")
    click_word(qtbot, page, 2, k)
    word = page.editor.sentences[2].words[k]
    assert page.player.position == word.begin_ms
    assert page.editor.playing_word == (2, k)
    # the gutter seeks to the start of a sentence
    ed = page.editor
    second = ed.document().findBlockByNumber(1)
    y = ed.blockBoundingGeometry(second).translated(ed.contentOffset()).center().y()
    qtbot.mouseClick(ed.gutter, Qt.MouseButton.LeftButton, pos=QPoint(5, int(y)))
    assert page.player.position == ed.sentences[1].begin_ms


def test_playing_advances_the_highlight_and_resume_replays_the_last_seconds(qtbot, page):
    page.options.rewind_spin.setValue(2.0)
    page.player.seek(1000)
    with qtbot.waitSignal(page.player.playingChanged, timeout=LOAD_MS):
        page.play_button.click()
    qtbot.waitUntil(lambda: page.player.position >= 3500, timeout=LOAD_MS)
    sentence, k = page.editor.playing_word
    w = page.editor.sentences[sentence].words[k]
    assert sentence == 0 and w.begin_ms <= page.player.position
    with qtbot.waitSignal(page.player.playingChanged, timeout=LOAD_MS):
        page.play_button.click()
    paused_at = page.player.position
    with qtbot.waitSignal(page.player.playingChanged, timeout=LOAD_MS):
        page.play_button.click()  # resume: 2 s earlier
    assert paused_at - 2000 - 300 <= page.player.position <= paused_at - 2000 + 300
    page.player.pause()


def test_speed_steps_keep_pitch_and_stop_at_half_and_double(qtbot, page):
    ed = page.editor
    ed.setFocus()
    for _ in range(6):
        qtbot.keyClick(ed, Qt.Key.Key_F4)
    assert page.player.speed == 2.0 and page.transport.speed_label.text() == "2.00\u00d7 (pitch kept)"
    for _ in range(8):
        qtbot.keyClick(ed, Qt.Key.Key_F3)
    assert page.player.speed == 0.5
    assert page.player.pitch_kept  # Qt's pitch compensation is on and the backend supports it
    assert "pitch kept" in page.transport.speed_label.toolTip()
    assert load_prefs(page.conn).speed == 0.5


# ------------------------------------------------------------------------------ shortcuts


def test_default_shortcuts_drive_playback_and_markers(qtbot, page):
    ed = page.editor
    ed.setFocus()
    page.player.seek(10_000)
    qtbot.keyClick(ed, Qt.Key.Key_F2)
    assert page.player.position == 15_000
    qtbot.keyClick(ed, Qt.Key.Key_F1)
    qtbot.keyClick(ed, Qt.Key.Key_F1)
    assert page.player.position == 5_000
    with qtbot.waitSignal(page.player.playingChanged, timeout=LOAD_MS) as sig:
        qtbot.keyClick(ed, Qt.Key.Key_Escape)
    assert sig.args == [True]
    with qtbot.waitSignal(page.player.playingChanged, timeout=LOAD_MS) as sig:
        qtbot.keyClick(ed, Qt.Key.Key_Escape)
    assert sig.args == [False]
    page.player.seek(12_300)
    ed.place_cursor(1, len(ed.document().findBlockByNumber(1).text()))
    qtbot.keyClick(ed, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(ed, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(ed, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    text = ed.document().findBlockByNumber(1).text()
    assert text.endswith(f"{format_timestamp(12_300)} {{inaudible}} {{crosstalk}}")
    marker = ed.sentences[1].words[-3]
    assert (marker.text, marker.begin_ms) == ("[00:12.3]", 12_300)
    qtbot.keyClick(ed, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.find_bar.isVisible() and page.find_bar.edit.hasFocus()


def test_play_from_cursor_and_volume_keys(qtbot, page):
    ed = page.editor
    k = word_index(page, 3, "Netherlands")
    ed.place_cursor(3, ed.tokens(3)[k].start + 2)
    ed.setFocus()
    with qtbot.waitSignal(page.player.playingChanged, timeout=LOAD_MS):
        qtbot.keyClick(ed, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert page.player.position >= ed.sentences[3].words[k].begin_ms
    page.player.pause()
    assert ed.document().blockCount() == len(ed.sentences)  # Ctrl+Return did not split the sentence
    qtbot.keyClick(ed, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert page.player.volume == 90 and page.transport.volume.value() == 90


def test_user_shortcuts_replace_defaults_persist_and_conflicts_are_refused(qtbot, page, tmp_path):
    page.set_shortcuts({"play_pause": "F8", "skip_forward": "Ctrl+Right"})
    ed = page.editor
    ed.setFocus()
    with qtbot.waitSignal(page.player.playingChanged, timeout=LOAD_MS):
        qtbot.keyClick(ed, Qt.Key.Key_F8)
    page.player.pause()
    page.player.seek(1000)
    qtbot.keyClick(ed, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert page.player.position == 6000
    assert "(F8)" in page.play_button.text()
    assert load_prefs(page.conn).shortcuts == {"play_pause": "F8", "skip_forward": "Ctrl+Right"}
    dlg = ShortcutsDialog({"play_pause": "F8"}, page)
    qtbot.addWidget(dlg)
    dlg.edits["skip_back"].setKeySequence(QKeySequence("F8"))
    assert not dlg.buttons.button(dlg.buttons.StandardButton.Save).isEnabled()
    assert 'F8 is set for both "Play / pause" and "Skip back"' in dlg.problem.text()


def test_hold_to_play_key_plays_while_held_and_ignores_auto_repeat(qtbot, page):
    ed = page.editor
    ed.setFocus()

    def key(kind, repeat=False):
        QApplication.sendEvent(ed, QKeyEvent(kind, Qt.Key.Key_F9, Qt.KeyboardModifier.NoModifier, "", repeat))

    with qtbot.waitSignal(page.player.playingChanged, timeout=LOAD_MS):
        key(QEvent.Type.KeyPress)
    for _ in range(5):  # a pedal held down: the key repeats
        key(QEvent.Type.KeyRelease, True)
        key(QEvent.Type.KeyPress, True)
    assert page.player.playing
    with qtbot.waitSignal(page.player.playingChanged, timeout=LOAD_MS) as sig:
        key(QEvent.Type.KeyRelease)
    assert sig.args == [False]
    assert ed.document().blockCount() == len(ed.sentences) and "F9" not in ed.toPlainText()


# ------------------------------------------------------------------------------ editing and autosave


def test_editing_a_word_keeps_the_times_of_untouched_words_and_is_saved(qtbot, page, tmp_path):
    ed = page.editor
    before = [(w.text, w.begin_ms, w.end_ms) for w in ed.sentences[0].words]
    k = word_index(page, 0, "fellow")
    select_word(page, 0, k)
    ed.setFocus()
    qtbot.keyClicks(ed, "dear fellow")
    after = [(w.text, w.begin_ms, w.end_ms) for w in ed.sentences[0].words]
    assert after[:k] == before[:k] and after[k + 2:] == before[k + 1:]
    assert after[k][0] == "dear" and after[k + 1][0] == "fellow"
    assert before[k - 1][2] <= after[k][1] <= after[k + 1][1] <= before[k][2]
    stored = TranscriptRepository(db.connect(tmp_path / "app.sqlite3")).load(page.doc.id)
    assert stored.current.sentences[0].words == ed.sentences[0].words
    assert stored.original.sentences[0].text != stored.current.sentences[0].text


def test_undo_and_repeated_edits_give_back_the_engine_times(qtbot, page):
    ed = page.editor
    engine = [(w.text, w.begin_ms, w.end_ms) for w in ed.sentences[2].words]
    k = word_index(page, 2, "cotton")
    select_word(page, 2, k)
    ed.setFocus()
    qtbot.keyClicks(ed, "wool")
    select_word(page, 2, k)
    qtbot.keyClicks(ed, "raw cotton")  # edit the edit
    now = [(w.text, w.begin_ms, w.end_ms) for w in ed.sentences[2].words]
    assert now[:k] == engine[:k] and now[k + 2:] == engine[k + 1:]
    while ed.document().isUndoAvailable():
        ed.undo()
    assert [(w.text, w.begin_ms, w.end_ms) for w in ed.sentences[2].words] == engine
    stored = TranscriptRepository(page.conn).load(page.doc.id).current.sentences[2]
    assert [(w.text, w.begin_ms, w.end_ms) for w in stored.words] == engine


def test_sentences_cannot_be_joined_or_split(qtbot, page):
    ed = page.editor
    n = ed.document().blockCount()
    ed.place_cursor(2, 0)
    ed.setFocus()
    with qtbot.waitSignal(ed.message) as sig:
        qtbot.keyClick(ed, Qt.Key.Key_Backspace)
    assert "cannot be joined" in sig.args[0]
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    assert ed.document().blockCount() == n
    ed.selectAll()
    qtbot.keyClicks(ed, "x")  # typing over all sentences is refused
    assert ed.document().blockCount() == n and ed.toPlainText() != "x"


def test_autosave_survives_a_crash_and_restores_position_and_cursor(qtbot, tmp_path, interview):
    wav, transcript, _ = interview
    path = tmp_path / "app.sqlite3"
    first = make_page(qtbot, path)
    doc_id = first.open_transcript(transcript, str(wav), "Interview")
    qtbot.waitUntil(lambda: first.player.loaded, timeout=LOAD_MS)
    ed = first.editor
    k = word_index(first, 3, "Chinese")
    select_word(first, 3, k)
    ed.setFocus()
    qtbot.keyClicks(ed, "Flemish")
    first.set_speaker_name(1, "Guest")
    click_word(qtbot, first, 2, 4)  # seeks (saved at once) and puts the cursor there
    with qtbot.waitSignal(first.placeSaved, timeout=5000):
        pass  # the cursor is saved once it rests
    saved_pos, saved_cursor = first.player.position, ed.cursor_place()
    # "crash": no shutdown, the connection is just dropped
    first.conn.close()
    first.hide()

    second = make_page(qtbot, path)
    assert second.restore_after_crash() == doc_id
    qtbot.waitUntil(lambda: second.player.loaded, timeout=LOAD_MS)
    assert "Flemish" in second.editor.document().findBlockByNumber(3).text()
    assert second.editor.sentences[3].words[k].text == "Flemish"
    assert second.player.position == saved_pos
    assert second.editor.cursor_place() == saved_cursor
    assert second.doc.speaker_names == {1: "Guest"}
    second.shutdown()
    third = make_page(qtbot, path)
    assert third.restore_after_crash() is None  # closed cleanly: nothing to recover
    third.open_document(doc_id)
    assert third.player.position == saved_pos and third.editor.cursor_place() == saved_cursor


def test_speakers_are_shown_and_renamed_in_the_table(qtbot, page):
    assert page.speaker_panel.table.rowCount() == 2
    item = page.speaker_panel.table.item(1, 1)
    assert item.text() == "Speaker 2"
    item.setText("Dr. Li")
    assert page.doc.speaker_names == {1: "Dr. Li"}
    assert page.editor.speaker_names == {1: "Dr. Li"}
    assert page.editor.gutter_width() > page.editor.fontMetrics().horizontalAdvance("00:00:00 Dr. Li")


# ------------------------------------------------------------------------------ search, export, learn


def test_ctrl_f_finds_every_match_and_steps_through_them(qtbot, page):
    ed = page.editor
    ed.setFocus()
    qtbot.keyClick(ed, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(page.find_bar.edit, "country")
    expected = len(re.findall("country", ed.toPlainText(), re.IGNORECASE))
    assert expected >= 2 and page.find_bar.count.text() == f"1 of {expected}"
    qtbot.keyClick(page.find_bar.edit, Qt.Key.Key_Return)
    assert page.find_bar.count.text() == f"2 of {expected}"
    assert ed.textCursor().selectedText().lower() == "country"
    page.find_bar.prev_button.click()
    assert page.find_bar.count.text() == f"1 of {expected}"


def test_every_export_format_carries_the_edits_and_parses_back(qtbot, page, tmp_path):
    ed = page.editor
    select_word(page, 1, word_index(page, 1, "sorrow"))
    ed.setFocus()
    qtbot.keyClicks(ed, "heartbreak")
    page.set_speaker_name(0, "Interviewer")
    out = {}
    for fmt in ExportFormat:
        out[fmt] = page.export_to(fmt, tmp_path / page.default_file_name(fmt).replace(".", f"-{fmt.value}."))
    assert re.fullmatch(r"interview_\d{4}-\d{2}-\d{2}\.srt", page.default_file_name(ExportFormat.SRT))
    assert "heartbreak" in out[ExportFormat.TXT].read_text()
    timed = out[ExportFormat.TXT_TIMED].read_text()
    assert timed.startswith("[00:00.1] Interviewer: And so my fellow")
    subs = list(srt.parse(out[ExportFormat.SRT].read_text()))
    hit = next(s for s in subs if "heartbreak" in s.content)
    word = page.editor.sentences[1].words[word_index(page, 1, "heartbreak")]
    assert hit.start.total_seconds() * 1000 <= word.begin_ms < hit.end.total_seconds() * 1000
    assert subs[0].content.startswith("Interviewer: ")
    vtt = webvtt.read(str(out[ExportFormat.VTT]))
    assert any("heartbreak" in c.text for c in vtt) and vtt[0].voice == "Interviewer"
    d = docx.Document(str(out[ExportFormat.DOCX]))
    assert d.paragraphs[0].text == "Interview"
    assert any("heartbreak" in p.text for p in d.paragraphs)
    back, names = from_json(out[ExportFormat.JSON].read_text())
    assert back == page.doc.current and names == {0: "Interviewer"}


def test_learn_from_corrections_adds_a_term_the_engine_kept_getting_wrong(qtbot, page, tmp_path):
    lists = HotwordListRepository(page.conn)
    list_id = lists.create("Interview terms", "fun-asr", [Hotword("Netherlands")])
    ed = page.editor
    for _ in range(2):  # "country" written twice by the engine, both times corrected to "Qwenland"
        k = word_index(page, 0, "country")
        select_word(page, 0, k)
        ed.setFocus()
        qtbot.keyClicks(ed, "Qwenland")
    k = word_index(page, 2, "fantasy")  # once, to a phrase too long for a hotword
    select_word(page, 2, k)
    qtbot.keyClicks(ed, "one two three four five six seven eight")
    dlg = LearnDialog(page.lists, page.doc.original, page.doc.current, "interview terms", page)
    qtbot.addWidget(dlg)
    rows = [dlg.items.item(i) for i in range(dlg.items.count())]
    texts = {item.data(Qt.ItemDataRole.UserRole): item for item in rows}
    qwenland = texts["Qwenland"].text()
    assert texts["Qwenland"].checkState() == Qt.CheckState.Checked  # corrected twice
    assert "corrected 2\u00d7" in qwenland and "\u201ccountry\u201d" in qwenland
    long = texts["one two three four five six seven eight"]
    assert not long.flags() & Qt.ItemFlag.ItemIsEnabled and "at most 7" in long.text()
    assert dlg.add_button.text() == "Add 1 to list"
    dlg.add_button.click()
    items = [h.text for h in lists.load(list_id).hotwords.items]
    assert items == ["Netherlands", "Qwenland"]
    again = LearnDialog(page.lists, page.doc.original, page.doc.current, "Interview terms", page)
    qtbot.addWidget(again)
    assert "Already in the list." in again.items.item(0).text()


def test_words_of_each_sentence_line_up_with_its_tokens(page):
    for i, s in enumerate(page.editor.sentences):
        assert [t.text for t in tokenize(page.editor.document().findBlockByNumber(i).text())] == \
            [w.text for w in s.words]
