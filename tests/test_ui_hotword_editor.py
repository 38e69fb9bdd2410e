"""The hotword editor driven like a user drives it: real widgets, real keystrokes, a real database."""

from __future__ import annotations

import json

import pytest
from job_helpers import settle_jobs  # tests/ is on sys.path
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QMessageBox

from qwenasr_desktop.core.hotword_io import Format
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.ui.hotwords.delegates import LiveLineEdit, WeightDelegate, WeightEditor
from qwenasr_desktop.ui.hotwords.editor_page import HotwordEditorPage
from qwenasr_desktop.ui.hotwords.table_model import Column

ROWS = [Hotword("厄洛替尼", 4, "zh"), Hotword("Osimertinib", 3, "en"), Hotword("Метформин", 2)]


@pytest.fixture()
def list_id(repo):
    return repo.create("Pharma", "fun-asr-realtime", ROWS)


@pytest.fixture()
def page(qtbot, repo, list_id):
    p = HotwordEditorPage(repo)
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    qtbot.waitExposed(p)
    return p


def saved_items(db_path, list_id):
    """What another connection (a restarted app) would read."""
    conn = db.connect(db_path)
    try:
        return HotwordListRepository(conn).load(list_id).hotwords.items
    finally:
        conn.close()


def type_into(qtbot, widget, text):
    """Type like a user: ASCII and Cyrillic as key presses carrying text, CJK as an input method
    commits it (QTest's own keyClicks only knows ASCII)."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        elif "\u3000" <= ch <= "\u9fff":
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch,
                               Qt.KeyboardModifier.NoModifier)


def press_return(qtbot, editor):
    """Return commits through a queued call in Qt's delegate; wait until the editor is gone."""
    table = editor.parentWidget().parentWidget()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() != table.State.EditingState, timeout=5000)


def cell(page, row, col):
    return page.model.data(page.model.index(row, col))


def open_editor(qtbot, page, row, col):
    page.table.setFocus()
    page.table.go_to(row, col)
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    editor = page.table.focusWidget()
    assert editor is not None and editor is not page.table
    return editor


def test_counter_and_status_follow_every_keystroke(qtbot, page, db_path, list_id):
    page.model.add_blank_row(3)
    editor = open_editor(qtbot, page, 3, Column.TEXT)
    assert isinstance(editor, LiveLineEdit)
    text = "Клофелин Белмедпрепараты"  # 24 characters: too long for Fun-ASR (15)
    for n, ch in enumerate(text, start=1):
        type_into(qtbot, editor, ch)
        counted = len(text[:n].strip())  # a trailing space is not sent, so not counted
        assert cell(page, 3, Column.COUNT) == f"{counted}/15 chars"
        too_long = counted > 15
        assert cell(page, 3, Column.STATUS) == ("Too long" if too_long else "OK")
        assert editor.property("invalid") is too_long
        assert ("at most 15 characters" in page.detail.text()) is too_long
        assert ("1 error" in page.summary.counts_label.text()) is too_long
    # Nothing is saved while typing; Enter saves the row.
    assert saved_items(db_path, list_id)[3].text == ""
    press_return(qtbot, editor)
    assert saved_items(db_path, list_id)[3].text == text
    assert cell(page, 3, Column.STATUS) == "Too long"


def test_ascii_text_is_counted_in_words_while_typing(qtbot, page):
    editor = open_editor(qtbot, page, 1, Column.TEXT)
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert cell(page, 1, Column.STATUS) == "Empty"
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight"]
    for n, word in enumerate(words, start=1):
        qtbot.keyClicks(editor, ("" if n == 1 else " ") + word)
        assert cell(page, 1, Column.COUNT) == f"{n}/7 words"
        assert (cell(page, 1, Column.STATUS) == "Too many words") is (n > 7)


