"""The table of recognition models and what each can do.

Every silent failure of the cloud comes down to a mismatch between a list, a request and a
model's abilities, so the whole app asks this one table instead of guessing from names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    """How audio reaches the model."""

    REALTIME = "realtime"  # WebSocket duplex stream
    FILE = "file"  # async task on a file URL
    FLASH = "flash"  # one synchronous call with the audio inline (short clips, context)


class RuleSet(StrEnum):
    """Which hotword text rules apply to lists bound to a model."""

    FUNASR = "funasr"  # non-ASCII: <= 15 chars; ASCII: <= 7 segments
    PARAFORMER = "paraformer"  # legacy: <= 10 CJK chars or <= 5 English words
    NONE = "none"  # the model ignores hotwords


class Provider(StrEnum):
    DASHSCOPE = "dashscope"
    LOCAL = "local"


# The 30 language codes documented for fun-asr-realtime / fun-asr (DashScope's model documentation).
FUNASR_LANGUAGES: tuple[str, ...] = (
    "zh", "en", "ja", "ko", "vi", "th", "id", "ms", "tl", "hi", "ar", "fr", "de", "es", "pt",
    "ru", "it", "nl", "sv", "da", "fi", "no", "el", "pl", "cs", "hu", "ro", "bg", "hr", "sk",
)
# Hotword `lang` codes the Fun-ASR vocabulary accepts (custom hotwords doc, D5).
FUNASR_HOTWORD_LANGUAGES: tuple[str, ...] = ("zh", "en", "ja")
PARAFORMER_LANGUAGES: tuple[str, ...] = ("zh", "en", "ja", "yue", "ko", "de", "fr", "ru")
# Whisper is multilingual; these are the codes we offer in the UI for the base model.
WHISPER_LANGUAGES: tuple[str, ...] = (
    "zh", "en", "ja", "ko", "yue", "vi", "th", "id", "ms", "tl", "hi", "ar", "fr", "de", "es", "pt",
    "ru", "it", "nl", "sv", "da", "fi", "no", "el", "pl", "cs", "hu", "ro", "bg", "hr", "sk", "uk",
    "tr",
)

LANGUAGE_NAMES: dict[str, str] = {
    "zh": "Chinese", "en": "English", "ja": "Japanese", "ko": "Korean", "yue": "Cantonese",
    "vi": "Vietnamese", "th": "Thai", "id": "Indonesian", "ms": "Malay", "tl": "Tagalog",
    "hi": "Hindi", "ar": "Arabic", "fr": "French", "de": "German", "es": "Spanish",
    "pt": "Portuguese", "ru": "Russian", "it": "Italian", "nl": "Dutch", "sv": "Swedish",
    "da": "Danish", "fi": "Finnish", "no": "Norwegian", "el": "Greek", "pl": "Polish",
    "cs": "Czech", "hu": "Hungarian", "ro": "Romanian", "bg": "Bulgarian", "hr": "Croatian",
    "sk": "Slovak", "uk": "Ukrainian", "tr": "Turkish",
}


@dataclass(frozen=True)
class ModelInfo:
    """What one model accepts. `hotword_languages` are the codes valid as a hotword's `lang`."""

    name: str
    provider: Provider
    modes: tuple[Mode, ...]
    rule_set: RuleSet
    supports_context: bool
    languages: tuple[str, ...]
    hotword_languages: tuple[str, ...]
    sample_rates: tuple[int, ...] = ()  # empty: any rate accepted (16 kHz recommended)
    max_hotwords: int = 500
    description: str = ""
    # Only the first language hint is honoured by Fun-ASR; Paraformer accepts several.
    max_language_hints: int = 1

    @property
    def supports_hotwords(self) -> bool:
        return self.rule_set is not RuleSet.NONE

    @property
    def is_local(self) -> bool:
        return self.provider is Provider.LOCAL

    def supports(self, mode: Mode) -> bool:
        return mode in self.modes


def _funasr(name: str, modes: tuple[Mode, ...], *, context: bool, languages=FUNASR_LANGUAGES,
            rates: tuple[int, ...] = (), description: str = "") -> ModelInfo:
    return ModelInfo(name, Provider.DASHSCOPE, modes, RuleSet.FUNASR, context, tuple(languages),
                     FUNASR_HOTWORD_LANGUAGES, rates, description=description)


def _paraformer(name: str, modes: tuple[Mode, ...], *, languages=PARAFORMER_LANGUAGES,
                rates: tuple[int, ...] = (), description: str = "") -> ModelInfo:
    return ModelInfo(name, Provider.DASHSCOPE, modes, RuleSet.PARAFORMER, False, tuple(languages),
                     PARAFORMER_LANGUAGES, rates, description=description, max_language_hints=8)


RT, FILE, FLASH = (Mode.REALTIME,), (Mode.FILE,), (Mode.FLASH,)

