"""Hotword rules of the Fun-ASR custom vocabulary, as data plus pure functions.

The cloud rejects some mistakes and silently ignores others (a list bound to another model,
hotwords of a language the request's hints exclude). Both kinds are reported here, as a code
plus a sentence, so the editor, the CLI and the DashScope client all say the same thing.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .models import LANGUAGE_NAMES, ModelInfo, RuleSet, model_info

MIN_WEIGHT, MAX_WEIGHT, DEFAULT_WEIGHT = 1, 5, 4
MAX_HOTWORDS_PER_LIST = 500
MAX_LISTS_PER_ACCOUNT = 10
PREFIX_RE = re.compile(r"^[a-z0-9]{1,10}$")
# Categories Cc (C0, DEL, C1), Zl and Zp, as one regex: imports check 100k rows in well under a second.
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SURROGATE_RE = re.compile("[\ud800-\udfff]")

WEIGHT_MEANINGS: dict[int, str] = {
    1: "slight", 2: "slight", 3: "clear", 4: "clear", 5: "forced",
}
WEIGHT_HELP: dict[int, str] = {
    1: "Slight preference: only tips close calls.",
    2: "Slight preference: only tips close calls.",
    3: "Clear preference: fixes typical misspellings of rare names.",
    4: "Clear preference (recommended start).",
    5: "Forced: may replace similar-sounding common words. Use with care.",
}


@dataclass(frozen=True)
class TextLimit:
    """One rule for a hotword's text: what is counted, and how many are allowed."""

    unit: str  # "chars" or "words"
    limit: int


FUNASR_NON_ASCII = TextLimit("chars", 15)
FUNASR_ASCII = TextLimit("words", 7)
PARAFORMER_NON_ASCII = TextLimit("chars", 10)
PARAFORMER_ASCII = TextLimit("words", 5)


class ProblemSeverity(StrEnum):
    ERROR = "error"  # the cloud rejects it, or it can never work
    WARNING = "warning"  # accepted, but silently ignored or probably unintended


@dataclass(frozen=True)
class Problem:
    """One finding. `row` is the 0-based index in the list, or None for the list as a whole."""

    code: str
    message: str
    severity: ProblemSeverity = ProblemSeverity.ERROR
    row: int | None = None
    field: str = "text"

    @property
    def is_error(self) -> bool:
        return self.severity is ProblemSeverity.ERROR

    def describe(self) -> str:
        where = "list" if self.row is None else f"row {self.row + 1}"
        return f"{where}: {self.code}: {self.message}"


@dataclass
class Hotword:
    text: str
    weight: int = DEFAULT_WEIGHT
    lang: str | None = None

    def to_cloud(self) -> dict:
        """The entry exactly as the vocabulary API takes it (no `lang` key when unset)."""
        entry: dict = {"text": self.text.strip(), "weight": self.weight}
        if self.lang:
            entry["lang"] = self.lang
        return entry


@dataclass
class HotwordList:
    """A named list bound to one target model, as the user edits it."""

    name: str
    target_model: str
    items: list[Hotword] = field(default_factory=list)
    prefix: str = ""


@dataclass(frozen=True)
class Measure:
    """What the live counter shows: "7/15 chars" or "3/7 words"."""

    count: int
    limit: int
    unit: str

    @property
    def ok(self) -> bool:
        return self.count <= self.limit

    def __str__(self) -> str:
        return f"{self.count}/{self.limit} {self.unit}"


def is_ascii(text: str) -> bool:
    return text.isascii()


def text_limit(text: str, rule_set: RuleSet = RuleSet.FUNASR) -> TextLimit:
    non_ascii = not is_ascii(text)
    if rule_set is RuleSet.PARAFORMER:
        return PARAFORMER_NON_ASCII if non_ascii else PARAFORMER_ASCII
    return FUNASR_NON_ASCII if non_ascii else FUNASR_ASCII


