""""Learn from my corrections": the terms the user fixed, offered for a hotword list at once.

Candidates come from core.transcript_edit.hotword_candidates (the engine's original words diffed
against the corrected ones), checked against the chosen list's model rules; terms corrected more
than once are ticked by default, since those are the ones the engine keeps getting wrong.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.hotwords import Hotword, validate_items
from ...core.transcript import Transcript
from ...core.transcript_edit import Candidate, corrections, hotword_candidates
from ...storage.hotword_lists import HotwordListRepository


class LearnDialog(QDialog):
    def __init__(self, lists: HotwordListRepository, original: Transcript, current: Transcript,
                 preferred_list: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Learn from my corrections")
        self.lists = lists
        self.changes = corrections(original, current)
        self.candidates: list[Candidate] = []
        self.list_box = QComboBox()
        for summary in lists.summaries():
            n = summary.item_count
            self.list_box.addItem(f"{summary.name} ({n} hotword{'' if n == 1 else 's'})", summary.id)
            if summary.name.casefold() == preferred_list.casefold():
                self.list_box.setCurrentIndex(self.list_box.count() - 1)
        self.items = QListWidget()
        self.items.setWordWrap(True)
        self.items.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton("Add to list", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._add)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Hotword list:", self.list_box)
        v = QVBoxLayout(self)
        v.addWidget(QLabel("Words you corrected in this transcript. Adding them to the list helps the "
                           "engine get them right next time."))
        v.addLayout(form)
        v.addWidget(self.items)
        v.addWidget(self.info)
        v.addWidget(self.buttons)
        self.list_box.currentIndexChanged.connect(self._fill)
        self.items.itemChanged.connect(self._update_button)
        self.resize(560, 420)
        self._fill()

    @property
    def list_id(self) -> int | None:
        return self.list_box.currentData()

    def _fill(self, *_args) -> None:
        self.items.blockSignals(True)
        self.items.clear()
        if self.list_id is None:
            self.candidates = []
            self.info.setText("There is no hotword list yet. Create one on the Hotword lists tab first.")
        else:
            stored = self.lists.load(self.list_id).hotwords
            self.candidates = hotword_candidates(self.changes, [h.text for h in stored.items],
                                                 stored.target_model)
            for c in self.candidates:
                heard = ", ".join(f"\u201c{h}\u201d" for h in c.heard_as[:3])
                if heard:
                    label = f"{c.text}  \u2014 corrected {c.count}\u00d7, engine wrote {heard}"
                else:
                    label = f"{c.text}  \u2014 added {c.count}\u00d7 where the engine wrote nothing"
                item = QListWidgetItem(label + (f"\n    Cannot be added: {c.problem}" if c.problem else ""))
                item.setToolTip(c.problem or "Tick to add it to the list.")
                item.setData(Qt.ItemDataRole.UserRole, c.text)
                if c.addable:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Checked if c.count >= 2 else Qt.CheckState.Unchecked)
                else:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                self.items.addItem(item)
            self.info.setText("" if self.candidates else
                              "No corrected words yet: fix the transcript's words first, then come back.")
        self.items.blockSignals(False)
        self._update_button()

    def checked(self) -> list[str]:
        return [self.items.item(k).data(Qt.ItemDataRole.UserRole) for k in range(self.items.count())
                if self.items.item(k).checkState() == Qt.CheckState.Checked]

    def set_checked(self, texts: set[str]) -> None:
        for k in range(self.items.count()):
            item = self.items.item(k)
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                on = item.data(Qt.ItemDataRole.UserRole) in texts
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _update_button(self, *_args) -> None:
        n = len(self.checked())
        self.add_button.setText(f"Add {n} to list" if n != 1 else "Add 1 to list")
        self.add_button.setEnabled(n > 0)

    def _add(self) -> None:
        if self.add_to_list() is not None:
            self.accept()

    def add_to_list(self) -> int | None:
        """Adds the ticked terms after validating the whole list; returns how many, or None."""
        if self.list_id is None:
            return None
        stored = self.lists.load(self.list_id).hotwords
        new = [Hotword(t) for t in self.checked()]
        first_new = len(stored.items)  # the list's own older problems are the editor's business
        problems = [p for p in validate_items([*stored.items, *new], stored.target_model)
                    if p.is_error and (p.row is None or p.row >= first_new)]
        if problems:
            self.info.setText("Not added: " + problems[0].describe())
            return None
        self.lists.insert_items(self.list_id, len(stored.items), new)
        return len(new)
