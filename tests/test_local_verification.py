"""Hotwords and context never make a transcript worse: real recognitions with Whisper base.

The plain decode (no glossary, no context) is the transcript; the biased decode only proposes
changes, which the unprompted decoder must accept (engines/local/verification.py).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from qwenasr_desktop.core.chinese_script import convert
from qwenasr_desktop.core.context import Context
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.metrics import hotword_hits
from qwenasr_desktop.core.models import LOCAL_BASE
from qwenasr_desktop.engines.base import RecognitionOptions
from qwenasr_desktop.engines.local.engine import LocalEngine

pytestmark = pytest.mark.slow

# Same-domain words spoken in none of the Mandarin clips used below (the distractors of others).
ABSENT_ZH = ["限贷", "房产税", "首付比例", "肉中刺", "绊脚石", "中央政府", "包头市"]


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine()


def _recognize(engine, rec, **kw) -> str:
    opts = RecognitionOptions(model=LOCAL_BASE, language_hints=[rec["lang"]], **kw)
    return engine.recognize(rec["audio_path"], opts).text


def _list(rec, weight: int) -> list[Hotword]:
    return [Hotword(h["text"], weight, h["lang"]) for h in rec["hotwords"]]


@pytest.mark.parametrize("clip", ["sh_zh_aishell1_BAC009S0764W0121", "dv_zh_thchs30_sent279_masr"])
def test_a_mandarin_list_of_absent_words_leaves_the_transcript_unchanged(engine, manifest, clip):
    rec = manifest[clip]
    plain = _recognize(engine, rec)
    biased = _recognize(engine, rec, hotwords=[Hotword(w, 5, "zh") for w in ABSENT_ZH])
    assert biased == plain


def _list_runs(text: str, words: list[str]) -> list[str]:
    """Two or more hotwords in a row with only list punctuation between them."""
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return [m.group(0) for m in re.finditer(rf"(?:{alt})(?:[，、,;；。 ]*(?:{alt}))+", text)]


@pytest.mark.parametrize("clip", ["dv_zh_aishell1_BAC009S0002W0122", "dv_zh_aishell1_BAC009S0002W0124",
                                  "sh_zh_thchs30_D4_751"])
def test_a_chinese_list_never_becomes_the_transcript(engine, manifest, clip):
    rec = manifest[clip]
    words = [h["text"] for h in rec["hotwords"]]
    plain = _recognize(engine, rec)
    for weight in (4, 5):
        biased = _recognize(engine, rec, hotwords=_list(rec, weight))
        unsupported = [r for r in _list_runs(biased, words) if r not in plain]
        assert unsupported == [], biased
        # Not cut short either: at least as many characters as the plain text.
        assert len(re.sub(r"\W", "", biased)) >= len(re.sub(r"\W", "", plain)) - 1, (plain, biased)


class _RecordingDecoder:
    """The real decoder, with the token sequences it is started on written down."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.prefills: list[list[int]] = []
        self.scored_prefixes: list[list[int]] = []

    def step(self, state, tokens, suppress, k, also_at=None):
        if tokens.shape[1] > 1:
            self.prefills.append(tokens[0].tolist())
        return self._inner.step(state, tokens, suppress, k, also_at)

    def sequence_logprobs(self, window, prefix, seqs, **kw):
        self.scored_prefixes.append(list(prefix))
        return self._inner.sequence_logprobs(window, prefix, seqs, **kw)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def test_the_reference_decode_and_the_verdict_see_no_glossary_and_no_context(engine, manifest, monkeypatch):
    rec = manifest["dv_zh_aishell1_BAC009S0002W0123"]
    model = engine.model(LOCAL_BASE)
    recorder = _RecordingDecoder(model.decoder)
    monkeypatch.setattr(model, "decoder", recorder)
    context = "会议记录：地方政府的态度"
    text = _recognize(engine, rec, hotwords=_list(rec, 4), context=Context.from_texts([context]))
    monkeypatch.undo()
    tok = model.whisper.hf_tokenizer
    prompts = [tok.decode(p) for p in recorder.prefills]
    with_glossary = [p for p in prompts if "眼中钉" in p]
    with_context = [p for p in prompts if "会议记录" in p]
    plain = [p for p in prompts if "眼中钉" not in p and "会议记录" not in p]
    # One biased decode with the glossary, one with the context: apart, each a proposer only.
    assert len(with_glossary) == 1 and len(with_context) == 1 and with_glossary != with_context, prompts
    assert plain, prompts  # the plain search: neither glossary nor context
    for prefix in recorder.scored_prefixes:  # every verdict is given by the unprompted decoder
        decoded = tok.decode(prefix)
        assert "眼中钉" not in decoded and "会议记录" not in decoded, decoded
    assert "眼中钉" in text  # and the verified change is the hotword (plain wrote 眼中丁)


