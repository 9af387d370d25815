"""The key-figure record: what one quantitative claim becomes, with where it came from.

A `KeyFigure` is one number that a passage reports about an indicator (an amount, a quantity, a share,
a change or a rank), normalised to base units and cited by character offsets into a named text:
`extract_figures` gives offsets into the text it was given, `extract_document` into `Document.text`.
Dicts appear only at the JSON boundary (`KeyFigure.to_json_dict`).
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict

from ingest.model import Source


class FigureKind(str, Enum):
    """What a figure is; the closed set the evaluation contract scores."""

    AMOUNT = "amount"  # money, in 元 (or a foreign currency kept as written)
    QUANTITY = "quantity"  # counted or measured things, in the base unit as written
    PERCENT = "percent"  # a level, share or rate in %
    CHANGE = "change"  # an increase or decrease: %, 百分点, 倍 or 位
    RANK = "rank"  # a numbered position with its scope (全国第一)


class Direction(str, Enum):
    UP = "up"
    DOWN = "down"


class Period(BaseModel):
    """The reporting period a figure refers to, as written and, when it can be parsed, as ISO dates.

    `start`/`end` stay None when the text does not fix them (截至2022年底 has only an end; 上半年
    without a year has neither).
    """

    model_config = ConfigDict(frozen=True)

    text: str
    start: str | None = None
    end: str | None = None


class KeyFigure(BaseModel):
    """One extracted figure, cited to its text.

    >>> f = KeyFigure(raw="1.5亿元", value=Decimal("150000000"), unit="元", kind=FigureKind.AMOUNT,
    ...               start=0, end=5, rule_id="amount.money", rules_version="extract.rules.v3")
    >>> f.to_json_dict()["value"]
    150000000
    """

    model_config = ConfigDict(use_enum_values=False)

    raw: str
    value: Decimal
    unit: str | None
    kind: FigureKind
    metric: str | None = None
    direction: Direction | None = None
    approx: bool = False
    is_target: bool = False
    period: Period | None = None
    basis: str | None = None
    scope: str | None = None
    start: int
    end: int
    segment_id: str | None = None
    document_id: str | None = None
    page: int | None = None
    source: Source = Source.TEXT
    rule_id: str
    rules_version: str
    suspect: bool = False
    suspect_reason: str | None = None

    @classmethod
    def trusted(cls, **fields: Any) -> KeyFigure:
        """A record from values that already have their field types, without validating them again.

        The extractor makes one record per number from values it typed itself (Decimal, enums, ints,
        Period): validation would cost more than the rest of naming the figure. Every field must be
        given, in declaration order; the result is equal to the validated `KeyFigure(**fields)`, which
        `tests/extract/test_extract_model.py` checks for every figure of the sample corpus.
        """
        if len(fields) != len(_FIELDS):
            raise TypeError(f"KeyFigure.trusted needs every field; missing {sorted(set(_FIELDS) - set(fields))}")
        fig = _new(cls)
        _set(fig, "__dict__", fields)
        _set(fig, "__pydantic_fields_set__", set(_FIELDS))  # its own: setting a field adds to it
        _set(fig, "__pydantic_extra__", None)
        _set(fig, "__pydantic_private__", None)
        return fig

    def to_json_dict(self) -> dict[str, Any]:
        """The record as plain JSON types; `value` is an int when integral, else a float.

        >>> KeyFigure(raw="8.5%", value=Decimal("8.5"), unit="%", kind=FigureKind.CHANGE, start=2, end=6,
        ...           rule_id="change.percent", rules_version="v").to_json_dict()["value"]
        8.5
        """
        return {
            "raw": self.raw,
            "value": json_number(self.value),
            "unit": self.unit,
            "kind": self.kind.value,
            "metric": self.metric,
            "direction": self.direction.value if self.direction else None,
            "approx": self.approx,
            "is_target": self.is_target,
            "period": self.period.model_dump() if self.period else None,
            "basis": self.basis,
            "scope": self.scope,
            "start": self.start,
            "end": self.end,
            "segment_id": self.segment_id,
            "document_id": self.document_id,
            "page": self.page,
            "source": self.source.value,
            "rule_id": self.rule_id,
            "rules_version": self.rules_version,
            "suspect": self.suspect,
            "suspect_reason": self.suspect_reason,
        }


_FIELDS = frozenset(KeyFigure.model_fields)
_new = object.__new__
_set = object.__setattr__  # what pydantic's own model_construct uses to fill a record


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: int when integral (so 4.27万亿 stays exact), else float.

    >>> json_number(Decimal("4270000000000")), json_number(Decimal("85.30"))
    (4270000000000, 85.3)
    """
    if value == value.to_integral_value():
        return int(value)
    return float(value)
