"""Tuning over the DashScope engine, against the emulator (real HTTP, real upload, real recognition
by the offline engine behind it): the clip is uploaded once, the weights travel through a temporary
cloud vocabulary that is deleted afterwards, and the CLI shows the cost and wants --yes first."""

from __future__ import annotations

import pytest

from qwenasr_desktop.cli import main
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.emulator import EmulatorServer
from qwenasr_desktop.engines.base import RecognitionOptions
from qwenasr_desktop.engines.dashscope.config import resolve_region
from qwenasr_desktop.engines.dashscope.engine import DashScopeEngine
from qwenasr_desktop.engines.local.engine import LocalEngine
from qwenasr_desktop.engines.tuning import TuningClip, TuningRunner

KEY = "sk-tunetest-0123456789ab"
CLIP = "sh_en_ls_1089-134686-0001"


@pytest.fixture(scope="module")
def emu():
    with EmulatorServer(LocalEngine(), api_key=KEY) as server:
        yield server


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)


@pytest.mark.slow
def test_tuning_on_dashscope_uploads_once_and_cleans_up_its_vocabulary(emu, manifest):
    rec = manifest[CLIP]
    engine = DashScopeEngine(resolve_region(emu.base_url), KEY)
    try:
        runner = TuningRunner(engine, [TuningClip(rec["audio_path"], rec["reference"], "en")],
                              [Hotword("counselled", 3)], RecognitionOptions(model="fun-asr"), weights=(1, 5))
        cost = runner.estimate()
        assert (cost.min_recognitions, cost.max_recognitions) == (2, 3)
        report = runner.run()
    finally:
        engine.close()
    assert report.recognitions == 2 and report.cache_hits == 1  # the single hotword's confirmation
    assert len(emu.store.uploads) == 1, list(emu.store.uploads)
    assert emu.store.vocabularies == {}  # the temporary list is gone
    h = report.by_text("counselled")
    assert set(h.stats) == {1, 5} and h.stats[1].targets == 1


def test_cli_tune_on_a_billed_engine_shows_the_cost_and_needs_yes(emu, manifest, tmp_path, capsys):
    rec = manifest[CLIP]
    ref = tmp_path / "ref.txt"
    ref.write_text(rec["reference"])
    lst = tmp_path / "l.txt"
    lst.write_text("counselled\nbelly\n")
    uploads, tasks = len(emu.store.uploads), len(emu.store.tasks)
    code = main(["hotwords", "tune", "--audio", str(rec["audio_path"]), "--reference", str(ref),
                 "--hotwords", str(lst), "--engine", "dashscope", "--region", emu.base_url])
    err = capsys.readouterr().err
    assert code == 2
    assert "cost: 5 to 14 recognitions" in err and "add --yes" in err  # 5 + 1 + 4 x 2 at most
    assert (len(emu.store.uploads), len(emu.store.tasks)) == (uploads, tasks)  # nothing was sent
