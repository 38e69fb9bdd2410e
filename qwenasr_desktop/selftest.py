"""`qwenasr-desktop --self-test`: prove that an installed (or frozen) app really works, offline.

Run by CI on the built bundle and useful to users asked for a bug report. Each check exercises
something a packaging mistake breaks: the Qt platform and multimedia plugins, the database, the
PortAudio library, the packaged model weights, the Silero VAD asset, CTranslate2/onnxruntime, and
weighted hotword biasing. The bundled clip is one whose plain decode misspells two of its
hotwords ("Fast API", "Uvacorn"), so passing also shows the hotwords were applied.

A Python audit hook fails the run on any attempt to reach a non-loopback address: the app must
not touch the network at start or for offline recognition.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SELFTEST_DIR = "selftest"
MANIFEST = "selftest.json"
REPORT_NAME = "selftest-report.txt"


def resources_dir() -> Path:
    """`resources/` beside the package in a source checkout, or inside a PyInstaller bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str


@dataclass
class NetworkGuard:
    """Records every attempt to resolve or connect to a non-loopback host (via `sys.addaudithook`)."""

    attempts: list[str] = field(default_factory=list)

    def install(self) -> NetworkGuard:
        sys.addaudithook(self._hook)
        return self

    def _hook(self, event: str, args: tuple) -> None:
        if event == "socket.connect":
            address = args[1]
            if isinstance(address, tuple) and not _is_loopback(str(address[0])):
                self.attempts.append(f"connect to {address[0]}:{address[1]}")
        elif event == "socket.getaddrinfo":
            host = args[0]
            if host is not None and not _is_loopback(host.decode() if isinstance(host, bytes) else str(host)):
                self.attempts.append(f"name lookup of {host}")


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1", "") or host.startswith("127.")


def _contains_word(text: str, word: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(word.lower()) + r"(?!\w)", text.lower()) is not None


def check_qt(data_dir: Path) -> CheckResult:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import __version__ as pyside_version
    from PySide6.QtMultimedia import QMediaFormat
    from PySide6.QtWidgets import QApplication

    from .storage import db
    from .storage.appdirs import resolve_app_dirs
    from .storage.hotword_demo import seed_demo_list
    from .storage.hotword_lists import HotwordListRepository
    from .ui.compare.install import add_compare_pages
    from .ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    dirs = resolve_app_dirs(data_dir).ensure()
    repo = HotwordListRepository(db.connect(dirs.database))
    seed_demo_list(repo)
    window = MainWindow(repo)
    pages = add_compare_pages(window, repo, dirs)  # as app.py does
    window.resize(1024, 700)
    window.show()
    app.processEvents()
    shown = window.isVisible() and window.grab().width() == 1024
    built = pages.compare is not None  # builds the recognition page: NumPy, the audio stack
    window.close()
    decodable = QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode)
    wave = QMediaFormat.FileFormat.Wave in decodable
    platform = app.platformName()
    titles = [window.tabs.tabText(i).replace("&&", "&") for i in range(window.tabs.count())]
    detail = (f"PySide6 {pyside_version}, platform {platform}, main window "
              f"{'rendered' if shown else 'NOT rendered'} with pages: {', '.join(titles)}; "
              f"multimedia decodes {len(decodable)} formats{'' if wave else ' (WAV missing)'}")
    return CheckResult("qt", shown and wave and built, detail)


def check_portaudio() -> CheckResult:
    from .audio.devices import AudioDeviceError, list_input_devices, sounddevice

    try:
        sd = sounddevice()
    except AudioDeviceError as e:
        return CheckResult("portaudio", False, str(e))
    try:
        n = len(list_input_devices())
    except AudioDeviceError:
        n = 0  # no device on a build machine is fine; the library loading is what counts
    return CheckResult("portaudio", True, f"{sd.get_portaudio_version()[1]}, {n} input device(s)")


def check_recognition(clip_dir: Path) -> CheckResult:
    from .core.hotwords import Hotword
    from .engines.base import RecognitionOptions
    from .engines.factory import LOCAL, make_engine

    spec = json.loads((clip_dir / MANIFEST).read_text(encoding="utf-8"))
    hotwords = [Hotword(h["text"], int(h["weight"]), h.get("lang")) for h in spec["hotwords"]]
    t0 = time.perf_counter()
    transcript = make_engine(LOCAL).recognize(clip_dir / spec["clip"],
                                              RecognitionOptions(model=spec["model"], hotwords=hotwords))
    seconds = time.perf_counter() - t0
    text = transcript.text
    missing = [w for w in spec["must_contain"] if not _contains_word(text, w)]
    found = [w for w in spec["must_contain"] if w not in missing]
    detail = (f"{spec['model']} with {len(hotwords)} hotwords in {seconds:.1f} s: {text!r}; "
              f"found {', '.join(found) or 'none'}" + (f"; MISSING {', '.join(missing)}" if missing else ""))
    return CheckResult("recognition", not missing and bool(text.strip()), detail)


def check_chinese_script() -> CheckResult:
    """OpenCC's dictionaries are data files a bundle can miss: convert one phrase each way."""
    from .core.chinese_script import convert

    simplified, traditional = convert("農業廣播", "simplified"), convert("农业广播", "traditional")
    ok = (simplified, traditional) == ("农业广播", "農業廣播")
    return CheckResult("chinese-script", ok, f"農業廣播 -> {simplified}, 农业广播 -> {traditional}")


def run(data_dir: Path | None = None, out: Callable[[str], None] = print) -> int:
    """Run every check, print one line per check, return the exit code (0 = all passed)."""
    guard = NetworkGuard().install()
    results: list[CheckResult] = []
    with tempfile.TemporaryDirectory(prefix="qwenasr-selftest-") as tmp:
        folder = data_dir or Path(tmp)
        checks: list[tuple[str, Callable[[], CheckResult]]] = [
            ("qt", lambda: check_qt(folder)),
            ("portaudio", check_portaudio),
            ("chinese-script", check_chinese_script),
            ("recognition", lambda: check_recognition(resources_dir() / SELFTEST_DIR)),
        ]
        for name, fn in checks:
            try:
                result = fn()
            except Exception as e:  # a broken bundle shows up here: say which part, then go on
                result = CheckResult(name, False, f"{type(e).__name__}: {e}")
            results.append(result)
            out(f"{'ok  ' if result.ok else 'FAIL'} {result.name}: {result.detail}")
    network_ok = not guard.attempts
    out(f"{'ok  ' if network_ok else 'FAIL'} network: "
        + ("no connection attempted" if network_ok else "; ".join(guard.attempts)))
    passed = all(r.ok for r in results) and network_ok
    out("self-test passed" if passed else "self-test FAILED")
    if data_dir is not None:  # a windowed build (Windows, macOS) has no console: leave a report
        _write_report(data_dir, results, guard, passed)
    return 0 if passed else 1


def _write_report(data_dir: Path, results: list[CheckResult], guard: NetworkGuard, passed: bool) -> None:
    lines = [f"{'ok  ' if r.ok else 'FAIL'} {r.name}: {r.detail}" for r in results]
    lines.append("network: " + ("; ".join(guard.attempts) or "no connection attempted"))
    lines.append("self-test passed" if passed else "self-test FAILED")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / REPORT_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError:
        pass  # the printed lines and the exit code still tell
