"""The Fun-ASR hotword rules, with the documented examples verbatim."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwenasr_desktop.core.hotwords import (
    Hotword,
    HotwordList,
    ProblemSeverity,
    RuleSet,
    check_lang,
    check_model_match,
    check_prefix,
    check_text,
    check_weight,
    effective_hotwords,
    errors,
    measure_text,
    validate_items,
    validate_list,
    warnings,
)
from qwenasr_desktop.core.models import model_info


@pytest.mark.parametrize("text, count", [
    ("厄洛替尼盐酸盐", 7), ("EGFR抑制剂", 7), ("こんにちは", 5), ("Фенибут Белфарм", 15),
])
def test_non_ascii_within_15_characters_is_accepted(text, count):
    assert measure_text(text).count == count
    assert str(measure_text(text)) == f"{count}/15 chars"
    assert check_text(text) == []


def test_non_ascii_over_15_characters_is_rejected():
    problems = check_text("Клофелин Белмедпрепараты", row=3)
    assert [p.code for p in problems] == ["text-too-long"]
    assert problems[0].row == 3
    assert "24" in problems[0].message and "15" in problems[0].message


@pytest.mark.parametrize("text, words", [
    ("Exothermic reaction", 2), ("Human immunodeficiency virus type 1", 5),
])
def test_ascii_within_7_words_is_accepted(text, words):
    assert str(measure_text(text)) == f"{words}/7 words"
    assert check_text(text) == []


def test_ascii_over_7_words_is_rejected():
    text = "The effect of temperature variations on enzyme activity in biochemical reactions"
    assert measure_text(text).count == 11
    assert [p.code for p in check_text(text)] == ["text-too-many-words"]


def test_exactly_7_words_and_8_words():
    assert check_text("a b c d e f g") == []
    assert check_text("a b c d e f g h")[0].code == "text-too-many-words"


def test_exactly_15_and_16_non_ascii_characters():
    assert check_text("é" * 15) == []
    assert check_text("é" * 16)[0].code == "text-too-long"


def test_empty_and_blank_text_rejected():
    assert check_text("")[0].code == "text-empty"
    assert check_text("   ")[0].code == "text-empty"
    assert check_text(None)[0].code == "text-type"


def test_control_characters_rejected():
    assert check_text("foo\nbar")[0].code == "text-control"
    assert check_text("foo\tbar")[0].code == "text-control"
    assert "U+000A" in check_text("foo\nbar")[0].message


@pytest.mark.parametrize("weight", [1, 2, 3, 4, 5])
def test_weights_1_to_5_accepted(weight):
    assert check_weight(weight) == []


@pytest.mark.parametrize("weight, code", [
    (0, "weight-range"), (6, "weight-range"), (-1, "weight-range"), (4.0, "weight-type"),
    (3.5, "weight-type"), ("4", "weight-type"), (True, "weight-type"), (None, "weight-type"),
])
def test_bad_weights_rejected(weight, code):
    problems = check_weight(weight)
    assert [p.code for p in problems] == [code]
    assert problems[0].field == "weight"


def test_default_weight_is_4():
    assert Hotword("x").weight == 4


def test_lang_must_be_supported_by_model():
    fun = model_info("fun-asr")
    assert check_lang("zh", fun) == [] and check_lang("en", fun) == [] and check_lang(None, fun) == []
    assert check_lang("de", fun)[0].code == "lang-unsupported"
    para = model_info("paraformer-v2")
    assert check_lang("de", para) == []
    assert check_lang("", fun)[0].code == "lang-invalid"


def test_paraformer_rule_set():
    assert str(measure_text("赛德克巴莱", RuleSet.PARAFORMER)) == "5/10 chars"
    assert check_text("一二三四五六七八九十", RuleSet.PARAFORMER) == []
    assert check_text("一二三四五六七八九十一", RuleSet.PARAFORMER)[0].code == "text-too-long"
    assert check_text("one two three four five", RuleSet.PARAFORMER) == []
    assert check_text("one two three four five six", RuleSet.PARAFORMER)[0].code == "text-too-many-words"
    # the same 11-character text is fine for Fun-ASR
    assert validate_items([Hotword("一二三四五六七八九十一")], "fun-asr") == []
    assert errors(validate_items([Hotword("一二三四五六七八九十一")], "paraformer-v2"))


def test_list_size_limit():
    items = [Hotword(f"term{i}") for i in range(500)]
    assert errors(validate_items(items, "fun-asr")) == []
    items.append(Hotword("one more"))
    problems = validate_items(items, "fun-asr")
    assert [p.code for p in errors(problems)] == ["too-many-hotwords"]
    assert problems[-1].row is None


@pytest.mark.parametrize("prefix, ok", [
    ("abc", True), ("a1b2c3d4e5", True), ("a1b2c3d4e5f", False), ("ABC", False), ("", False),
    ("ab-c", False), ("ab c", False),
])
def test_prefix(prefix, ok):
    assert (check_prefix(prefix) == []) == ok


def test_duplicates_are_warnings():
    problems = validate_items([Hotword("Qwen"), Hotword("qwen ")], "fun-asr")
    assert [(p.code, p.row, p.severity) for p in problems] == [("duplicate", 1, ProblemSeverity.WARNING)]


def test_model_without_hotwords_warns():
    problems = validate_items([Hotword("Qwen")], "sensevoice-v1")
    assert [p.code for p in warnings(problems)] == ["model-ignores-hotwords"]
    assert errors(problems) == []


def test_language_hints_exclude_other_languages():
    items = [Hotword("赛德克巴莱", 4, "zh"), Hotword("Seediq Bale", 4, "en"), Hotword("Qwen")]
    problems = validate_items(items, "fun-asr", language_hints=["zh"])
    excluded = [p for p in problems if p.code == "lang-excluded-by-hints"]
    assert [p.row for p in excluded] == [1]
    assert "English (en)" in excluded[0].message
    assert [h.text for h in effective_hotwords(items, ["zh"])] == ["赛德克巴莱", "Qwen"]
    assert effective_hotwords(items, []) == items


def test_only_first_hint_counts_for_funasr():
    items = [Hotword("Seediq Bale", 4, "en")]
    problems = validate_items(items, "fun-asr", language_hints=["zh", "en"])
    assert {p.code for p in problems} == {"lang-excluded-by-hints", "hints-truncated"}


def test_model_mismatch():
    assert check_model_match("fun-asr", "fun-asr") is None
    p = check_model_match("fun-asr-realtime", "fun-asr-realtime-2025-11-07")
    assert p is not None and p.code == "target-model-mismatch"


def test_validate_list_checks_prefix_for_cloud():
    lst = HotwordList("Drugs", "fun-asr", [Hotword("厄洛替尼盐酸盐", 4, "zh")], prefix="Bad!")
    assert validate_list(lst) == []
    assert [p.code for p in validate_list(lst, for_cloud=True)] == ["prefix-invalid"]


def test_to_cloud_omits_empty_lang_and_trims():
    assert Hotword(" Qwen ", 5).to_cloud() == {"text": "Qwen", "weight": 5}
    assert Hotword("千问", 3, "zh").to_cloud() == {"text": "千问", "weight": 3, "lang": "zh"}


@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20))
def test_single_ascii_word_always_valid(word):
    assert check_text(word) == []


@given(st.lists(st.text(alphabet="abcxyz", min_size=1, max_size=5), min_size=1, max_size=12))
def test_ascii_word_count_rule(words):
    text = " ".join(words)
    assert (check_text(text) == []) == (len(words) <= 7)


@given(st.text(min_size=1, max_size=30))
def test_validator_never_crashes_and_codes_are_known(text):
    codes = {p.code for p in check_text(text)}
    assert codes <= {"text-empty", "text-control", "text-too-long", "text-too-many-words"}
    m = measure_text(text)
    if not codes:
        assert m.count <= m.limit


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=30))
def test_cjk_length_rule(text):
    assert (check_text(text) == []) == (len(text) <= 15)


def test_unpaired_surrogate_is_a_text_error():
    # issue 17: JSON "\ud800" decodes to half a character; passing it let `convert` fail mid-write
    [p] = check_text("Qwen\ud800")
    assert p.code == "text-surrogate" and "U+D800" in p.message
    assert check_text("\U0001F600 ok") == []  # a real astral character is fine
    assert [p.code for p in check_lang("\udc80", model_info("paraformer-v2"))] == ["lang-invalid"]


@given(st.text(alphabet=st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)),
               min_size=1, max_size=20))
def test_text_that_passes_the_rules_can_always_be_saved(text):
    if not check_text(text):
        text.encode("utf-8")  # never raises for accepted text
