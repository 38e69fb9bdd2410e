"""Bounded JSON parsing for every body and text frame the emulator accepts.

`json.loads` recurses once per nesting level, so a body nested a thousand deep raises
RecursionError (a RuntimeError every handler would miss and turn into a 500 or a dropped socket).
No cloud request nests deeper than a handful of levels, so anything past MAX_DEPTH is refused as
malformed input before a handler ever walks it.
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 32


class JsonError(ValueError):
    """The text is not JSON the emulator accepts; the message says why."""


def loads(raw: str | bytes) -> object:
    """Parse `raw`, refusing nesting deeper than MAX_DEPTH, NaN/Infinity and bad encodings."""
    if _too_deep(raw):
        raise JsonError(f"JSON nested deeper than {MAX_DEPTH} levels.")
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise JsonError(f"JSON nested deeper than {MAX_DEPTH} levels.") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise JsonError(str(e)) from None


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


_TOKENS = re.compile(r'\\.|["\[\]{}]', re.S)


def _too_deep(raw: str | bytes) -> bool:
    """A linear pre-scan of bracket depth outside strings (no recursion, no parse tree); a regex
    finds the few structural characters, so a large base64 audio string costs next to nothing."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes | bytearray) else raw
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth, in_str = 0, False
    for m in _TOKENS.finditer(text):
        tok = m.group()
        if tok[0] == "\\":
            continue
        if tok == '"':
            in_str = not in_str
        elif in_str:
            continue
        elif tok in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        else:
            depth -= 1
    return False
