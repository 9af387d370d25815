"""Figures from table cells: a number's metric comes from its row and column headers.

A table qualifies when it has a header row (a first row without numbers) or a unit line ("单位：万元"
as a row of its own, in the caption or in the paragraph right before the table). Its numeric cells
become figures: the unit comes from the cell itself, else from its column header ("投资额（亿元）"),
row header or the table's unit line; a column headed 增长/增速/同比 makes percentages changes; a
column headed with a period ("2022年") sets the figure's period. Cells that carry a whole phrase
("同比增长12.6%") go through the text extractor, with the headers as the fallback metric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extract.figures import extract_figures
from extract.lexicon import Lexicon
from extract.model import Direction, FigureKind, KeyFigure
from extract.numerals import fold_width, normalize_decimal, parse_number
from extract.periods import parse_period
from extract.suspect import SuspectChecker
from ingest.model import Segment, Source

_UNIT_LINE = re.compile(r"(?:计量)?单位\s*[:：]\s*(?P<spec>[^\s，,。；;）)]+)")
_PAREN_SPEC = re.compile(r"[（(](?P<spec>[^（）()]{1,8})[）)]\s*$")
_SKIP_COLUMNS = re.compile(r"序号|编号|代码|年份|电话|联系|手机|邮编|备注|说明|日期|时间|地址|文号|名称")
_RANK_COLUMNS = re.compile(r"排名|名次|位次|排序")
_CHANGE_COLUMNS = re.compile(r"增长|增速|增幅|同比|环比|比上年|较上年|涨幅|降幅|变化")
_GENERIC_COLUMNS = re.compile(r"^(?:数值|数量|金额|指标值|完成值|完成情况|实际完成|本期|本年|本年度|当年|累计|合计|总计|数据)$")
_SIGN = re.compile(r"^\s*[-−－]")
_NUMERIC_CELL = re.compile(r"^\s*[-−－+]?\s*(?P<body>[0-9][0-9,]*(?:\.[0-9]+)?\s*[^\s]{0,6})\s*$")


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """A unit written once for many numbers: 万元 → scale 10⁴, unit 元, kind amount."""

    scale: Decimal
    unit: str | None
    kind: FigureKind

    @classmethod
    def parse(cls, text: str, lex: Lexicon) -> UnitSpec | None:
        """Read "万元", "亿元", "%", "个", "万人" (or "单位：万元").

        >>> from extract.lexicon import compiled
        >>> UnitSpec.parse("单位：万元", compiled())
        UnitSpec(scale=Decimal('10000'), unit='元', kind=<FigureKind.AMOUNT: 'amount'>)
        """
        m = _UNIT_LINE.search(text)
        spec = fold_width(m.group("spec") if m else text).strip()
        spec = spec.strip("（）() ")
        prefix = ""
        while spec and spec[0] in "十百千万亿" and spec not in lex.units:
            prefix, spec = prefix + spec[0], spec[1:]
        rule = lex.units.get(spec) or lex.units.get(spec.split("/")[0])
        if rule is None or rule.kind == "spec":
            return None
        scale = parse_number(prefix).value if prefix else Decimal(1)
        kind = {"amount": FigureKind.AMOUNT, "percent": FigureKind.PERCENT, "change": FigureKind.CHANGE}.get(
            rule.kind, FigureKind.QUANTITY
        )
        return cls(scale=scale, unit=rule.base, kind=kind)


def unit_line(text: str, lex: Lexicon) -> UnitSpec | None:
    """The unit a paragraph or caption declares for the table after it ("单位：亿元")."""
    if "单位" not in text:
        return None  # most paragraphs: a substring test is far cheaper than the regex search
    m = _UNIT_LINE.search(fold_width(text))
    return UnitSpec.parse(m.group(0), lex) if m else None


def _header_parts(text: str, lex: Lexicon) -> tuple[str, UnitSpec | None]:
    """A header without its unit, and the unit: "投资额（亿元）" → ("投资额", 亿元)."""
    t = fold_width(text).strip()
    m = _PAREN_SPEC.search(t)
    if m:
        spec = UnitSpec.parse(m.group("spec"), lex)
        if spec:
            return t[: m.start()].strip(), spec
    m = _UNIT_LINE.search(t)
    if m:
        return t[: m.start()].strip("（( ，,"), UnitSpec.parse(m.group(0), lex)
    return t, None


def _is_numeric(text: str) -> bool:
    """A cell that holds one number (with its unit): "1386.4", "12.6%", "-3.2", "1,234万元"; not "2022年"."""
    t = fold_width(text).strip()
    return bool(_NUMERIC_CELL.match(t)) and not _is_period(t)


def _is_period(text: str) -> bool:
    p = parse_period(text)
    return p is not None and len(p.text) >= len(text.strip()) - 1


class TableReader:
    def __init__(self, lex: Lexicon):
        self.lex = lex
        self.checker = SuspectChecker(lex)

    def figures(
        self, table: Segment, rows: list[Segment], cells: dict[str, list[Segment]], declared: UnitSpec | None
    ) -> list[KeyFigure]:
        """Figures of one table; offsets are those of the cells (into `Document.text`)."""
        grid = [sorted(cells.get(r.id, []), key=lambda c: c.col or 0) for r in sorted(rows, key=lambda r: r.row or 0)]
        table_unit = declared
        body: list[list[Segment]] = []
        for row in grid:
            if len(row) == 1 and _UNIT_LINE.search(fold_width(row[0].text)):
                table_unit = UnitSpec.parse(row[0].text, self.lex) or table_unit
                continue
            body.append(row)
        header: dict[int, Segment] = {}
        if body and body[0] and not any(_is_numeric(c.text) for c in body[0] if (c.col or 0) > 0):
            header = {c.col or 0: c for c in body[0]}
            body = body[1:]
        structured = bool(header) or table_unit is not None
        out: list[KeyFigure] = []
        for row in body:
            # the row's label is its first cell that is not a number (a 序号 column may come first)
            label_cell = next((c for c in row if not _is_numeric(c.text)), None)
            label = label_cell.text if label_cell is not None else None
            for cell in row:
                if cell is label_cell:
                    continue
                col_header = header.get(cell.col or 0)
                out.extend(self._cell(cell, label, col_header.text if col_header else None, table_unit, structured))
        return out

    def _cell(
        self, cell: Segment, row_label: str | None, col_label: str | None, table_unit: UnitSpec | None, structured: bool
    ) -> list[KeyFigure]:
        source = Source.OCR if cell.source is Source.OCR else Source.TABLE
        col_name, col_unit = _header_parts(col_label, self.lex) if col_label else (None, None)
        row_name, row_unit = _header_parts(row_label, self.lex) if row_label else (None, None)
        if col_name and _SKIP_COLUMNS.search(col_name) and not _CHANGE_COLUMNS.search(col_name):
            return []
        figs = extract_figures(cell.text, source=source)
        numeric = _is_numeric(cell.text)
        if not numeric or not structured:
            for f in figs:  # a phrase in a cell ("同比增长12.6%"): the headers name what it measures
                f.metric = f.metric or _compose(row_name, col_name)
                _place(f, cell)
            return figs
        return self._numeric_cell(cell, figs, row_name, col_name, col_unit or row_unit or table_unit, source)

    def _numeric_cell(
        self, cell: Segment, figs: list[KeyFigure], row_name: str | None, col_name: str | None,
        spec: UnitSpec | None, source: Source,
    ) -> list[KeyFigure]:
        text = fold_width(cell.text)
        m = re.search(r"[0-9][0-9,]*(?:\.[0-9]+)?", text)
        if m is None:
            return []
        negative = bool(_SIGN.match(text))
        own = figs[0] if len(figs) == 1 and figs[0].unit is not None else None
        if own is not None:
            value, unit, kind, start, end = own.value, own.unit, own.kind, own.start, own.end
        else:
            value = parse_number(m.group(0)).value
            start, end = m.start(), m.end()
            if spec is not None:
                value, unit, kind = normalize_decimal(value * spec.scale), spec.unit, spec.kind
            else:
                unit, kind = None, FigureKind.QUANTITY
        direction = None
        period = None
        metric = _compose(row_name, col_name)
        rule = "table.cell"
        if col_name and _RANK_COLUMNS.search(col_name):
            kind, unit, metric = FigureKind.RANK, "位", row_name or col_name
        elif col_name and _CHANGE_COLUMNS.search(col_name) and kind in (FigureKind.PERCENT, FigureKind.CHANGE):
            kind, metric = FigureKind.CHANGE, row_name or col_name
            direction = Direction.DOWN if negative or re.search(r"下降|降幅|减少", col_name) else Direction.UP
        elif kind is FigureKind.CHANGE:
            direction = Direction.DOWN if negative else Direction.UP
        if col_name and _is_period(col_name):
            period, metric = parse_period(col_name), row_name  # a column per year: the row names the indicator
        elif row_name and _is_period(row_name):
            period, metric = parse_period(row_name), col_name  # a row per year: the column names it
        if negative and direction is None:
            value = -value
        if negative and direction is not None:
            start -= 1 if start > 0 and text[start - 1] in "-−－" else 0
        raw = cell.text[start:end]
        reason = self.checker.check(kind=kind, value=value, unit=unit, raw=raw, metric=metric, source=source)
        fig = KeyFigure(
            raw=raw, value=value, unit=unit, kind=kind, metric=metric, direction=direction,
            approx=bool(own and own.approx), is_target=False, period=period or (own.period if own else None),
            start=start, end=end, source=source, rule_id=rule,
            rules_version=self.lex.rules.version, suspect=reason is not None, suspect_reason=reason,
        )
        _place(fig, cell)
        return [fig]


def _compose(row: str | None, col: str | None) -> str | None:
    """Row and column headers as one metric: 社会消费品零售总额 + 增速, but not 指标 + 2022年."""
    if col and (_GENERIC_COLUMNS.match(col) or _is_period(col)):
        col = None
    if row and _is_period(row):
        row = None
    if row and col:
        return row if col in row else f"{row}{col}"
    return row or col


def _place(fig: KeyFigure, cell: Segment) -> None:
    """Move a figure's offsets from the cell's text to `Document.text` and cite the cell."""
    fig.start += cell.start
    fig.end += cell.start
    fig.segment_id = cell.id
    fig.page = cell.page

