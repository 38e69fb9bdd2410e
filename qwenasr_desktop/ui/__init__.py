"""Everything Qt: windows, widgets, Qt models and delegates, background jobs. The only package
(with app.py) that imports PySide6.

Importing this package first applies `_keep_singletons_alive()`: PySide6 6.12.0 on Python 3.11
returns `None` from every void method (``widget.setEnabled(True)``, ``painter.save()``) and for an
empty QVariant (``index.data()``) without taking a reference, so each call lowers None's reference
count by one; the table's repaints also lose references to True/False. After a few thousand calls
(one repaint of the hotword table makes hundreds) the interpreter aborts with "Fatal Python
error: none_dealloc: deallocating None". Python 3.12+ made these objects immortal (PEP 683) and is
unaffected; on 3.11 we give them the same practically-unreachable reference count.
tests/test_ui_qt_guard.py shows the crash without the guard and its absence with it.
"""

from __future__ import annotations

import sys

_IMMORTAL_REFS = 1 << 40  # ~1e12 void calls before it could matter


def _keep_singletons_alive() -> bool:
    """Raise the reference counts of None, True and False far out of reach where they are mortal."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    import ctypes

    for singleton in (None, True, False):
        # On CPython 3.11 the first field of every object is its Py_ssize_t reference count.
        refcnt = ctypes.c_ssize_t.from_address(id(singleton))
        if refcnt.value < _IMMORTAL_REFS:
            refcnt.value += _IMMORTAL_REFS
    return True


_keep_singletons_alive()
