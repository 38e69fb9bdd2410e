"""storage/ and core/ stay free of Qt, so the CLI, the engines and tests can use them headless."""

from __future__ import annotations

import json
import subprocess
import sys


def test_storage_and_core_import_without_qt():
    code = ("import json, sys, pkgutil, importlib\n"
            "import qwenasr_desktop.storage as s, qwenasr_desktop.core as c\n"
            "for pkg in (s, c):\n"
            "    for m in pkgutil.iter_modules(pkg.__path__):\n"
            "        importlib.import_module(f'{pkg.__name__}.{m.name}')\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('PySide6'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == []
