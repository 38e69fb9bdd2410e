"""A finished comparison for `qwenasr-desktop --screenshot --demo` (and the README picture).

The texts are what the offline engine (local-whisper-base) wrote for two test clips,
sh_en_lj001_0003 and sh_en_lj001_0028 from ../shared/testdata, one after the other, without
hotwords (A) and with the clips' hotword list (B); kept as data so the screenshot needs no model.
"""

from __future__ import annotations

from .compare import Comparison, ExportInfo, compare
from .hotwords import Hotword
from .models import LOCAL_BASE
from .transcript import Sentence, Transcript

DEMO_LIST = "Early printing (demo)"
DEMO_HOTWORDS = [Hotword(t, 4, "en") for t in (
    "Netherlands", "woodcutters", "engraved", "Strasburg", "Basle", "Lubeck",
    "Flanders", "Nuremberg", "Cologne", "Antwerp")]
DEMO_REFERENCE = ("For although the Chinese took impressions from wood blocks engraved in relief for "
                  "centuries before the woodcutters of the Netherlands, by a similar process "
                  "but by printers in Strasburg, Basle, Paris, Lubeck, and other cities.")
_A = ("For although the Chinese took impressions from wood blocks engraved in relief for centuries "
      "before the wood cutters of the Netherlands by a similar process,",
      "but by printers in Strasbourg, Basil, Paris, Lubeck and other cities.")
_B = ("For although the Chinese took impressions from woodblocks engraved in relief for centuries "
      "before the woodcutters of the Netherlands by a similar process...",
      "But by printers in Strasburg, Basle, Paris, Lubeck, and other cities.")
_TIMES = ((0, 9_500), (10_200, 15_900))


def _transcript(texts: tuple[str, str]) -> Transcript:
    return Transcript([Sentence(t, b, e, sentence_id=i) for i, (t, (b, e)) in enumerate(zip(texts, _TIMES,
                                                                                          strict=True))],
                      language="en", duration_ms=16_000, engine="local", model=LOCAL_BASE)


def demo_comparison() -> tuple[Comparison, ExportInfo]:
    result = compare(_transcript(_A), _transcript(_B), DEMO_HOTWORDS, DEMO_REFERENCE, b_adds="hotwords")
    return result, ExportInfo(audio="sh_en_lj001_0003.wav + sh_en_lj001_0028.wav (demo)",
                              engine="Offline (on this computer)", model=LOCAL_BASE)


def ensure_demo_list(repo) -> int:
    """The demo's hotword list in the database (created once), so the list picker shows it."""
    for s in repo.summaries():
        if s.name == DEMO_LIST:
            return s.id
    return repo.create(DEMO_LIST, LOCAL_BASE, DEMO_HOTWORDS)
