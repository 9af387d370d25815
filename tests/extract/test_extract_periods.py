"""Reporting periods: found in text and parsed into ISO dates, as (input, expected) tables."""

from __future__ import annotations

import pytest

from extract.periods import find_periods, parse_period


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2022年", "2022-01-01", "2022-12-31"),
        ("2022年度", "2022-01-01", "2022-12-31"),
        ("2022年1-11月", "2022-01-01", "2022-11-30"),
        ("2022年1—11月", "2022-01-01", "2022-11-30"),
        ("2022年1至11月", "2022-01-01", "2022-11-30"),
        ("2024年1-2月", "2024-01-01", "2024-02-29"),  # a leap year
        ("2022年11月", "2022-11-01", "2022-11-30"),
        ("2022年6月30日", "2022-06-30", "2022-06-30"),
        ("2022年前三季度", "2022-01-01", "2022-09-30"),
        ("2022年一季度", "2022-01-01", "2022-03-31"),
        ("2022年第三季度", "2022-07-01", "2022-09-30"),
        ("2022年上半年", "2022-01-01", "2022-06-30"),
        ("2022年下半年", "2022-07-01", "2022-12-31"),
        ("截至2022年底", None, "2022-12-31"),
        ("截至2022年10月底", None, "2022-10-31"),
        ("截至2022年6月30日", None, "2022-06-30"),
        ("2022年底", None, "2022-12-31"),
        ("2018—2022年", "2018-01-01", "2022-12-31"),
        ("2021年以来", "2021-01-01", None),
        ("“十四五”以来", "2021-01-01", None),
        ("十三五期间", "2016-01-01", "2020-12-31"),
    ],
)
def test_period_dates(text: str, start: str | None, end: str | None) -> None:
    period = parse_period(text)
    assert period is not None
    assert (period.text, period.start, period.end) == (text, start, end)


@pytest.mark.parametrize("text", ["1-11月", "前三季度", "上半年", "今年", "去年", "全年"])
def test_periods_without_a_year_keep_their_text_and_no_dates(text: str) -> None:
    period = parse_period(text)
    assert period is not None and period.text == text
    assert (period.start, period.end) == (None, None)


def test_a_default_year_completes_a_month_range() -> None:
    period = parse_period("1-11月", default_year=2022)
    assert (period.start, period.end) == ("2022-01-01", "2022-11-30")


@pytest.mark.parametrize("text", ["13月", "11-3月", "五年来", "增长8.5%", "3号线"])
def test_non_periods(text: str) -> None:
    assert find_periods(text) == []


def test_find_periods_reports_offsets() -> None:
    text = "2022年1-11月，全市社会消费品零售总额增长8.5%，上半年增长6%"
    found = [(p.start, p.end, p.period.text) for p in find_periods(text)]
    assert found == [(0, 10, "2022年1-11月"), (29, 32, "上半年")]