def test_escape_cancels_the_edit_and_the_preview(qtbot, page, db_path, list_id):
    editor = open_editor(qtbot, page, 0, Column.TEXT)
    type_into(qtbot, editor, "很长很长很长很长很长很长很长很长")
    assert cell(page, 0, Column.STATUS) == "Too long"
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert cell(page, 0, Column.STATUS) == "OK"
    assert cell(page, 0, Column.COUNT) == "4/15 chars"
    assert saved_items(db_path, list_id) == ROWS


def test_keyboard_only_typing_starts_editing_and_tab_moves_on(qtbot, page, db_path, list_id):
    page.table.setFocus()
    page.table.go_to(1, Column.TEXT)
    qtbot.keyClicks(page.table, "T")  # typing replaces the cell, like a spreadsheet
    editor = page.table.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "agrisso")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert page.model.item(1).text == "Tagrisso"
    assert page.table.currentIndex().column() == Column.LANG
    assert saved_items(db_path, list_id)[1].text == "Tagrisso"


def test_insert_and_ctrl_n_add_a_row_and_start_editing(qtbot, page, db_path, list_id):
    page.table.setFocus()
    page.table.go_to(0, Column.TEXT)
    qtbot.keyClick(page.table, Qt.Key.Key_Insert)
    assert page.model.rowCount() == 4
    editor = page.table.focusWidget()
    assert isinstance(editor, QLineEdit)
    type_into(qtbot, editor, "吉非替尼")
    press_return(qtbot, editor)
    assert page.model.item(1) == Hotword("吉非替尼", 4, None)
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.model.rowCount() == 5
    assert [h.text for h in saved_items(db_path, list_id)] == ["厄洛替尼", "吉非替尼", "", "Osimertinib",
                                                                "Метформин"]


def test_weight_slider_editor_changes_the_weight(qtbot, page, db_path, list_id):
    editor = open_editor(qtbot, page, 0, Column.WEIGHT)
    weight_editor = editor if isinstance(editor, WeightEditor) else editor.parent()
    assert isinstance(weight_editor, WeightEditor)
    assert weight_editor.label.text() == "4 clear"
    qtbot.keyClick(weight_editor.slider, Qt.Key.Key_Right)
    assert weight_editor.label.text() == "5 forced"
    qtbot.keyClick(weight_editor.slider, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.item(0).weight == 5, timeout=5000)
    assert saved_items(db_path, list_id)[0].weight == 5
    assert cell(page, 0, Column.WEIGHT) == "5 forced"
    # Digits jump straight to a weight.
    editor = open_editor(qtbot, page, 2, Column.WEIGHT)
    weight_editor = editor if isinstance(editor, WeightEditor) else editor.parent()
    qtbot.keyClicks(weight_editor.slider, "1")
    qtbot.keyClick(weight_editor.slider, Qt.Key.Key_Tab)
    assert page.model.item(2).weight == 1
    assert cell(page, 2, Column.WEIGHT) == "1 slight"


def test_clicking_the_painted_slider_sets_the_weight(qtbot, page, db_path, list_id):
    index = page.table.source_index(1, Column.WEIGHT)
    rect = WeightDelegate.slider_rect(page.table.visualRect(index))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center().__class__(
        rect.right() - 1, rect.center().y()))
    assert page.model.item(1).weight == 5
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center().__class__(
        rect.left() + 1, rect.center().y()))
    assert page.model.item(1).weight == 1
    assert saved_items(db_path, list_id)[1].weight == 1


def test_language_combo_offers_the_models_hotword_languages(qtbot, page, db_path, list_id):
    editor = open_editor(qtbot, page, 2, Column.LANG)
    assert isinstance(editor, QComboBox)
    assert [editor.itemData(i) for i in range(editor.count())] == ["", "zh", "en", "ja"]
    editor.setCurrentIndex(3)
    editor.activated.emit(3)
    assert page.model.item(2).lang == "ja"
    assert cell(page, 2, Column.LANG) == "Japanese (ja)"
    assert saved_items(db_path, list_id)[2].lang == "ja"


