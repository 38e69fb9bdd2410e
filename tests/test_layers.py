"""The layer contract: only ui/ (and app.py) may import Qt; core/ does no I/O imports.

Checked on the source text (AST), so a violation fails here before anyone runs the app.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "qwenasr_desktop"
QT_FREE = ["core", "engines", "emulator", "audio", "storage"]
CORE_FORBIDDEN = {"PySide6", "sqlite3", "httpx", "websockets", "sounddevice", "soundfile", "socket",
                  "subprocess", "faster_whisper", "ctranslate2"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_ui_imports_qt():
    offenders = [str(p.relative_to(PKG)) for layer in QT_FREE for p in (PKG / layer).rglob("*.py")
                 if "PySide6" in imported_modules(p)]
    offenders += [str(p.relative_to(PKG)) for p in [PKG / "cli.py"] if "PySide6" in imported_modules(p)]
    assert offenders == []


def test_core_is_pure():
    offenders = {str(p.relative_to(PKG)): sorted(imported_modules(p) & CORE_FORBIDDEN)
                 for p in (PKG / "core").rglob("*.py") if imported_modules(p) & CORE_FORBIDDEN}
    assert offenders == {}


def test_the_check_sees_imports():
    # guard against a checker that finds nothing: this very file imports ast
    assert "ast" in imported_modules(Path(__file__))
