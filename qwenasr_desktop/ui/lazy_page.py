"""A tab whose real content is built on first use: the start-up window shows at once, and a page's
heavy imports (the engine, the media player) wait until somebody opens that tab."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyPage(QWidget):
    """A tab whose real content is built on first use."""

    def __init__(self, build: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build = build
        self.page: QWidget | None = None
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    def ensure(self) -> QWidget:
        if self.page is None:
            self.page = self._build()
            self.layout().addWidget(self.page)
            self.page.show()  # a child added to a visible parent stays hidden until shown
        return self.page
