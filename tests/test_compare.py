"""core/compare.py: alignment of A vs B, hotword spans and counts, scores, CSV export (no Qt);
ui/compare/diff_html.py: the same comparison as HTML."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from qwenasr_desktop.core.compare import CSV_HEADER, Side, compare, display_tokens, hits_csv, metric_rows
from qwenasr_desktop.core.hotwords import Hotword
from qwenasr_desktop.core.metrics import error_counts, hits_per_hotword, tokens
from qwenasr_desktop.core.transcript import Sentence, Transcript
from qwenasr_desktop.ui.compare.diff_html import column_html, comparison_html


def tr(*texts: str, lang: str | None = "en") -> Transcript:
    return Transcript([Sentence(t, 1000 * k, 1000 * k + 900, sentence_id=k) for k, t in enumerate(texts)],
                      language=lang)


REF = "but by printers in Strasburg, Basle, Paris, Lubeck, and other cities."
HOT = [Hotword("Strasburg"), Hotword("Basle"), Hotword("Lubeck"), Hotword("Nuremberg")]


def test_display_tokens_match_metrics_tokens_and_point_at_the_text():
    text = "Don't stop: well-known Kraków, 3.5% of U.S. café—naïve OK."
    toks = display_tokens(text)
    assert [t.norm for t in toks] == tokens(text)
    assert [text[t.start:t.end] for t in toks][:4] == ["Don't", "stop", "well", "known"]
    zh = "大学生，利用漏洞。"
    assert [(t.norm, zh[t.start:t.end]) for t in display_tokens(zh)][2:4] == [("生", "生"), ("利", "利")]
    assert [t.norm for t in display_tokens(zh)] == tokens(zh)


def test_mixed_script_keeps_latin_words_apart():
    # metrics joins everything in a CJK text (it scores characters); the display keeps words.
    assert [t.norm for t in display_tokens("用 Argo CD 部署")] == ["用", "argo", "cd", "部", "署"]


@given(st.text(alphabet=st.sampled_from(list("ab cD'-.,É 1\u0301_%")), max_size=40))
def test_display_tokens_agree_with_metrics_on_any_spaced_text(text):
    assert [t.norm for t in display_tokens(text)] == tokens(text)


def test_differences_and_hotword_hits_per_column():
    a = tr("but by printers in Strasbourg, Basel,", "Paris, Lubeck and other cities.")
    b = tr("but by printers in Strasburg, Basle,", "Paris, Lubeck and other cities.")
    r = compare(a, b, HOT)
    counts = {c.hotword.text: (c.hits_a, c.hits_b) for c in r.counts}
    assert counts == {"Strasburg": (0, 1), "Basle": (0, 1), "Lubeck": (1, 1), "Nuremberg": (0, 0)}
    # the counts are the ones metrics.hits_per_hotword gives for the whole texts
    words = [h.text for h in HOT]
    assert [c.hits_a for c in r.counts] == list(hits_per_hotword(a.text, words).values())
    assert [c.hits_b for c in r.counts] == list(hits_per_hotword(b.text, words).values())
    assert r.differences == 2
    assert {r.tokens_a[i].norm for i in r.changed_a} == {"strasbourg", "basel"}
    assert {r.tokens_b[i].norm for i in r.changed_b} == {"strasburg", "basle"}
    # spans point at the engine's own text, in the right sentence
    lub = next(o for o in r.occurrences_in(Side.B) if o.hotword == "Lubeck")
    t = r.tokens_b[lub.first]
    assert (t.sentence, b.sentences[1].text[t.start:t.end]) == (1, "Lubeck")


def test_multiword_hotword_spans_cover_all_its_words_and_count_once():
    a = tr("we met at the Argo CD booth, then Argo again")
    r = compare(a, a, [Hotword("Argo CD")])
    occ = r.occurrences_in(Side.A)
    assert len(occ) == 1 and (occ[0].first, occ[0].last) == (4, 5)
    assert r.differences == 0 and not r.changed_a and not r.changed_b


def test_chinese_hotwords_are_found_by_characters():
    a = tr("大学生利用漏洞免费吃肯德基获行", lang="zh")
    b = tr("大学生利用漏洞免费吃肯德基获刑。", lang="zh")
    r = compare(a, b, [Hotword("获刑", lang="zh"), Hotword("肯德基", lang="zh")])
    counts = {c.hotword.text: (c.hits_a, c.hits_b) for c in r.counts}
    assert counts == {"获刑": (0, 1), "肯德基": (1, 1)}
    assert [r.tokens_a[i].norm for i in r.changed_a] == ["行"]


def test_scores_against_a_reference_use_metrics():
    a = tr("but by printers in Strasbourg, Basel, Paris, Lubeck and other cities.")
    b = tr("but by printers in Strasburg, Basle, Paris, Lubeck and Nuremberg other cities.")
    r = compare(a, b, HOT, reference=REF)
    words = [h.text for h in HOT]
    assert r.scores_a.counts == error_counts(REF, a.text, words, "en")
    assert r.scores_b.counts == error_counts(REF, b.text, words, "en")
    assert r.scores_a.hotwords.targets == 3 and r.scores_a.hotwords.recalled == 1
    assert r.scores_b.hotwords.recalled == 3 and r.scores_b.recall == 1.0
    assert r.scores_b.hotwords.false_alarms == 1  # Nuremberg is not in the reference
    # the inserted list word counts as a biased error (Le et al. 2021)
    assert r.scores_b.b_wer == 1 / 3 and r.scores_a.b_wer == 2 / 3 and r.scores_b.u_wer == 0.0
    assert {c.hotword.text: c.hits_ref for c in r.counts}["Strasburg"] == 1
    labels = [m.label for m in metric_rows(r)]
    assert {"WER", "U-WER", "B-WER", "Hotword recall"} <= set(labels)
    recall = next(m for m in metric_rows(r) if m.label == "Hotword recall")
    assert (recall.a, recall.b) == ("33.3% (1/3)", "100.0% (3/3)")


def test_without_reference_there_are_no_scores():
    r = compare(tr("hello"), tr("hello"), HOT)
    assert r.scores_a is None and r.counts[0].hits_ref is None
    assert "WER" not in [m.label for m in metric_rows(r)]


def test_duplicate_hotwords_are_counted_once():
    r = compare(tr("Basle"), tr("Basle"), [Hotword("Basle"), Hotword("basle", 5)])
    assert len(r.counts) == 1 and r.counts[0].hits_a == 1


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.styled: list[tuple[str, str]] = []
        self._style: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "span":
            self._style.append(dict(attrs).get("style", ""))

    def handle_endtag(self, tag):
        if tag == "span":
            self._style.pop()

    def handle_data(self, data):
        if self._style:
            self.styled.append((self._style[-1], data))


def test_column_html_highlights_hotwords_and_differences_and_escapes():
    a = tr("in Strasbourg <b>now</b>")
    b = tr("in Strasburg <b>now</b>")
    r = compare(a, b, [Hotword("Strasburg")])
    p = _Collect()
    p.feed(column_html(r, Side.B))
    bold = [d for s, d in p.styled if "bold" in s and "underline" in s]
    assert bold == ["Strasburg"]  # hotword AND a difference
    assert "<b>" not in column_html(r, Side.A)  # the transcript's text is escaped
    p = _Collect()
    p.feed(column_html(r, Side.A))
    assert [d for s, d in p.styled if "underline" in s] == ["Strasbourg"]


def test_export_csv_and_html():
    a = tr("but by printers in Strasbourg, Basel, Paris, Lubeck and other cities.")
    b = tr("but by printers in Strasburg, Basle, Paris, Lubeck and other cities.")
    r = compare(a, b, HOT, reference=REF, b_adds="hotwords")
    rows = list(csv.reader(io.StringIO(hits_csv(r))))
    assert rows[0] == CSV_HEADER
    assert rows[1] == ["Strasburg", "4", "", "0", "1", "+1", "1"]
    assert rows[4] == ["Nuremberg", "4", "", "0", "0", "+0", "0"]
    page = comparison_html(r)
    assert page.startswith("<!DOCTYPE html>") and "B-WER" in page and "Nuremberg" in page
    assert "B: with hotwords" in page


def test_live_comparison_does_not_flag_words_the_other_column_has_not_reached():
    a = tr("but by printers in Strasbourg, Basel, Paris, Lubeck and other cities.")
    b = tr("but by printers in Strasburg")
    live = compare(a, b, HOT, live=True)
    assert {live.tokens_a[i].norm for i in live.changed_a} == {"strasbourg"}
    assert live.differences == 1
    done = compare(a, b, HOT)
    assert done.differences == 7  # once finished, the 6 missing words are differences too
