"""A second real-text set, labelled apart from development (tests/extract/data): the extractor generalises.

The passages come from ../shared (skipped when absent); only ids and gold figures live in the repo.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REAL_TEXT
from tests.extract.conftest import assert_gold_scores

pytestmark = pytest.mark.real

GOLD = Path(__file__).parent / "data" / "classify_dev_figures.jsonl"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    passages = REAL_TEXT / "classify-dev.jsonl"
    if not passages.exists():
        pytest.skip(f"{passages} is not present")
    texts = {}
    for line in passages.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{**g, "text": texts[g["id"]]} for g in gold]


def test_the_second_set_holds_real_passages_with_figures(rows) -> None:
    assert len(rows) == 248 and sum(len(r["figures"]) for r in rows) == 969
    for r in rows:
        positions = [r["text"].find(f["raw"]) for f in r["figures"]]
        assert all(p >= 0 for p in positions), r["id"]


def test_extraction_scores_on_passages_it_was_not_developed_on(rows) -> None:
    assert_gold_scores(rows, f1=0.98, metric=0.96, per_kind_f1=0.95)
