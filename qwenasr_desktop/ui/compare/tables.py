"""Qt table models over a Comparison: the metrics summary and the per-hotword hits."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ...core.compare import Comparison, HotwordCount, MetricRow, Side, metric_rows

Index = QModelIndex | QPersistentModelIndex
GOOD, BAD = QColor("#1e7b34"), QColor("#a94442")


class MetricsModel(QAbstractTableModel):
    HEADERS = ("", "A", "B")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[MetricRow] = []

    def set_comparison(self, result: Comparison | None, scored: set[Side] | None = None) -> None:
        """`scored`: the sides with numbers; a side that failed or was cancelled shows "–"."""
        self.beginResetModel()
        rows = metric_rows(result) if result else []
        shown = set(Side) if scored is None else scored
        self._rows = [MetricRow(r.label, r.a if Side.A in shown else "–", r.b if Side.B in shown else "–",
                                r.explanation) for r in rows]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        r = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (r.label, r.a, r.b)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.explanation
        return None


class HitsModel(QAbstractTableModel):
    HEADERS = ("Hotword", "A", "B", "Change", "Ref.")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[HotwordCount] = []
        self._scored: set[Side] = set(Side)

    def set_comparison(self, result: Comparison | None, scored: set[Side] | None = None) -> None:
        self.beginResetModel()
        self._rows = list(result.counts) if result else []
        self._scored = set(Side) if scored is None else set(scored)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return ("Hover a hotword for its weight", "Hits in A (without)", "Hits in B (with)",
                    "B minus A", "Occurrences in the reference transcript")[section]
        return None

    def count(self, row: int) -> HotwordCount:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        c = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            ref = "" if c.hits_ref is None else str(c.hits_ref)
            change = f"{c.delta:+d}" if c.delta else ""
            if len(self._scored) < 2:  # a failed side's zero hits would read as a result
                change = ""
            hits_a = str(c.hits_a) if Side.A in self._scored else "–"
            hits_b = str(c.hits_b) if Side.B in self._scored else "–"
            return (c.hotword.text, hits_a, hits_b, change, ref)[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return f"Weight {c.hotword.weight}" + (f", language {c.hotword.lang}" if c.hotword.lang else "")
        if role == Qt.ItemDataRole.ForegroundRole and col == 3 and c.delta:
            # More hits in B is good when the reference has them (or without a reference).
            extra = c.hits_ref is not None and c.hits_b > c.hits_ref
            return BAD if c.delta < 0 or extra else GOOD
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return Qt.AlignmentFlag.AlignCenter
        return None
