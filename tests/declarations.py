"""The 220-document declarations corpus as a measuring stick: render it, ingest it the way districts
upload it (each file by its uploader's region account), and score what jili made of it against the gold
front matter: the declaring applicant (townships by their own name), measures, ineligible declarations,
成文日期 and lateness.

Used by `bench/eval_declarations.py` (prints the numbers) and by the tests that guard them.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "corpora" / "declarations" / "src"
CACHE = REPO / "tests" / "_artifacts" / "declarations"
DEADLINE = date(2023, 2, 1)


def _fingerprint() -> str:
    h = hashlib.sha256()
    for p in sorted(SRC.glob("*.md")) + [REPO / "scripts" / "build_declarations.py", REPO / "scripts" / "build_samples.py"]:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def rendered() -> Path:
    """The rendered corpus (built once per source version, kept under tests/_artifacts)."""
    stamp = CACHE / ".fingerprint"
    want = _fingerprint()
    if not (stamp.exists() and stamp.read_text() == want and (CACHE / "manifest.jsonl").exists()):
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(REPO / "scripts" / "build_declarations.py"), str(CACHE)], check=True,
                       capture_output=True)
        stamp.write_text(want)
    return CACHE


def manifest() -> list[dict]:
    folder = rendered()
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line]


def ingest_corpus(data_dir: Path, items: list[dict] | None = None, **settings) -> dict[str, dict]:
    """Ingest the corpus, each file as its uploader's region would upload it. Returns gold id -> file row."""
    from api.training import ingest_declarations

    return ingest_declarations(rendered(), data_dir, items, **settings)


def _official(name: str) -> str:
    from classify import load_gazetteer

    found = load_gazetteer().find(name)
    return found.name if found else name


def _f1(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "tp": tp, "fp": fp, "fn": fn}


def evaluate(store, items: list[dict], rows: dict[str, dict]) -> dict:
    """Scores of the stored documents against the gold front matter, with the misses listed."""
    region_ok = dates_ok = late_ok = 0
    m_tp = m_fp = m_fn = 0
    i_tp = i_fp = i_fn = 0
    misses: dict[str, list] = defaultdict(list)
    for item in items:
        row = rows[item["id"]]
        if row["status"] != "done" or not row["document_id"]:
            misses["not stored"].append((item["id"], row["status"], row["error_message"]))
            continue
        doc = store.document_row(row["document_id"])
        got = _applicant(doc)
        want = _official(item["region"]) if item["applicant_type"] != "乡镇(街道)" else item["region"]
        want_county = _official(item["county"]) if item.get("county") else None
        if got[0] == want and (want_county is None or got[1] == want_county):
            region_ok += 1
        else:
            misses["applicant"].append((item["id"], want, want_county, got))
        kept = {m["measure"]: m for m in store.document_measure_rows(row["document_id"])}
        declared = {m: r for m, r in kept.items() if (r.get("level") or "declared") == "declared"}
        gold = set(item["measures"])
        m_tp += len(gold & set(declared))
        m_fp += len(set(declared) - gold)
        m_fn += len(gold - set(declared))
        if set(declared) != gold:
            misses["measures"].append((item["id"], sorted(gold), sorted(declared)))
        flagged = {m for m, r in kept.items() if r["eligible"] == 0}  # declared or possible: flagged, never dropped
        bad = set(item["ineligible"])
        i_tp += len(bad & flagged)
        i_fp += len(flagged - bad)
        i_fn += len(bad - flagged)
        if flagged != bad:
            misses["ineligible"].append((item["id"], sorted(bad), sorted(flagged)))
        got_date = doc["doc_date"]
        if got_date == item["doc_date"]:
            dates_ok += 1
        else:
            misses["date"].append((item["id"], item["date_style"], item["doc_date"], got_date))
        gold_late = bool(item["doc_date"]) and date.fromisoformat(item["doc_date"]) > DEADLINE
        got_late = bool(got_date) and date.fromisoformat(got_date) > DEADLINE
        late_ok += gold_late == got_late
    n = len(items)
    doc_flags = sum(1 for item in items if item["ineligible"] and not any(
        m[0] == item["id"] for m in misses["ineligible"] if set(m[1]) - set(m[2])))
    return {"documents": n, "ineligible_documents_flagged": f"{doc_flags}/{sum(1 for i in items if i['ineligible'])}", "applicant_accuracy": round(region_ok / n, 3), "measures": _f1(m_tp, m_fp, m_fn),
            "ineligible": _f1(i_tp, i_fp, i_fn), "date_accuracy": round(dates_ok / n, 3),
            "lateness_accuracy": round(late_ok / n, 3), "misses": dict(misses)}


