"""Benchmark: what the cross-declaration checks cost. Prints numbers; asserts nothing.

    .venv/bin/python bench/bench_checks.py [--passages 1000000] [--dir /tmp/jili-bench-checks] [--skip-ingest]

1. **Ingest overhead**: the 220 declarations through the service's own path (a batch, the worker loop,
   the limited parser child, the store's transaction), with the time spent sketching passages, looking
   up their bands and verifying candidates (`index.copies.find_and_record`) measured inside that run,
   as a share of the whole; then the figure checks and the copy listing over the stored corpus.
2. **At scale**: a store of N passages (default 1,000,000) written from clauses of the corpus (so their
   shingles are as common as real ones), each sketched; then new 20-passage documents (a fifth of their
   passages copied from stored ones, with figures changed) are checked against it: p50/p95 per document.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from index import Store, copies  # noqa: E402
from index.auth import Principal, Role  # noqa: E402
from index.checks import checks_for  # noqa: E402

SOURCES = REPO / "corpora" / "declarations" / "src"


def clause_pool() -> list[str]:
    clauses = []
    for path in sorted(SOURCES.glob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        for para in body.splitlines():
            if len(para) > 40 and not para.startswith("#"):
                clauses += [c for c in re.split(r"[，。；]", para) if len(c) >= 6]
    return clauses


def passage(rng: random.Random, pool: list[str]) -> str:
    parts = [rng.choice(pool) for _ in range(rng.randint(4, 9))]
    return re.sub(r"\d+(?:\.\d+)?", lambda m: str(rng.randint(2, 999)), "，".join(parts)) + "。"


def ingest_overhead() -> None:
    from tests.declarations import ingest_corpus, manifest

    spent = [0.0, 0]
    original = copies.find_and_record

    def timed(conn, passages, document_id):
        t = time.perf_counter()
        try:
            return original(conn, passages, document_id)
        finally:
            spent[0] += time.perf_counter() - t
            spent[1] += 1

    copies.find_and_record = timed
    try:
        with tempfile.TemporaryDirectory(prefix="jili-bench-checks-") as tmp:
            items = manifest()
            started = time.perf_counter()
            ingest_corpus(Path(tmp), items)
            total = time.perf_counter() - started
            store = Store(tmp)
            admin = Principal(id=0, name="bench", role=Role.ADMIN)
            t = time.perf_counter()
            found = checks_for(store, admin)
            listing = time.perf_counter() - t
            per_measure = []
            for m in range(1, 31):
                t = time.perf_counter()
                checks_for(store, admin, measure=m)
                per_measure.append(time.perf_counter() - t)
            passages = store.db["passages"].count
            store.close()
    finally:
        copies.find_and_record = original
    print(f"ingest of {len(items)} declarations ({passages} passages) through the service path: {total:.2f} s; "
          f"copy detection inside it: {spent[0]:.3f} s over {spent[1]} documents = {spent[0] / total * 100:.1f}% "
          f"of ingest")
    print(f"checks over the whole store (copies + figure contradictions of every applicant): {listing * 1000:.0f} ms "
          f"({len(found['copies'])} copies, {len(found['figure_conflicts'])} figure findings); per measure p50 "
          f"{statistics.median(per_measure) * 1000:.1f} ms, max {max(per_measure) * 1000:.1f} ms")


def at_scale(n: int, folder: Path) -> None:
    pool = clause_pool()
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    db_file = folder / "jili.db"
    store = Store(folder)
    have = store.db["passages"].count
    conn = store.db.conn
    if have < n:
        started = time.perf_counter()
        conn.execute("BEGIN")
        for i in range(have, n):
            text = passage(rng, pool)
            doc = f"bench-{i // 20}"
            pid = conn.execute(
                "INSERT INTO passages (document_id, span_id, seq, text, page, end_page, start, \"end\", source) "
                "VALUES (?, ?, ?, ?, 1, 1, 0, ?, 'text')", [doc, f"p{i % 20}", i % 20, text, len(text)]).lastrowid
            s = copies.sketch(text)
            if s:
                conn.executemany("INSERT OR IGNORE INTO passage_sketches (key, passage_id) VALUES (?, ?)",
                                 [(k, pid) for k in s.keys])
            if (i + 1) % 100_000 == 0:
                conn.execute("COMMIT")
                conn.execute("BEGIN")
                print(f"  {i + 1} passages sketched ({time.perf_counter() - started:.0f} s)", flush=True)
        conn.execute("COMMIT")
        print(f"built {n - have} passages in {time.perf_counter() - started:.0f} s")
    size = db_file.stat().st_size / 1e9
    keys = next(store.db.query("SELECT COUNT(*) AS n FROM passage_sketches"))["n"]
    stored = [r["text"] for r in store.db.query("SELECT text FROM passages ORDER BY random() LIMIT 200")]
    times, found = [], 0
    for d in range(60):
        texts = [passage(rng, pool) for _ in range(16)]
        texts += [re.sub(r"\d+", lambda m: str(rng.randint(2, 999)), rng.choice(stored)) for _ in range(4)]
        conn.execute("BEGIN")
        ids = []
        for j, t in enumerate(texts):
            ids.append(conn.execute(
                "INSERT INTO passages (document_id, span_id, seq, text, page, end_page, start, \"end\", source) "
                "VALUES (?, ?, ?, ?, 1, 1, 0, ?, 'text')", [f"new-{d}", f"p{j}", j, t, len(t)]).lastrowid)
        started = time.perf_counter()
        pairs = copies.find_and_record(conn, list(zip(ids, texts, ["text"] * len(texts), strict=True)), f"new-{d}")
        times.append(time.perf_counter() - started)
        found += len(pairs)
        conn.execute("ROLLBACK")
    times.sort()
    print(f"store: {store.db['passages'].count} passages, {keys} band keys, {size:.2f} GB on disk")
    print(f"a new 20-passage document against it (4 of its passages copied with figures changed): "
          f"p50 {statistics.median(times) * 1000:.1f} ms, p95 {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms "
          f"({found} pairs found over {len(times)} documents)")
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "jili-bench-checks")
    ap.add_argument("--skip-ingest", action="store_true")
    args = ap.parse_args()
    if not args.skip_ingest:
        ingest_overhead()
    at_scale(args.passages, args.dir)


if __name__ == "__main__":
    main()
