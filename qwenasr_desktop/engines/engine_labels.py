"""The engine choices and their labels, apart from the engines (cheap to import at start-up)."""

from __future__ import annotations

from enum import StrEnum


class EngineChoice(StrEnum):
    OFFLINE = "offline"
    DASHSCOPE_INTL = "intl"
    DASHSCOPE_CN = "cn"
    CUSTOM_URL = "custom"


ENGINE_LABELS: dict[EngineChoice, str] = {
    EngineChoice.OFFLINE: "Offline (on this computer)",
    EngineChoice.DASHSCOPE_INTL: "DashScope international (Singapore)",
    EngineChoice.DASHSCOPE_CN: "DashScope China (Beijing)",
    EngineChoice.CUSTOM_URL: "DashScope-compatible server (URL)",
}



def engine_label(value: str) -> str:
    """The label of a stored engine choice; unknown values (older versions) are shown as they are."""
    try:
        return ENGINE_LABELS[EngineChoice(value)]
    except ValueError:
        return value


NO_LIST = "(no list)"  # one wording wherever "no hotword list" is offered: compare page and Settings
