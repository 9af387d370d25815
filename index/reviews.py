"""Reviewer corrections as training data: the latest relabel of each passage, with its text."""

from __future__ import annotations

import json

from index.store import Store


def corrections(store: Store) -> list[dict]:
    """Lines `{"id", "text", "measures", "reviewer", "at"}` for every passage a reviewer relabelled.

    Only the latest relabel of a passage counts; an empty list means "no measure" (a negative example).
    """
    rows = store.db.query(
        "SELECT r.passage_id, r.measures, r.reviewer, r.created_at, p.text FROM reviews r "
        "JOIN passages p ON p.id = r.passage_id WHERE r.action = 'relabel' AND r.id = ("
        "SELECT MAX(r2.id) FROM reviews r2 WHERE r2.passage_id = r.passage_id AND r2.action = 'relabel') "
        "ORDER BY r.passage_id")
    return [{"id": f"review-{r['passage_id']}", "text": r["text"], "measures": sorted(json.loads(r["measures"] or "[]")),
             "reviewer": r["reviewer"], "at": r["created_at"]} for r in rows]
