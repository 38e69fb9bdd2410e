"""Editing details of the hotword editor found by trying it as a new user (issue 15)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit
from test_ui_hotword_editor import ROWS, press_return, type_into

from qwenasr_desktop.ui.hotwords.delegates import WeightDelegate
from qwenasr_desktop.ui.hotwords.editor_page import HotwordEditorPage
from qwenasr_desktop.ui.hotwords.table_model import Column


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


def add_typed_row(qtbot, page, text):
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = page.table.focusWidget()
    assert isinstance(editor, QLineEdit)
    type_into(qtbot, editor, text)
    press_return(qtbot, editor)


def test_delete_after_adding_rows_removes_only_the_current_row(qtbot, page):
    page.table.setFocus()
    page.table.go_to(2, Column.TEXT)
    add_typed_row(qtbot, page, "Gefitinib")
    add_typed_row(qtbot, page, "Afatinib")
    assert [h.text for h in page.model.items()] == [r.text for r in ROWS] + ["Gefitinib", "Afatinib"]
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert [h.text for h in page.model.items()] == [r.text for r in ROWS] + ["Gefitinib"]


def test_the_weight_handle_follows_a_drag_and_a_release_past_the_end_sets_it(qtbot, page):
    table, delegate = page.table, page.table.weight_delegate
    index = table.source_index(1, Column.WEIGHT)  # Osimertinib, weight 3
    rect = WeightDelegate.slider_rect(table.visualRect(index))
    vp = table.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseMove(vp, QPoint(rect.right() - 2, rect.center().y()))
    assert delegate.shown_weight(index) == 5 and page.model.item(1).weight == 3  # painted, not saved
    qtbot.mouseMove(vp, QPoint(rect.right() + 60, rect.center().y()))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=QPoint(rect.right() + 60, rect.center().y()))
    assert page.model.item(1).weight == 5
    assert delegate.shown_weight(index) == 5
    assert page.model.undo_stack.count() == 1  # one drag, one undo step


def test_a_renamed_new_list_is_exported_under_its_new_name(qtbot, page, monkeypatch):
    from qwenasr_desktop.ui.hotwords import file_actions

    page.sidebar.new_button.click()
    page.rename_list(page.list_id, "Cardiology")
    asked = []
    monkeypatch.setattr(file_actions.QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, title, name, filters: asked.append(name) or ("", "")))
    page.choose_export_file()
    assert asked == ["Cardiology.json"]
    assert page.model.hotword_list.name == "Cardiology"  # what Import's report names
