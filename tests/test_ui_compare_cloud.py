"""The comparison over the DashScope protocol: the page's "custom URL" engine against the emulator
(real HTTP and WebSocket on localhost, recognition by the offline engine behind it).
"""

from __future__ import annotations

import pytest

from qwenasr_desktop.core.compare import Side
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.metrics import error_counts
from qwenasr_desktop.emulator import EmulatorServer
from qwenasr_desktop.engines.dashscope.engine import make_dashscope_engine
from qwenasr_desktop.storage import db
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.storage.sessions import SessionRepository
from qwenasr_desktop.ui.compare.compare_page import ComparePage

KEY = "sk-comparetest00001"
CLIP = "sh_en_lj001_0028"


@pytest.fixture(scope="module")
def emu():
    with EmulatorServer(api_key=KEY) as server:
        yield server


@pytest.mark.slow
def test_file_comparison_through_the_dashscope_protocol(qtbot, tmp_path, manifest, emu, monkeypatch):
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    rec = manifest[CLIP]
    items = [Hotword(h["text"], 4, "en") for h in rec["hotwords"]]
    conn = db.connect(tmp_path / "q.sqlite3")
    lists = HotwordListRepository(conn)
    synced = lists.create("Towns (cloud)", "fun-asr", items)
    not_synced = lists.create("Towns (not uploaded)", "fun-asr", items)
    vocab_id = make_dashscope_engine(emu.base_url).create_vocabulary("towns", "fun-asr", items)
    lists.set_cloud_state(synced, vocab_id, "OK")
    page = ComparePage(lists, SessionRepository(conn), tmp_path / "sessions")
    qtbot.addWidget(page)
    page.show()
    s = page.settings
    s.engine.setCurrentIndex(s.engine.findData("custom"))
    assert s.url.isVisibleTo(page)
    s.url.setText(emu.base_url)
    assert s.select_model("fun-asr")
    page.open_file(str(rec["audio_path"]))
    # a list that is not on the cloud is refused with a sentence, before any request
    assert s.select_list(not_synced)
    page.run_box.compare.click()
    assert "Upload (sync) the list" in page.run_box.status.text() and not page.runner.busy
    assert page.sessions.history() == []
    assert s.select_list(synced)
    with qtbot.waitSignal(page.runFinished, timeout=600_000):
        page.run_box.compare.click()
        # the cloud reports once, at the end: its stage and the time spent, never a made-up percentage
        bar = page.view.columns.progress[Side.A]
        assert bar.maximum() == 0 and bar.format().startswith(
            "A: sent to the cloud, waiting for the result · elapsed 0:0"), bar.format()
    qtbot.waitUntil(lambda: not page.view.busy, timeout=30_000)
    result = page.view.result
    assert result is not None, page.run_box.status.text()
    for t in (result.a, result.b):
        assert error_counts(rec["reference_normalized"], t.text, lang="en").wer < 0.35, t.text
    counts = {c.hotword.text: c for c in result.counts}
    targets = [h["text"] for h in rec["hotwords"] if not h["distractor"]]
    assert all(counts[t].hits_b >= counts[t].hits_a for t in targets)
    assert sum(counts[t].hits_b for t in targets) >= 2, result.b.text
    assert all(counts[h["text"]].hits_b == 0 for h in rec["hotwords"] if h["distractor"])
    summary = page.sessions.history()[0]
    assert summary.engine == "custom" and summary.model == "fun-asr" and summary.complete
