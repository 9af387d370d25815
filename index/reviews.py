"""Reviewers' actions on passages, and the one rule that reads them: the latest mark of each kind decides.

Actions: `relabel` (the passage's measures, as far as the reviewer's unit leads them), `exemplary` /
`not_exemplary` (标为典型), `cleared` / `uncleared` (准予宣传). Marking a passage exemplary and clearing it
for publicity are two separate decisions: an exemplary passage is not published until it is cleared.
Every action is kept in `reviews`; a passage's state is the latest exemplary mark and the latest
clearance mark. Corrections are exported as training lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from index.access import Forbidden, check_passage, measures_of, require
from index.auth import Principal, Role
from index.store import Store, StoreError, now

ACTIONS = ("relabel", "exemplary", "not_exemplary", "cleared", "uncleared")
MARKS = ("exemplary", "not_exemplary", "cleared", "uncleared")
# SQL for "the latest exemplary mark" and "the latest clearance mark" of a passage: the rule every reader uses
LATEST_EXEMPLARY = ("(SELECT r.action FROM reviews r WHERE r.passage_id = {pid} AND r.action IN "
                    "('exemplary','not_exemplary') ORDER BY r.id DESC LIMIT 1)")
LATEST_CLEARANCE = ("(SELECT r.action FROM reviews r WHERE r.passage_id = {pid} AND r.action IN "
                    "('cleared','uncleared') ORDER BY r.id DESC LIMIT 1)")


class InvalidReview(StoreError):
    code = "invalid_request"


def is_cleared(clearance: str | None) -> bool:
    """Cleared for publicity: the latest clearance mark says so (marking exemplary does not)."""
    return clearance == "cleared"


def latest_clearance(store: Store, passage_id: int) -> str | None:
    row = store.db.execute(f"SELECT {LATEST_CLEARANCE.format(pid='?')}", [passage_id]).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class ReviewResult:
    review_id: int
    passage_id: int
    action: str
    reviewer: str


def review_passage(store: Store, who: Principal, passage_id: int, action: str, *, measures: list[int] | None = None,
                   note: str | None = None) -> ReviewResult:
    """Record a reviewer's action. A relabel changes only the measures the reviewer's unit leads."""
    require(who, Role.REVIEWER)
    check_passage(store, who, passage_id)
    if action not in ACTIONS:
        raise InvalidReview(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    led = measures_of(store, who)
    kept: list[int] = []
    if action == "relabel":
        valid = store.measure_ids()
        if measures is None or any(m not in valid for m in measures):
            raise InvalidReview("relabel needs measures that exist in the catalog")
        if led is not None and any(m not in led for m in measures):
            raise Forbidden("you may only assign measures your unit leads")
        if led is not None:  # other units' labels stay as they are
            kept = [r[0] for r in store.db.execute("SELECT measure FROM passage_labels WHERE passage_id = ?",
                                                   [passage_id]) if r[0] not in led]
    with store.write() as db:
        labelled = sorted(set(kept) | set(measures)) if measures is not None and action == "relabel" else None
        rid = db.execute("INSERT INTO reviews (passage_id, reviewer, action, measures, note, created_at) "
                         "VALUES (?,?,?,?,?,?)", [passage_id, who.name, action,
                                                  json.dumps(labelled) if labelled is not None else None, note,
                                                  now()]).lastrowid
        if action == "relabel":
            marks = ",".join("?" * len(kept))
            db.execute("DELETE FROM passage_labels WHERE passage_id = ?"
                       + (f" AND measure NOT IN ({marks})" if kept else ""), [passage_id, *kept])
            db.conn.executemany("INSERT OR REPLACE INTO passage_labels (passage_id, measure, score, eligible, origin) "
                           "VALUES (?, ?, 1.0, 1, 'review')", [(passage_id, m) for m in measures])
        store.reindex_passage(passage_id)
    return ReviewResult(rid, passage_id, action, who.name)


def review_states(store: Store, who: Principal, passage_ids: list[int]) -> dict[str, dict]:
    """The latest review state of each passage the reviewer may see, with its history."""
    from index.access import Hidden

    require(who, Role.REVIEWER)
    out = {}
    for pid in dict.fromkeys(passage_ids):
        try:
            check_passage(store, who, pid)
        except Hidden:
            continue
        history = [r | {"measures": json.loads(r["measures"]) if r["measures"] else None}
                   for r in store.db.query("SELECT action, reviewer, measures, note, created_at FROM reviews "
                                           "WHERE passage_id = ? ORDER BY id", [pid])]
        exemplary = [h["action"] for h in history if h["action"] in ("exemplary", "not_exemplary")]
        clearance = [h["action"] for h in history if h["action"] in ("cleared", "uncleared")]
        labels = [r[0] for r in store.db.execute("SELECT measure FROM passage_labels WHERE passage_id = ? "
                                                 "ORDER BY score DESC", [pid])]
        out[str(pid)] = {"exemplary": bool(exemplary) and exemplary[-1] == "exemplary",
                         "cleared": bool(clearance) and is_cleared(clearance[-1]), "labels": labels,
                         "relabelled": any(h["action"] == "relabel" for h in history), "history": history}
    return out


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
