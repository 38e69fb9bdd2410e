"""Weighted hotwords and context on real clips, plus the building blocks of the biased decoder.

Assertions compare against the manifest's references and hotword lists, never against one
model's exact output: a target must appear, a distractor must not, weights must not reverse.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from qwenasr_desktop.core.context import Context
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.metrics import error_counts, hotword_hits
from qwenasr_desktop.core.models import LOCAL_BASE, LOCAL_TINY_EN
from qwenasr_desktop.engines.base import RecognitionOptions
from qwenasr_desktop.engines.local.biasing import HotwordTrie
from qwenasr_desktop.engines.local.engine import LocalEngine
from qwenasr_desktop.engines.local.search import _row_candidates


@pytest.fixture(scope="session")
def engine() -> LocalEngine:
    return LocalEngine()


def _hotwords(rec: dict, weight: int, distractors: bool = True) -> list[Hotword]:
    return [Hotword(h["text"], weight, h["lang"]) for h in rec["hotwords"]
            if distractors or not h["distractor"]]


class _Tok:
    """A stand-in tokenizer for the trie's pure logic: one id per character."""

    def encode(self, text: str) -> list[int]:
        return [ord(c) for c in text]


def test_trie_earns_per_token_and_takes_back_unfinished_matches():
    trie = HotwordTrie(_Tok(), [Hotword("ab", 2), Hotword("abc", 4)], lam=0.5, spaced=False)
    eot = 0
    b0 = trie.bonus_vector(0, 200, set())
    assert b0[ord("a")] == pytest.approx(2.0)  # shared prefix: the stronger hotword's bonus
    s1 = trie.next_state(0, ord("a"))
    b1 = trie.bonus_vector(s1, 200, set())
    assert b1[ord("b")] == pytest.approx(2.0)
    assert b1[ord("x")] == pytest.approx(-2.0)  # leaving the path takes the bonus back
    assert b1[eot] == pytest.approx(-2.0)
    assert trie.completed_phrase(s1, ord("b")) == "ab"
    s2 = trie.next_state(s1, ord("b"))
    # "ab" is complete (kept), "abc" continues; capping "abc" makes its last token earn nothing.
    capped = trie.bonus_vector(s2, 200, {"abc"})
    assert capped[ord("c")] == pytest.approx(-trie.nodes[s2].pending)


def test_trie_bonus_grows_with_weight():
    bonuses = []
    for w in range(1, 6):
        trie = HotwordTrie(_Tok(), [Hotword("Qwen", w)], lam=0.5, spaced=True)
        bonuses.append(trie.bonus_vector(0, 200, set())[ord("Q")])
    assert bonuses == sorted(bonuses) and len(set(bonuses)) == 5


def test_sparse_candidates_equal_ranking_the_whole_vocabulary_with_bonuses():
    # The search ranks only the decoder's top-k plus the trie's bonus tokens; that must give the
    # same k best as adding the dense bonus vector to every token and ranking all of them.
    rng = np.random.default_rng(7)
    words = [Hotword("ab", 3), Hotword("abc", 5), Hotword("ba", 1), Hotword("xyz", 4), Hotword("q", 2)]
    trie = HotwordTrie(_Tok(), words, lam=0.5, spaced=False)
    V, k = 200, 6
    states = [0, trie.next_state(0, ord("a")), trie.next_state(trie.next_state(0, ord("a")), ord("b")),
              trie.next_state(0, ord("x"))]
    for trial in range(200):
        logp = rng.normal(-8, 3, (1, V)).astype(np.float32)
        # Put hotword tokens near the top sometimes, so bonuses change the ranking.
        for t in map(ord, "abcxyzq"):
            if rng.random() < 0.5:
                logp[0, t] = rng.normal(-1, 1)
        state = states[trial % len(states)]
        capped = {"ab": 2} if trial % 3 == 0 else {}

        class Scores:
            pass

        scores = Scores()
        scores.logp = logp
        scores.top = np.argsort(-logp, axis=1)[:, :k]
        toks, lp, bonus = _row_candidates(scores, 0, trie, state, capped, k)
        dense = logp[0] + trie.bonus_vector(state, V, {p for p, c in capped.items() if c >= 2})
        expected = np.sort(dense)[::-1][:k]
        assert np.allclose(lp + bonus, expected, atol=1e-5), (trial, toks)
        assert np.allclose(lp, logp[0, toks])


