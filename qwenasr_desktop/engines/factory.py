"""The one place an engine is built from its name: the CLI, the vocabulary commands, the self-test
and the tuning dialog all come here.

Engines used to be constructed in five places, each with its own idea of which names exist and
how a missing API key is reported; a new engine or a new constructor argument now changes one
function. Engine modules are imported on demand: loading the offline model code or the HTTP
client costs start-up time that a command which never uses them should not pay.
"""

from __future__ import annotations

from .base import Engine, EngineCapabilities, EngineError

LOCAL = "local"
DASHSCOPE = "dashscope"
ENGINE_NAMES = (LOCAL, DASHSCOPE)


class EngineSetupError(EngineError):
    """The engine could not be built: unknown name, not in this build, no API key, bad region."""


def engine_class(name: str) -> type[Engine]:
    if name == LOCAL:
        from .local.engine import LocalEngine

        return LocalEngine
    if name == DASHSCOPE:
        try:
            from .dashscope.engine import DashScopeEngine
        except ImportError as e:
            raise EngineSetupError(f"The DashScope engine is not part of this build ({e}).") from None
        return DashScopeEngine
    raise EngineSetupError(f"Unknown engine {name!r}; use one of: {', '.join(ENGINE_NAMES)}.")


def capabilities_of(name: str) -> EngineCapabilities:
    """What the engine called `name` can do, without building it (no API key needed)."""
    return engine_class(name).capabilities


def make_engine(name: str, *, region: str | None = None, api_key: str | None = None,
                cpu_threads: int = 2, timeout: float = 30.0) -> Engine:
    """A new engine. `region` (DashScope): intl, cn or a base URL such as http://127.0.0.1:8765;
    `api_key`: explicit, else DASHSCOPE_API_KEY, else the OS keyring; `timeout`: seconds per HTTP
    request (DashScope). `cpu_threads`: offline only. Raises EngineSetupError with a message fit
    for the user."""
    if name == LOCAL:
        from .local.engine import LocalEngine

        return LocalEngine(cpu_threads=cpu_threads)
    engine_class(name)  # raises for an unknown name or a build without DashScope
    from .dashscope.engine import make_dashscope_engine

    try:
        return make_dashscope_engine(region or "intl", api_key, timeout)
    except EngineError:
        raise
    except Exception as e:  # MissingApiKeyError, RegionError: their message says what to do
        raise EngineSetupError(str(e)) from e
