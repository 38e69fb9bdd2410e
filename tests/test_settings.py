"""Settings: typed QSettings round-trip, the API key in a real keyring backend or the environment
(never in a file), and the Settings dialog including "Test connection" against the emulator."""

from __future__ import annotations

import keyring
import pytest
from emulators import serving  # tests/ is on sys.path
from job_helpers import settle_jobs  # tests/ is on sys.path
from keyring.backends import fail
from memory_keyring import MemoryKeyring
from PySide6.QtCore import QByteArray

from qwenasr_desktop.engines.dashscope import auth
from qwenasr_desktop.engines.dashscope.connection_check import check_connection
from qwenasr_desktop.storage import db, secret_store
from qwenasr_desktop.storage.appdirs import resolve_app_dirs
from qwenasr_desktop.storage.hotword_lists import HotwordListRepository
from qwenasr_desktop.ui.settings.dialog import SettingsDialog
from qwenasr_desktop.ui.settings_keys import SETTINGS_FILE_NAME, AppSettings, Key

KEY = "sk-settingstest0123456789abcdef"


@pytest.fixture()
def memory_keyring(monkeypatch):
    monkeypatch.delenv(auth.ENV_VAR, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture()
def no_keyring(monkeypatch):
    """keyring's own 'fail' backend: what a headless Linux box without Secret Service has."""
    monkeypatch.delenv(auth.ENV_VAR, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture()
def dirs(tmp_path):
    return resolve_app_dirs(tmp_path / "data").ensure()


def files_containing(folder, secret: str) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


# ------------------------------------------------------------------------------ AppSettings
SAMPLE = {
    Key.WINDOW_GEOMETRY: QByteArray(b"\x01\xd9\xd0\xcb\x00\x03geometry\x00"),
    Key.WINDOW_STATE: QByteArray(b"\x00\xff state"),
    Key.LAST_TAB: 2,
    Key.LAST_LIST: 7,
    Key.LAST_MODEL: "fun-asr-realtime",
    Key.COMPARE_LIST: 5,
    Key.LAST_DOCUMENT: 12,
    Key.REGION: "custom",
    Key.CUSTOM_URL: "http://127.0.0.1:8765",
    Key.DEFAULT_MODEL: "local-whisper-tiny.en",
    Key.DEFAULT_LIST: 3,
    Key.AUDIO_DEVICE: "USB Headset Mic — 麦克风",
    Key.SESSIONS_DIR: "/srv/transcripts/会议",
    Key.THEME: "dark",
    Key.DEBUG_LOGGING: True,
    Key.WELCOME_SEEN: True,
    Key.CHINESE_SCRIPT: "traditional",
    Key.MODEL_FOLDERS: '["/models/faster-whisper-large-v3", "/模型/small"]',
    Key.MODEL_SPEEDS: '{"local-whisper-base": 0.31, "folder:/models/a,b": 2.5}',
}


def test_every_key_has_a_sample():
    assert set(SAMPLE) == set(Key)


def test_settings_round_trip_through_the_ini_file_with_declared_types(tmp_path):
    path = tmp_path / SETTINGS_FILE_NAME
    s = AppSettings(path)
    for key in Key:
        assert s.get(key) == key.spec.default
        s.set(key, SAMPLE[key])
    s.sync()
    assert s.status_ok() and path.is_file()
    again = AppSettings(path)
    for key in Key:
        value = again.get(key)
        assert value == SAMPLE[key], key
        assert type(value) is type(SAMPLE[key]), key


def test_wrong_type_is_refused_and_unreadable_values_fall_back(tmp_path):
    path = tmp_path / SETTINGS_FILE_NAME
    s = AppSettings(path)
    with pytest.raises(TypeError, match="LAST_LIST takes int, not str"):
        s.set(Key.LAST_LIST, "7")
    path.write_text("[session]\nlast_list_id=seven\n[logs]\ndebug=maybe\n", encoding="utf-8")
    s = AppSettings(path)
    assert s.get(Key.LAST_LIST) == 0
    assert s.get(Key.DEBUG_LOGGING) is False


def test_sessions_folder_defaults_to_the_data_folder(tmp_path, dirs):
    s = AppSettings.for_dirs(dirs)
    assert s.sessions_dir(dirs) == dirs.sessions
    s.set(Key.SESSIONS_DIR, str(tmp_path / "elsewhere"))
    assert s.sessions_dir(dirs) == tmp_path / "elsewhere"


# ------------------------------------------------------------------------------ the key
def test_key_saved_in_the_keyring_and_nowhere_else(memory_keyring, dirs):
    assert secret_store.status().source is secret_store.KeySource.NONE
    status = secret_store.save(f"  {KEY}\n")
    assert memory_keyring.store[(auth.KEYRING_SERVICE, auth.KEYRING_USER)] == KEY
    assert status.source is secret_store.KeySource.KEYRING
    assert KEY not in status.message and status.masked in status.message
    assert auth.load_api_key() == KEY
    AppSettings.for_dirs(dirs).sync()
    assert files_containing(dirs.data, KEY) == []
    assert secret_store.forget().source is secret_store.KeySource.NONE
    assert memory_keyring.store == {}


def test_environment_variable_is_the_fallback_without_a_keyring(no_keyring, monkeypatch):
    assert secret_store.status().source is secret_store.KeySource.NONE
    assert "offline engine works without one" in secret_store.status().message
    monkeypatch.setenv(auth.ENV_VAR, KEY)
    status = secret_store.status()
    assert status.source is secret_store.KeySource.ENVIRONMENT
    assert auth.ENV_VAR in status.message and KEY not in status.message
    assert secret_store.current_key() == KEY == auth.load_api_key()
    with pytest.raises(secret_store.SecretStoreError, match=f"Set the {auth.ENV_VAR} environment variable"):
        secret_store.save("sk-another0123456789")


def test_environment_overrides_a_saved_key_and_says_so(memory_keyring, monkeypatch):
    secret_store.save(KEY)
    monkeypatch.setenv(auth.ENV_VAR, "sk-fromenvironment0123456")
    status = secret_store.status()
    assert status.source is secret_store.KeySource.ENVIRONMENT and status.keyring_also
    assert "overrides the key saved in the keyring" in status.message
    assert secret_store.current_key() == "sk-fromenvironment0123456"


@pytest.mark.parametrize("bad, message", [("", "empty"), ("sk-abc def", "spaces or line breaks")])
def test_bad_keys_are_refused_with_the_reason(memory_keyring, bad, message):
    with pytest.raises(secret_store.SecretStoreError, match=message):
        secret_store.save(bad)
    assert memory_keyring.store == {}


# ------------------------------------------------------------------------------ the dialog
@pytest.fixture()
def repo(dirs):
    r = HotwordListRepository(db.connect(dirs.database))
    r.create("Clinic", "fun-asr-realtime")
    return r


def test_dialog_saves_and_reloads_every_field(qtbot, memory_keyring, dirs, repo):
    settings = AppSettings.for_dirs(dirs)
    dialog = SettingsDialog(settings, dirs, repo)
    qtbot.addWidget(dialog)
    assert not dialog.custom_url.isEnabled()
    dialog.region.setCurrentIndex(dialog.region.findData("custom"))
    assert dialog.custom_url.isEnabled()
    dialog.custom_url.setText(" http://127.0.0.1:9 ")
    dialog.default_model.setCurrentIndex(dialog.default_model.findData("fun-asr"))
    clinic = repo.summaries()[0].id
    dialog.default_list.setCurrentIndex(dialog.default_list.findData(clinic))
    dialog.sessions_dir.setText(str(dirs.data / "my sessions"))
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    dialog.debug_logging.setChecked(True)
    assert dialog.chinese_script.currentData() == "simplified"
    dialog.chinese_script.setCurrentIndex(dialog.chinese_script.findData("traditional"))
    dialog.api_key.setText(KEY)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert (dirs.data / "my sessions").is_dir()
    assert dialog.api_key.text() == ""
    fresh = AppSettings.for_dirs(dirs)
    assert (fresh.get(Key.REGION), fresh.get(Key.CUSTOM_URL)) == ("custom", "http://127.0.0.1:9")
    assert fresh.get(Key.DEFAULT_MODEL) == "fun-asr"
    assert fresh.get(Key.DEFAULT_LIST) == clinic
    assert fresh.get(Key.THEME) == "light" and fresh.get(Key.DEBUG_LOGGING) is True
    assert fresh.get(Key.CHINESE_SCRIPT) == "traditional"
    assert memory_keyring.store[(auth.KEYRING_SERVICE, auth.KEYRING_USER)] == KEY
    assert files_containing(dirs.data, KEY) == []
    again = SettingsDialog(fresh, dirs, repo)
    qtbot.addWidget(again)
    assert again.region.currentData() == "custom" and again.custom_url.text() == "http://127.0.0.1:9"
    assert again.default_list.currentData() == clinic and again.theme.currentData() == "light"
    assert again.debug_logging.isChecked() and again.chinese_script.currentData() == "traditional"
    assert "system keyring" in again.key_status.text() and again.forget_key.isEnabled()


def test_dialog_stays_open_and_explains_when_no_keyring_can_take_the_key(qtbot, no_keyring, dirs):
    dialog = SettingsDialog(AppSettings.for_dirs(dirs), dirs)
    qtbot.addWidget(dialog)
    dialog.api_key.setText(KEY)
    assert dialog.apply() is False
    assert auth.ENV_VAR in dialog.key_status.text()
    assert "never writes the key to a file" in dialog.key_status.text()
    assert files_containing(dirs.data, KEY) == []


def test_unusable_sessions_folder_is_refused(qtbot, memory_keyring, dirs):
    blocker = dirs.data / "a-file"
    blocker.write_text("x")
    dialog = SettingsDialog(AppSettings.for_dirs(dirs), dirs)
    qtbot.addWidget(dialog)
    dialog.sessions_dir.setText(str(blocker / "sessions"))
    assert dialog.apply() is False
    assert "Cannot use" in dialog.sessions_dir.toolTip()
    assert AppSettings.for_dirs(dirs).get(Key.SESSIONS_DIR) == ""


@pytest.fixture(scope="module")
def emulator():
    with serving(KEY) as server:  # the connection test must not run a recognition
        yield server


def test_connection_test_against_the_emulator(qtbot, memory_keyring, dirs, emulator):
    dialog = SettingsDialog(AppSettings.for_dirs(dirs), dirs)
    qtbot.addWidget(dialog)
    dialog.region.setCurrentIndex(dialog.region.findData("custom"))
    dialog.custom_url.setText(emulator.base_url)
    dialog.api_key.setText(KEY)
    with qtbot.waitSignal(dialog.connection_tested, timeout=20000) as blocker:
        dialog.test_connection()
        assert dialog.test_result.text() == "Testing…" and not dialog.test_button.isEnabled()
    result = blocker.args[0]
    assert result.ok, result.message
    assert dialog.test_result.text().startswith("✓ Connected to " + emulator.base_url)
    assert dialog.test_button.isEnabled()

    dialog.api_key.setText("sk-wrongkey0123456789")
    with qtbot.waitSignal(dialog.connection_tested, timeout=20000) as blocker:
        dialog.test_connection()
    assert not blocker.args[0].ok
    assert "refused" in dialog.test_result.text() and dialog.test_result.text().startswith("✗")
    assert "wrongkey0123456789" not in dialog.test_result.text()


def test_a_connection_test_for_an_endpoint_the_user_has_left_reports_nothing(qtbot, memory_keyring, dirs,
                                                                            emulator):
    dialog = SettingsDialog(AppSettings.for_dirs(dirs), dirs)
    qtbot.addWidget(dialog)
    dialog.region.setCurrentIndex(dialog.region.findData("custom"))
    dialog.custom_url.setText(emulator.base_url)
    dialog.api_key.setText(KEY)
    tested: list = []
    dialog.connection_tested.connect(tested.append)
    dialog.test_connection()
    dialog.region.setCurrentIndex(dialog.region.findData("intl"))  # before the answer can arrive
    assert dialog.test_button.isEnabled() and dialog.test_result.text() == ""
    settle_jobs(qtbot)  # the emulator's verdict was dropped
    assert tested == [] and dialog.test_result.text() == ""


def test_connection_test_names_the_problem(emulator):
    assert "Enter the custom base URL" in check_connection("custom", " ", KEY).message
    assert "No API key" in check_connection("custom", emulator.base_url, None).message
    assert "Unknown region" in check_connection("custom", "ftp://x", KEY).message
    refused = check_connection("custom", "http://127.0.0.1:9", KEY, timeout=5)
    assert not refused.ok and "refused the connection" in refused.message
