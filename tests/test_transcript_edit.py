"""Text edits applied to timed words (core.transcript_edit): untouched words keep their times."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qwenasr_desktop.core.transcript import Sentence, Transcript, Word
from qwenasr_desktop.core.transcript_edit import (
    ChangeKind,
    apply_text_edit,
    corrections,
    format_timestamp,
    hotword_candidates,
    insert_at,
    normalize_sentence,
    parse_timestamp,
    render_words,
    tokenize,
    word_at,
)


def sentence() -> Sentence:
    words = [Word(" Welcome", 0, 420, ""), Word(" to", 430, 520), Word(" cue", 600, 800),
             Word(" when", 800, 1000), Word(" desktop", 1100, 1600, ","), Word(" everyone", 1700, 2300, ".")]
    return Sentence("Welcome to cue when desktop, everyone.", 0, 2500, words, speaker=0)


def times(s: Sentence) -> list[tuple[str, int, int]]:
    return [(w.text, w.begin_ms, w.end_ms) for w in s.words]


def test_unchanged_text_keeps_every_word_and_time():
    s = sentence()
    r = apply_text_edit(s, render_words(s.words))
    assert r.changes == []
    assert times(r.sentence) == [(w.text.strip(), w.begin_ms, w.end_ms) for w in s.words]


def test_replacing_two_words_by_one_keeps_the_neighbours_times_and_takes_their_span():
    r = apply_text_edit(sentence(), "Welcome to Qwen desktop, everyone.")
    got = times(r.sentence)
    assert got[:2] == [("Welcome", 0, 420), ("to", 430, 520)]
    assert got[2] == ("Qwen", 600, 1000)
    assert got[3:] == [("desktop", 1100, 1600), ("everyone", 1700, 2300)]
    assert [(c.kind, c.old, c.new) for c in r.changes] == [(ChangeKind.REPLACE, "cue when", "Qwen")]
    assert r.sentence.text == "Welcome to Qwen desktop, everyone."
    assert r.sentence.speaker == 0


def test_inserted_words_share_the_gap_between_their_neighbours_in_order():
    r = apply_text_edit(sentence(), "Welcome to cue when desktop, dear friends and everyone.")
    got = times(r.sentence)
    inserted = got[5:8]
    assert [w for w, _, _ in inserted] == ["dear", "friends", "and"]
    assert inserted[0][1] >= 1600 and inserted[-1][2] <= 1700
    assert all(b <= e for _, b, e in inserted)
    assert [b for _, b, _ in inserted] == sorted(b for _, b, _ in inserted)
    assert got[8] == ("everyone", 1700, 2300)


def test_capitalisation_and_punctuation_fixes_keep_times_and_are_not_corrections():
    r = apply_text_edit(sentence(), "welcome To cue when desktop everyone!")
    assert r.changes == []
    assert [w.punctuation for w in r.sentence.words][-2:] == ["", "!"]
    assert times(r.sentence)[-1] == ("everyone", 1700, 2300)


def test_deleting_everything_leaves_an_empty_sentence_with_its_times():
    r = apply_text_edit(sentence(), "   ")
    assert r.sentence.words == [] and r.sentence.text == ""
    assert (r.sentence.begin_ms, r.sentence.end_ms) == (0, 2500)
    assert r.changes[0].kind is ChangeKind.DELETE


def test_words_map_one_to_one_onto_tokens_of_the_text():
    text = "Hello,  {inaudible}. [00:01.5] cue-when rocks!"
    r = apply_text_edit(sentence(), text)
    toks = tokenize(text)
    assert [w.text for w in r.sentence.words] == [t.text for t in toks]
    pieces = [text[t.start:t.end] for t in toks]
    assert pieces == ["Hello,", "{inaudible}.", "[00:01.5]", "cue-when", "rocks!"]


def test_timestamp_marker_takes_its_own_time():
    r = apply_text_edit(sentence(), "Welcome to [00:00.7] cue when desktop, everyone.")
    marker = r.sentence.words[2]
    assert (marker.text, marker.begin_ms, marker.end_ms) == ("[00:00.7]", 700, 700)
    assert word_at(r.sentence, 750) == 3  # the marker is not "spoken": playback highlights "cue"


def test_chinese_words_are_cut_into_characters_inside_their_own_times():
    s = Sentence("你好世界", 0, 1000, [Word("你好", 0, 400), Word("世界", 500, 1000, "。")])
    n = normalize_sentence(s)
    assert [w.text for w in n.words] == ["你", "好", "世", "界"]
    assert n.words[1].end_ms <= 400 and n.words[2].begin_ms >= 500
    assert n.text == "你好世界。"
    r = apply_text_edit(n, "你好，千问。")
    assert [w.text for w in r.sentence.words] == ["你", "好", "千", "问"]
    assert times(r.sentence)[:2] == times(n)[:2]
    assert r.changes[0].new == "千问。"


def test_sentence_without_word_times_gets_words_spread_over_it():
    s = Sentence("one two three", 1000, 4000)
    n = normalize_sentence(s)
    assert [w.text for w in n.words] == ["one", "two", "three"]
    assert n.words[0].begin_ms == 1000 and n.words[-1].end_ms == 4000


def test_timestamp_format_round_trips():
    for ms in (0, 1500, 59_900, 61_234, 3_725_400):
        assert parse_timestamp(format_timestamp(ms)) == ms // 100 * 100
    assert format_timestamp(3_725_400) == "[1:02:05.4]"
    assert parse_timestamp("[1:2]") is None


def test_insert_at_adds_spaces_only_where_needed():
    assert insert_at("hello world", 5, "{inaudible}") == ("hello {inaudible} world", 17)
    assert insert_at("hello ", 6, "[00:01.0]") == ("hello [00:01.0]", 15)
    assert insert_at("", 0, "{crosstalk}") == ("{crosstalk}", 11)


def test_learn_offers_terms_the_engine_kept_getting_wrong_and_checks_the_rules():
    second = Sentence("", 3000, 5000, [Word("cue", 3000, 3300), Word("when", 3300, 3600),
                                       Word("is", 3700, 3900), Word("great", 4000, 4500)])
    engine = Transcript([sentence(), second])
    edited = Transcript([apply_text_edit(sentence(), "Welcome to Qwen desktop, everyone.").sentence,
                         apply_text_edit(second, "Qwen is great {inaudible}").sentence])
    changes = corrections(engine, edited)
    assert [(c.old, c.new) for c in changes] == [("cue when", "Qwen"), ("cue when", "Qwen")]
    cands = hotword_candidates(changes, existing=[], target_model="fun-asr")
    assert [(c.text, c.count, c.heard_as, c.addable) for c in cands] == [("Qwen", 2, ["cue when"], True)]
    again = hotword_candidates(changes, existing=["qwen"], target_model="fun-asr")
    assert again[0].problem == "Already in the list."
    long = Transcript([Sentence("", 0, 1, [Word("x", 0, 1)])])
    eight = "one two three four five six seven eight"
    fixed = Transcript([apply_text_edit(long.sentences[0], eight).sentence])
    bad = hotword_candidates(corrections(long, fixed), [], "fun-asr")
    assert not bad[0].addable and "at most 7" in bad[0].problem


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "Qwen", "{inaudible}", "x,"]),
                min_size=0, max_size=9))
def test_any_edit_keeps_times_of_matched_words_and_stays_ordered(new_words):
    s = sentence()
    r = apply_text_edit(s, " ".join(new_words))
    assert len(r.sentence.words) == len(tokenize(" ".join(new_words)))
    for w in r.sentence.words:
        assert s.begin_ms <= w.begin_ms <= w.end_ms <= s.end_ms
    begins = [w.begin_ms for w in r.sentence.words]
    assert begins == sorted(begins)
