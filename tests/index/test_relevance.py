"""Relevance reads as 强 / 中 / 弱 with the words behind it, in evidence, search hits and documents."""

from __future__ import annotations

from index import evidence_for_measure, search
from index.auth import Principal, Role
from index.documents import document_detail
from index.relevance import reason, strength


def test_buckets_cut_the_calibrated_score_and_a_reviewed_label_is_strong():
    assert [strength(s) for s in (0.999, 0.85, 0.84, 0.6, 0.59, None)] == ["强", "强", "中", "中", "弱", "弱"]
    assert strength(0.1, "review") == "强"


def test_the_reason_names_the_terms_or_the_review():
    assert reason(["高标准农田", "粮食总产量"]) == "命中：高标准农田、粮食总产量"
    assert reason(["a", "b", "c", "d", "e"]).count("、") == 3
    assert reason([], "review") == "审核人员确认"
    assert reason([]) == "与措施表述整体相近"


def test_every_evidence_passage_says_how_strong_it_is_and_why(sample_store):
    ev = evidence_for_measure(sample_store, 15)
    passages = [p for r in ev.regions for p in r.passages]
    assert passages
    for p in passages:
        assert p.strength == strength(p.score, p.origin)
        assert p.reason.startswith("命中：") or p.reason in ("审核人员确认", "与措施表述整体相近")
    assert any("农田" in p.reason or "粮食" in p.reason for p in passages)


def test_search_hits_carry_strength_reason_and_lateness(sample_store):
    hits = search(sample_store, "高标准农田").hits
    assert hits
    labels = [m for h in hits for m in h.measures]
    assert labels and all(m["strength"] in ("强", "中", "弱") and m["reason"] for m in labels)
    assert all(isinstance(h.late, bool) for h in hits)


def test_document_labels_carry_strength_and_reason(sample_store):
    doc_id = next(sample_store.db.query("SELECT id FROM documents LIMIT 1"))["id"]
    detail = document_detail(sample_store, Principal(id=0, name="admin", role=Role.ADMIN), doc_id)
    labels = [label for p in detail["passages"] for label in p["labels"]]
    assert labels and all(label["strength"] in ("强", "中", "弱") and label["reason"] for label in labels)
