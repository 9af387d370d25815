"""Evaluation: typical experiences and publicity search, through the stored path, before and after.

    .venv/bin/python bench/eval_experiences.py [--store DIR]

Ingests the 220 declarations (each by its uploader's region) and the sample declarations into a
temporary store (or reuses --store), then prints:

* **practice per declaration**: for each declaration and each of its measures, is the passage it puts
  forward as its practice (front matter `practice`) first in `rank_experiences(measure, region)`, and in
  the top 3 of `rank_experiences(measure)` across all regions: the learned ranker beside the anchor (the
  v2 hand-weighted ranker it replaced: labelled passages only, fixed weights);
* **held-back judgments**: nDCG@5 and P@1 of the model on the writer group it never saw (from training);
* **publicity queries** (tests/index/data/publicity_queries.jsonl, 67 queries, graded paragraphs):
  nDCG@10 of search without and with thesaurus expansion, and of experiences by theme without and with.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from classify.practice import load_ranker  # noqa: E402
from index import Store, search  # noqa: E402
from index.experiences import rank_experiences  # noqa: E402
from tests.declarations import ingest_corpus, ingest_samples, manifest, practice_pairs, publicity_ndcg  # noqa: E402

# ----------------------------------------------------------------------------- the anchor: ranker v2
_V2_PRACTICE = re.compile(r"做法|机制|模式|创新|首创|率先|探索|试点|示范|经验|品牌|平台|改革|闭环|清单|一站式|全覆盖")
_V2_ENUM = re.compile(r"一是.{2,}?二是")
_V2_HEADING = re.compile(r"主要做法|典型经验|经验做法|特色亮点|工作亮点|创新做法|亮点|经验|做法|成效")
_V2_BOILER = re.compile(r"现将.{0,40}?(?:报告|汇报|说明|申报)如下|特此(?:报告|申请|说明)|妥否，?请|请予(?:审定|审核|支持)|"
                        r"联系人[:：]|联系电话[:：]")
_V2_WEIGHTS = {"practice_terms": 0.6, "enumeration": 1.0, "practice_heading": 1.2, "results": 0.5,
               "measure_score": 1.5, "length": 0.5, "boilerplate": 3.0}


def anchor_rank(store: Store, measure: int, region: str | None) -> list[int]:
    """Passage ids as ranker v2 ordered them (labelled passages only, region discount when unfiltered)."""
    where, params = ["pl.measure = ?"], [measure]
    if region:
        where.append("d.region = ?")
        params.append(region)
    rows = list(store.db.query(
        "SELECT p.id, p.text, p.heading, pl.score, d.region, (SELECT COUNT(*) FROM figures f WHERE "
        "f.passage_id = p.id AND f.suspect = 0) AS n FROM passages p JOIN passage_labels pl ON pl.passage_id = p.id "
        f"JOIN documents d ON d.id = p.document_id WHERE {' AND '.join(where)}", params))
    scored = []
    for r in rows:
        text, n = r["text"], len(r["text"])
        f = {"practice_terms": min(len(_V2_PRACTICE.findall(text)), 5) / 5,
             "enumeration": 1.0 if _V2_ENUM.search(text) else 0.0,
             "practice_heading": 1.0 if _V2_HEADING.search(r["heading"] or "") else 0.0,
             "results": min(r["n"], 5) / 5, "measure_score": r["score"] or 0.0,
             "length": 1.0 if 80 <= n <= 600 else 0.4 if n >= 40 else 0.0,
             "boilerplate": -1.0 if _V2_BOILER.search(text) else 0.0}
        scored.append((sum(_V2_WEIGHTS[k] * v for k, v in f.items()), r["id"], r["region"]))
    scored.sort(key=lambda t: -t[0])
    if region:
        return [i for _, i, _ in scored]
    out, shown = [], {}
    pool = list(scored)
    while pool:
        pick = max(pool, key=lambda t: t[0] * 0.6 ** shown.get(t[2], 0))
        pool.remove(pick)
        shown[pick[2]] = shown.get(pick[2], 0) + 1
        out.append(pick[1])
    return out


# ------------------------------------------------------------------------------------------------ run
def build(data_dir: Path) -> tuple[list[dict], dict[str, str]]:
    """Ingest the corpus and the samples; returns the manifest and gold id -> document id."""
    items = manifest()
    rows = ingest_corpus(data_dir, items)
    ids = {k: r["document_id"] for k, r in rows.items() if r["document_id"]}
    return items, ids | ingest_samples(data_dir)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, help="reuse a store built by an earlier run (skips ingest)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jili-exp-") as tmp:
        data_dir = args.store or Path(tmp)
        index_file = data_dir / "gold-ids.json"
        if args.store and index_file.exists():
            items, ids = manifest(), json.loads(index_file.read_text())
        else:
            items, ids = build(data_dir)
            index_file.write_text(json.dumps(ids))
        store = Store(data_dir)
        try:
            report(store, items, ids)
        finally:
            store.close()


def report(store: Store, items: list[dict], ids: dict[str, str]) -> None:
    def ranker(m, region, limit):
        return [e.passage_id for e in rank_experiences(store, measure=m, region=region, limit=limit)]

    def anchor(m, region, limit):
        return anchor_rank(store, m, region)[:limit]

    new, old = practice_pairs(store, items, ids, ranker), practice_pairs(store, items, ids, anchor)
    n = new["pairs"]
    model = load_ranker()
    print(f"practice ranker {model.version}")
    print(f"declaration × measure pairs: {n}")
    print(f"  gold practice first for its region and measure: ranker {new['first_for_region']}/{n}   "
          f"anchor v2 {old['first_for_region']}/{n}")
    print(f"  gold practice in the top 3 of its measure (all regions; many declarations share a measure): "
          f"ranker {new['top3_for_measure']}/{n}   anchor v2 {old['top3_for_measure']}/{n}")
    held = model.metrics.get("held_back", {})
    print(f"held-back judgments (writer group {held.get('group')}, {held.get('passages')} passages): "
          f"nDCG@5 {held.get('ndcg@5')}  P@1 {held.get('p@1')}  practice at 1 {held.get('gold_practice_at_1')}")
    runs = {
        "search": lambda q: [h.passage_id for h in search(store, q, size=10, facets=False).hits],
        "search+expansion": lambda q: [h.passage_id for h in search(store, q, size=10, facets=False, expand=True).hits],
        "experiences": lambda q: [e.passage_id for e in rank_experiences(store, theme=q, limit=10, expand=False)],
        "experiences+expansion": lambda q: [e.passage_id for e in rank_experiences(store, theme=q, limit=10)],
    }
    print("publicity queries (nDCG@10, mean over 67):")
    for name, run in runs.items():
        values = publicity_ndcg(store, ids, run)
        zero = sum(1 for v in values if v == 0)
        print(f"  {name:<24} {sum(values) / len(values):.3f}   queries with nothing relevant in the top 10: {zero}")


if __name__ == "__main__":
    main()
