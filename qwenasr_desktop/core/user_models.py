"""The user's own model folders and the speeds measured for each model: app state the UI fills
from its settings at start and the offline engine reads when it first needs it.

Kept here, with no import of either side, so the app can hand it over at start-up without
loading the engine (numpy, CTranslate2) before the window shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class UserModels:
    folders: list[str] = field(default_factory=list)  # added in Settings → Models, in order
    speeds: dict[str, float] = field(default_factory=dict)  # model name -> estimated RTF here
    # Where a newly measured speed goes (the app saves it); None: nothing is measured (CLI, tests).
    on_measured: Callable[[str, float], None] | None = None


USER_MODELS = UserModels()
