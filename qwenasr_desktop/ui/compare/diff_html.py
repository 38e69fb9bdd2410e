"""A comparison (core/compare.py) rendered as HTML: one column for Qt's rich text, the whole report.

Kept out of core/ because colours, markup and layout are view decisions; core/compare.py only
says which words differ and where the hotwords are. No Qt here on purpose: the same inline-styled
markup goes into a QTextBrowser and into an exported .html file that opens in any browser.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ...core.compare import Comparison, ExportInfo, Side, metric_rows
from ...core.transcript import clock

HOTWORD_STYLE = "font-weight:bold; color:#0b3d91; background-color:#cfe2ff"
CHANGED_STYLE = "background-color:#ffe08a; text-decoration:underline"
BOTH_STYLE = "font-weight:bold; color:#0b3d91; background-color:#ffe08a; text-decoration:underline"
TIME_STYLE = "color:#6b6b6b"


def column_html(result: Comparison, side: Side, timestamps: bool = True) -> str:
    """One column as HTML: a paragraph per sentence, differences and hotwords highlighted.

    Inline styles only, so the same markup works in Qt's rich text and in a browser.
    """
    transcript = result.transcript_of(side)
    toks = result.tokens_of(side)
    changed = result.changed_of(side)
    marks: dict[int, list[int]] = {}  # sentence -> per-character flags: 1 changed, 2 hotword
    for k, s in enumerate(transcript.sentences):
        marks[k] = [0] * len(s.text)
    for idx in changed:
        t = toks[idx]
        for c in range(t.start, t.end):
            marks[t.sentence][c] |= 1
    for o in result.occurrences_in(side):
        first, last = toks[o.first], toks[o.last]
        for k in range(first.sentence, last.sentence + 1):
            lo = first.start if k == first.sentence else 0
            hi = last.end if k == last.sentence else len(transcript.sentences[k].text)
            for c in range(lo, hi):
                marks[k][c] |= 2
    paragraphs = []
    for k, s in enumerate(transcript.sentences):
        body = _styled(s.text, marks[k])
        if not s.is_final:
            body = f'<span style="color:#6b6b6b; font-style:italic">{body}</span>'
        stamp = f'<span style="{TIME_STYLE}">[{clock(s.begin_ms)}]</span> ' if timestamps else ""
        paragraphs.append(f"<p>{stamp}{body}</p>")
    if not paragraphs:
        paragraphs.append(f'<p style="{TIME_STYLE}"><i>(no speech recognized)</i></p>')
    return "\n".join(paragraphs)


def _styled(text: str, flags: Sequence[int]) -> str:
    out, i = [], 0
    styles = {1: CHANGED_STYLE, 2: HOTWORD_STYLE, 3: BOTH_STYLE}
    while i < len(text):
        j = i
        while j < len(text) and flags[j] == flags[i]:
            j += 1
        chunk = html.escape(text[i:j])
        out.append(f'<span style="{styles[flags[i]]}">{chunk}</span>' if flags[i] else chunk)
        i = j
    return "".join(out)


def comparison_html(result: Comparison, info: ExportInfo | None = None) -> str:
    """A self-contained HTML report: header, metrics, per-hotword hits, both columns."""
    info = info or ExportInfo()
    e = html.escape
    meta = [("Audio", info.audio), ("Engine", info.engine), ("Model", info.model),
            ("Column B adds", result.b_adds), *info.extra]
    meta_html = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in meta if v)
    metrics_html = "".join(f"<tr><td>{e(r.label)}</td><td>{e(r.a)}</td><td>{e(r.b)}</td>"
                           f"<td class='x'>{e(r.explanation)}</td></tr>" for r in metric_rows(result))
    hits_html = "".join(
        f"<tr><td>{e(c.hotword.text)}</td><td>{c.hotword.weight}</td><td>{c.hits_a}</td><td>{c.hits_b}"
        f"</td><td>{c.delta:+d}</td><td>{'' if c.hits_ref is None else c.hits_ref}</td></tr>"
        for c in result.counts)
    ref_html = f"<h2>Reference</h2><p>{e(result.reference)}</p>" if result.reference else ""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{e(info.title)}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;margin-bottom:1em}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}} .x{{color:#555}}
.cols{{display:flex;gap:2em}} .cols>div{{flex:1}}</style></head><body>
<h1>{e(info.title)}</h1>
<table>{meta_html}</table>
<p>Legend: <span style="{HOTWORD_STYLE}">hotword</span> &nbsp;
<span style="{CHANGED_STYLE}">differs between A and B</span></p>
<h2>Metrics</h2>
<table><tr><th></th><th>A (without)</th><th>B (with)</th><th></th></tr>{metrics_html}</table>
<h2>Hotword hits</h2>
<table><tr><th>Hotword</th><th>Weight</th><th>A</th><th>B</th><th>Change</th><th>Reference</th></tr>
{hits_html}</table>
<div class="cols"><div><h2>A: without</h2>{column_html(result, Side.A)}</div>
<div><h2>B: with {e(result.b_adds)}</h2>{column_html(result, Side.B)}</div></div>
{ref_html}
</body></html>
"""
