"""Alignment and error rates: hand-checked small cases for each operation and each split."""

from qwenasr_desktop.core.metrics import (
    Op,
    align_texts,
    error_counts,
    hits_per_hotword,
    hotword_score,
    normalize,
    tokens,
)


def test_normalize_matches_manifest_convention():
    assert normalize("Mister Quilter's apostle-ship, yes!") == "mister quilter's apostle ship yes"
    assert normalize("王英汉，被枪毙后。 部分") == "王英汉被枪毙后部分"
    assert tokens("AI 模型 works") == ["ai", "模", "型", "works"]


def test_alignment_ops_and_order():
    pairs = align_texts("but by printers in Strasburg, Basle", "but printers in Strasbourg Basle paris")
    assert [(p.ref, p.hyp, p.op) for p in pairs] == [
        ("but", "but", Op.OK), ("by", None, Op.DEL), ("printers", "printers", Op.OK),
        ("in", "in", Op.OK), ("strasburg", "strasbourg", Op.SUB), ("basle", "basle", Op.OK),
        (None, "paris", Op.INS)]


def test_biased_and_unbiased_error_split():
    c = error_counts("but by printers in strasburg basle", "but printers in strasbourg basle lubeck",
                     hotwords=["Strasburg", "Basle", "Lubeck"])
    assert (c.ref_words, c.errors) == (6, 3)
    # strasburg (sub) and the inserted hotword lubeck are biased errors; "by" (del) is unbiased.
    assert (c.biased_ref_words, c.biased_errors) == (2, 2)
    assert (c.unbiased_ref_words, c.unbiased_errors) == (4, 1)
    assert c.wer == 0.5 and c.b_wer == 1.0 and c.u_wer == 0.25


def test_chinese_counts_characters_and_whole_hotwords():
    c = error_counts("王英汉被枪毙后部分余孽", "王英汉被枪避后，部分云烈", hotwords=["王英汉", "余孽"],
                     lang="zh")
    assert (c.ref_words, c.errors) == (11, 3)
    assert (c.biased_ref_words, c.biased_errors) == (5, 2)


def test_hotword_hits_and_false_alarms():
    assert hits_per_hotword("Argo CD, argo cd and Argonaut", ["Argo CD", "Argo"]) == {"Argo CD": 2, "Argo": 2}
    s = hotword_score("a strasburg b", "strasburg cologne x strasburg", ["Strasburg"], ["Cologne", "Antwerp"])
    assert (s.targets, s.recalled, s.distractors, s.false_alarms) == (1, 1, 2, 1)
    assert s.recall == 1.0 and s.false_alarm_rate == 0.5
