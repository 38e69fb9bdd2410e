"""The application icon, kept as SVG text in the package so it needs no data-file packaging.

resources/icons/ holds the same SVG (and a 256 px PNG) for desktop integration;
tests/test_app.py checks the copies match.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

APP_ICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#2563eb"/>
      <stop offset="1" stop-color="#0f3a8a"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="52" fill="url(#bg)"/>
  <rect x="98" y="44" width="60" height="104" rx="30" fill="#ffffff"/>
  <path d="M72 120 a56 56 0 0 0 112 0" fill="none" stroke="#ffffff" stroke-width="14"
        stroke-linecap="round"/>
  <line x1="128" y1="176" x2="128" y2="206" stroke="#ffffff" stroke-width="14" stroke-linecap="round"/>
  <line x1="96" y1="210" x2="160" y2="210" stroke="#ffffff" stroke-width="14" stroke-linecap="round"/>
  <circle cx="196" cy="64" r="30" fill="#f59e0b"/>
  <path d="M196 44 l6 13 14 2 -10 10 3 14 -13 -7 -13 7 3 -14 -10 -10 14 -2z" fill="#ffffff"/>
</svg>
"""


def render_icon(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(QByteArray(APP_ICON_SVG.encode())).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(QPixmap.fromImage(render_icon(size)))
    return icon
