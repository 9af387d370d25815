"""The scorer of the evaluation contract: matching, pairing, normalisation and the report's shape."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extract import evaluate
from extract.evaluate import metric_matches, pair_figures, values_equal


def fig(kind: str, value, unit: str | None, metric: str | None = None, **kw) -> dict:
    return {"kind": kind, "value": value, "unit": unit, "metric": metric, **kw}


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [("4270000000000", "4.27e12", True), ("8.5", "8.5000001", True), ("8.5", "8.51", False),
     ("0", "0", True), ("0", "0.000001", False), ("100", "100.0001", True)],
)
def test_values_equal_within_one_millionth_relative(a: str, b: str, equal: bool) -> None:
    assert values_equal(Decimal(a), Decimal(b)) is equal


@pytest.mark.parametrize(
    ("predicted", "gold", "ok"),
    [
        ("地区生产总值", "地区生产总值", True),
        ("全省地区生产总值", "地区生产总值", True),  # one contains the other
        ("成交额", "技术合同成交额", True),
        ("城乡居民收入", "城镇居民收入", True),  # Dice 10/12
        ("“两重”项目", "两重项目", True),  # quotes ignored
        ("天然气（页岩气）产量", "天然气页岩气产量", True),  # brackets ignored
        ("城镇收入", "城镇居民人均可支配收入", False),  # Dice 8/15
        ("规模", "经济总量", False),
        (None, None, True),
        (None, "高新技术企业", False),
        ("高新技术企业", None, False),
    ],
)
def test_metric_matches(predicted: str | None, gold: str | None, ok: bool) -> None:
    assert metric_matches(predicted, gold) is ok


def test_a_match_needs_equal_kind_unit_and_value() -> None:
    gold = [fig("change", 8.5, "%"), fig("percent", 8.5, "%"), fig("amount", 100, "元")]
    pred = [fig("percent", 8.5, "%"), fig("amount", 100, "美元"), fig("change", 8.5, "%")]
    assert sorted(pair_figures(pred, gold)) == [(0, 1), (2, 0)]


def test_pairing_is_one_to_one_and_prefers_metric_agreement() -> None:
    gold = [fig("change", 3.3, "%", "地区生产总值"), fig("change", 3.3, "%", "规模以上工业增加值")]
    pred = [fig("change", 3.3, "%", "规模以上工业增加值"), fig("change", 3.3, "%", "地区生产总值"),
            fig("change", 3.3, "%", "其他")]
    assert pair_figures(pred, gold) == [(0, 1), (1, 0)]


def test_units_and_values_are_normalised_before_comparing() -> None:
    gold = [{"id": "a", "figures": [fig("change", 3.2, "百分点"), fig("percent", 55, "%")]}]
    pred = [{"id": "a", "figures": [fig("change", "3.2", "个百分点"), fig("percent", "55.0", "％")]}]
    assert evaluate(pred, gold)["f1"] == 1.0


def test_report_shape_and_per_kind_scores() -> None:
    gold = [
        {"id": "a", "figures": [fig("amount", 100, "元", "资金"), fig("change", 5, "%", "投资", direction="up")]},
        {"id": "b", "figures": [fig("rank", 1, "位", "增速")]},
    ]
    pred = [
        {"id": "a", "figures": [fig("amount", 100, "元", "专项资金"), fig("change", 5, "%", "投资", direction="down"),
                                fig("quantity", 3, "家", "企业")]},
        {"id": "b", "figures": []},
    ]
    r = evaluate(pred, gold)
    assert (r["passages"], r["gold"], r["predicted"], r["matched"]) == (2, 3, 3, 2)
    assert (r["precision"], r["recall"]) == (0.6667, 0.6667)
    assert r["per_kind"]["amount"] == {"gold": 1, "predicted": 1, "matched": 1, "precision": 1.0, "recall": 1.0,
                                       "f1": 1.0}
    assert r["per_kind"]["rank"]["recall"] == 0.0
    assert r["per_kind"]["quantity"]["precision"] == 0.0
    assert r["metric_accuracy"] == 1.0
    assert r["direction_agreement"] == 0.5
    assert set(r["per_kind"]) == {"amount", "quantity", "percent", "change", "rank"}


def test_details_list_misses_spurious_and_metric_disagreements() -> None:
    gold = [{"id": "a", "figures": [fig("amount", 100, "元", "资金"), fig("quantity", 2, "个", "项目")]}]
    pred = [{"id": "a", "figures": [fig("amount", 100, "元", "规模"), fig("quantity", 3, "个", "项目")]}]
    (err,) = evaluate(pred, gold, details=True)["errors"]
    assert [g["value"] for g in err["missed"]] == [2]
    assert [p["value"] for p in err["spurious"]] == [3]
    assert [m["predicted"]["metric"] for m in err["metric"]] == ["规模"]


def test_a_passage_missing_from_the_predictions_counts_as_all_missed() -> None:
    gold = [{"id": "a", "figures": [fig("amount", 1, "元")]}]
    r = evaluate([], gold)
    assert (r["recall"], r["f1"], r["metric_accuracy"]) == (0.0, 0.0, 0.0)
