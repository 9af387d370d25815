"""Learning from the declarations corpus through the path users run.

`ingest_declarations` ingests a rendered corpus (scripts/build_declarations.py DIR: files and
manifest.jsonl) the way districts upload it: each file in a batch of its uploader's region account,
through the same engine as the service. `judged_passages` lines the stored passages up with the
judgments (corpora/declarations/judgments: 0–3, "would a publicity office publish this"), and
`train_practice` fits the practice ranker on them, reporting nDCG@5 and P@1 on a held-back writer group
before refitting on everything.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classify.practice import Candidate, evaluate, fit, matrix
from corpora import CORPORA_DIR
from index import Store
from index.experiences import document_candidates

JUDGMENTS = CORPORA_DIR / "declarations" / "judgments"
HELD_BACK = "c4"  # the writer group whose declarations are never trained on for the reported numbers
_SPACE = re.compile(r"\s+")


def read_manifest(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line]


def ingest_declarations(folder: Path, data_dir: Path, items: list[dict] | None = None, **settings) -> dict[str, dict]:
    """Ingest the corpus, each file as its uploader's region would upload it. Returns gold id -> file row."""
    from api.intake import LocalFile, ingest_local
    from api.settings import Settings
    from classify import load_gazetteer
    from index.queue import batch_files

    items = items if items is not None else read_manifest(folder)
    by_uploader: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_uploader[item["uploader"]].append(item)
    conf = Settings(data_dir=data_dir, **({"ocr": False} | settings))
    gazetteer = load_gazetteer()
    rows: dict[str, dict] = {}
    store = Store(data_dir)
    try:
        for uploader, group in sorted(by_uploader.items()):
            found = gazetteer.find(uploader)
            receipt = ingest_local(conf, [LocalFile(folder / i["filename"], i["filename"]) for i in group],
                                   uploader=f"{uploader}上传员", region=found.name if found else uploader)
            by_name = {r["filename"]: r for r in batch_files(store, receipt.batch_id)}
            for item in group:
                rows[item["id"]] = by_name[item["filename"]]
    finally:
        store.close()
    return rows


@dataclass(frozen=True)
class Judged:
    doc: str  # the gold id (c1-001)
    group: str  # its writer group (c1)
    passage_id: int
    grade: int
    candidate: Candidate
    gold_practice: bool  # the passage holds the declaration's `practice` (its front matter)


def read_judgments(folder: Path = JUDGMENTS) -> dict[str, list[dict]]:
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                j = json.loads(line)
                by_doc[j["doc"]].append(j)
    return by_doc


def judged_passages(store: Store, items: list[dict], rows: dict[str, dict],
                    judgments: dict[str, list[dict]] | None = None) -> list[Judged]:
    """The stored passages that a judgment speaks for, each with its grade.

    A passage's grade is that of the judged paragraph it starts with (a passage the segmenter merged
    from several paragraphs), or the best judged paragraph it holds; passages no judgment speaks for
    are left out.
    """
    judgments = judgments if judgments is not None else read_judgments()
    out: list[Judged] = []
    for item in items:
        row = rows.get(item["id"])
        if not row or row["status"] != "done" or not row["document_id"] or item["id"] not in judgments:
            continue
        measures = item["measures"]
        practice = _SPACE.sub("", item["practice"])
        starts = [(_SPACE.sub("", j["start"]), j["grade"]) for j in judgments[item["id"]]]
        per_measure = [document_candidates(store, row["document_id"], m) for m in measures] or \
            [document_candidates(store, row["document_id"])]
        for k, (prow, _) in enumerate(per_measure[0]):
            text = _SPACE.sub("", prow["text"])
            held = [(text.find(s), g) for s, g in starts if s and s in text]
            if not held:
                continue
            first = min(held)[0]
            grade = next(g for pos, g in held if pos == first) if first == 0 else max(g for _, g in held)
            # under its best declared measure
            best = max((cands[k][1] for cands in per_measure), key=lambda c: c.measure_score)
            out.append(Judged(item["id"], item["id"].split("-")[0], prow["id"], grade, best, practice[:18] in text))
    return out


def train_practice(judged: list[Judged]) -> tuple[object, dict]:
    """Fit on every group but the held-back one and report it; cross-validate by writer group; refit on all."""
    x = matrix([j.candidate for j in judged])
    grades = np.asarray([j.grade for j in judged], dtype=float)
    # the passage the declaration puts forward as its practice (front matter `practice`) ranks above its
    # other publishable paragraphs: trained as grade 4, measured on the 0–3 judgments
    target = np.where([j.gold_practice for j in judged], 4.0, grades)
    queries = np.asarray([j.doc for j in judged])
    groups = np.asarray([j.group for j in judged])
    gold = np.asarray([j.gold_practice for j in judged])
    metrics: dict = {}
    train = groups != HELD_BACK
    if train.any() and (~train).any():
        held = fit(x[train], target[train], queries[train])
        scores = held.scores_of(x[~train])
        metrics["held_back"] = {"group": HELD_BACK, **evaluate(scores, grades[~train], queries[~train]),
                                "gold_practice_at_1": _gold_at_1(scores, queries[~train], gold[~train]),
                                "passages": int((~train).sum())}
    folds = []
    for g in sorted(set(groups.tolist())):
        test = groups == g
        model = fit(x[~test], target[~test], queries[~test])
        s = model.scores_of(x[test])
        folds.append({"group": g, **evaluate(s, grades[test], queries[test]),
                      "gold_practice_at_1": _gold_at_1(s, queries[test], gold[test])})
    metrics["by_writer_group"] = folds
    final = fit(x, target, queries)
    digest = hashlib.sha256("".join(f"{j.doc}:{j.passage_id}:{j.grade}" for j in judged).encode()).hexdigest()[:16]
    training = {"passages": len(judged), "declarations": len(set(queries.tolist())),
                "grades": {str(g): int((grades == g).sum()) for g in range(4)}, "data_sha256": digest,
                "judgments": "corpora/declarations/judgments"}
    return type(final)(final.version, final.coef, final.mean, final.scale, metrics), training


def _gold_at_1(scores: np.ndarray, queries: np.ndarray, gold: np.ndarray) -> str:
    hits = total = 0
    for q in np.unique(queries):
        idx = np.flatnonzero(queries == q)
        if not gold[idx].any():
            continue
        total += 1
        hits += bool(gold[idx[np.argmax(scores[idx])]])
    return f"{hits}/{total}"