def test_paste_lines_as_rows_then_undo_and_redo(qtbot, page, db_path, list_id):
    QGuiApplication.clipboard().setText(
        "吉非替尼\r\ntext\tweight\tlang\nGefitinib\t5\ten\n\n  Клофелин Белмедпрепараты \n")
    page.table.setFocus()
    page.table.go_to(0, Column.STATUS)
    qtbot.keyClick(page.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    texts = [h.text for h in page.model.items()]
    assert texts == ["厄洛替尼", "吉非替尼", "Gefitinib", "Клофелин Белмедпрепараты", "Osimertinib",
                     "Метформин"]
    assert page.model.item(2) == Hotword("Gefitinib", 5, "en")
    assert cell(page, 3, Column.STATUS) == "Too long"  # pasted rows that break a rule stay, marked
    assert [h.text for h in saved_items(db_path, list_id)] == texts
    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.model.items() == ROWS
    assert saved_items(db_path, list_id) == ROWS
    qtbot.keyClick(page, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert [h.text for h in page.model.items()] == texts
    assert [h.text for h in saved_items(db_path, list_id)] == texts


def test_undo_redo_of_an_edit_with_every_shortcut(qtbot, page, db_path, list_id):
    editor = open_editor(qtbot, page, 1, Column.TEXT)
    editor.selectAll()
    qtbot.keyClicks(editor, "Tagrisso")
    press_return(qtbot, editor)
    assert page.model.item(1).text == "Tagrisso"
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(page.table, Qt.Key.Key_Z, ctrl)
    assert page.model.item(1).text == "Osimertinib"
    assert saved_items(db_path, list_id)[1].text == "Osimertinib"
    qtbot.keyClick(page.table, Qt.Key.Key_Z, ctrl | shift)
    assert page.model.item(1).text == "Tagrisso"
    qtbot.keyClick(page.table, Qt.Key.Key_Z, ctrl)
    qtbot.keyClick(page.table, Qt.Key.Key_Y, ctrl)
    assert saved_items(db_path, list_id)[1].text == "Tagrisso"
    assert page.undo_action.text() == "Undo Edit text of row 2"


def test_multi_select_delete_and_undo_restores_order(qtbot, page, db_path, list_id):
    page.table.setFocus()
    sel = page.table.selectionModel()
    page.table.go_to(0, Column.TEXT)
    sel.select(page.table.source_index(2, Column.TEXT), sel.SelectionFlag.Select)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.model.items() == [ROWS[1]]
    assert saved_items(db_path, list_id) == [ROWS[1]]
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.model.items() == ROWS
    assert saved_items(db_path, list_id) == ROWS


def test_filter_box_hides_rows_but_edits_reach_the_right_row(qtbot, page):
    type_into(qtbot, page.filter_box, "метф")
    assert page.table.proxy.rowCount() == 1
    page.table.setFocus()
    page.table.setCurrentIndex(page.table.proxy.index(0, Column.TEXT))
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    editor = page.table.focusWidget()
    qtbot.keyClick(editor, Qt.Key.Key_End)  # F2 selects the whole text; append instead
    type_into(qtbot, editor, "а" * 10)  # 19 characters: the counter is for source row 3
    assert cell(page, 2, Column.COUNT) == "19/15 chars"
    assert cell(page, 0, Column.COUNT) == "4/15 chars"


def test_target_model_switches_the_rule_set_and_is_saved(qtbot, page, db_path, list_id, repo):
    page.model.add_rows(3, [Hotword("Фенибут Белфарм", 3)])
    assert cell(page, 3, Column.COUNT) == "15/15 chars"
    combo = page.summary.model_combo
    combo.setCurrentIndex(combo.findData("paraformer-realtime-v2"))
    combo.activated.emit(combo.currentIndex())
    assert cell(page, 3, Column.COUNT) == "15/10 chars"
    assert cell(page, 3, Column.STATUS) == "Too long"
    assert "Paraformer (legacy) rules: up to 10 characters" in page.summary.rules_label.text()
    assert repo.load(list_id).hotwords.target_model == "paraformer-realtime-v2"
    combo.setCurrentIndex(combo.findData("sensevoice-v1"))
    combo.activated.emit(combo.currentIndex())
    assert "silently ignores it" in page.summary.notes_label.text()


def test_language_hint_shows_which_hotwords_it_switches_off(qtbot, page, repo, list_id):
    hints = page.summary.hints_combo
    hints.setCurrentIndex(hints.findData("ja"))
    hints.activated.emit(hints.currentIndex())
    assert cell(page, 0, Column.STATUS) == "Off by hints"
    assert cell(page, 2, Column.STATUS) == "OK"  # no language set: the hint does not switch it off
    note = page.summary.notes_label.text()
    assert "switches off 2 hotwords: 厄洛替尼, Osimertinib" in note
    assert repo.load(list_id).language_hints == ["ja"]


def test_import_of_a_bad_file_leaves_the_list_intact(qtbot, page, tmp_path, db_path, list_id):
    bad = tmp_path / "bad.json"
    bad.write_text('[\n{"text": "Gefitinib", "weight": 4},\n{"text": "x", "weight": "high"},\n'
                   '{"text": "Клофелин Белмедпрепараты"}\n]', encoding="utf-8")
    with qtbot.waitSignal(page.importReportShown, timeout=10000) as blocker:
        page.import_file(str(bad))
    dialog = blocker.args[0]
    lines = {dialog.issues.item(r, 0).text() for r in range(dialog.issues.rowCount())}
    assert lines == {"3", "4"}
    assert "1 hotword can be added" in dialog.headline.text()
    dialog.cancel_button.click()
    assert page.model.items() == ROWS
    assert saved_items(db_path, list_id) == ROWS


def test_import_adds_only_valid_rows_as_one_undo_step(qtbot, page, tmp_path, db_path, list_id):
    good = tmp_path / "more.csv"
    good.write_text("text,weight,lang\nGefitinib,5,en\nway too many words in this one row here,3,en\n",
                    encoding="utf-8")
    with qtbot.waitSignal(page.importReportShown, timeout=10000) as blocker:
        page.import_file(str(good))
    dialog = blocker.args[0]
    assert dialog.issues.item(0, 0).text() == "3"
    dialog.add_button.click()
    assert page.model.items() == [*ROWS, Hotword("Gefitinib", 5, "en")]
    assert saved_items(db_path, list_id) == page.model.items()
    page.undo_action.trigger()
    assert saved_items(db_path, list_id) == ROWS


def test_an_import_still_reading_when_another_list_opens_is_dropped(qtbot, page, repo, tmp_path,
                                                                   db_path, monkeypatch):
    # The file is read on a worker; the user opens another list before it is done. The rows were
    # read for the first list: no report may appear, and the other list must not receive them.
    import threading

    from qwenasr_desktop.core import hotword_io

    gate, parsed = threading.Event(), threading.Event()
    parse = hotword_io.parse_hotwords

    def slow_parse(*args, **kwargs):  # the real parser, held until the list has been switched
        gate.wait(10)
        try:
            return parse(*args, **kwargs)
        finally:
            parsed.set()

    monkeypatch.setattr(hotword_io, "parse_hotwords", slow_parse)
    other = repo.create("Cardiology", "fun-asr-realtime", [Hotword("Amiodarone", 3, "en")])
    good = tmp_path / "more.csv"
    good.write_text("text,weight,lang\nGefitinib,5,en\n", encoding="utf-8")
    shown: list = []
    page.importReportShown.connect(shown.append)
    page.import_file(str(good))
    page.reload_lists(select=other)
    gate.set()
    assert parsed.wait(10)
    settle_jobs(qtbot)
    assert shown == [] and page.import_dialog is None
    assert saved_items(db_path, other) == [Hotword("Amiodarone", 3, "en")]
    # The page still imports normally afterwards.
    monkeypatch.setattr(hotword_io, "parse_hotwords", parse)
    with qtbot.waitSignal(page.importReportShown, timeout=10000) as blocker:
        page.import_file(str(good))
    blocker.args[0].cancel_button.click()


def test_unreadable_file_offers_nothing_to_add(qtbot, page, tmp_path):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\x00\x00binary")
    with qtbot.waitSignal(page.importReportShown, timeout=10000) as blocker:
        page.import_file(str(binary))
    dialog = blocker.args[0]
    assert dialog.add_button is None
    assert "binary file" in dialog.issues.item(0, 2).text()
    dialog.cancel_button.click()
    assert page.model.items() == ROWS


def test_export_csv_and_txt(page, tmp_path):
    csv_out, txt_out = tmp_path / "list.csv", tmp_path / "list.txt"
    assert page.export_file(str(csv_out), Format.CSV) and page.export_file(str(txt_out), Format.TEXT)
    assert csv_out.read_text(encoding="utf-8").splitlines() == [
        "text,weight,lang", "厄洛替尼,4,zh", "Osimertinib,3,en", "Метформин,2,"]
    assert txt_out.read_text(encoding="utf-8") == "厄洛替尼\nOsimertinib\nМетформин\n"


def test_export_json_is_the_cloud_format(page, tmp_path):
    out = tmp_path / "list.json"
    assert page.export_file(str(out), Format.JSON)
    assert json.loads(out.read_text(encoding="utf-8")) == [
        {"text": "厄洛替尼", "weight": 4, "lang": "zh"}, {"text": "Osimertinib", "weight": 3, "lang": "en"},
        {"text": "Метформин", "weight": 2}]


def test_sidebar_new_rename_duplicate_and_delete_with_confirmation(qtbot, page, repo, list_id):
    page.sidebar.new_button.click()
    new_id = page.list_id
    assert new_id != list_id and page.model.rowCount() == 0
    page.rename_list(new_id, "Cardiology")
    assert page.title.text() == "Cardiology"
    page.sidebar.list.setCurrentRow(1)  # "Pharma"
    assert page.list_id == list_id
    page.sidebar.duplicate_button.click()
    assert [s.name for s in repo.summaries()] == ["Cardiology", "Pharma", "Pharma (copy)"]
    assert page.model.items() == ROWS
    # Delete asks first; Cancel keeps the list.
    page.sidebar.delete_button.click()
    box = page.sidebar.confirm_box
    assert box is not None and "Pharma (copy)" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert len(repo.summaries()) == 3
    page.sidebar.delete_button.click()
    page.sidebar.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    assert [s.name for s in repo.summaries()] == ["Cardiology", "Pharma"]
    assert page.list_id in {s.id for s in repo.summaries()}


def test_rename_to_a_taken_name_is_refused_and_explained(qtbot, page, repo, list_id, monkeypatch):
    other = repo.create("Other", "fun-asr")
    page.reload_lists(select=list_id)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    page.rename_list(other, "pharma")
    assert shown == ['There is already a list named "pharma". Pick another name.']
    assert repo.load(other).hotwords.name == "Other"


def test_the_last_open_list_is_reopened(qtbot, repo, list_id):
    second = repo.create("Zoology", "fun-asr")
    first_page = HotwordEditorPage(repo)
    qtbot.addWidget(first_page)
    first_page.open_list(second)
    again = HotwordEditorPage(repo)
    qtbot.addWidget(again)
    assert again.list_id == second


def test_a_failed_save_changes_nothing_on_screen_and_says_why(qtbot, page, repo, list_id, db_path):
    # Another connection removes the rows behind the editor's back: the next save really fails.
    other = db.connect(db_path)
    other.execute("DELETE FROM hotword_items WHERE list_id = ? AND position = 1", (list_id,))
    other.close()
    with qtbot.waitSignal(page.model.saveFailed) as blocker:
        page.model.setData(page.model.index(1, Column.TEXT), "Tagrisso")
    assert "List" in blocker.args[0] and "no row 1" in blocker.args[0]
    assert page.model.item(1) == ROWS[1]  # the screen still shows the old text
    assert page.model.undo_stack.count() == 0  # and there is nothing to undo
    assert page.save_error_box is not None and "Could not save" in page.save_error_box.text()
    page.save_error_box.close()
