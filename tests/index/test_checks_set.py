"""The checks test set through the service's path: planted copies and contradictions are found, the notice's
wording, paraphrases and near misses are not (README: "Cross-declaration checks")."""

from __future__ import annotations

import pytest

from index import Store
from index.auth import Principal, Role
from index.checks import checks_for
from tests.index.checks_set import ingest, load, score_conflicts, score_copies

ADMIN = Principal(id=0, name="admin", role=Role.ADMIN)


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    docs, gold = load()
    data_dir = tmp_path_factory.mktemp("checks-set")
    ids = ingest(data_dir, docs)
    store = Store(data_dir)
    yield store, checks_for(store, ADMIN), gold, ids
    store.close()


def test_copies_are_found_with_high_precision_and_recall_and_the_earlier_upload_named_first(checked):
    store, found, gold, ids = checked
    score = score_copies(found, gold, ids, store)
    assert score["precision"] >= 0.95 and score["recall"] >= 0.9, score
    right, total = map(int, score["first_right"].split("/"))
    assert right == total > 0


def test_notice_wording_paraphrases_and_an_applicant_repeating_itself_are_never_findings(checked):
    store, found, gold, ids = checked
    false = score_copies(found, gold, ids, store)["false_findings"]
    assert not [f for f in false if f["kind"] in ("notice", "paraphrase", "same_region")]


def test_every_planted_contradiction_is_found_with_at_most_one_false_finding_in_twenty(checked):
    _, found, gold, ids = checked
    score = score_conflicts(found, gold, ids)
    assert score["found"] == score["planted"], score["missed"]
    assert score["false_rate"] <= 0.05, score["false_findings"]
