"""Figures read aloud in briefings and tables: the direction word stays, a bare table cell gets its unit."""

import pytest

from index import figure_phrase


@pytest.mark.parametrize(
    ("figure", "phrase"),
    [
        ({"raw": "1.6%", "kind": "change", "unit": "%", "direction": "down", "value": 1.6}, "下降1.6%"),
        ({"raw": "8.5%", "kind": "change", "unit": "%", "direction": "up", "value": 8.5}, "增长8.5%"),
        ({"raw": "1.2个百分点", "kind": "change", "unit": "百分点", "direction": "up", "value": 1.2}, "提高1.2个百分点"),
        ({"raw": "5位", "kind": "change", "unit": "位", "direction": "up", "value": 5}, "上升5位"),
        ({"raw": "100公斤", "kind": "quantity", "unit": "公斤", "direction": "up", "value": 100}, "增加100公斤"),
        ({"raw": "853家", "kind": "quantity", "unit": "家", "direction": None, "value": 853}, "853家"),
        ({"raw": "21437", "kind": "amount", "unit": "元", "direction": None, "value": 214370000}, "2.14亿元"),
        ({"raw": "3200", "kind": "quantity", "unit": "亩", "direction": None, "value": 32000000}, "3200万亩"),
        ({"raw": "100.0", "kind": "percent", "unit": "%", "direction": None, "value": 100}, "100%"),
    ],
)
def test_a_figure_reads_with_its_direction_and_unit(figure, phrase):
    assert figure_phrase(figure) == phrase
