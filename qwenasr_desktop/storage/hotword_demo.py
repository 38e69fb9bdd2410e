"""The example list a new user finds on first start (and the screenshot shows).

A pharmacology list mixing Chinese, Russian and English, with one row that is too long, so the
first thing a user sees is how the editor explains a rule.
"""

from __future__ import annotations

from ..core.hotwords import Hotword

DEMO_NAME = "Pharmacology (example)"
DEMO_MODEL = "fun-asr-realtime"
DEMO_PREFIX = "pharma"
DEMO_ITEMS: tuple[Hotword, ...] = (
    Hotword("厄洛替尼盐酸盐", 5, "zh"),
    Hotword("EGFR抑制剂", 4, "zh"),
    Hotword("奥希替尼", 4, "zh"),
    Hotword("二甲双胍", 3, "zh"),
    Hotword("Фенибут Белфарм", 3),
    Hotword("Клофелин Белмедпрепараты", 4),
    Hotword("Метформин", 3),
    Hotword("Osimertinib", 4, "en"),
    Hotword("tyrosine kinase inhibitor", 4, "en"),
    Hotword("Human immunodeficiency virus type 1", 3, "en"),
    Hotword("pharmacokinetics", 2, "en"),
    Hotword("Levothyroxine", 5, "en"),
)
SEEDED_KEY = "hotwords.demo_seeded"


def seed_demo_list(repo) -> int | None:
    """Create the example list once, on the very first start (never again after it is deleted)."""
    if repo.get_state(SEEDED_KEY) or repo.summaries():
        return None
    list_id = repo.create(DEMO_NAME, DEMO_MODEL, list(DEMO_ITEMS), prefix=DEMO_PREFIX)
    repo.set_state(SEEDED_KEY, "1")
    return list_id