def _applicant(doc: dict) -> tuple[str | None, str | None]:
    """(applicant, its county) as stored: a township by its own name with its county, else the 区县."""
    if doc.get("applicant_type") == "乡镇(街道)":
        return doc.get("township"), doc.get("county")
    return doc.get("region"), None


# ------------------------------------------------------------------------- typical experiences, search
QUERIES = REPO / "tests" / "index" / "data" / "publicity_queries.jsonl"


def _squash(text: str) -> str:
    return "".join(text.split())


class PassageFinder:
    """Gold id (c1-001, or a sample's file stem) + the start of a paragraph -> the stored passage holding it."""

    def __init__(self, store, ids: dict[str, str]):
        self.passages = {key: [(r["id"], _squash(r["text"])) for r in store.db.query(
            "SELECT id, text FROM passages WHERE document_id = ? ORDER BY seq", [doc_id])] for key, doc_id in ids.items()}

    def __call__(self, key: str, start: str) -> int | None:
        s = _squash(start)
        return next((pid for pid, text in self.passages.get(key, []) if s in text), None)


def ingest_samples(data_dir: Path) -> dict[str, str]:
    """The sample declarations, each by its region's account: sample file stem -> document id."""
    import yaml

    from api.training import ingest_declarations
    from corpora import CORPORA_DIR

    items = []
    for src in sorted((CORPORA_DIR / "samples" / "src").glob("*.md")):
        meta = yaml.safe_load(src.read_text(encoding="utf-8")[4:].split("\n---\n", 1)[0])
        items.append({"id": src.stem, "filename": meta["filename"], "uploader": meta["region"]})
    rows = ingest_declarations(CORPORA_DIR / "samples", data_dir, items)
    return {k: r["document_id"] for k, r in rows.items() if r["document_id"]}


def practice_pairs(store, items: list[dict], ids: dict[str, str], rank) -> dict:
    """For each declaration and each of its measures: is its practice first for its region and measure, and
    in the top 3 of its measure across regions? `rank(measure, region, limit)` -> passage ids."""
    find = PassageFinder(store, ids)
    region_of = {r["id"]: r["region"] for r in store.db.query("SELECT id, region FROM documents")}
    first = top3 = n = 0
    cache: dict[int, list[int]] = {}
    for item in items:
        gold = find(item["id"], item["practice"]) if item["id"] in ids else None
        if gold is None:
            continue
        for m in item["measures"]:
            n += 1
            first += rank(m, region_of[ids[item["id"]]], 1)[:1] == [gold]
            if m not in cache:
                cache[m] = rank(m, None, 3)
            top3 += gold in cache[m]
    return {"pairs": n, "first_for_region": first, "top3_for_measure": top3}


def publicity_ndcg(store, ids: dict[str, str], run, k: int = 10) -> list[float]:
    """nDCG@k per publicity query (tests/index/data/publicity_queries.jsonl) of `run(query)` -> passage ids."""
    import math

    find = PassageFinder(store, ids)
    out = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        gains: dict[int, float] = {}
        for r in q["relevant"]:
            pid = find(r["doc"], r["start"])
            if pid is not None:
                gains[pid] = max(gains.get(pid, 0), r["grade"])

        def dcg(g):
            return sum((2 ** x - 1) / math.log2(i + 2) for i, x in enumerate(g[:k]))

        ideal = dcg(sorted(gains.values(), reverse=True))
        out.append(dcg([gains.get(p, 0) for p in run(q["query"])]) / ideal if ideal else 0.0)
    return out