LOCAL_BASE = "local-whisper-base"
LOCAL_TINY_EN = "local-whisper-tiny.en"

MODELS: dict[str, ModelInfo] = {m.name: m for m in (
    ModelInfo(LOCAL_BASE, Provider.LOCAL, (Mode.REALTIME, Mode.FILE), RuleSet.FUNASR, True,
              WHISPER_LANGUAGES, WHISPER_LANGUAGES,
              description="Offline Whisper base (multilingual), weighted hotwords and context"),
    ModelInfo(LOCAL_TINY_EN, Provider.LOCAL, (Mode.REALTIME, Mode.FILE), RuleSet.FUNASR, True,
              ("en",), ("en",),
              description="Offline Whisper tiny.en (English, fastest)"),
    _funasr("fun-asr-realtime", RT, context=True, description="Fun-ASR real-time (latest)"),
    _funasr("fun-asr-realtime-2025-11-07", RT, context=True),
    _funasr("fun-asr-realtime-2026-02-28", RT, context=False, languages=("zh", "en", "ja"),
            description="Beijing region only"),
    _funasr("fun-asr-realtime-2025-09-15", RT, context=False, languages=("zh", "en"),
            description="Beijing region only"),
    _funasr("fun-asr-flash-8k-realtime", RT, context=False, languages=("zh",), rates=(8000,),
            description="Telephone audio, 8 kHz, Beijing region only"),
    _paraformer("paraformer-realtime-v2", RT, description="Paraformer real-time (legacy rules)"),
    _paraformer("paraformer-realtime-8k-v2", RT, languages=("zh",), rates=(8000,)),
    _funasr("fun-asr", FILE, context=False, description="Fun-ASR file transcription"),
    _funasr("fun-asr-2025-11-07", FILE, context=False),
    _funasr("fun-asr-2025-08-25", FILE, context=False, languages=("zh", "en")),
    _funasr("fun-asr-mtl", FILE, context=False, description="Fun-ASR multilingual file transcription"),
    _funasr("fun-asr-mtl-2025-08-25", FILE, context=False),
    _funasr("fun-asr-flash-2026-06-15", FLASH, context=True,
            description="Fun-ASR flash: short clips (<= 5 min) with context enhancement"),
    _paraformer("paraformer-v2", FILE, description="Paraformer file transcription (legacy rules)"),
    _paraformer("paraformer-8k-v2", FILE, languages=("zh",), rates=(8000,)),
    ModelInfo("sensevoice-v1", Provider.DASHSCOPE, FILE, RuleSet.NONE, False,
              ("zh", "en", "ja", "ko", "yue"), (), description="SenseVoice: ignores hotwords"),
)}

DEFAULT_MODEL = LOCAL_BASE

# A Whisper model in a folder the user already has (faster-whisper's CTranslate2 format) is named
# by its folder: "folder:/abs/path". The engine layer inspects the folder and registers it here,
# so every part of the app that asks this table (hotword rules, pickers) treats it like base.
FOLDER_PREFIX = "folder:"
_FOLDER_MODELS: dict[str, ModelInfo] = {}


def folder_model_id(path: str) -> str:
    return FOLDER_PREFIX + path


def is_folder_model(name: str) -> bool:
    return name.startswith(FOLDER_PREFIX)


def folder_model_path(name: str) -> str:
    return name[len(FOLDER_PREFIX):]


def folder_model_info(path: str, label: str, multilingual: bool) -> ModelInfo:
    """What a folder model accepts: the same hotword rules and context as the packaged models."""
    langs = WHISPER_LANGUAGES if multilingual else ("en",)
    kind = "multilingual" if multilingual else "English only"
    return ModelInfo(folder_model_id(path), Provider.LOCAL, (Mode.REALTIME, Mode.FILE), RuleSet.FUNASR,
                     True, langs, langs, description=f"Whisper {label} ({kind}, your folder)")


def register_folder_model(info: ModelInfo) -> None:
    _FOLDER_MODELS[info.name] = info


def unregister_folder_model(name: str) -> None:
    _FOLDER_MODELS.pop(name, None)


class UnknownModelError(KeyError):
    def __str__(self) -> str:
        return f"Unknown model {self.args[0]!r}. Known models: {', '.join(sorted(MODELS))}."


def model_info(name: str) -> ModelInfo:
    """Look a model up by exact name: date-suffixed snapshots are different models on the cloud."""
    try:
        return MODELS[name] if name in MODELS else _FOLDER_MODELS[name]
    except KeyError:
        raise UnknownModelError(name) from None


def models_for(provider: Provider | None = None, mode: Mode | None = None) -> list[ModelInfo]:
    """The table's models, then the registered folder models (local, after the packaged ones)."""
    return [m for m in (*MODELS.values(), *_FOLDER_MODELS.values())
            if (provider is None or m.provider is provider) and (mode is None or mode in m.modes)]
