"""Candidate hotwords and the context suggestion, on a short case brief written for this test."""

from __future__ import annotations

from qwenasr_desktop.core.candidates import Kind, extract, sentences
from qwenasr_desktop.core.context import MAX_CHARS_PER_ROUND, validate_context
from qwenasr_desktop.core.hotwords import Hotword, check_text, validate_items
from qwenasr_desktop.core.models import RuleSet

BRIEF = """Case brief: cardiology follow-up, prepared for the transcription team

Dr. Hiroshi Nakamura will dictate the notes for Mrs. Siobhan O'Donnell after the clinic on Monday.
The patient has atrial fibrillation and heart failure. She was started on apixaban last spring, and
Dr. Nakamura now wants to switch her to Entresto because her ejection fraction dropped on the
latest echocardiogram. Her previous cardiologist, Dr. Maria Gonzalez at Johns Hopkins, had tried
warfarin, which caused bruising.

The FDA label for Entresto warns about angioedema. Please spell apixaban and Entresto exactly as
written; both are often misheard. The team also mentions the NYHA class and the BNP level.
Apixaban is taken twice a day.

Other people on the call: Priya Raghunathan (pharmacist) and the nurse, Tom.
"""


def _by_text(s):
    return {c.text.casefold(): c for c in s.candidates}


def test_rare_terms_names_and_acronyms_are_proposed():
    found = _by_text(extract(BRIEF))
    for term in ("apixaban", "entresto", "warfarin", "angioedema", "echocardiogram", "nyha", "bnp",
                 "hiroshi nakamura", "siobhan o'donnell", "priya raghunathan", "atrial fibrillation"):
        assert term in found, (term, sorted(found))
    assert found["nyha"].kind is Kind.ACRONYM
    assert found["atrial fibrillation"].kind is Kind.TERM
    assert found["priya raghunathan"].kind is Kind.NAME
    assert found["apixaban"].count == 3  # twice in lower case, once capitalised at a sentence start
    assert found["entresto"].count == 3


def test_common_words_and_titles_are_not_proposed():
    found = _by_text(extract(BRIEF))
    for common in ("patient", "clinic", "monday", "heart", "failure", "team", "nurse", "tom", "dr",
                   "mrs", "case", "spring", "notes", "the", "please", "other", "her"):
        assert common not in found, common
    assert not any(t.startswith(("dr ", "mrs ")) for t in found)


def test_candidates_are_ranked_rarest_and_most_used_first():
    cands = extract(BRIEF).candidates
    top = [c.text.casefold() for c in cands[:3]]
    assert "entresto" in top and "apixaban" in top
    # Rank falls with frequency: a common-ish name comes after the drugs.
    order = [c.text for c in cands]
    assert order.index("Johns Hopkins") > order.index("Entresto")


def test_duplicates_of_the_current_list_are_marked():
    current = [Hotword("Xarelto", 4), Hotword(" entresto ", 3)]
    s = extract(BRIEF, current)
    found = _by_text(s)
    assert found["entresto"].duplicate_row == 1 and found["entresto"].is_duplicate
    assert found["apixaban"].duplicate_row is None
    assert "entresto" not in {c.text.casefold() for c in s.new()}


def test_every_candidate_satisfies_the_rules_and_long_names_are_split():
    long_name = ("The Royal Brompton Harefield Cardiothoracic Teaching Hospital Foundation Trust "
                 "Westminster Campus")
    text = f"Surgery was at {long_name} yesterday. Then Nakamura called."
    for model, rule_set in (("fun-asr", RuleSet.FUNASR), ("paraformer-v2", RuleSet.PARAFORMER)):
        s = extract(BRIEF + "\n" + text, target_model=model)
        assert all(not check_text(c.text, rule_set) for c in s.candidates), model
        assert not [p for p in validate_items([c.to_hotword() for c in s.candidates], model)
                    if p.is_error]


def test_chinese_rare_words_by_frequency():
    s = extract("王英汉被枪毙后部分余孽深藏起来几次围捕均未抓获。部分人员已经离开。")
    found = _by_text(s)
    assert "余孽" in found and "围捕" in found
    assert "部分" not in found and "起来" not in found
    assert found["余孽"].to_hotword().lang == "zh"


def test_context_suggestion_uses_prose_with_terms_within_the_caps():
    ctx = extract(BRIEF).context
    assert ctx.messages and not validate_context(ctx)
    text = " ".join(m.text for m in ctx.messages)
    assert all(len(m.text) <= MAX_CHARS_PER_ROUND for m in ctx.messages)
    assert "apixaban" in text and "Entresto" in text
    assert "Case brief" not in text  # a heading is not prose
    # Sentences are kept whole and "Dr. Nakamura" is not split into two sentences.
    assert "Dr. Hiroshi Nakamura will dictate" in text


def test_sentences_and_empty_text():
    assert sentences("Mr. Smith met Dr. Jones. They talked.") == ["Mr. Smith met Dr. Jones.", "They talked."]
    s = extract("   ")
    assert s.candidates == [] and s.context.is_empty()