# ------------------------------------------------------------------------------------------- checks
COPY_FINDINGS = {"verbatim", "numbers", "partial"}  # kinds that are findings; paraphrase, notice, same_region are not


def planted_copies(items: list[dict]) -> list[dict]:
    """The copies planted in the corpus front matter: {doc, from, kind, start, finding}."""
    return [{"doc": i["id"], "from": c["from"], "kind": c["kind"], "start": c["start"],
             "finding": c["kind"] in COPY_FINDINGS} for i in items for c in i.get("copies", [])]


def score_copies(found: dict, planted: list[dict], ids: dict[str, str], find: PassageFinder) -> dict:
    """Precision and recall of the copies reported (`checks_for` JSON) against the planted ones.

    A reported pair is true when it joins a planted finding's two documents at the planted paragraph; a
    planted non-finding (paraphrase, notice wording) that is reported is a false finding, as is any
    reported pair nobody planted.
    """
    doc_of = {v: k for k, v in ids.items()}
    want = {}
    for p in planted:
        pid = find(p["doc"], p["start"])
        want[(p["doc"], p["from"], pid)] = p
    tp = fp = 0
    hit: set = set()
    false: list = []
    for c in found["copies"]:
        a, b = doc_of.get(c["a"]["document_id"]), doc_of.get(c["b"]["document_id"])
        match = (want.get((a, b, c["a"]["passage_id"])) or want.get((b, a, c["b"]["passage_id"])))
        if match and match["finding"]:
            tp += 1
            hit.add((match["doc"], match["from"]))
        else:
            fp += 1
            false.append((a, b, match["kind"] if match else None, (c["a"]["text"] or "")[:40]))
    positives = [p for p in planted if p["finding"]]
    missed = [(p["doc"], p["from"], p["kind"]) for p in positives if (p["doc"], p["from"]) not in hit]
    return {"reported": tp + fp, "true": tp, "false": fp, "planted": len(positives),
            "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
            "recall": round(len(hit) / len(positives), 3) if positives else 1.0, "missed": missed,
            "false_findings": false}


def planted_conflicts(items: list[dict]) -> list[dict]:
    """The contradictions planted in the corpus front matter, one per pair of documents: {docs, metric, raws}."""
    seen, out = set(), []
    for i in items:
        for c in i.get("conflicts", []):
            key = frozenset((i["id"], c["with"]))
            if key in seen:
                continue
            seen.add(key)
            out.append({"docs": sorted(key), "metric": c["metric"], "raws": [str(v) for v in c["values"]]})
    return out


def score_conflicts(found: dict, planted: list[dict], ids: dict[str, str]) -> dict:
    """Planted contradictions found (both documents and both values cited) and reported ones nobody planted."""
    doc_of = {v: k for k, v in ids.items()}
    hit, unplanted = set(), []
    for k in found["figure_conflicts"]:
        docs = {doc_of.get(f["document_id"]) for f in k["figures"]}
        raws = " ".join(f["raw"] for f in k["figures"])
        match = next((n for n, p in enumerate(planted) if set(p["docs"]) <= docs and all(
            r.replace("％", "%") in raws for r in p["raws"])), None)
        if match is None:
            unplanted.append((k["region"], k["metric"], k["kind"], [f["raw"] for f in k["figures"]]))
        else:
            hit.add(match)
    return {"planted": len(planted), "found": len(hit), "recall": round(len(hit) / len(planted), 3) if planted else 1.0,
            "missed": [planted[n] for n in range(len(planted)) if n not in hit], "unplanted": unplanted}