def measure_text(text: str, rule_set: RuleSet = RuleSet.FUNASR) -> Measure:
    """Count the text the way the rule that applies to it counts.

    Leading/trailing spaces are not sent to the cloud, so they are not counted; inner spaces are.
    """
    stripped = text.strip()
    rule = text_limit(stripped, rule_set)
    count = len(stripped) if rule.unit == "chars" else len(stripped.split())
    return Measure(count, rule.limit, rule.unit)


def _bad_characters(text: str) -> list[str]:
    return CONTROL_RE.findall(text)


def has_lone_surrogate(text: str) -> bool:
    """True for text no file can store: a JSON escape such as "\\ud800" without its pair decodes
    to half a character, which every UTF encoder refuses (and a write would fail half-way)."""
    return SURROGATE_RE.search(text) is not None


def check_text(text: object, rule_set: RuleSet = RuleSet.FUNASR, row: int | None = None) -> list[Problem]:
    if not isinstance(text, str):
        return [Problem("text-type", f"The text must be a string, not {type(text).__name__}.", row=row)]
    stripped = text.strip()
    if not stripped:
        return [Problem("text-empty", "The text is empty. Type a word or phrase.", row=row)]
    if has_lone_surrogate(text):
        names = ", ".join(sorted({f"U+{ord(c):04X}" for c in SURROGATE_RE.findall(text)}))
        return [Problem("text-surrogate", f"The text contains half of a character ({names}, an "
                        "unpaired surrogate), which is not valid Unicode; retype that character.",
                        row=row)]
    bad = _bad_characters(text)
    if bad:
        names = ", ".join(sorted({f"U+{ord(c):04X}" for c in bad}))
        return [Problem("text-control", f"The text contains control characters ({names}); "
                        "remove line breaks and tabs.", row=row)]
    m = measure_text(stripped, rule_set)
    if m.ok:
        return []
    family = "Paraformer" if rule_set is RuleSet.PARAFORMER else "Fun-ASR"
    if m.unit == "chars":
        return [Problem("text-too-long",
                        f"Text with non-ASCII characters may have at most {m.limit} characters "
                        f"({family}); this one has {m.count} (spaces count too).", row=row)]
    return [Problem("text-too-many-words",
                    f"ASCII text may have at most {m.limit} space-separated words ({family}); "
                    f"this one has {m.count}.", row=row)]


def check_weight(weight: object, row: int | None = None) -> list[Problem]:
    # bool is a subclass of int; JSON `true` must not pass as weight 1.
    if isinstance(weight, bool) or not isinstance(weight, int):
        shown = reprlib.repr(weight) if not isinstance(weight, str) else f'"{weight[:40]}"'
        return [Problem("weight-type", f"The weight must be a whole number from {MIN_WEIGHT} to "
                        f"{MAX_WEIGHT}, not {shown}.", row=row, field="weight")]
    if not MIN_WEIGHT <= weight <= MAX_WEIGHT:
        return [Problem("weight-range", f"The weight must be from {MIN_WEIGHT} to {MAX_WEIGHT}; "
                        f"{weight} is out of range.", row=row, field="weight")]
    return []


def language_label(code: str) -> str:
    name = LANGUAGE_NAMES.get(code)
    return f"{name} ({code})" if name else code


def check_lang(lang: object, model: ModelInfo, row: int | None = None) -> list[Problem]:
    if lang is None:
        return []
    if not isinstance(lang, str) or not lang.strip() or has_lone_surrogate(lang):
        return [Problem("lang-invalid", "The language must be a language code such as \"en\" or "
                        "\"zh\", or left out.", row=row, field="lang")]
    if model.hotword_languages and lang not in model.hotword_languages:
        allowed = ", ".join(model.hotword_languages)
        return [Problem("lang-unsupported", f"{model.name} does not accept hotwords in language "
                        f"\"{lang}\"; use one of: {allowed}, or leave it out.", row=row, field="lang")]
    return []


