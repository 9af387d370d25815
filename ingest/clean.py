"""Small pure text cleaners for Chinese government documents.

Each cleaner does one thing and is tested by an (input, expected) table in tests/ingest/test_clean.py.
"""

from __future__ import annotations

import re
import unicodedata

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space map one-to-one to ASCII, so the
# normalised analysis text has exactly the same length and offsets as the display text.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# Chinese punctuation that carries meaning stays; only these look-alikes are folded.
for _k in "，。：；！？（）【】《》“”‘’、":
    _FULLWIDTH.pop(ord(_k), None)
_FULLWIDTH[ord("﹒")] = ord(".")  # small full stop, common in scraped notices ("1﹒扩大有效投资")
_FULLWIDTH[ord("．")] = ord(".")


def normalize_for_analysis(text: str) -> str:
    """Fold full-width digits, letters and ASCII symbols to half-width, keeping length and offsets.

    >>> normalize_for_analysis("增长１２．５％")
    '增长12.5%'
    """
    return text.translate(_FULLWIDTH)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u2060-\u206f\u180e\u034f\ufeff\ufff9-\ufffb\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = r"，。：；！？、（）《》“”‘’【】"
_SPACE_BETWEEN_CJK = re.compile(
    rf"(?<=[{_CJK}{_CJK_PUNCT}])[ \u3000]+(?=[{_CJK}{_CJK_PUNCT}0-9])|(?<=[0-9%])[ \u3000]+(?=[{_CJK}{_CJK_PUNCT}])"
)


def clean_line(text: str) -> str:
    """Drop control and zero-width characters, collapse runs of spaces, trim.

    Spaces between two Chinese characters are letter-spacing artefacts of PDF exports (WPS spreads
    titles like "通　知"), so they go too.

    >>> clean_line("  国 防 部 \\u200b 通知 ")
    '国防部通知'
    """
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return text.strip()


_PAGE_NUMBER_PATTERNS = [
    re.compile(r"^[\s\-—–－_~·•]*[0-9０-９]{1,4}[\s\-—–－_~·•]*$"),  # — 1 —, - 1 -, 1, ––1––
    re.compile(r"^第\s*[0-9０-９一二三四五六七八九十百]+\s*页\s*([,，/／]?\s*共\s*[0-9０-９一二三四五六七八九十百]+\s*页)?$"),
    re.compile(r"^共\s*[0-9０-９]+\s*页\s*第\s*[0-9０-９]+\s*页$"),
    re.compile(r"^[0-9０-９]{1,4}\s*[/／]\s*[0-9０-９]{1,4}$"),  # 2 / 4
    re.compile(r"^(page|p\.?)\s*\d+(\s*(of|/)\s*\d+)?$", re.IGNORECASE),
    re.compile(r"^[\-—–－_~·•]{1,6}$"),  # the dashes of "— 1 —" when a layout splits them off
]


def is_page_number(line: str) -> bool:
    """True for a line that only carries a page number.

    >>> is_page_number("— 1 —"), is_page_number("第 1 页 共 5 页"), is_page_number("2022年")
    (True, True, False)
    """
    line = line.strip()
    if not line or len(line) > 24:
        return False
    return any(p.match(line) for p in _PAGE_NUMBER_PATTERNS)


_DIGITS = re.compile(r"[0-9０-９]+|[一二三四五六七八九十〇零]+(?=\s*页)")


def furniture_key(line: str) -> str:
    """The shape of a header/footer line with its numbers blanked, for spotting repeats across pages.

    >>> furniture_key("2 / 4 请务必阅读正文之后的信息披露") == furniture_key("3 / 4 请务必阅读正文之后的信息披露")
    True
    """
    return _DIGITS.sub("#", re.sub(r"\s+", "", line))


def cjk_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def join_wrapped(left: str, right: str) -> str:
    """Join two visual lines of one paragraph: no space inside Chinese text, one space between words.

    >>> join_wrapped("全市固定资产投资", "增长8.5%"), join_wrapped("digital", "government")
    ('全市固定资产投资增长8.5%', 'digital government')
    """
    if not left:
        return right
    if not right:
        return left
    a, b = left[-1], right[0]
    if a.isascii() and a.isalnum() and b.isascii() and b.isalnum():
        return f"{left} {right}"
    if a == "-" and left[-2:-1].isalpha():
        return left[:-1] + right  # hyphenated English word broken at the line end
    return left + right


def nfkc_key(text: str) -> str:
    """A comparison key that ignores width, spacing and punctuation differences between formats."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\W_]+", "", text)
