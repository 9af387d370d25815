"""Per-page text-quality gate: decides which PDF pages must be OCR'd instead of trusted.

Broken text layers rarely announce themselves with U+FFFD. Seen in real files: `(cid:N)` runs, Private
Use Area glyphs, GBK bytes read as Latin-1 ("»ùÒò"), control characters, one character repeated
("佛佛佛佛"), glyph codes read as consecutive code points ('!"#$%&' for a line of Chinese), and
readable-looking but wrong CJK ("犐犆犛" for "ICS") made of characters real text almost never uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from corpora import CORPORA_DIR

_CID = re.compile(r"\(cid:\d+\)")
_REPEAT3 = re.compile(r"([\u4e00-\u9fff])\1{2,}")
_PAIR = re.compile(r"([\u4e00-\u9fff])\1")


@lru_cache(maxsize=1)
def common_chars() -> frozenset[str]:
    """The 7,000 most frequent CJK characters (corpora/lexicon/common_chars.txt)."""
    text = (CORPORA_DIR / "lexicon" / "common_chars.txt").read_text(encoding="utf-8")
    return frozenset(text.replace("\n", ""))


@dataclass(frozen=True)
class PageQuality:
    chars: int  # non-space characters
    cjk: int
    pua: int  # Private Use Area: icon-font glyphs, or a font whose glyphs map nowhere
    fffd: int
    control: int
    latin1: int
    cid: int
    repeated: int  # characters in runs of 3+ of one CJK character
    pairs: int  # adjacent identical CJK pairs
    sequential: int  # characters in runs of 4+ consecutive code points (glyph ids read as text)
    rare: int  # CJK characters outside the common set

    @property
    def cjk_ratio(self) -> float:
        return self.cjk / self.chars if self.chars else 0.0


def measure(text: str) -> PageQuality:
    chars = cjk = pua = fffd = control = latin1 = rare = 0
    common = common_chars()
    for ch in text:
        if ch.isspace():
            continue
        chars += 1
        o = ord(ch)
        if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            cjk += 1
            if ch not in common:
                rare += 1
        elif 0xE000 <= o <= 0xF8FF or o >= 0xF0000:  # the BMP and the two supplementary Private Use Areas
            pua += 1
        elif o == 0xFFFD:
            fffd += 1
        elif o < 32 or 0x7F <= o < 0xA0:
            control += 1
        elif 0xA0 <= o <= 0xFF and o not in (0xB7, 0xD7, 0xB0, 0xA5, 0xB1, 0xA7):
            latin1 += 1
    repeated = sum(len(m.group(0)) for m in _REPEAT3.finditer(text))
    pairs = len(_PAIR.findall(text))
    seq = _sequential_punct(text)
    return PageQuality(chars, cjk, pua, fffd, control, latin1, len(_CID.findall(text)), repeated, pairs, seq, rare)


def _sequential_punct(text: str) -> int:
    """Characters in runs of >= 4 consecutive code points that are not plain digit or letter runs."""
    total = 0
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and ord(text[j]) == ord(text[j - 1]) + 1:
            j += 1
        run = text[i:j]
        if j - i >= 4 and not (run.isdigit() or (run.isascii() and run.isalpha())):
            total += j - i
        i = j
    return total


def garbled_reason(q: PageQuality, doc_cjk_ratio: float | None = None) -> str | None:
    """Why the page's text layer cannot be trusted, or None when it reads fine.

    >>> garbled_reason(measure("报关单 佛佛佛佛佛佛佛佛佛佛佛 纸纸 佛佛"))
    'runs of one repeated character (11)'
    """
    n = max(q.chars, 1)
    if q.cid >= 3:
        return f"(cid:N) glyph codes ({q.cid})"
    if q.fffd >= 3 and q.fffd / n > 0.02:
        return f"U+FFFD replacement characters ({q.fffd})"
    if q.pua >= 10 and q.pua / n > 0.03:
        return f"Private Use Area characters ({q.pua})"
    if q.latin1 >= 10 and q.latin1 / n > 0.03:
        return f"Latin-1 mojibake ({q.latin1} chars)"
    if q.control >= 5 and q.control / n > 0.02:
        return f"control characters ({q.control})"
    if q.repeated >= 5:
        return f"runs of one repeated character ({q.repeated})"
    if q.cjk >= 10 and q.pairs / q.cjk > 0.1:
        return f"doubled characters ({q.pairs} pairs in {q.cjk} CJK)"
    if q.sequential >= 12 and q.sequential / n > 0.02:
        return f"glyph codes read as consecutive characters ({q.sequential} chars)"
    if q.cjk >= 20 and q.rare / q.cjk > 0.2:
        return f"rare characters ({q.rare} of {q.cjk} CJK): wrong ToUnicode map"
    weak = q.pua + q.latin1 + q.control + q.sequential + q.fffd
    if doc_cjk_ratio is not None and doc_cjk_ratio > 0.3 and q.chars >= 50 \
            and q.cjk_ratio < doc_cjk_ratio * 0.25 and weak >= 5:
        return f"CJK ratio {q.cjk_ratio:.2f} far below the document's {doc_cjk_ratio:.2f}"
    return None
