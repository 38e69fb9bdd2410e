"""The Recognize & compare page on the real offline engine, with real clips and a real SQLite file.

Few recognitions (each is a real Whisper run): one file-mode A/B run and one real-time run,
shared by the assertions below through module-scoped fixtures.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from qwenasr_desktop.core.compare import Side
from qwenasr_desktop.core.context import Role
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.metrics import error_counts
from qwenasr_desktop.core.models import LOCAL_BASE, Mode
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.sessions import SessionRepository
from qwenasr_desktop.ui.compare.compare_page import ComparePage

CLIP = "sh_en_lj001_0028"  # Strasburg, Basle, Lubeck: base writes Strasbourg/Basil without help
RUN_TIMEOUT_MS = 600_000


def make_page(qtbot, tmp_path: Path, rec: dict) -> tuple[ComparePage, int]:
    conn = db.connect(tmp_path / "q.sqlite3")
    lists = HotwordListRepository(conn)
    items = [Hotword(h["text"], h["weight"], h["lang"]) for h in rec["hotwords"]]
    list_id = lists.create("Printing towns", LOCAL_BASE, items)
    lists.create("Cloud list", "fun-asr-realtime", [Hotword("Qwen")])
    page = ComparePage(lists, SessionRepository(conn), tmp_path / "sessions")
    if qtbot is not None:
        qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    assert page.settings.select_model(LOCAL_BASE)
    assert page.settings.select_list(list_id)
    return page, list_id


@pytest.fixture(scope="module")
def file_run(qapp, manifest, tmp_path_factory, request):
    """One A/B run in file mode: A plain, B with the clip's list (targets and distractors)."""
    from pytestqt.qtbot import QtBot

    qtbot = QtBot(request)  # module-scoped: only its waiting helpers are used
    rec = manifest[CLIP]
    page, _ = make_page(None, tmp_path_factory.mktemp("file_run"), rec)
    page.open_file(str(rec["audio_path"]))
    page.settings.add_context.setChecked(False)
    with qtbot.waitSignal(page.runFinished, timeout=RUN_TIMEOUT_MS):
        page.run_box.compare.click()
    qtbot.waitUntil(lambda: not page.view.busy, timeout=30_000)
    yield page, rec
    page.close()


@pytest.mark.slow
def test_file_run_fills_both_columns_with_good_transcripts(file_run):
    page, rec = file_run
    result = page.view.result
    for t in (result.a, result.b):
        assert error_counts(rec["reference_normalized"], t.text, lang="en").wer < 0.35, t.text
    assert result.b_adds == "hotwords"
    title, note = page.view.columns.title_b.text().split("<br>")
    assert title == "<b>B: with hotwords</b>"
    # What the hotwords did is said with column B, so "B = A" is never unexplained.
    assert result.b.verification is not None and result.b.verification.describe() in note
    assert page.run_box.compare.isEnabled() and not page.run_box.cancel.isEnabled()


@pytest.mark.slow
def test_file_run_counts_hotwords_targets_up_distractors_out(file_run):
    page, rec = file_run
    counts = {c.hotword.text: c for c in page.view.result.counts}
    targets = [h["text"] for h in rec["hotwords"] if not h["distractor"]]
    distractors = [h["text"] for h in rec["hotwords"] if h["distractor"]]
    assert all(counts[t].hits_b >= counts[t].hits_a for t in targets), counts
    assert sum(counts[t].hits_b for t in targets) >= 2, page.view.result.b.text
    assert all(counts[d].hits_b == 0 for d in distractors), page.view.result.b.text
    # the table shows the same numbers
    hits = page.view.hits
    shown = {hits.index(r, 0).data(): (hits.index(r, 1).data(), hits.index(r, 2).data())
             for r in range(hits.rowCount())}
    assert shown == {t: (str(c.hits_a), str(c.hits_b)) for t, c in counts.items()}
    # every B occurrence is highlighted in B's column
    html = page.view.columns.view_b.toHtml()
    for o in page.view.result.occurrences_in(Side.B):
        assert "font-weight" in html and o.hotword in html


