"""`qwenasr-desktop`: start the window (or render it to a PNG with --screenshot).

Start-up stays fast by importing only Qt and the hotword editor here; engines and audio are
imported by the features that need them, when they are first used.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

_T0 = time.perf_counter()

DEFAULT_SCREENSHOT_SIZE = (1280, 800)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="qwenasr-desktop", description="QwenASR Desktop")
    p.add_argument("--data-dir", help="folder for the database, logs and sessions "
                   "(default: the platform's user data folder, or $QWENASR_DATA_DIR)")
    p.add_argument("--screenshot", metavar="PATH", help="render the main window offscreen to a PNG "
                   "file and exit")
    p.add_argument("--size", default="x".join(map(str, DEFAULT_SCREENSHOT_SIZE)), metavar="WxH",
                   help="window size for --screenshot (default 1280x800)")
    p.add_argument("--demo", action="store_true", help="show a finished A/B comparison (for --screenshot)")
    p.add_argument("--self-test", action="store_true", help="check offline recognition with a bundled "
                   "clip and hotwords (offscreen, no network), print the result and exit (0 = passed)")
    p.add_argument("--debug", action="store_true", help="debug logging (log files then include "
                   "transcripts; the API key stays masked)")
    p.add_argument("--quit-when-shown", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"qwenasr-desktop: --size must look like 1280x800, not {text!r}") from None
    return w, h


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.screenshot and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    size = _size(args.size)
    if args.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from .selftest import run

        return run(Path(args.data_dir).expanduser().resolve() if args.data_dir else None)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from . import __version__
    from .logs import debug_requested, setup_logging
    from .storage import db
    from .storage.appdirs import APP_NAME, APP_SLUG, ORGANIZATION, resolve_app_dirs
    from .storage.hotword_demo import seed_demo_list
    from .storage.hotword_lists import HotwordListRepository
    from .ui.app_icon import app_icon
    from .ui.main_window import MainWindow
    from .ui.settings.integration import install
    from .ui.settings_keys import AppSettings, Key

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setDesktopFileName(APP_SLUG)
    app.setWindowIcon(app_icon())

    dirs = resolve_app_dirs(args.data_dir).ensure()
    settings = AppSettings.for_dirs(dirs)
    setup_logging(dirs.logs, debug_requested(args.debug or settings.get(Key.DEBUG_LOGGING)))
    logging.getLogger("qwenasr_desktop").info("%s %s starting, data folder %s", APP_NAME, __version__,
                                              dirs.data)
    try:
        repo = HotwordListRepository(db.connect(dirs.database))
    except db.DatabaseError as e:
        if args.screenshot:
            print(f"qwenasr-desktop: {e}", file=sys.stderr)
        else:
            QMessageBox.critical(None, APP_NAME, str(e))
        return 1
    seed_demo_list(repo)
    window = MainWindow(repo)
    from .ui.compare.install import add_compare_pages

    add_compare_pages(window, repo, dirs, demo=args.demo)
    shell = install(window, settings, dirs, repo)

    if args.screenshot:
        return _screenshot(app, window, Path(args.screenshot), size)
    if not shell.restore_window():
        window.fit_to_screen(size)
    shell.show_welcome_if_first_run()
    app.aboutToQuit.connect(shell.save_window)
    window.show()
    if args.quit_when_shown:
        def report() -> None:
            print(f"window shown after {(time.perf_counter() - _T0) * 1000:.0f} ms (from app import)")
            app.quit()
        QTimer.singleShot(0, report)
    return app.exec()


def _screenshot(app, window, path: Path, size: tuple[int, int]) -> int:
    window.resize(*size)
    window.show()
    window.hotwords.show_first_problem()
    for _ in range(3):
        app.processEvents()
    image = window.grab()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        print(f"qwenasr-desktop: cannot write the screenshot to {path}: {e.strerror}", file=sys.stderr)
        return 2
    if not image.save(str(path), "PNG"):
        print(f"qwenasr-desktop: cannot write the screenshot to {path}", file=sys.stderr)
        return 2
    print(f"screenshot saved to {path} ({image.width()}x{image.height()})")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
