"""The assistant dialogs driven like a user: real widgets, a real database, the real engine."""

from __future__ import annotations

import pytest
from job_helpers import settle_jobs  # tests/ is on sys.path
from PySide6.QtCore import Qt
from test_candidates import BRIEF

from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.models import LOCAL_TINY_EN
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.ui.assistant.candidates_dialog import CandidatesDialog
from qwenasr_desktop.ui.assistant.tuning_dialog import EngineMenuEntry, TuningDialog
from qwenasr_desktop.ui.hotwords.editor_page import HotwordEditorPage
from qwenasr_desktop.ui.main_window import MainWindow

# The case of tests/test_tuning.py: "Stuffy" is inserted for "stuff it" at weight 5 (lambda 0.75,
# proposal bonus 3.75).
TUNE_LIST = [Hotword("counselled", 1), Hotword("belly", 3), Hotword("Stuffy", 5)]


def saved(db_path, list_id):
    conn = db.connect(db_path)
    try:
        return [(h.text, h.weight) for h in HotwordListRepository(conn).load(list_id).hotwords.items]
    finally:
        conn.close()


def make_page(qtbot, repo, items):
    list_id = repo.create("Case", "fun-asr", items)
    page = HotwordEditorPage(repo)
    qtbot.addWidget(page)
    page.open_list(list_id)
    return page, list_id


def test_candidates_dialog_adds_ticked_terms_in_one_undo_step(qtbot, repo, db_path):
    page, list_id = make_page(qtbot, repo, [Hotword("Entresto", 4)])
    dlg = CandidatesDialog(page.model)
    qtbot.addWidget(dlg)
    dlg.source.setPlainText(BRIEF)
    with qtbot.waitSignal(dlg.extracted, timeout=60_000):
        qtbot.mouseClick(dlg.find_button, Qt.MouseButton.LeftButton)
    dup = dlg.table.item(dlg.row_of("Entresto"), 0)
    assert not dup.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert "already in the list (row 1)" in dlg.table.item(dlg.row_of("Entresto"), 3).text()
    assert "apixaban" in dlg.context_view.toPlainText()
    dlg.set_ticked({"apixaban", "NYHA", "Hiroshi Nakamura"})
    assert dlg.add_button.text() == "Add 3 ticked"
    qtbot.mouseClick(dlg.add_button, Qt.MouseButton.LeftButton)
    added = [("Entresto", 4), ("apixaban", 4), ("Hiroshi Nakamura", 4), ("NYHA", 4)]
    assert sorted(saved(db_path, list_id)) == sorted(added)
    assert not dlg.add_button.isEnabled()  # the added ones are now marked as duplicates
    assert "already in the list" in dlg.table.item(dlg.row_of("apixaban"), 3).text()
    page.undo_action.trigger()
    assert saved(db_path, list_id) == [("Entresto", 4)]


def test_candidates_dialog_reads_a_docx_and_reports_a_bad_file(qtbot, repo, tmp_path):
    import docx

    page, _ = make_page(qtbot, repo, [])
    dlg = CandidatesDialog(page.model)
    qtbot.addWidget(dlg)
    d = docx.Document()
    d.add_paragraph("Dr. Okonkwo reviewed the pharmacovigilance report on Dupixent.")
    path = tmp_path / "memo.docx"
    d.save(str(path))
    with qtbot.waitSignal(dlg.extracted, timeout=60_000):
        dlg.open_file(str(path))
    assert "Dr. Okonkwo reviewed" in dlg.source.toPlainText()
    texts = {dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())}
    assert {"Okonkwo", "pharmacovigilance", "Dupixent"} <= texts
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"not a pdf")
    with qtbot.waitSignal(dlg.failed, timeout=60_000) as blocker:
        dlg.open_file(str(bad))
    assert "broken.pdf" in blocker.args[0] and "broken.pdf" in dlg.status.text()