@pytest.mark.slow
def test_reference_gives_scores_and_export(file_run, qtbot, tmp_path):
    page, rec = file_run
    with qtbot.waitSignal(page.view.comparisonReady, timeout=30_000):
        page.view.set_reference(rec["reference"])
    labels = [page.view.metrics.index(r, 0).data() for r in range(page.view.metrics.rowCount())]
    assert {"WER", "U-WER", "B-WER", "Hotword recall"} <= set(labels)
    result = page.view.result
    assert result.scores_b.recall >= result.scores_a.recall
    page.view.export(str(tmp_path / "c.html"), "html")
    page.view.export(str(tmp_path / "c.csv"), "csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    assert {r["hotword"] for r in rows} == {h["text"] for h in rec["hotwords"]}
    assert "B-WER" in (tmp_path / "c.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_session_is_stored_and_reopens(file_run, qtbot):
    page, rec = file_run
    summary = page.sessions.history()[0]
    assert summary.complete and summary.model == LOCAL_BASE and summary.mode == "file"
    s = page.sessions.load(summary.id)
    assert s.audio_path == str(rec["audio_path"])
    assert s.hotword_list.name == "Printing towns" and len(s.hotword_list.items) == 6
    assert s.transcript_b.text == page.view.result.b.text
    before = page.view.result.b.text
    page.view.result = None
    with qtbot.waitSignal(page.view.comparisonReady, timeout=30_000):
        page.show_session(summary.id)
    assert page.view.result.b.text == before
    # the finished transcript is offered as context for the next run
    page.context_panel.use_previous.click()
    ctx = page.context_panel.context()
    assert ctx.messages[-1].role is Role.USER and ctx.messages[-1].text == before


@pytest.mark.slow
def test_real_time_mode_updates_both_columns_live(qapp, qtbot, manifest, tmp_path):
    rec = manifest[CLIP]
    page, _ = make_page(qtbot, tmp_path, rec)
    page.source.live_mode.setChecked(True)
    assert page.settings.model.currentData() == LOCAL_BASE and page.source.mode is Mode.REALTIME
    page.audio_path = str(rec["audio_path"])
    seen = set()
    page.runner.live.connect(lambda key, t: seen.add(key) if t.sentences else None)
    with qtbot.waitSignal(page.runFinished, timeout=RUN_TIMEOUT_MS):
        page.run_box.compare.click()
    assert seen == {"a", "b"}  # both columns received text while the audio was streaming
    qtbot.waitUntil(lambda: not page.view.busy, timeout=30_000)
    wait_result = page.view.result
    assert all(s.is_final for s in wait_result.a.sentences + wait_result.b.sentences)
    assert error_counts(rec["reference_normalized"], wait_result.b.text, lang="en").wer < 0.35
    counts = {c.hotword.text: c for c in wait_result.counts}
    assert counts["Basle"].hits_b >= counts["Basle"].hits_a
    assert page.sessions.history()[0].mode == "realtime"


def test_only_lists_that_fit_the_model_are_offered(qtbot, manifest, tmp_path):
    page, list_id = make_page(qtbot, tmp_path, manifest[CLIP])
    page.settings.repo.create("Too long", LOCAL_BASE, [Hotword("one two three four five six seven eight")])
    page.settings.reload_lists()
    combo = page.settings.hotword_list

    def offered() -> list[str]:
        return [combo.itemText(i) for i in range(combo.count())]

    # offline: words go inline, so any list that follows the rules fits, whatever its target model
    assert offered() == ["(no list)", "Cloud list (1)", "Printing towns (6)"]
    assert page.settings.list_note.text().startswith("Hidden: Too long: has rows that break")
    assert "Too long: has rows that break" in page.settings.list_note.toolTip()
    assert combo.currentData() == list_id  # the selection survives the reload
    # the cloud uses a list only with the model it is bound to
    page.source.live_mode.setChecked(True)
    page.settings.engine.setCurrentIndex(page.settings.engine.findData("intl"))
    assert page.settings.select_model("fun-asr-realtime")
    assert offered() == ["(no list)", "Cloud list (1)"]
    assert "Printing towns: bound to local-whisper-base" in page.settings.list_note.toolTip()


def test_language_hint_names_the_hotwords_it_switches_off(qtbot, manifest, tmp_path):
    page, _ = make_page(qtbot, tmp_path, manifest[CLIP])
    hint = page.settings.hint
    hint.setCurrentIndex(hint.findData("zh"))
    note = page.settings.hint_note.text()
    assert "switches off 6 hotword(s)" in note and "Strasburg" in note
    hint.setCurrentIndex(hint.findData("en"))
    assert page.settings.hint_note.text() == ""


def test_context_panel_follows_the_model(qtbot, manifest, tmp_path):
    page, _ = make_page(qtbot, tmp_path, manifest[CLIP])
    panel = page.context_panel
    assert panel.add_user.isEnabled()
    page.settings.engine.setCurrentIndex(page.settings.engine.findData("intl"))
    page.settings.select_model("fun-asr")
    assert not panel.add_user.isEnabled() and "does not use context" in panel.note.text()
    assert not page.settings.add_context.isEnabled() and page.settings.b_adds() == frozenset({"hotwords"})


@pytest.mark.slow
def test_page_preloads_the_offline_model_and_skips_cloud_engines(qtbot, manifest, tmp_path):
    from qwenasr_desktop.engines.engine_choice import load_offline_model
    from qwenasr_desktop.engines.local.packaged_models import LOCAL_TINY_EN, _cache

    page, _ = make_page(qtbot, tmp_path, manifest[CLIP])
    messages: list[str] = []
    page.message.connect(messages.append)
    _cache.pop(LOCAL_TINY_EN, None)  # so this test sees a real load, whatever ran before
    assert page.settings.select_model(LOCAL_TINY_EN)
    with qtbot.waitSignal(page.modelPreloaded, timeout=RUN_TIMEOUT_MS) as blocker:
        page.preload_model()
    assert blocker.args == [LOCAL_TINY_EN] and LOCAL_TINY_EN in _cache
    assert messages[0] == f"Loading the offline model {LOCAL_TINY_EN} in the background…", messages
    assert any(m.startswith(f"Offline model {LOCAL_TINY_EN} loaded (") for m in messages), messages
    assert load_offline_model(LOCAL_TINY_EN) < 0.05  # the run that follows finds it loaded
    # A cloud engine has nothing to preload: no job, no signal.
    page.settings.engine.setCurrentIndex(page.settings.engine.findData("intl"))
    with qtbot.assertNotEmitted(page.modelPreloaded, wait=200):
        page.preload_model()
