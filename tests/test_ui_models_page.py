"""Settings → Models and the offline model picker with the user's model folders (real widgets,
real settings files, folders linked from the packaged tiny.en)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_model_folders import _linked_folder  # tests/ is on sys.path

from qwenasr_desktop.engines.local import model_folders, packaged_models


@pytest.fixture(scope="module")
def tiny_files() -> Path:
    return packaged_models.tiny_en_dir()


@pytest.fixture()
def hf_cache(tiny_files, tmp_path, monkeypatch) -> Path:
    """A Hugging Face cache holding tiny.en as Systran's repository, and an empty user settings file."""
    cache = tmp_path / "hub"
    _linked_folder(cache / "models--Systran--faster-whisper-tiny.en" / "snapshots" / "abc123", tiny_files)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    yield cache
    model_folders.set_user_folders([])
    model_folders.available_models(refresh=True)  # unregisters what this test registered


def test_models_page_adds_validated_folders_and_the_picker_offers_them(qtbot, tiny_files, tmp_path,
                                                                       hf_cache, repo, monkeypatch):
    from qwenasr_desktop.core.models import Mode
    from qwenasr_desktop.engines.engine_choice import models_for_choice
    from qwenasr_desktop.engines.engine_labels import EngineChoice
    from qwenasr_desktop.ui.recognition.settings_box import SettingsBox
    from qwenasr_desktop.ui.settings.models_page import ModelsPage
    from qwenasr_desktop.ui.settings.user_models import saved_folders
    from qwenasr_desktop.ui.settings_keys import AppSettings

    settings = AppSettings(tmp_path / "settings.ini")
    page = ModelsPage(settings)
    qtbot.addWidget(page)
    rows = [[page.table.item(r, c).text() for c in range(page.table.columnCount())]
            for r in range(page.table.rowCount())]
    assert [r[0] for r in rows] == ["Whisper base", "Whisper tiny.en", "Systran/faster-whisper-tiny.en"]
    assert rows[2][1:] == ["English only (.en)", "72 MB", "measured on first use", "fits",
                           "Hugging Face cache"]
    page.table.selectRow(2)
    assert not page.remove_button.isEnabled()  # the cache is listed read-only

    broken = _linked_folder(tmp_path / "broken", tiny_files, skip="model.bin")
    assert not page.add_folder(str(broken))
    assert "has no model.bin" in page.message.text() and page.table.rowCount() == 3
    mine = _linked_folder(tmp_path / "my-tiny", tiny_files)
    assert page.add_folder(str(mine)) and page.table.rowCount() == 4
    assert page.message.text() == "Added my-tiny: English only (.en), 72 MB."
    assert not page.add_folder(str(mine)) and "already listed" in page.message.text()
    offered = [m.name for m in models_for_choice(EngineChoice.OFFLINE, Mode.FILE)]
    assert f"folder:{mine}" not in offered  # not before Settings is applied
    page.apply()
    assert saved_folders(AppSettings(tmp_path / "settings.ini")) == [str(mine)]

    names = [m.name for m in models_for_choice(EngineChoice.OFFLINE, Mode.FILE)]
    assert names[:2] == ["local-whisper-base", "local-whisper-tiny.en"]
    assert f"folder:{mine}" in names and any(n.startswith(f"folder:{hf_cache}") for n in names)
    box = SettingsBox(repo)
    qtbot.addWidget(box)
    assert box.select_model(f"folder:{mine}")
    assert box.model.currentText() == "Whisper my-tiny (English only, your folder)"

    labels = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    assert labels == ["Whisper base", "Whisper tiny.en", "my-tiny", "Systran/faster-whisper-tiny.en"]
    page.table.selectRow(2)
    assert page.remove_button.isEnabled()
    page.remove_selected()
    page.apply()
    assert page.table.rowCount() == 3 and saved_folders(settings) == []
    assert f"folder:{mine}" not in [m.name for m in models_for_choice(EngineChoice.OFFLINE, Mode.FILE)]
    monkeypatch.setattr(model_folders, "mem_available", lambda: 200 << 20)  # 200 MB free
    page.refresh()
    cell = page.table.item(2, 4)
    assert cell.text().startswith("Systran/faster-whisper-tiny.en needs about 0.5 GB of memory to load")
    assert cell.foreground().color().name() == "#ff0000"


def test_speed_is_measured_once_on_first_use_and_saved(qtbot, tmp_path, monkeypatch):
    from qwenasr_desktop.core.user_models import USER_MODELS
    from qwenasr_desktop.engines.local import model_speed
    from qwenasr_desktop.ui.settings.models_page import speed_text
    from qwenasr_desktop.ui.settings.user_models import install_user_models, saved_speeds
    from qwenasr_desktop.ui.settings_keys import AppSettings

    monkeypatch.setattr(USER_MODELS, "speeds", {})
    monkeypatch.setattr(USER_MODELS, "on_measured", None)
    model = packaged_models.load_model("tiny.en")
    assert model_speed.measure_on_first_use("tiny", model) is None  # the CLI: never probed
    settings = AppSettings(tmp_path / "settings.ini")
    keeper = install_user_models(settings)  # noqa: F841  (its signal must outlive the call)
    rtf = model_speed.measure_on_first_use("tiny", model)
    assert rtf is not None and np.isfinite(rtf) and rtf > 0
    assert saved_speeds(AppSettings(tmp_path / "settings.ini")) == {"tiny": round(rtf, 3)}
    assert model_speed.measure_on_first_use("tiny", model) is None  # known: not probed again
    assert speed_text("tiny") == f"about {rtf:.2f} × real time"