def check_hotword(item: Hotword, model: ModelInfo, row: int | None = None) -> list[Problem]:
    return (check_text(item.text, model.rule_set if model.supports_hotwords else RuleSet.FUNASR, row)
            + check_weight(item.weight, row) + check_lang(item.lang, model, row))


def check_prefix(prefix: str) -> list[Problem]:
    if PREFIX_RE.match(prefix or ""):
        return []
    return [Problem("prefix-invalid", "The cloud prefix must be 1 to 10 lowercase letters or digits "
                    f"(got \"{prefix}\").", field="prefix")]


def ignored_by_hints(item: Hotword, language_hints: Sequence[str], model: ModelInfo) -> bool:
    """True when the recognition request's language hints make the cloud skip this hotword.

    Fun-ASR honours only the first hint, so only that one decides.
    """
    if not language_hints or not item.lang:
        return False
    active = list(language_hints)[: model.max_language_hints]
    return item.lang not in active


def effective_hotwords(items: Iterable[Hotword], language_hints: Sequence[str] = (),
                       model: ModelInfo | None = None) -> list[Hotword]:
    """The hotwords a recognition request actually uses; both engines call this."""
    hints_model = model or model_info("fun-asr")
    return [h for h in items if not ignored_by_hints(h, language_hints, hints_model)]


def validate_items(items: Sequence[Hotword], target_model: str,
                   language_hints: Sequence[str] = ()) -> list[Problem]:
    """Every finding for a list of hotwords bound to `target_model`, rows first, then the list."""
    model = model_info(target_model)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row, item in enumerate(items):
        problems += check_hotword(item, model, row)
        key = item.text.strip().casefold() if isinstance(item.text, str) else ""
        if key:
            if key in seen:
                problems.append(Problem("duplicate", f"Same text as row {seen[key] + 1}; the duplicate "
                                        "adds nothing.", ProblemSeverity.WARNING, row))
            else:
                seen[key] = row
        if ignored_by_hints(item, language_hints, model):
            hints = ", ".join(language_hints[: model.max_language_hints])
            problems.append(Problem("lang-excluded-by-hints",
                                    f"Ignored: the language hints ({hints}) exclude "
                                    f"{language_label(item.lang or '')} hotwords.",
                                    ProblemSeverity.WARNING, row, "lang"))
    limit = min(model.max_hotwords, MAX_HOTWORDS_PER_LIST)
    if len(items) > limit:
        problems.append(Problem("too-many-hotwords", f"A list may hold at most {limit} hotwords; this "
                                f"one has {len(items)}. Split it or remove some."))
    if not model.supports_hotwords:
        problems.append(Problem("model-ignores-hotwords", f"{model.name} does not use hotwords: the "
                                "cloud accepts the list and silently ignores it. Pick a Fun-ASR or "
                                "Paraformer model.", ProblemSeverity.WARNING, field="target_model"))
    if len(language_hints) > model.max_language_hints:
        problems.append(Problem("hints-truncated", f"{model.name} uses only the first language hint "
                                f"({language_hints[0]}); the others are ignored.", ProblemSeverity.WARNING,
                                field="language_hints"))
    return problems


def validate_list(hotword_list: HotwordList, language_hints: Sequence[str] = (),
                  for_cloud: bool = False) -> list[Problem]:
    problems = validate_items(hotword_list.items, hotword_list.target_model, language_hints)
    if for_cloud:
        problems += check_prefix(hotword_list.prefix)
    return problems


def check_model_match(vocabulary_target: str, recognition_model: str) -> Problem | None:
    """The cloud's most common silent failure: a list used with a model it was not made for."""
    if vocabulary_target == recognition_model:
        return None
    return Problem("target-model-mismatch",
                   f"This hotword list is bound to {vocabulary_target}, but recognition uses "
                   f"{recognition_model}; the cloud would silently ignore every hotword. Use "
                   f"{vocabulary_target} or rebind the list.", field="target_model")


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_error]
