"""The checks test set (tests/index/data/checks_set.jsonl + checks_gold.json): 51 declarations of 38 applicants
with planted copies (verbatim, figures changed, lightly edited; and paraphrases, notice quotes and one
applicant repeating itself, which are not findings) and planted figure contradictions (disagreeing, impossible;
and near misses that are not). Ingested as each applicant uploads it, in upload order; scored by
`score_copies` and `score_conflicts`. Used by tests/index/test_checks_set.py and bench/eval_checks.py.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def load() -> tuple[list[dict], dict]:
    docs = [json.loads(line) for line in (DATA / "checks_set.jsonl").read_text(encoding="utf-8").splitlines() if line]
    gold = json.loads((DATA / "checks_gold.json").read_text(encoding="utf-8"))
    return sorted(docs, key=lambda d: d["order"]), gold


def ingest(data_dir: Path, docs: list[dict]) -> dict[str, str]:
    """Each document as its region's uploader sends it, one batch per document in upload order: id -> document id."""
    from api.intake import LocalFile, ingest_local
    from api.settings import Settings
    from index import Store
    from index.queue import batch_files

    folder = data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir, ocr=False)
    ids = {}
    for d in docs:
        path = folder / d["filename"]
        path.write_text(d["text"], encoding="utf-8")
        receipt = ingest_local(settings, [LocalFile(path, d["filename"])], uploader=f"{d['region']}上传员",
                               region=d["region"])
        store = Store(data_dir)
        try:
            [row] = batch_files(store, receipt.batch_id)
        finally:
            store.close()
        assert row["status"] == "done", (d["id"], row)
        ids[d["id"]] = row["document_id"]
    return ids


def _passage_of(docs: dict[str, str], doc: str, start: str) -> int | None:
    text = docs[doc]
    return text.index(start) if start in text else None


def score_copies(found: dict, gold: dict, ids: dict[str, str], store) -> dict:
    """Reported pairs against the planted ones, matched by documents and the paragraph each starts."""
    doc_of = {v: k for k, v in ids.items()}
    texts = {r["id"]: r["text"] for r in store.db.query("SELECT id, text FROM passages")}

    def side_matches(side: dict, doc: str, start: str) -> bool:
        return doc_of.get(side["document_id"]) == doc and start in (texts.get(side["passage_id"]) or "")

    planted = gold["copies"]
    tp, false, hit = 0, [], set()
    for c in found["copies"]:
        match = next((n for n, g in enumerate(planted) if
                      (side_matches(c["a"], g["a"], g["a_start"]) and side_matches(c["b"], g["b"], g["b_start"])) or
                      (side_matches(c["a"], g["b"], g["b_start"]) and side_matches(c["b"], g["a"], g["a_start"]))), None)
        if match is not None and planted[match]["finding"]:
            tp += 1
            hit.add(match)
        else:
            false.append({"kind": planted[match]["kind"] if match is not None else None,
                          "a": doc_of.get(c["a"]["document_id"]), "b": doc_of.get(c["b"]["document_id"]),
                          "text": (c["a"]["text"] or "")[:40], "similarity": c["similarity"]})
    positives = [n for n, g in enumerate(planted) if g["finding"]]
    by_kind = {}
    for n in positives:
        k = planted[n]["kind"]
        got, total = by_kind.get(k, (0, 0))
        by_kind[k] = (got + (n in hit), total + 1)
    reported = tp + len(false)
    return {"reported": reported, "true": tp, "false": len(false),
            "precision": round(tp / reported, 3) if reported else 1.0,
            "recall": round(len(hit & set(positives)) / len(positives), 3),
            "recall_by_kind": {k: f"{a}/{b}" for k, (a, b) in by_kind.items()},
            "missed": [planted[n] for n in positives if n not in hit], "false_findings": false,
            "first_right": _first_right(found, planted, ids)}


def _first_right(found: dict, planted: list[dict], ids: dict[str, str]) -> str:
    """Of the planted findings reported, how many name the earlier upload as first (the checks set's `order`)."""
    docs, _ = load()
    order = {d["id"]: d["order"] for d in docs}
    doc_of = {v: k for k, v in ids.items()}
    right = total = 0
    pairs = {frozenset((g["a"], g["b"])) for g in planted if g["finding"]}
    for c in found["copies"]:
        a, b = doc_of.get(c["a"]["document_id"]), doc_of.get(c["b"]["document_id"])
        if frozenset((a, b)) not in pairs:
            continue
        total += 1
        first = a if c["first"] == "a" else b
        right += first == min((a, b), key=lambda k: order[k])
    return f"{right}/{total}"


def score_conflicts(found: dict, gold: dict, ids: dict[str, str]) -> dict:
    """Reported contradictions against the planted ones: a planted one is found when a reported finding of
    its kind cites its documents and its values; a reported finding that matches no planted one is false."""
    doc_of = {v: k for k, v in ids.items()}
    planted = gold["conflicts"]
    hit, false = set(), []
    for k in found["figure_conflicts"]:
        docs = {doc_of.get(f["document_id"]) for f in k["figures"]}
        raws = [f["raw"] for f in k["figures"]]
        match = None
        for n, g in enumerate(planted):
            if g["kind"] != k["kind"] or not set(g["docs"]) & docs:
                continue
            need = g["raws"] if g["kind"] == "disagree" else g["raws"][-1:]
            if all(any(r in x or x in r for x in raws) for r in need) and (g["kind"] != "disagree" or set(g["docs"]) <= docs):
                match = n
                break
        if match is not None and planted[match]["finding"]:
            hit.add(match)
        else:
            false.append({"region": k["region"], "metric": k["metric"], "kind": k["kind"], "raws": raws,
                          "planted_as": planted[match]["note"] if match is not None else None})
    positives = [n for n, g in enumerate(planted) if g["finding"]]
    reported = len(hit) + len(false)
    return {"planted": len(positives), "found": len(hit & set(positives)), "false": len(false),
            "false_rate": round(len(false) / reported, 3) if reported else 0.0,
            "missed": [planted[n] for n in positives if n not in hit], "false_findings": false}
