"""Adds the comparison and history pages to the main window (the one hook app.py calls).

Kept apart from main_window.py so that window stays the editor's. The comparison page pulls in
NumPy, the audio stack and PortAudio's device scan, so it is built the first time its tab is
shown, keeping start-up as fast as before; the history page is light and built at once.
"""

from __future__ import annotations

from pathlib import Path

from ...storage import db
from ...storage.appdirs import AppDirs
from ...storage.hotword_lists import HotwordListRepository
from ...storage.sessions import SessionRepository
from ..lazy_page import LazyPage
from ..settings_keys import AppSettings, Key
from .history_page import HistoryPage


class ComparePages:
    def __init__(self, window, repo: HotwordListRepository, dirs: AppDirs) -> None:
        self.window = window
        self.sessions = SessionRepository(db.connect(dirs.database))  # a second connection: WAL allows it
        self.history = HistoryPage(self.sessions)
        self.holder = LazyPage(lambda: self._make_page(repo, dirs))
        window.add_page(self.holder, "Recognize && compare")
        window.add_page(self.history, "History")
        self.queue_holder = LazyPage(self._make_queue_page)
        window.add_page(self.queue_holder, "Queue")
        window.tabs.currentChanged.connect(self._on_tab)
        self.history.reopen.connect(self._reopen)

    @property
    def compare(self):
        """The ComparePage, built if needed."""
        return self.holder.ensure()

    def _make_page(self, repo: HotwordListRepository, dirs: AppDirs):
        from .compare_page import ComparePage

        settings = AppSettings.for_dirs(dirs)
        page = ComparePage(repo, self.sessions, sessions_folder(settings, dirs))
        apply_saved_choices(page, settings)
        status = self.window.statusBar()
        page.message.connect(lambda text: status.showMessage(text, 10_000))
        page.sessionSaved.connect(self.history.refresh)
        page.listen.openInWorkbench.connect(self._open_in_workbench)
        page.settings.modelChanged.connect(lambda _m: page.preload_model())
        page.preload_model()
        return page

    def _make_queue_page(self):
        """The batch queue recognizes with the Recognize page's settings, read as each file starts."""
        from ..queue.queue_page import QueuePage

        page = QueuePage(self.sessions, self._queue_settings)
        page.message.connect(lambda text: self.window.statusBar().showMessage(text, 10_000))
        page.openInWorkbench.connect(self._open_in_workbench)
        page.runner.rowChanged.connect(lambda _row: self.history.refresh())
        return page

    def _queue_settings(self):
        from ...core.models import Mode
        from ..queue.runner import QueueSettings

        page = self.compare
        req = page.request()
        req.mode = Mode.FILE
        return QueueSettings(req, page.settings.snapshot())

    def _on_tab(self, index: int) -> None:
        widget = self.window.tabs.widget(index)
        if widget is self.queue_holder:
            self.queue_holder.ensure()
        elif widget is self.holder:
            fresh = self.holder.page is None
            page = self.holder.ensure()
            if not fresh and not page.runner.busy:
                page.settings.reload_lists()  # lists edited in the editor meanwhile
        elif widget is self.history:
            self.history.refresh()

    def _open_in_workbench(self, session_id: int) -> None:
        """The compare page's button takes the same path as History's (B's transcript, its audio)."""
        workbench = getattr(self, "workbench", None)
        if workbench is not None:
            workbench.open_session(session_id)

    def _reopen(self, session_id: int) -> None:
        self.compare.show_session(session_id)
        self.window.tabs.setCurrentWidget(self.holder)


def sessions_folder(settings: AppSettings, dirs: AppDirs) -> Path:
    """The folder chosen in Settings, or the data folder's own."""
    chosen = settings.get(Key.SESSIONS_DIR)
    return Path(chosen).expanduser() if chosen else dirs.sessions


def apply_saved_choices(page, settings: AppSettings) -> None:
    """Start the page on what the user used last (or chose in Settings), and remember model and list.

    The list last compared with has its own key: LAST_LIST is the editor's open list, saved at close,
    so the compare page could not remember its own choice there.
    """
    for model in (settings.get(Key.LAST_MODEL), settings.get(Key.DEFAULT_MODEL)):
        if model and page.settings.select_model(model):
            break
    lists = (Key.COMPARE_LIST, Key.DEFAULT_LIST, Key.LAST_LIST)
    for list_id in (settings.get(k) for k in lists):
        if list_id and page.settings.select_list(list_id):
            break
    page.chinese_script = lambda: settings.get(Key.CHINESE_SCRIPT)
    device = settings.get(Key.AUDIO_DEVICE)
    combo = page.source.device
    for i in range(combo.count()):
        if device and combo.itemData(i) is not None and device in combo.itemText(i):
            combo.setCurrentIndex(i)
            break
    page.settings.model.currentIndexChanged.connect(
        lambda _i: settings.set(Key.LAST_MODEL, page.settings.model.currentData() or ""))
    page.runFinished.connect(lambda: _remember_list(page, settings))


def _remember_list(page, settings: AppSettings) -> None:
    """The list of the comparison just made, for the next start ("(no list)" falls back to defaults)."""
    settings.set(Key.COMPARE_LIST, int(page.settings.list_id() or 0))
    settings.sync()


def add_compare_pages(window, repo: HotwordListRepository, dirs: AppDirs, demo: bool = False) -> ComparePages:
    pages = ComparePages(window, repo, dirs)
    from ..workbench.install import add_workbench_page

    pages.workbench = add_workbench_page(window, dirs, pages.history)
    if demo:
        show_demo(pages)
    return pages


def show_demo(pages: ComparePages) -> None:
    """A finished comparison, shown at once (no engine, no background job): for screenshots."""
    from ...core.compare_demo import DEMO_REFERENCE, demo_comparison, ensure_demo_list

    page = pages.compare
    result, info = demo_comparison()
    list_id = ensure_demo_list(page.settings.repo)
    page.settings.reload_lists()
    page.settings.select_list(list_id)
    page.settings.add_context.setChecked(False)
    page.view.info = info
    page.view.reference.blockSignals(True)
    page.view.set_reference(DEMO_REFERENCE)
    page.view.reference.blockSignals(False)
    page.view.show_result(result)
    page.source.set_file(info.audio)
    page.run_box.status.setText("Done. Both columns are final.")
    pages.window.tabs.setCurrentWidget(pages.holder)