def test_candidates_dialog_shows_only_the_newest_request(qtbot, repo, tmp_path):
    # A file is still being read when the user presses "Find terms" on pasted text: the file's
    # terms are stale and must never replace the text's (whichever worker finishes last).
    page, _ = make_page(qtbot, repo, [])
    dlg = CandidatesDialog(page.model)
    qtbot.addWidget(dlg)
    first = tmp_path / "first.txt"
    first.write_text("Dr. Okonkwo reviewed the pharmacovigilance report on Dupixent.", encoding="utf-8")
    extracted: list = []
    dlg.extracted.connect(extracted.append)
    dlg.open_file(str(first))
    dlg.source.setPlainText(BRIEF)
    dlg.find_terms()
    settle_jobs(qtbot)
    assert len(extracted) == 1
    assert dlg.source.toPlainText() == BRIEF
    texts = {dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())}
    assert "apixaban" in texts and "Okonkwo" not in texts


def test_tools_menu_opens_both_dialogs_on_the_open_list(qtbot, repo):
    repo.create("Case", "fun-asr", [Hotword("Xarelto", 4)])
    window = MainWindow(repo)
    qtbot.addWidget(window)
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles.index("Tools") == titles.index("Help") - 1
    cand = window.assistant.open_candidates()
    tune = window.assistant.open_tuning()
    assert isinstance(cand, CandidatesDialog) and isinstance(tune, TuningDialog)
    assert tune.table_model is window.hotwords.model
    assert "Add at least one clip" in tune.cost_label.text() and not tune.start_button.isEnabled()
    cand.close()
    tune.close()
    assert window.assistant.open_tuning().cache is tune.cache  # recognitions survive a reopened dialog
    window.assistant.tuning_dialog.close()


def add_clip_and_estimate(qtbot, dlg, audio, reference):
    """Add a clip and wait for the cost, which is estimated on a worker thread."""
    with qtbot.waitSignal(dlg.cost_estimated, timeout=60_000) as blocker:
        dlg.add_clip(audio, reference)
        assert dlg.cost_label.text() == "Estimating the cost…" and not dlg.start_button.isEnabled()
    return blocker.args[0]


def test_tuning_dialog_estimates_off_the_gui_thread_and_keeps_only_the_newest(qtbot, repo, manifest,
                                                                               tmp_path):
    page, _ = make_page(qtbot, repo, TUNE_LIST)
    dlg = TuningDialog(page.model, choices=_local_tiny(), weights=(1, 4, 5))
    qtbot.addWidget(dlg)
    costs: list = []
    dlg.cost_estimated.connect(costs.append)
    rec = manifest["sh_en_ls_1089-134686-0001"]
    dlg.add_clip(rec["audio_path"], rec["reference"])
    dlg.trie_only.setChecked(True)  # a second refresh before the first estimate reported
    settle_jobs(qtbot)
    assert len(costs) == 1 and costs[0] is dlg.cost and dlg.start_button.isEnabled()
    assert dlg.cost_label.text().startswith("This run makes 3 to ")
    missing = tmp_path / "moved away.wav"
    cost = add_clip_and_estimate(qtbot, dlg, missing, "text")
    assert cost is None and "moved away.wav" in dlg.cost_label.text() and not dlg.start_button.isEnabled()


def _local_tiny():
    from qwenasr_desktop.engines.local.engine import LocalEngine

    return [EngineMenuEntry("tiny.en", LocalEngine, LOCAL_TINY_EN,
                            extra={"lam": 0.75, "proposal_bonus": 3.75})]


