"""Render the Windows .ico and macOS .icns from resources/icons/qwenasr-desktop.svg with Qt's own
image plugins (no extra tools), so every platform's icon comes from the one SVG.

    python packaging/make_icons.py      # writes packaging/windows/*.ico and packaging/macos/*.icns
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "qwenasr-desktop.svg"


def render(size: int):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (image plugins)
    targets = {ROOT / "packaging" / "windows" / "qwenasr-desktop.ico": (256, "ICO"),
               ROOT / "packaging" / "macos" / "qwenasr-desktop.icns": (1024, "ICNS")}
    for path, (size, fmt) in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(path), fmt):
            print(f"make_icons: Qt could not write {fmt} to {path}", file=sys.stderr)
            return 1
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
