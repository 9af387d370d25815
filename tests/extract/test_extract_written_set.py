"""A third gold set, written for this project in the registers jili meets (tests/extract/data).

120 passages with 694 figures: provincial 工作回顾 text (a…), State Council reports, plan targets and
Chongqing district declarations (b…), each with the hard constructions of the figure schema (分别 lists
with the unit and its 万 written once, 由…增加到…, ratios and coefficients, Chinese numerals, scores,
bounds) and the numbers that are not figures. They were labelled from the schema alone, apart from
the extractor; rules v3 was developed after a first look (F1 0.992 and 0.980, metric accuracy 0.994
and 0.975). Unlike the real sets, the texts live in the repository, so this runs everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.extract.conftest import assert_gold_scores

GOLD = Path(__file__).parent / "data" / "written_figures.jsonl"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_written_set_cites_every_figure_in_its_passage(rows) -> None:
    assert len(rows) == 120 and sum(len(r["figures"]) for r in rows) == 694
    for r in rows:
        pos = 0
        for f in r["figures"]:
            pos = r["text"].find(f["raw"], pos)
            assert pos >= 0, (r["id"], f["raw"])


def test_extraction_scores_on_the_written_set(rows) -> None:
    assert_gold_scores(rows, f1=0.98, metric=0.96, per_kind_f1=0.95)
