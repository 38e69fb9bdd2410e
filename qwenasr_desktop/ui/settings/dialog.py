"""The Settings dialog. The connection test runs on a worker thread and reports inline; problems
(no keyring, an unusable folder, no microphone) are explained in the dialog instead of message
boxes; the key goes straight to the OS keyring (never into settings.ini)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.models import MODELS
from ...engines.dashscope.connection_check import ConnectionResult, check_connection
from ...engines.engine_labels import NO_LIST
from ...storage import db, secret_store
from ...storage.appdirs import AppDirs
from ...storage.hotword_lists import HotwordListRepository
from ..jobs import LatestJob
from ..settings_keys import AppSettings, Key
from .models_page import ModelsPage
from .theme import THEMES, apply_theme
from .workbench_group import WorkbenchGroup

REGIONS = (("intl", "International (Singapore)"), ("cn", "China (Beijing)"), ("custom", "Custom URL"))
OK_STYLE = "color: #1b7f3b;"
ERROR_STYLE = "color: #b3261e;"


class SettingsDialog(QDialog):
    connection_tested = Signal(object)  # ConnectionResult, on the GUI thread
    applied = Signal()

    def __init__(self, settings: AppSettings, dirs: AppDirs, repo: HotwordListRepository | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings, self.dirs, self.repo = settings, dirs, repo
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        general = QWidget()
        page = QVBoxLayout(general)
        page.addWidget(self._cloud_group())
        page.addWidget(self._defaults_group())
        page.addWidget(self._storage_group())
        page.addStretch(1)
        self.tabs.addTab(general, "General")
        # A tab of its own: with the workbench's options on General the dialog no longer fits
        # a 1280x720 screen.
        self.workbench = WorkbenchGroup(db.connect(dirs.database), self)
        self.tabs.addTab(self.workbench, "Workbench")
        self.models_page = ModelsPage(settings)
        self.tabs.addTab(self.models_page, "Models")
        layout.addWidget(self.tabs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._load()

    # ------------------------------------------------------------------ layout
    def _cloud_group(self) -> QGroupBox:
        box = QGroupBox("DashScope cloud (optional)")
        form = QFormLayout(box)
        self.region = QComboBox()
        for value, label in REGIONS:
            self.region.addItem(label, value)
        self.region.currentIndexChanged.connect(self._region_changed)
        form.addRow("Region:", self.region)
        self.custom_url = QLineEdit()
        self.custom_url.setPlaceholderText("http://127.0.0.1:8765 (emulator) or a proxy's base URL")
        self.custom_url.textChanged.connect(self._forget_connection_test)
        form.addRow("Custom URL:", self.custom_url)
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("Paste a key to save it in the system keyring")
        self.api_key.setClearButtonEnabled(True)
        self.forget_key = QPushButton("Forget saved key")
        self.forget_key.clicked.connect(self._forget_key)
        row = QHBoxLayout()
        row.addWidget(self.api_key, 1)
        row.addWidget(self.forget_key)
        form.addRow("API key:", _wrap(row))
        self.key_status = QLabel()
        self.key_status.setWordWrap(True)
        form.addRow("", self.key_status)
        self.connection_test = LatestJob(self)  # its verdict is about the endpoint it was started for
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.test_result, 1)
        form.addRow("", _wrap(row))
        return box

    def _defaults_group(self) -> QGroupBox:
        box = QGroupBox("Defaults")
        form = QFormLayout(box)
        self.default_model = QComboBox()
        for info in MODELS.values():
            self.default_model.addItem(f"{info.name} — {info.description}" if info.description
                                       else info.name, info.name)
        form.addRow("Model:", self.default_model)
        self.default_list = QComboBox()
        self.default_list.addItem(NO_LIST, 0)
        if self.repo is not None:
            for s in self.repo.summaries():
                self.default_list.addItem(f"{s.name} ({s.item_count} words)", s.id)
        form.addRow("Hotword list:", self.default_list)
        self.audio_device = QComboBox()
        self.audio_device_note = QLabel()
        self.audio_device_note.setWordWrap(True)
        self.refresh_devices = QPushButton("Refresh")
        self.refresh_devices.clicked.connect(self._list_devices)
        row = QHBoxLayout()
        row.addWidget(self.audio_device, 1)
        row.addWidget(self.refresh_devices)
        form.addRow("Microphone:", _wrap(row))
        form.addRow("", self.audio_device_note)
        self.chinese_script = QComboBox()
        self.chinese_script.addItem("Simplified (简体)", "simplified")
        self.chinese_script.addItem("Traditional (繁體)", "traditional")
        self.chinese_script.setToolTip("The offline engine converts Mandarin output to this script "
                                       "(OpenCC), in both columns of a comparison.")
        form.addRow("Chinese output:", self.chinese_script)
        return box

    def _storage_group(self) -> QGroupBox:
        box = QGroupBox("Files and appearance")
        form = QFormLayout(box)
        self.sessions_dir = QLineEdit()
        self.sessions_dir.setPlaceholderText(str(self.dirs.sessions))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse_sessions)
        row = QHBoxLayout()
        row.addWidget(self.sessions_dir, 1)
        row.addWidget(browse)
        form.addRow("Save sessions in:", _wrap(row))
        self.theme = QComboBox()
        for value, label in THEMES.items():
            self.theme.addItem(label, value)
        form.addRow("Theme:", self.theme)
        self.debug_logging = QCheckBox("Debug logging (adds transcripts to the log files; "
                                       "the API key is always masked)")
        form.addRow("Logs:", self.debug_logging)
        return box

    # ------------------------------------------------------------------ state
    def _load(self) -> None:
        s = self.settings
        _select(self.region, s.get(Key.REGION))
        self.custom_url.setText(s.get(Key.CUSTOM_URL))
        _select(self.default_model, s.get(Key.DEFAULT_MODEL))
        _select(self.default_list, s.get(Key.DEFAULT_LIST))
        _select(self.chinese_script, s.get(Key.CHINESE_SCRIPT))
        self.sessions_dir.setText(s.get(Key.SESSIONS_DIR))
        _select(self.theme, s.get(Key.THEME))
        self.debug_logging.setChecked(s.get(Key.DEBUG_LOGGING))
        self._region_changed()
        self._show_key_status(secret_store.status())
        self._list_devices()

    def _forget_connection_test(self) -> None:
        """The endpoint changed while a test ran: its verdict would be about the old one."""
        if self.connection_test.running:
            self.connection_test.cancel()
            self.test_button.setEnabled(True)
            self.test_result.setText("")

    def _region_changed(self) -> None:
        self._forget_connection_test()
        self.custom_url.setEnabled(self.region.currentData() == "custom")

    def _show_key_status(self, status: secret_store.KeyStatus, error: str = "") -> None:
        self.key_status.setText(error or status.message)
        self.key_status.setStyleSheet(ERROR_STYLE if error else "")
        self.forget_key.setEnabled(status.source is secret_store.KeySource.KEYRING
                                   or status.keyring_also)

    def _list_devices(self) -> None:
        saved = self.settings.get(Key.AUDIO_DEVICE) if self.audio_device.count() == 0 \
            else self.audio_device.currentData()
        self.audio_device.clear()
        self.audio_device.addItem("System default", "")
        note = ""
        try:
            from ...audio.devices import AudioDeviceError, list_input_devices, rescan
        except ImportError as e:  # pragma: no cover - audio support missing from a broken install
            list_input_devices, note = None, f"Audio support is not available: {e}"
        if list_input_devices is not None:
            try:
                if self.audio_device.property("listed"):
                    rescan()
                devices = list_input_devices()
                self.audio_device.setProperty("listed", True)
            except AudioDeviceError as e:
                devices, note = [], str(e)
            for d in devices:
                self.audio_device.addItem(d.label, d.name)
            if not devices and not note:
                note = "No microphone found. Opening audio files still works."
        if saved and self.audio_device.findData(saved) < 0:
            self.audio_device.addItem(f"{saved} (not connected)", saved)
        _select(self.audio_device, saved or "")
        self.audio_device_note.setText(note)
        self.audio_device_note.setVisible(bool(note))

    def _browse_sessions(self) -> None:
        start = self.sessions_dir.text().strip() or str(self.dirs.sessions)
        chosen = QFileDialog.getExistingDirectory(self, "Save sessions in", start)
        if chosen:
            self.sessions_dir.setText(chosen)

    def _forget_key(self) -> None:
        try:
            self._show_key_status(secret_store.forget())
        except secret_store.SecretStoreError as e:
            self._show_key_status(secret_store.status(), str(e))

    # ------------------------------------------------------------------ actions
    def test_connection(self) -> None:
        """Check the key against the chosen endpoint on a worker thread; the result shows inline."""
        region = self.region.currentData()
        url = self.custom_url.text()
        key = self.api_key.text().strip() or secret_store.current_key()
        if key:
            from ...logs import register_secret

            register_secret(key)
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText("Testing…")
        self.connection_test.run(lambda: check_connection(region, url, key), self._tested,
                                 lambda e: self._tested(ConnectionResult(False, f"The test failed: {e}")))

    def _tested(self, result: ConnectionResult) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(("✓ " if result.ok else "✗ ") + result.message)
        self.test_result.setStyleSheet(OK_STYLE if result.ok else ERROR_STYLE)
        self.connection_tested.emit(result)

    def apply(self) -> bool:
        """Store everything; False (and the reason shown) if the key or a folder was refused."""
        sessions = self.sessions_dir.text().strip()
        if sessions:
            path = Path(sessions).expanduser()
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                self.sessions_dir.setStyleSheet("border: 1px solid #b3261e;")
                self.sessions_dir.setToolTip(f"Cannot use {path}: {e.strerror}")
                self.sessions_dir.setFocus()
                return False
        if self.workbench.check():
            self.workbench.template.setFocus()
            return False
        key = self.api_key.text().strip()
        if key:
            try:
                status = secret_store.save(key)
            except secret_store.SecretStoreError as e:
                self._show_key_status(secret_store.status(), str(e))
                self.api_key.setFocus()
                return False
            self.api_key.clear()
            self._show_key_status(status)
        s = self.settings
        s.set(Key.REGION, self.region.currentData())
        s.set(Key.CUSTOM_URL, self.custom_url.text().strip())
        s.set(Key.DEFAULT_MODEL, self.default_model.currentData())
        s.set(Key.DEFAULT_LIST, int(self.default_list.currentData() or 0))
        s.set(Key.CHINESE_SCRIPT, self.chinese_script.currentData())
        s.set(Key.AUDIO_DEVICE, self.audio_device.currentData() or "")
        s.set(Key.SESSIONS_DIR, sessions)
        s.set(Key.THEME, self.theme.currentData())
        s.set(Key.DEBUG_LOGGING, self.debug_logging.isChecked())
        self.models_page.apply()
        s.sync()
        self.workbench.apply()
        apply_theme(self.theme.currentData())
        self.applied.emit()
        return True

    def accept(self) -> None:
        if self.apply():
            super().accept()


def _wrap(layout) -> QWidget:
    w = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    w.setLayout(layout)
    return w


def _select(combo: QComboBox, value) -> None:
    i = combo.findData(value)
    if i >= 0:
        combo.setCurrentIndex(i)
