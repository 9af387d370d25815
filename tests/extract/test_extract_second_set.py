"""A second real-text set, labelled apart from development (tests/extract/data): the extractor generalises.

The passages come from ../shared (skipped when absent); only ids and gold figures live in the repo.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract import evaluate, extract_figures
from tests.conftest import REAL_TEXT

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
    predicted = [{"id": r["id"], "figures": [f.to_json_dict() for f in extract_figures(r["text"])]} for r in rows]
    report = evaluate(predicted, rows)
    assert report["f1"] >= 0.98, report
    assert report["metric_accuracy"] >= 0.96, report
    for kind in ("amount", "quantity", "percent", "change", "rank"):
        assert report["per_kind"][kind]["f1"] >= 0.95, (kind, report["per_kind"][kind])
