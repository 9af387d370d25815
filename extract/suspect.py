"""Plausibility checks: flag figures whose value or unit cannot be right, with a reason a reviewer reads.

Flagging, not fixing: a suspect figure keeps the value as written, so the reviewer sees exactly what
the source says. The typical defects are OCR dropping a decimal point (85.3% read as 853%),
percentages that no rate can reach, and a unit that does not fit the indicator (a 率 counted in 家).
"""

from __future__ import annotations

import re
from decimal import Decimal

from extract.lexicon import Lexicon
from extract.model import FigureKind
from ingest.model import Source

_PERCENT_CEILING = Decimal(1000)  # no growth or share in this genre reaches 1,000 %
_SHARE_CEILING = Decimal(100)  # a rate, share or coverage cannot exceed 100 %
_OCR_GROWTH_CEILING = Decimal(100)  # OCR growth ≥ 100 % without a decimal point: likely a lost "."
_RANK_CEILING = Decimal(500)
_AMOUNT_CEILING = Decimal(10) ** 17  # 10万万亿元: far above any national aggregate (GDP is ~10¹⁴ 元)
_COUNT_UNITS = frozenset("家个项件座所套辆条处笔场张支份种对列架艘台只株棵次间栋幢户人名")
_COUNTED_HEADS = re.compile(r"(项目|企业|单位|主体|机构|基金|笔)$")  # 融资项目 is counted, 融资额 is not
_LEVEL_KINDS = (FigureKind.AMOUNT, FigureKind.QUANTITY)


class SuspectChecker:
    def __init__(self, lex: Lexicon):
        self._rate_end = lex.list("rate_metric_endings")
        self._money_end = lex.list("money_metric_endings")

    def check(
        self, *, kind: FigureKind, value: Decimal, unit: str | None, raw: str, metric: str | None, source: Source
    ) -> str | None:
        """The reason a figure looks wrong, or None.

        >>> from extract.lexicon import compiled
        >>> c = SuspectChecker(compiled())
        >>> c.check(kind=FigureKind.CHANGE, value=Decimal(853), unit="%", raw="853%", metric="社会消费品零售总额",
        ...         source=Source.OCR)
        'OCR text: a growth of 853% without a decimal point (85.3%?)'
        """
        if unit == "%":
            if value > _PERCENT_CEILING:
                return f"a percentage above 1,000 ({_plain(value)}%)"
            if source is Source.OCR and kind is FigureKind.CHANGE and value >= _OCR_GROWTH_CEILING and "." not in raw:
                digits = _plain(value)
                return f"OCR text: a growth of {digits}% without a decimal point ({digits[:-1]}.{digits[-1]}%?)"
            if kind is FigureKind.PERCENT and value > _SHARE_CEILING and metric and self._rate_end.at_end(metric):
                return f"a rate or share above 100% ({_plain(value)}%)"
        # the cheap tests of each rule first
        if kind in _LEVEL_KINDS and metric and self._rate_end.at_end(metric):
            return f"unit mismatch: the rate {metric!r} is given in {unit or 'no unit'}"
        if (
            kind is FigureKind.QUANTITY
            and unit in _COUNT_UNITS
            and metric
            and self._money_end.at_end(metric)
            and not _COUNTED_HEADS.search(metric)
        ):
            return f"unit mismatch: the money indicator {metric!r} is counted in {unit}"
        if kind is FigureKind.AMOUNT and value > _AMOUNT_CEILING:
            return f"an implausibly large amount ({_plain(value)} {unit})"
        if kind is FigureKind.RANK and (value < 1 or value > _RANK_CEILING):
            return f"an implausible rank ({_plain(value)})"
        return None


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
