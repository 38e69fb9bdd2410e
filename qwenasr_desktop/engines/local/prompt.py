"""The decoder prompt: context, previous text and hotwords within Whisper's prompt budget.

Whisper reads `<|startofprev|> prompt tokens` before `<|startoftranscript|>`; the model was
trained with at most 223 prompt tokens (half its 448-token context), so everything we want to
say about the audio must fit there. Most recent text sits last (next to the audio), and
trimming drops the oldest tokens, on token boundaries, as faster-whisper does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...core.hotwords import Hotword

PROMPT_BUDGET = 223
HOTWORD_BUDGET = 96  # tokens kept for the glossary when context competes for room
# Whisper base writes Mandarin partly in Traditional characters unless the prompt shows
# Simplified ones. The output is converted to the chosen script anyway
# (core.chinese_script); this one neutral sentence stays because it also steers word choice.
ZH_SIMPLIFIED_PREFIX = "以下是普通话的句子。"
CJK_LANGUAGES = ("zh", "ja", "yue", "ko")
NO_SPACE_LANGUAGES = ("zh", "ja", "yue", "th", "lo", "my")


@dataclass
class PromptParts:
    context: str = ""  # user-supplied prior conversation / notes (core.context)
    previous: str = ""  # what this recognition already transcribed
    hotwords: Sequence[Hotword] = ()  # those that should be spelled out in the prompt
    language: str | None = None
    script_sentence: bool = True  # the Simplified sentence first, for Mandarin


def glossary_text(hotwords: Sequence[Hotword], language: str | None) -> str:
    """Hotwords as a short list, in the list's order. Not by weight: weights act only when the
    proposals are judged (verification.py), so the biased decode is the same at every weight."""
    if not hotwords:
        return ""
    ordered = list(hotwords)
    if language in CJK_LANGUAGES:
        return "，".join(h.text.strip() for h in ordered) + "。"
    return ", ".join(h.text.strip() for h in ordered) + "."


def build_prompt_tokens(tokenizer, parts: PromptParts) -> list[int]:
    """Token ids for after `<|startofprev|>` (not included), at most PROMPT_BUDGET long."""
    lang = parts.language
    prefix = ZH_SIMPLIFIED_PREFIX if lang == "zh" and parts.script_sentence else ""
    gloss = glossary_text(parts.hotwords, lang)
    g_tokens = tokenizer.encode(" " + gloss)[-HOTWORD_BUDGET:] if gloss else []
    p_tokens = tokenizer.encode(prefix) if prefix else []
    text = " ".join(t.strip() for t in (parts.context, parts.previous) if t and t.strip())
    c_tokens = tokenizer.encode(" " + text) if text else []
    room = PROMPT_BUDGET - len(g_tokens) - len(p_tokens)
    c_tokens = c_tokens[-room:] if room > 0 else []
    # Order: script prefix, then prior text, then the glossary right before the audio.
    return p_tokens + c_tokens + g_tokens
