"""Chinese output in the script the user chose, by OpenCC's dictionaries, not by hope.

Whisper base writes Mandarin partly in Traditional characters (農, 廣) even with a Simplified
sentence in its prompt, so every Chinese chunk is converted: Simplified by default (t2s), or
Traditional (s2t). Conversion is word-based (OpenCC's phrase tables), so 头发/頭髮 and 干/幹/乾
come out right where a character table would not.
"""

from __future__ import annotations

import threading
from enum import StrEnum
from typing import Protocol


class Script(StrEnum):
    SIMPLIFIED = "simplified"
    TRADITIONAL = "traditional"
    AS_DECODED = "as-decoded"  # no conversion (benchmarks of the raw model)


_CONFIGS = {Script.SIMPLIFIED: "t2s.json", Script.TRADITIONAL: "s2t.json"}


class _Converter(Protocol):
    """What we use of opencc.OpenCC (imported late: its dictionaries take time to load)."""

    def convert(self, text: str) -> str: ...


_converters: dict[Script, _Converter] = {}
_lock = threading.Lock()


def convert(text: str, script: Script | str) -> str:
    script = Script(script)
    config = _CONFIGS.get(script)
    if config is None or not text:
        return text
    with _lock:
        conv = _converters.get(script)
        if conv is None:
            import opencc

            conv = _converters[script] = opencc.OpenCC(config)
        return conv.convert(text)
