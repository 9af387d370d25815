"""Numbers as Chinese government text writes them: Arabic, Chinese, full-width and mixed.

`parse_number` turns the number part of a figure ("1.2万", "三十五", "1亿3千多万", "一点二万亿") into an
exact `Decimal` and says whether 多/余 marked it as approximate. It is a small positional parser, not
`cn2an.transform`, because that rewrites ordinary words (零售 → "0售") and cannot report 多/余;
`fold_width` makes full-width digits half-width without changing any offset.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, localcontext
from functools import lru_cache
from typing import NamedTuple

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8}
MAGNITUDE_CHARS = frozenset("十百千万亿")

# Full-width ASCII maps one-to-one onto ASCII, so the folded text keeps every offset.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
for _keep in "，。：；！？（）【】《》“”‘’、":
    _WIDTH.pop(ord(_keep), None)
_WIDTH[0x3000] = 0x20  # ideographic space
_WIDTH[ord("﹪")] = ord("%")
_WIDTH[ord("﹒")] = ord(".")


_HAS_WIDE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _WIDTH) + "]")


def fold_width(text: str) -> str:
    """Full-width digits, letters and %/. become half-width; length and offsets are unchanged.

    >>> fold_width("增长１２．５％")
    '增长12.5%'
    """
    # substitute only what needs it: translate() would rebuild every character of a long text
    return _HAS_WIDE.sub(_fold_one, text)


def _fold_one(m: re.Match[str]) -> str:
    return chr(_WIDTH[ord(m.group(0))])


class ParsedNumber(NamedTuple):
    """An immutable record (a NamedTuple: one is made for every number the scanner reads)."""

    value: Decimal
    approx: bool  # 多 or 余 inside the number (800多, 160余万)
    chinese: bool  # written (at least partly) in Chinese numerals
    magnitude_only: bool  # no digit at all, only 十/百/千/万/亿 (万亿元, 超千名)


# Enough precision that no written number is rounded (the default context keeps 28 digits).
_EXACT = Context(prec=80)

_TOKEN = re.compile(
    r"(?P<arabic>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)"
    r"|(?P<cdigit>[零〇一二两三四五六七八九])(?:点(?P<cfrac>[零〇一二三四五六七八九]+))?"
    r"|(?P<small>[十百千])|(?P<big>[万亿])|(?P<approx>[多余])"
)
# An Arabic number with one multiplier after it, read without the positional parser
_ARABIC_SCALED = re.compile(r"(?P<digits>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)(?P<scale>万亿|万|亿)")
_SHORT = 20  # characters; longer numbers (none in practice) take the general path and its precision rules
_SCALES = {"万": CN_BIG["万"], "亿": CN_BIG["亿"], "万亿": CN_BIG["万"] * CN_BIG["亿"]}


def parse_number(text: str) -> ParsedNumber:
    """Parse a number written with Arabic or Chinese digits and 十/百/千/万/亿 multipliers.

    Multipliers compose as in speech: 万亿 is 10¹², 1亿3千多万 is 1.3×10⁸. Chinese digits written one
    after another without a multiplier are read digit by digit (二〇二二 → 2022).

    >>> parse_number("1.2万亿").value, parse_number("三十五").value, parse_number("6800多万").approx
    (Decimal('1200000000000'), Decimal('35'), True)

    Raises ValueError when `text` holds no number.
    """
    if text.isascii() and text and text[0].isdigit():  # the common case: plain Arabic digits
        digits = text.replace(",", "")
        if digits.isdigit() and len(digits) <= _SHORT:
            return ParsedNumber(Decimal(digits), False, False, False)  # an integer is already normal
        try:
            return ParsedNumber(normalize_decimal(Decimal(digits)), False, False, False)
        except ArithmeticError:
            raise ValueError(f"not a number: {text!r}") from None
    scaled = _ARABIC_SCALED.fullmatch(text) if len(text) <= _SHORT else None
    if scaled:  # the next most common: 1.2万, 175亿, 4.27万亿
        value = Decimal(scaled.group("digits").replace(",", ""))
        if value:  # (a zero before 万 reads as 一万 in the positional parser; leave that to it)
            scale = _SCALES[scaled.group("scale")]
            return ParsedNumber(normalize_decimal(_EXACT.multiply(value, scale)), False, True, False)
    return _parse_positional_cached(text)


@lru_cache(maxsize=4096)
def _parse_positional_cached(text: str) -> ParsedNumber:
    """`_parse_positional` in the exact context; cached because Chinese numerals (一, 三十五, 万亿) recur."""
    with localcontext(_EXACT):
        return _parse_positional(text)


def _parse_positional(text: str) -> ParsedNumber:
    total = Decimal(0)  # the part at or above 亿
    wan = Decimal(0)  # the part between 万 and 亿
    section = Decimal(0)  # the part below 万
    cur: Decimal | None = None
    cur_chinese_digit = False
    approx = chinese = seen_digit = False
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() != pos:
            raise ValueError(f"not a number: {text!r}")
        pos = m.end()
        kind = m.lastgroup if m.group("cdigit") is None else "cdigit"
        if kind == "arabic":
            cur = Decimal(m.group("arabic").replace(",", ""))
            cur_chinese_digit = False
            seen_digit = True
        elif kind == "cdigit":
            chinese = seen_digit = True
            d = Decimal(CN_DIGITS[m.group("cdigit")])
            if m.group("cfrac"):
                d += Decimal("0." + "".join(str(CN_DIGITS[c]) for c in m.group("cfrac")))
            # 二〇二二: consecutive Chinese digits without a multiplier are read digit by digit
            cur = cur * 10 + d if (cur is not None and cur_chinese_digit and not m.group("cfrac")) else d
            cur_chinese_digit = True
        elif kind == "small":
            chinese = True
            section += (cur if cur is not None else Decimal(1)) * CN_SMALL[m.group("small")]
            cur, cur_chinese_digit = None, False
        elif kind == "big":
            chinese = True
            if m.group("big") == "万":
                part = section + (cur or 0)
                wan = (part if part else Decimal(1)) * CN_BIG["万"]
            else:
                part = total + wan + section + (cur or 0)
                total = (part if part else Decimal(1)) * CN_BIG["亿"]
                wan = Decimal(0)
            section, cur, cur_chinese_digit = Decimal(0), None, False
        else:
            approx = True
    if pos != len(text) or pos == 0:
        raise ValueError(f"not a number: {text!r}")
    value = normalize_decimal(total + wan + section + (cur or 0))
    return ParsedNumber(value=value, approx=approx, chinese=chinese, magnitude_only=not seen_digit)


def normalize_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros and exponents: 1.2×10⁴ computed as 12000.0 becomes 12000, 85.30 becomes 85.3.

    >>> normalize_decimal(Decimal("12000.0")), normalize_decimal(Decimal("85.30"))
    (Decimal('12000'), Decimal('85.3'))
    """
    if value == value.to_integral_value():
        return value.quantize(Decimal(1), context=_EXACT)
    return value.normalize(_EXACT)


def scale_of(prefix: str) -> Decimal:
    """The factor a unit prefix written before the base unit carries (万元 → 10⁴, 亿 → 10⁸).

    >>> scale_of("万"), scale_of("")
    (Decimal('10000'), Decimal('1'))
    """
    return parse_number(prefix).value if prefix else Decimal(1)
