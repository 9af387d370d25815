"""A second labelled set the classifier never trained on (tests/classify/data): it carries over to new text.

The passages come from ../shared (skipped when absent); only ids and gold measures live in the repo.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classify import evaluate, load_classifier
from tests.conftest import REAL_TEXT

pytestmark = pytest.mark.real

GOLD = Path(__file__).parent / "data" / "extract_dev_measures.jsonl"


@pytest.fixture(scope="module")
def report() -> dict:
    passages = REAL_TEXT / "extract-dev.jsonl"
    if not passages.exists():
        pytest.skip(f"{passages} is not present")
    texts = {}
    for line in passages.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(gold) == 63 and sum(1 for g in gold if not g["measures"]) == 11
    return evaluate(load_classifier(), [{**g, "text": texts[g["id"]]} for g in gold])


def test_the_best_measure_of_a_new_passage_is_right(report) -> None:
    assert report["top1_accuracy"] >= 0.9, report["top1_accuracy"]
    assert report["top3_recall"] >= 0.95, report["top3_recall"]


def test_new_passages_about_no_measure_are_rejected(report) -> None:
    assert report["negatives_rejected"] >= 0.8, report["negatives_rejected"]


def test_labels_on_new_passages_are_precise(report) -> None:
    assert report["micro_f1"] >= 0.78, report["micro_f1"]
    predicted = sum(len(p["predicted"]) for p in report["predictions"])
    correct = sum(len(set(p["predicted"]) & set(p["gold"])) for p in report["predictions"])
    assert correct / predicted >= 0.9, (correct, predicted)
