"""The tuning dialog's engine menu, without widgets: which engines and models it offers, and the
stand-in engine its cost estimate runs against.

Kept apart from the dialog so the menu can be read and tested without Qt, and so the dialog
stays about its widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.models import LOCAL_BASE, LOCAL_TINY_EN
from .base import Engine, EngineCapabilities
from .factory import DASHSCOPE, LOCAL, EngineSetupError, capabilities_of, make_engine


@dataclass
class EngineMenuEntry:
    """One entry of the engine menu: how to make the engine, which model; whether it bills comes
    from the engine's declared capabilities, not from the menu."""

    label: str
    factory: Callable[[], Engine]
    model: str
    extra: dict[str, Any] = field(default_factory=dict)
    engine_name: str = LOCAL  # the engine's `name`, part of the cache key

    @property
    def billed(self) -> bool:
        return capabilities_of(self.engine_name).billed


def default_choices() -> list[EngineMenuEntry]:
    def build(name: str) -> Callable[[], Engine]:
        return lambda: make_engine(name)

    choices = [EngineMenuEntry("Offline: Whisper base", build(LOCAL), LOCAL_BASE),
               EngineMenuEntry("Offline: Whisper tiny.en (English, fast)", build(LOCAL), LOCAL_TINY_EN)]
    try:  # present once the DashScope engine is part of the build
        capabilities_of(DASHSCOPE)
    except EngineSetupError:
        return choices
    choices.append(EngineMenuEntry("DashScope: fun-asr (billed)", build(DASHSCOPE), "fun-asr",
                                engine_name=DASHSCOPE))
    return choices


class EstimateOnlyEngine(Engine):
    """Stands in for the engine while only the cost is estimated (no recognition happens)."""

    # It can do nothing; the estimate never asks.
    capabilities = EngineCapabilities(streaming=False, context=False, inline_hotwords=False,
                                      cloud_vocabularies=False, file_upload=False)

    def __init__(self, name: str) -> None:
        self.name = name

    def recognize(self, audio, options, progress=None, cancel=None, *, on_chunk=None, resume=None):
        raise RuntimeError("estimate only")

    def start_stream(self, options, on_event):
        raise RuntimeError("estimate only")

    def create_vocabulary(self, prefix, target_model, items):
        raise RuntimeError("estimate only")

    def list_vocabularies(self, prefix=None):
        return []

    def query_vocabulary(self, vocabulary_id):
        raise RuntimeError("estimate only")

    def update_vocabulary(self, vocabulary_id, items):
        raise RuntimeError("estimate only")

    def delete_vocabulary(self, vocabulary_id):
        raise RuntimeError("estimate only")
