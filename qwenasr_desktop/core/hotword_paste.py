"""Turning pasted clipboard text into hotword rows (pure Python, no Qt).

Unlike a file import, pasting keeps rows that break a rule: they land in the table marked red,
where the user can fix them. Lines copied from a spreadsheet arrive tab-separated as
text, weight, language; anything else is one hotword per line.
"""

from __future__ import annotations

from .hotwords import DEFAULT_WEIGHT, MAX_WEIGHT, MIN_WEIGHT, Hotword

HEADER = ("text", "weight", "lang")


def rows_from_clipboard(text: str) -> list[Hotword]:
    rows: list[Hotword] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("\t")] if "\t" in line else [line.strip()]
        if [c.lower() for c in cells[:3]] == list(HEADER[: len(cells[:3])]) and cells[0].lower() == "text":
            continue  # a header row copied along with the data
        rows.append(Hotword(cells[0], _weight(cells[1] if len(cells) > 1 else ""),
                            (cells[2] or None) if len(cells) > 2 else None))
    return rows


def _weight(cell: str) -> int:
    try:
        value = int(cell)
    except ValueError:
        return DEFAULT_WEIGHT
    return value if MIN_WEIGHT <= value <= MAX_WEIGHT else DEFAULT_WEIGHT
