"""The 220 declarations and the samples, through the service's path, scored against their gold: the
numbers in the README cannot slip without a test failing.

Bench/eval_declarations.py and bench/eval_experiences.py print the same numbers in full.
"""

from __future__ import annotations

import pytest

from index import Store, search
from index.experiences import rank_experiences
from tests.declarations import (
    evaluate,
    ingest_corpus,
    ingest_samples,
    manifest,
    practice_pairs,
    publicity_ndcg,
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("declarations")
    items = manifest()
    rows = ingest_corpus(data_dir, items)
    ids = {k: r["document_id"] for k, r in rows.items() if r["document_id"]} | ingest_samples(data_dir)
    store = Store(data_dir)
    yield store, items, rows, ids
    store.close()


def test_every_declaration_is_stored_with_its_applicant_measures_flags_and_dates(corpus):
    store, items, rows, _ = corpus
    result = evaluate(store, items, rows)
    assert not result["misses"].get("not stored")
    assert result["applicant_accuracy"] == 1.0  # townships by their own name, with their county
    assert result["measures"]["f1"] >= 0.97
    assert result["ineligible_documents_flagged"] == "26/26"  # flagged, never dropped
    assert result["date_accuracy"] == 1.0 and result["lateness_accuracy"] == 1.0


def test_the_practice_a_declaration_puts_forward_leads_its_region_far_more_often_than_not(corpus):
    store, items, _, ids = corpus
    got = practice_pairs(store, items, ids, lambda m, region, limit: [
        e.passage_id for e in rank_experiences(store, measure=m, region=region, limit=limit)])
    assert got["pairs"] >= 250
    assert got["first_for_region"] / got["pairs"] >= 0.6
    assert got["top3_for_measure"] >= 50


def test_publicity_questions_find_the_practice_behind_other_words(corpus):
    store, _, _, ids = corpus
    plain = publicity_ndcg(store, ids, lambda q: [h.passage_id for h in search(store, q, size=10, facets=False).hits])
    expanded = publicity_ndcg(store, ids, lambda q: [
        h.passage_id for h in search(store, q, size=10, facets=False, expand=True).hits])
    themed = publicity_ndcg(store, ids, lambda q: [e.passage_id for e in rank_experiences(store, theme=q, limit=10)])
    assert len(plain) >= 40
    mean = [sum(v) / len(v) for v in (plain, expanded, themed)]
    assert mean[1] >= 2 * mean[0] and mean[1] >= 0.35
    assert mean[2] >= mean[1]  # the practice ranker on top of the expanded search
    assert sum(1 for v in expanded if v == 0) <= 16


def test_the_copies_and_contradictions_planted_in_the_declarations_are_all_found(corpus):
    from index.auth import Principal, Role
    from index.checks import checks_for
    from tests.declarations import (
        PassageFinder,
        planted_conflicts,
        planted_copies,
        score_conflicts,
        score_copies,
    )

    store, items, _, ids = corpus
    found = checks_for(store, Principal(id=0, name="eval", role=Role.ADMIN))
    copies = score_copies(found, planted_copies(items), ids, PassageFinder(store, ids))
    assert copies["recall"] == 1.0 and copies["precision"] >= 0.95, copies
    conflicts = score_conflicts(found, planted_conflicts(items), ids)
    assert conflicts["recall"] == 1.0, conflicts["missed"]
