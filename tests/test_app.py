"""The `qwenasr-desktop` entry point: screenshots, start-up imports, icon files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from qwenasr_desktop.ui.app_icon import APP_ICON_SVG

REPO = Path(__file__).resolve().parent.parent


def run_app(*args: str, env_data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qwenasr_desktop.app", *args, "--data-dir", str(env_data)],
                          capture_output=True, text=True, timeout=120, cwd=REPO)


def test_screenshot_writes_a_png_of_the_window_with_the_demo_list(tmp_path):
    out = tmp_path / "shots" / "main.png"
    result = run_app("--screenshot", str(out), "--size", "1024x700", env_data=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1024, 700)
    # Not a blank frame: a rendered window has many distinct colours.
    colours = {image.pixel(x, y) for x in range(0, 1024, 16) for y in range(0, 700, 16)}
    assert len(colours) > 10
    # The first start created the example list in the chosen data folder.
    assert (tmp_path / "data" / "qwenasr.sqlite3").is_file()


def test_screenshot_to_an_unwritable_path_fails_with_a_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_app("--screenshot", str(blocker / "sub" / "a.png"), env_data=tmp_path / "data")
    assert result.returncode == 2
    assert f"cannot write the screenshot to {blocker / 'sub' / 'a.png'}" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_size_is_explained(tmp_path):
    result = run_app("--screenshot", str(tmp_path / "a.png"), "--size", "big", env_data=tmp_path / "d")
    assert result.returncode != 0
    assert "--size must look like 1280x800" in result.stderr


def test_start_up_does_not_import_engines_or_audio(tmp_path):
    code = ("import sys, json\nfrom qwenasr_desktop import app\n"
            f"rc = app.main(['--quit-when-shown', '--data-dir', {str(tmp_path / 'd')!r}])\n"
            "heavy = [m for m in ('numpy', 'faster_whisper', 'ctranslate2', 'sounddevice', 'httpx', "
            "'websockets', 'qwenasr_desktop.engines.local') if m in sys.modules]\n"
            "print(json.dumps({'rc': rc, 'heavy': heavy}))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"rc": 0, "heavy": []}
    assert "window shown after" in result.stdout


def test_icon_and_desktop_file_ship_in_resources():
    assert (REPO / "resources" / "icons" / "qwenasr-desktop.svg").read_text(encoding="utf-8") == APP_ICON_SVG
    png = QImage(str(REPO / "resources" / "icons" / "qwenasr-desktop.png"))
    assert (png.width(), png.height()) == (256, 256)
    desktop = (REPO / "resources" / "qwenasr-desktop.desktop").read_text(encoding="utf-8")
    assert "Exec=qwenasr-desktop" in desktop and "Icon=qwenasr-desktop" in desktop
