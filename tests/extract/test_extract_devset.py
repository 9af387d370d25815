"""The real-text dev set (../shared, skipped when absent): acceptance scores and exact citations.

Evaluation proper is `jili eval extract`; this test only guards the acceptance bar of the issue
(F1 ≥ 0.95 on kind/value/unit, metric accuracy ≥ 0.85) against regressions.
"""

from __future__ import annotations

import json

import pytest

from extract import extract_figures
from tests.extract.conftest import assert_gold_scores

pytestmark = pytest.mark.real


def _rows(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_dev_set_meets_the_acceptance_bar(dev_set) -> None:
    assert_gold_scores(_rows(dev_set), f1=0.95, metric=0.85, per_kind_f1=0.9)


def test_dev_set_citations_are_exact(dev_set) -> None:
    for row in _rows(dev_set):
        for f in extract_figures(row["text"]):
            assert row["text"][f.start : f.end] == f.raw
