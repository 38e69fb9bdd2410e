"""Span proposals: where a biased decode may change the plain one (core.span_merge, pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qwenasr_desktop.core.span_merge import apply, pieces, propose


def test_pieces_keep_punctuation_with_the_word_and_split_chinese_by_character():
    assert [p.key for p in pieces("Hello, world. I'm here!")] == ["hello", "world", "im", "here"]
    assert [p.key for p in pieces("而对楼市，GPT-4 最大。")] == ["而", "对", "楼", "市", "gpt4", "最", "大"]
    assert "".join(p.surface for p in pieces("甚至出现，交易。")) == "甚至出现，交易。"


def test_a_hotword_replaces_what_it_sounds_like_and_nothing_else_changes():
    plain = "i am a big gale clap lin you can call me abby and that is it"
    biased = "I am Abigail Claflin, you can call me Abbie. And that's it."
    props = propose(plain, biased, ["Abigail Claflin", "Abbie"])
    assert [p.phrases for p in props] == [("Abigail Claflin",), ("Abbie",)]
    assert apply(plain, props) == "i am Abigail Claflin you can call me Abbie and that is it"


def test_changes_that_complete_no_hotword_are_not_proposed():
    assert propose("the cat sat on the mat", "the dog sat on a mat", ["Lubeck"]) == []


def test_a_copied_chinese_glossary_proposes_nothing():
    plain = "而对面罗士成交一直作用最大的限够"
    copied = "限购，楼市成交，限贷，"
    assert propose(plain, copied, ["限购", "楼市成交", "限贷"]) == []


def test_a_list_really_spoken_is_still_proposed():
    plain = "we visited strasberg basel paris lubek"
    biased = "We visited Strasburg, Basle, Paris, Lubeck."
    props = propose(plain, biased, ["Strasburg", "Basle", "Lubeck"])
    assert apply(plain, props) == "we visited Strasburg Basle paris Lubeck"


def test_a_cut_sentence_cannot_drop_the_rest():
    plain = "也成为地方政府的眼中丁，大家都知道"
    cut = "也成为地方政府的眼中钉"
    props = propose(plain, cut, ["眼中钉"])
    assert apply(plain, props) == "也成为地方政府的眼中钉，大家都知道"


def test_a_hotword_cannot_replace_a_whole_sentence():
    # At most what takes about as long to say; the decoder's verification judges even that.
    props = propose("also the report said that it rained", "Nuremberg.", ["Nuremberg"])
    assert apply("also the report said that it rained", props).endswith("report said that it rained")


def test_context_proposals_need_the_new_words_verbatim_in_the_context():
    plain = "the early printers worked in basel"
    biased = "The early printers worked in Basle."
    assert propose(plain, biased, [], context="notes") == []
    props = propose(plain, biased, [], context="The early printers worked in Basle and Lyon.")
    assert len(props) == 1 and props[0].is_context and props[0].context_text == "Basle."
    assert apply(plain, props) == "the early printers worked in Basle"
    # One shared Chinese character is no evidence; two in a row are.
    assert propose("说君嫂", "说军嫂", [], context="军事") == []
    assert len(propose("说君嫂", "说军嫂", [], context="赞军嫂")) == 1


@given(st.text(alphabet="ab c。", max_size=30), st.text(alphabet="ab c。", max_size=30))
def test_without_hotwords_or_context_the_plain_text_is_kept_whatever_the_biased_text(plain, biased):
    assert apply(plain, propose(plain, biased, [])) == plain.strip()


def test_the_verification_summary_explains_b_and_survives_storage():
    from qwenasr_desktop.core.transcript import Transcript, Verification

    v = Verification()
    v.add(proposed=3, kept=1)
    v.add(proposed=2, kept=0)
    assert v.describe() == ("1 of 5 proposed changes confirmed by the audio; "
                            "1 of 2 chunks kept the plain text.")
    t = Transcript(verification=v)
    assert Transcript.from_dict(t.to_dict()).verification == v
    assert Transcript.from_dict(Transcript().to_dict()).verification is None
    none = Verification()
    none.add(0, 0)
    assert none.describe().startswith("Nothing to change")
