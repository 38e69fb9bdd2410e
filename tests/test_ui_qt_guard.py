"""PySide6 6.12 loses a reference to None on every void call (Python 3.11): the ui package guards it."""

from __future__ import annotations

import subprocess
import sys

import pytest

CALLS = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
{guard}
from PySide6.QtCore import QObject
obj = QObject()
before = sys.getrefcount(None)
for _ in range(200_000):
    obj.setObjectName("x")   # a void method: returns None
print("survived", before - sys.getrefcount(None))
"""


def run(guard: str) -> subprocess.CompletedProcess:
    code = "import sys\n" + CALLS.format(guard=guard)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_many_void_qt_calls_survive_with_the_ui_package_imported():
    result = run("import qwenasr_desktop.ui")
    assert result.returncode == 0, result.stderr[-500:]
    assert "survived" in result.stdout


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_without_the_guard_the_same_calls_abort_the_interpreter():
    result = run("")
    if result.returncode == 0:
        # A PySide6 without the bug: the guard is then harmless and could be dropped.
        assert result.stdout.strip() == "survived 0"
    else:
        assert "deallocating None" in result.stderr
