"""The workbench's keyboard actions, their oTranscribe-like defaults, and the editor for them.

Every playback and editing action is a QAction whose key the user can change; a foot pedal that
sends key presses uses the same keys. The hold-to-play key is special: it plays while held and
pauses on release (pedals that auto-repeat send repeats, which are ignored), so it is handled
by an event filter rather than a QAction, which only sees presses.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QKeySequenceEdit,
    QLabel,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class ActionSpec:
    id: str
    label: str
    default: str  # QKeySequence portable text; "" = none


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("play_pause", "Play / pause", "Esc"),
    ActionSpec("skip_back", "Skip back", "F1"),
    ActionSpec("skip_forward", "Skip forward", "F2"),
    ActionSpec("slower", "Slower", "F3"),
    ActionSpec("faster", "Faster", "F4"),
    ActionSpec("insert_timestamp", "Insert timestamp", "Ctrl+J"),
    ActionSpec("tag_inaudible", "Mark {inaudible}", "Ctrl+I"),
    ActionSpec("tag_crosstalk", "Mark {crosstalk}", "Ctrl+Shift+C"),
    ActionSpec("seek_to_cursor", "Play from the cursor", "Ctrl+Return"),
    ActionSpec("find", "Find in transcript", "Ctrl+F"),
    ActionSpec("volume_up", "Volume up", "Ctrl+Up"),
    ActionSpec("volume_down", "Volume down", "Ctrl+Down"),
    ActionSpec("hold_to_play", "Hold to play (foot pedal)", "F9"),
)
SPEC = {a.id: a for a in ACTIONS}


def effective_keys(overrides: dict[str, str]) -> dict[str, str]:
    return {a.id: overrides.get(a.id, a.default) for a in ACTIONS}


def conflicts(keys: dict[str, str]) -> list[str]:
    """Sentences naming each key bound to two actions (the dialog refuses to save those)."""
    seen: dict[str, str] = {}
    out = []
    for action_id, key in keys.items():
        norm = QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)
        if not norm:
            continue
        if norm in seen:
            first, second = SPEC[seen[norm]].label, SPEC[action_id].label
            out.append(f"{norm} is set for both \"{first}\" and \"{second}\".")
        else:
            seen[norm] = action_id
    return out


class ShortcutsDialog(QDialog):
    """One key field per action; Save refuses while two actions share a key."""

    def __init__(self, keys: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Workbench shortcuts")
        self.edits: dict[str, QKeySequenceEdit] = {}
        form = QFormLayout()
        for a in ACTIONS:
            edit = QKeySequenceEdit(QKeySequence(keys.get(a.id, a.default)))
            edit.setMaximumSequenceLength(1)
            edit.setClearButtonEnabled(True)
            edit.keySequenceChanged.connect(self._check)
            self.edits[a.id] = edit
            form.addRow(a.label + ":", edit)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel
                                        | QDialogButtonBox.StandardButton.RestoreDefaults)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self._defaults)
        hint = QLabel("A foot pedal that sends key presses works with these keys. Hold-to-play plays "
                      "while its key is held and pauses when released.")
        hint.setWordWrap(True)
        v = QVBoxLayout(self)
        v.addWidget(hint)
        v.addLayout(form)
        v.addWidget(self.problem)
        v.addWidget(self.buttons)
        self._check()

    def keys(self) -> dict[str, str]:
        return {k: e.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
                for k, e in self.edits.items()}

    def overrides(self) -> dict[str, str]:
        return {k: v for k, v in self.keys().items() if v != SPEC[k].default}

    def _defaults(self) -> None:
        for a in ACTIONS:
            self.edits[a.id].setKeySequence(QKeySequence(a.default))

    def _check(self, *_args) -> None:
        problems = conflicts(self.keys())
        self.problem.setText("\n".join(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problems)