@pytest.mark.slow
def test_tuning_dialog_shows_cost_runs_and_applies_undoably(qtbot, repo, db_path, manifest):
    page, list_id = make_page(qtbot, repo, TUNE_LIST)
    dlg = TuningDialog(page.model, choices=_local_tiny(), weights=(1, 4, 5))
    qtbot.addWidget(dlg)
    rec = manifest["sh_en_ls_1089-134686-0001"]
    dlg.trie_only.setChecked(True)
    add_clip_and_estimate(qtbot, dlg, rec["audio_path"], rec["reference"])
    assert dlg.cost_label.text().startswith("This run makes 3 to ")
    assert "audio minutes" in dlg.cost_label.text()
    with qtbot.waitSignal(dlg.finished_run, timeout=900_000) as blocker:
        qtbot.mouseClick(dlg.start_button, Qt.MouseButton.LeftButton)
        assert dlg.running and dlg.cancel_button.isEnabled()
    report = blocker.args[0]
    assert report is not None, dlg.status.text()
    assert dlg.progress.value() == dlg.progress.maximum() == report.runs_planned
    chart = dlg.chart("Stuffy")
    assert "weight 5: not spoken, 1 false" in chart.describe()
    dlg.show()
    qtbot.waitExposed(dlg)
    image = chart.grab().toImage()
    assert any(image.pixelColor(x, y).red() > 200 and image.pixelColor(x, y).green() < 100
               for x in range(image.width()) for y in range(image.height()))  # the red false-insertion dot
    res = dlg.results
    advice = {res.item(r, 0).text(): res.item(r, 3).text() for r in range(res.rowCount())}
    tuned = report.recommended_weights()
    assert tuned["counselled"] > 1 and tuned["Stuffy"] < 5  # missed at 1; inserted for "stuff it" at 5
    assert advice == {t: (f"{w} → {tuned[t]}" if tuned[t] != w else f"keep {w}")
                      for t, w in (("counselled", 1), ("belly", 3), ("Stuffy", 5))}
    assert dlg.apply_button.isEnabled()
    qtbot.mouseClick(dlg.apply_button, Qt.MouseButton.LeftButton)
    assert saved(db_path, list_id) == [(t, tuned[t]) for t in ("counselled", "belly", "Stuffy")]
    assert page.model.undo_stack.undoText() == "Apply recommended weights"
    page.undo_action.trigger()
    assert saved(db_path, list_id) == [("counselled", 1), ("belly", 3), ("Stuffy", 5)]


@pytest.mark.slow
def test_tuning_dialog_cancel_stops_the_run(qtbot, repo, manifest):
    page, _ = make_page(qtbot, repo, [Hotword("belly", 2)])
    dlg = TuningDialog(page.model, choices=_local_tiny())
    qtbot.addWidget(dlg)
    rec = manifest["sh_en_ls_1089-134686-0001"]
    add_clip_and_estimate(qtbot, dlg, rec["audio_path"], rec["reference"])
    with qtbot.waitSignal(dlg.finished_run, timeout=300_000) as blocker:
        dlg.start()
        dlg.cancel()
    assert blocker.args[0] is None
    assert dlg.status.text().startswith("Cancelled.")
    assert not dlg.running and not dlg.apply_button.isEnabled()
    qtbot.waitUntil(dlg.start_button.isEnabled, timeout=60_000)  # once the cost is estimated again


def test_stored_sessions_with_a_reference_become_clips(qtbot, repo, db_path, manifest, tmp_path):
    from qwenasr_desktop.storage.sessions import Session, SessionRepository
    from qwenasr_desktop.ui.assistant.session_picker import SessionPicker, usable_sessions

    audio = str(manifest["sh_en_ls_1089-134686-0001"]["audio_path"])
    sessions = SessionRepository(db.connect(db_path))
    good = sessions.add(Session("local", "base", "file", audio, "Belly", {"language_hints": ["en"]},
                                reference="STUFF IT INTO YOU HIS BELLY COUNSELLED HIM"))
    sessions.add(Session("local", "base", "file", audio, "No reference"))
    sessions.add(Session("local", "base", "file", str(tmp_path / "gone.wav"), "Deleted audio",
                         reference="text"))
    clips = usable_sessions(sessions)
    assert [(c.session_id, c.lang) for c in clips] == [(good, "en")]
    picker = SessionPicker(clips)
    qtbot.addWidget(picker)
    assert picker.chosen() == clips
    page, _ = make_page(qtbot, repo, TUNE_LIST)
    dlg = TuningDialog(page.model, choices=_local_tiny(), sessions=sessions)
    qtbot.addWidget(dlg)
    assert not dlg.add_sessions_button.isHidden()
    with qtbot.waitSignal(dlg.cost_estimated, timeout=60_000):
        assert dlg.add_sessions(clips) == 1
    assert dlg.add_sessions(clips) == 0  # not twice
    assert dlg.clips[0].reference.startswith("STUFF IT") and dlg.clips[0].lang == "en"
    assert dlg.cost_label.text().startswith("This run makes 5 to 18 recognitions")
    assert dlg.start_button.isEnabled()
