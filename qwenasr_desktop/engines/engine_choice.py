"""Which engine runs a recognition, which models it offers, and which hotword lists fit a model.

The settings box (ui/recognition/settings_box.py) shows what these functions return. Engines are
built by engines/factory.py on first use (importing faster-whisper or the DashScope client costs
start-up time) and the offline engine is shared by every run, since it caches its loaded models.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from ..core.hotwords import Hotword, effective_hotwords, errors, validate_items
from ..core.models import Mode, ModelInfo, Provider, is_folder_model, model_info, models_for
from .base import Engine, EngineError
from .engine_labels import EngineChoice
from .factory import DASHSCOPE, LOCAL
from .factory import make_engine as build_engine

_offline: Engine | None = None
_offline_lock = threading.Lock()


def offline_engine() -> Engine:
    global _offline
    with _offline_lock:
        if _offline is None:
            _offline = build_engine(LOCAL)
        return _offline


def offline_model_loaded(name: str) -> bool:
    from .local.packaged_models import is_loaded

    return is_loaded(name)


def load_offline_model(name: str) -> float:
    """Load an offline model into the shared engine now; seconds it took (0 if it was loaded).

    Loading holds Python's GIL for 50-160 ms at a time (CTranslate2's and ONNX Runtime's C++
    set-up), which the GUI thread feels as stalls; done ahead of the first run, recognition itself
    never waits for it (docs/benchmarks.md, GUI stalls)."""
    import time

    engine = offline_engine()
    started = time.perf_counter()
    engine.model(name)  # type: ignore[attr-defined]  # LocalEngine: cached after the first call
    return time.perf_counter() - started


def make_engine(choice: EngineChoice, url: str = "") -> Engine:
    """The engine for a choice; a DashScope engine needs an API key (environment or keyring)."""
    if choice is EngineChoice.OFFLINE:
        return offline_engine()
    region = url.strip() if choice is EngineChoice.CUSTOM_URL else choice.value
    if choice is EngineChoice.CUSTOM_URL and not region:
        raise EngineError("Type the server's URL, for example http://127.0.0.1:8765.")
    return build_engine(DASHSCOPE, region=region)  # EngineSetupError (an EngineError) says what is missing


def can_run_concurrently(choice: EngineChoice, cpu_count: int | None = None) -> bool:
    """A and B at the same time: the cloud serves both; offline they share the loaded model, which
    pays off only with at least two cores (on one, B would just slow A down)."""
    if choice is not EngineChoice.OFFLINE:
        return True
    return (cpu_count if cpu_count is not None else os.cpu_count() or 1) >= 2


def models_for_choice(choice: EngineChoice, mode: Mode) -> list[ModelInfo]:
    if choice is EngineChoice.OFFLINE:
        from .local.model_folders import available_models

        available_models()  # registers the user's folders and the HF cache's models (scanned once)
        return models_for(Provider.LOCAL, mode)
    if mode is Mode.FILE:  # a file can go to file transcription or to flash (short clips, context)
        return models_for(Provider.DASHSCOPE, Mode.FILE) + models_for(Provider.DASHSCOPE, Mode.FLASH)
    return models_for(Provider.DASHSCOPE, mode)


def picker_label(m: ModelInfo) -> str:
    """A model's name in the picker; a folder model by its short description, not its long path."""
    return m.description if is_folder_model(m.name) else m.name


def capability_text(m: ModelInfo) -> str:
    parts = [m.description or m.name]
    parts.append("hotwords" if m.supports_hotwords else "no hotwords")
    parts.append("context" if m.supports_context else "no context")
    if m.sample_rates:
        parts.append(" / ".join(f"{r // 1000} kHz" for r in m.sample_rates) + " audio")
    return " · ".join(parts)


@dataclass(frozen=True)
class ListFit:
    usable: bool
    reason: str = ""  # why not, in words


def list_fits(target_model: str, items: list[Hotword], model: ModelInfo) -> ListFit:
    """Whether a list can be used with `model`.

    Cloud models use a list only when it is bound to exactly that model (otherwise the cloud
    silently ignores it). The offline engine takes the words inline, so any list whose words
    follow the offline model's rules fits.
    """
    if not model.supports_hotwords:
        return ListFit(False, f"{model.name} ignores hotwords")
    if not model.is_local and target_model != model.name:
        return ListFit(False, f"bound to {target_model}")
    if errors(validate_items(items, model.name)):
        return ListFit(False, f"has rows that break {model.name}'s rules")
    return ListFit(True)


def switched_off(items: list[Hotword], hints: list[str], model_name: str) -> list[Hotword]:
    """The hotwords the language hints would make the engine skip."""
    model = model_info(model_name)
    kept = {id(h) for h in effective_hotwords(items, hints, model)}
    return [h for h in items if id(h) not in kept]


def engine_resumable(choice: EngineChoice) -> bool:
    """The engine continues a run from a stored checkpoint (asked of its class: no engine is made)."""
    if choice is EngineChoice.OFFLINE:
        from .local.engine import LocalEngine

        return LocalEngine.capabilities.resumable
    try:
        from .dashscope.engine import DashScopeEngine
    except ImportError:
        return False
    return DashScopeEngine.capabilities.resumable
