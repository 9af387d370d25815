"""Number parsing: every way the corpus writes a number, as (input, expected) tables."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extract.numerals import fold_width, normalize_decimal, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Arabic
        ("31534", "31534"),
        ("8.5", "8.5"),
        ("0.2", "0.2"),
        ("1,234.5", "1234.5"),
        ("12,000", "12000"),
        # Arabic with Chinese multipliers
        ("1.2万", "12000"),
        ("74万", "740000"),
        ("4.27万亿", "4270000000000"),
        ("3650万亿", "3650000000000000"),
        ("175亿", "17500000000"),
        ("1002万", "10020000"),
        ("3千", "3000"),
        ("12万3千", "123000"),
        ("1亿3千多万", "130000000"),
        # Chinese numerals
        ("三十五", "35"),
        ("十", "10"),
        ("十五", "15"),
        ("二十", "20"),
        ("两", "2"),
        ("一百零五", "105"),
        ("一千零五十", "1050"),
        ("三十五万", "350000"),
        ("一点二万亿", "1200000000000"),
        ("二〇二二", "2022"),
        # bare magnitudes (突破万亿元, 超千名, 新增百万户)
        ("万亿", "1000000000000"),
        ("百亿", "10000000000"),
        ("千亿", "100000000000"),
        ("百万", "1000000"),
        ("千", "1000"),
        ("万", "10000"),
        # approximations inside the number keep the written value
        ("800多", "800"),
        ("160余万", "1600000"),
        ("6800多万", "68000000"),
        ("2.4万多", "24000"),
    ],
)
def test_parse_number_reads_every_written_form(text: str, value: str) -> None:
    assert parse_number(text).value == Decimal(value)


@pytest.mark.parametrize(
    ("text", "approx", "magnitude_only"),
    [("800多", True, False), ("160余万", True, False), ("1.2万", False, False), ("万亿", False, True),
     ("超", None, None)],
)
def test_parse_number_flags(text: str, approx: bool | None, magnitude_only: bool | None) -> None:
    if approx is None:
        with pytest.raises(ValueError):
            parse_number(text)
        return
    parsed = parse_number(text)
    assert (parsed.approx, parsed.magnitude_only) == (approx, magnitude_only)


@pytest.mark.parametrize("text", ["", "零售", "万元", "8.5%", "abc"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


def test_values_are_exact_decimals_not_floats() -> None:
    value = parse_number("4.27万亿").value
    assert isinstance(value, Decimal)
    assert str(value) == "4270000000000"  # no float rounding, no exponent


@pytest.mark.parametrize(
    ("text", "expected"),
    [("增长１２．５％", "增长12.5%"), ("ＧＤＰ", "GDP"), ("（一）", "（一）"), ("“两重”", "“两重”"), ("a\u3000b", "a b")],
)
def test_fold_width_keeps_length_and_chinese_punctuation(text: str, expected: str) -> None:
    folded = fold_width(text)
    assert folded == expected
    assert len(folded) == len(text)


@pytest.mark.parametrize(("value", "expected"), [("12000.0", "12000"), ("85.30", "85.3"), ("1.2E+4", "12000")])
def test_normalize_decimal(value: str, expected: str) -> None:
    assert str(normalize_decimal(Decimal(value))) == expected