@pytest.mark.parametrize("clip", ["sh_en_lj001_0003", "sh_zh_thchs30_D4_753"])
def test_unrelated_context_leaves_a_clip_unchanged(engine, manifest, clip):
    rec = manifest[clip]
    other = next(r for r in manifest.values() if r["lang"] == rec["lang"] and r["id"] != clip)
    plain = _recognize(engine, rec)
    assert _recognize(engine, rec, context=Context.from_texts([other["reference"]])) == plain


def test_context_that_names_the_term_fixes_it(engine, manifest):
    rec = manifest["dv_zh_aishell1_BAC009S0002W0123"]
    plain = _recognize(engine, rec)
    named = _recognize(engine, rec, context=Context.from_texts(["他说这件事是地方政府的眼中钉。"]))
    assert "眼中钉" not in plain and "眼中钉" in named, (plain, named)


def test_weights_keep_their_meaning(engine, manifest):
    rec = manifest["dv_zh_thchs30_sent279_masr"]
    targets = [h["text"] for h in rec["hotwords"] if not h["distractor"]]
    recalls = []
    for w in (1, 3, 5):
        text = _recognize(engine, rec, hotwords=_list(rec, w))
        recalls.append(sum(hotword_hits(text, t, "zh") > 0 for t in targets))
    assert recalls == sorted(recalls) and recalls[-1] > recalls[0], recalls


def test_mandarin_comes_out_simplified_where_the_model_wrote_traditional(engine, manifest):
    rec = manifest["dv_zh_thchs30_sent279_masr"]
    # Without the Simplified sentence in its prompt, Whisper base writes this clip in Traditional.
    raw_opts = dict(extra={"zh_script_sentence": False})
    raw = _recognize(engine, rec, chinese_script="as-decoded", **raw_opts)
    assert convert(raw, "simplified") != raw, raw
    simplified = _recognize(engine, rec, **raw_opts)
    assert simplified == convert(raw, "simplified")
    traditional = _recognize(engine, rec, chinese_script="traditional")
    assert convert(traditional, "traditional") == traditional != convert(traditional, "simplified")


def test_sequence_scores_match_step_by_step_decoding(engine, manifest):
    """The verdict's teacher-forced scores are the log-probabilities the search itself sees."""
    from qwenasr_desktop.engines.local.recognizer import ChunkDecoder, DecodeSettings

    model = engine.model(LOCAL_BASE)
    rec = manifest["sh_en_ls_1089-134686-0001"]
    chunk = ChunkDecoder(model, DecodeSettings(language="en"))
    from qwenasr_desktop.audio.decode import load_audio

    mel, _ = chunk.features(load_audio(rec["audio_path"]))
    enc = chunk.encode(mel)
    tok = chunk.tokenizer("en")
    window = model.decoder.start(np.asarray(enc)[0])
    init = [*tok.sot_sequence, tok.no_timestamps]
    seqs = [[*tok.encode(" Stuff it into you, his belly counselled him."), tok.eot],
            [*tok.encode(" Stuffed into you, his belly counted him."), tok.eot]]
    fast = model.decoder.sequence_logprobs(window, init, seqs, max_positions=7)
    for seq, total in zip(seqs, fast, strict=True):
        state = model.decoder.fresh(window)
        scores = model.decoder.step(state, np.array([init]), np.zeros(model.decoder.V, np.float32), 1)
        slow = 0.0
        for t in seq:
            slow += float(scores.logp[0, t])
            scores = model.decoder.step(state, np.array([[t]]), np.zeros(model.decoder.V, np.float32), 1)
        assert total == pytest.approx(slow, abs=0.05)
