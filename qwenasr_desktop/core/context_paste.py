"""Turning pasted text into a context message: a word list becomes one line, prose stays prose."""

from __future__ import annotations

import re

_SPLIT = re.compile(r"[\n\r\t,;，；、]+")


def looks_like_word_list(text: str) -> bool:
    """Several short items, one per line or separated by commas: a glossary, not sentences."""
    items = [p.strip() for p in _SPLIT.split(text) if p.strip()]
    short = all(len(p.split()) <= 4 and not p.endswith((".", "。", "?", "!")) for p in items)
    return len(items) >= 2 and short


def as_context_text(text: str) -> str:
    if looks_like_word_list(text):
        items = list(dict.fromkeys(p.strip() for p in _SPLIT.split(text) if p.strip()))
        return "Terms: " + ", ".join(items) + "."
    return " ".join(text.split())