@pytest.mark.slow
def test_targets_fixed_at_the_default_weight_and_distractors_stay_out(engine, manifest):
    rec = manifest["sh_en_lj001_0028"]
    plain = engine.recognize(rec["audio_path"], RecognitionOptions(model=LOCAL_BASE, language_hints=["en"]))
    biased = engine.recognize(rec["audio_path"], RecognitionOptions(
        model=LOCAL_BASE, language_hints=["en"], hotwords=_hotwords(rec, 4)))
    targets = [h["text"] for h in rec["hotwords"] if not h["distractor"]]
    found = lambda text: sum(hotword_hits(text, t) > 0 for t in targets)  # noqa: E731
    assert found(biased.text) == len(targets), biased.text
    assert found(biased.text) > found(plain.text), (plain.text, biased.text)
    for h in rec["hotwords"]:
        if h["distractor"]:
            assert hotword_hits(biased.text, h["text"]) == 0, biased.text


@pytest.mark.slow
def test_distractor_only_list_inserts_nothing(engine, manifest):
    rec = manifest["sh_en_jfk_inaugural"]
    tr = engine.recognize(rec["audio_path"], RecognitionOptions(model=LOCAL_BASE, language_hints=["en"],
                                                                hotwords=_hotwords(rec, 3)))
    assert all(hotword_hits(tr.text, h["text"]) == 0 for h in rec["hotwords"]), tr.text
    assert error_counts(rec["reference_normalized"], tr.text).wer < 0.15, tr.text


@pytest.mark.slow
def test_weights_are_monotonic_in_trie_only_mode(engine, manifest):
    # Trie only (no prompt) isolates the weighted fusion; recall must not fall as weight rises.
    rec = manifest["sh_zh_thchs30_D4_751"]
    targets = [h["text"] for h in rec["hotwords"] if not h["distractor"]]
    recalls = []
    for w in (1, 3, 5):
        tr = engine.recognize(rec["audio_path"], RecognitionOptions(
            model=LOCAL_BASE, language_hints=["zh"], hotwords=_hotwords(rec, w, distractors=False),
            extra={"prompt_min_weight": 9}))
        recalls.append(sum(hotword_hits(tr.text, t, "zh") > 0 for t in targets))
    assert recalls == sorted(recalls) and recalls[-1] > recalls[0], recalls


@pytest.mark.slow
def test_context_fixes_a_term_it_names_and_unrelated_context_inserts_nothing(engine, manifest):
    rec = manifest["sh_en_lj001_0028"]
    plain = engine.recognize(rec["audio_path"], RecognitionOptions(model=LOCAL_TINY_EN))
    named = engine.recognize(rec["audio_path"], RecognitionOptions(
        model=LOCAL_TINY_EN, context=Context.from_texts(["The early printers worked in Basle."])))
    assert hotword_hits(plain.text, "Basle") == 0, plain.text  # the case needs the context
    assert hotword_hits(named.text, "Basle") == 1, named.text
    unrelated = engine.recognize(rec["audio_path"], RecognitionOptions(
        model=LOCAL_TINY_EN, context=Context.from_texts(["We flew from Nuremberg to Antwerp via Cologne."])))
    inserted = [w for w in ("Nuremberg", "Antwerp", "Cologne") if hotword_hits(unrelated.text, w)]
    assert not inserted, unrelated.text
    assert error_counts(rec["reference_normalized"], unrelated.text).wer <= \
        error_counts(rec["reference_normalized"], plain.text).wer + 0.1


@pytest.mark.slow
def test_biased_decoding_imports_no_torch(manifest):
    code = (
        "import sys\n"
        "from qwenasr_desktop.engines.local.engine import LocalEngine\n"
        "from qwenasr_desktop.engines.base import RecognitionOptions\n"
        "from qwenasr_desktop.core.hotwords import Hotword\n"
        f"tr = LocalEngine().recognize({str(manifest['sh_en_ls_1089-134686-0001']['audio_path'])!r}, "
        "RecognitionOptions(model='local-whisper-tiny.en', hotwords=[Hotword('counselled', 4)]))\n"
        "assert tr.text, 'empty transcript'\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "print('biased' , tr.text)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr
