"""Text copied from the notice: the wording every declaration may repeat, which is not evidence.

Declarations quote the 督查激励 notice (its measures, its conditions, its process) back to the lead unit.
Such text is boilerplate: it must neither rank as a typical practice nor count as one region copying
another. `notice_overlap(text)` is the share of a passage's character shingles found in any campaign
notice (`corpora/campaigns/*.notice.txt`) or in the measures of the catalog.

Shingles are taken over `shingle_text`: NFKC, no whitespace or punctuation, every digit run masked to
"0" — so a paragraph copied with its figures changed still shares its shingles (the copy detector in
`index/copies.py` uses the same normalisation).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from corpora import CORPORA_DIR

SHINGLE = 5
NON_TEXT = re.compile(r"[\s\u3000\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def shingle_text(text: str) -> str:
    """The text the shingles are taken over.

    >>> shingle_text("全年建成高标准农田 6.5万亩，完成任务的108.3%。")
    '全年建成高标准农田0万亩完成任务的0'
    """
    t = unicodedata.normalize("NFKC", text)
    t = _DIGITS.sub("0", t)
    return NON_TEXT.sub("", t)


def shingles(text: str, k: int = SHINGLE, *, normalized: bool = False) -> set[str]:
    t = text if normalized else shingle_text(text)
    if len(t) < k:
        return {t} if t else set()
    return {t[i:i + k] for i in range(len(t) - k + 1)}


@lru_cache(maxsize=1)
def notice_shingles() -> frozenset[str]:
    """The shingles of every packaged notice and of every measure in the catalog."""
    from classify.catalog import load_campaign

    found: set[str] = set()
    for path in sorted((CORPORA_DIR / "campaigns").glob("*.notice.txt")):
        found |= shingles(path.read_text(encoding="utf-8"))
    campaign = load_campaign()
    for m in campaign.measures:
        found |= shingles(m.title)
        found |= shingles(m.body)
    return frozenset(found)


_CITES_NOTICE = re.compile(r"(?:根据|按照|依据|为贯彻落实)《[^》]{0,60}(?:督查激励|激励措施)[^》]{0,30}》|渝府办发〔20\d\d〕\d+号")
_FORMULA = re.compile(r"现将.{0,40}?(?:报告|汇报|说明|申报)如下|特此(?:报告|申请|申报)|对照.{0,30}?(?:自评|逐项)")


def is_boilerplate(text: str, threshold: float = 0.5) -> bool:
    """The notice's wording, or the report formula that cites it ("根据《…督查激励工作的通知》…现将…报告如下")."""
    if notice_overlap(text) >= threshold:
        return True
    return bool(_CITES_NOTICE.search(text) and _FORMULA.search(text))


def notice_overlap(text: str) -> float:
    """The share of the text's shingles that occur in a notice or the catalog (0–1)."""
    own = shingles(text)
    if not own:
        return 0.0
    ref = notice_shingles()
    return sum(1 for s in own if s in ref) / len(own)
