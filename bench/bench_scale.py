"""Benchmark: one store on SQLite beside the same store on PostgreSQL. Prints numbers; asserts nothing.

    .venv/bin/python bench/bench_scale.py --pg URL [--passages 1000000] [--dir /tmp/jili-bench-scale]

URL is a PostgreSQL database (e.g. the one `scripts/pg.sh start DIR` prints). Both stores get the same
synthetic declaration passages (bench/bench_search.py's generator: 41 regions, 1–2 measure labels each,
10 per document), written through index/fts.py, then:

* **search**: `index.search` (what /api/search runs) for selective queries, broad one-term queries and broad
  phrases (several terms), exact totals, facets on, p50/p95 over runs, totals compared between the two;
* **claim**: 100,000 finished files and 20,000 queued ones; 4 worker processes claim and finish jobs
  through `index.queue` until the queue is empty: jobs per second, and no job handed out twice.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import REGIONS, passage, pct  # noqa: E402

from index import SearchFilters, Store, fts, search  # noqa: E402
from index.grams import index_text  # noqa: E402
from index.queue import FileStatus, JobKind, claim, finish  # noqa: E402
from index.tags import passage_tags  # noqa: E402


def build(store: Store, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    per_doc = 10
    started = time.perf_counter()
    pg = store.dialect == "postgresql"
    insert = ("INSERT INTO passages (id, document_id, span_id, seq, text, page, end_page, start, \"end\", top_measure, "
              "top_score, words, tags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
    pid = 0
    for first in range(0, n // per_doc, 2000):
        docs, passages, labels, fts_rows = [], [], [], []
        for d in range(first, min(first + 2000, n // per_doc)):
            doc_id = hashlib.sha256(f"doc{seed}-{d}".encode()).hexdigest()
            region = rng.choice(REGIONS)
            docs.append([doc_id, f"{region}-申报材料-{d}.pdf", "pdf", 3, region, "区县", 2022, f"2023-01-{1 + d % 28:02d}", "{}"])
            for s in range(per_doc):
                pid += 1
                text = passage(rng)
                measures = rng.sample(range(1, 31), rng.randint(1, 2))
                tags = passage_tags(measures=measures, region=region, applicant_type="区县", year=2022, fmt="pdf",
                                    document_id=doc_id)
                words = " ".join(store._words.cut(text))
                row = [pid, doc_id, f"p{s}", s, text, 1 + s // 4, 1 + s // 4, 0, len(text), measures[0], rng.random(),
                       words, tags]
                fts_rows.append((pid, index_text(text), words, tags))
                passages.append(row)
                labels += [[pid, m, rng.random(), 1, "model"] for m in measures]
        with store.write() as db:
            db.conn.executemany("INSERT INTO documents (id, filename, format, pages, region, applicant_type, "
                                "campaign_year, doc_date, document_json) VALUES (?,?,?,?,?,?,?,?,?)", docs)
            db.conn.executemany(insert, passages)
            db.conn.executemany("INSERT INTO passage_labels (passage_id, measure, score, eligible, origin) "
                                "VALUES (?,?,?,?,?)", labels)
            for d in range(0, len(fts_rows), 10):  # one statement per document, as Store.store_document writes
                fts.write_many(db, fts_rows[d:d + 10])
        if pg and (first // 2000) % 5 == 4:
            store.upkeep_index()  # what the workers do every few seconds
        if (first // 2000) % 10 == 9:
            print(f"  {store.dialect}: {pid:,} passages, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if pg:
        store.db.execute("SELECT setval(pg_get_serial_sequence('passages', 'id'), ?)", [pid])
        folded = time.perf_counter()
        store.upkeep_index()  # the last deltas
        print(f"  term counts: the last fold took {time.perf_counter() - folded:.1f} s", file=sys.stderr)
        for table in ("passages", "passages_fts", "passage_labels", "fts_term_counts", "fts_term_deltas"):
            store.db.execute(f"VACUUM ANALYZE {table}")
    else:
        store.db.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")
        store.db.execute("ANALYZE")
    print(f"built {n:,} passages on {store.dialect} in {time.perf_counter() - started:.0f} s")


def search_bench(store: Store, runs: int) -> dict:
    if store.dialect == "postgresql":  # a run before may have left its phrases kept: ask them afresh
        fts.fold(store.db)
        with store.write() as db:
            db.execute("DELETE FROM fts_watched")
            db.execute("DELETE FROM fts_term_counts WHERE term LIKE ' %'")
    selective = ["巫山脆李", "信易贷", "一表通 品牌", "林长制"]
    broad = ["增长", "企业", "建成", "项目"]  # one term each, in a third to a half of the passages
    phrases = ["营商环境", "高标准农田", "同比增长", "企业 增长"]  # several terms, in 18-35% of the passages
    out = {}
    # a broad phrase is counted by visiting its matches until a worker's upkeep takes it on (PostgreSQL);
    # "phrases" is that first cost, "phrases kept" the cost once the triggers keep its count
    for label, queries in (("selective", selective), ("broad", broad), ("phrases", phrases), ("phrases kept", phrases)):
        if label == "phrases kept":
            t = time.perf_counter()
            store.upkeep_index()
            print(f"  {store.dialect}: upkeep took on the asked phrases in {time.perf_counter() - t:.1f} s",
                  file=sys.stderr)
        lat, totals = [], {}
        for q in queries:
            totals[q] = search(store, q, SearchFilters()).total  # warm
            for _ in range(runs):
                t = time.perf_counter()
                search(store, q, SearchFilters(), size=20, facets=True)
                lat.append((time.perf_counter() - t) * 1000)
        out[label] = (pct(lat, 0.5), pct(lat, 0.95), totals)
    return out


def _claimer(data_dir: str, url: str, worker: str, done: mp.Queue) -> None:
    store = Store(data_dir, url=url)
    got = []
    while (job := claim(store, worker, [JobKind.TEXT], lease_s=60, max_attempts=3)) is not None:
        finish(store, job, FileStatus.DONE, document_id=None)
        got.append(job.id)
    done.put(got)
    store.close()


def claim_bench(store: Store, finished: int = 100_000, queued: int = 20_000, workers: int = 4) -> tuple[float, bool]:
    ts = "2023-01-01T00:00:00+00:00"
    with store.write() as db:
        db.execute("INSERT INTO batches (id, created_at, start_turn) VALUES ('bench', ?, 1)", [ts])
        rows = [["bench", "0" * 64, f"f{i}.pdf", "done" if i < finished else "queued", "text", i + 1, ts, ts]
                for i in range(finished + queued)]
        db.conn.executemany("INSERT INTO files (batch_id, sha256, filename, status, kind, turn, created_at, updated_at) "
                            "VALUES (?,?,?,?,?,?,?,?)", rows)
    if store.dialect == "postgresql":
        store.db.execute("VACUUM ANALYZE files")
    ctx = mp.get_context("fork")
    results: mp.Queue = ctx.Queue()
    url = store.url or "sqlite:"
    procs = [ctx.Process(target=_claimer, args=(str(store.data_dir), url, f"bench-{k}", results)) for k in range(workers)]
    t = time.perf_counter()
    for p in procs:
        p.start()
    claimed = [results.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - t
    ids = [i for got in claimed for i in got]
    return len(ids) / elapsed, len(ids) == len(set(ids)) == queued


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", required=True, help="postgresql://… (a schema bench_scale is used)")
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--dir", default="/tmp/jili-bench-scale")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    sep = "&" if "?" in args.pg else "?"
    stores = {"sqlite": Store(Path(args.dir) / "sqlite", url="sqlite:"),
              "postgresql": Store(Path(args.dir) / "pg", url=f"{args.pg}{sep}schema=bench_scale")}
    for name, store in stores.items():
        store._word_text("预热")
        if store.db["passages"].count < args.passages:
            if store.db["passages"].count:
                raise SystemExit(f"{name}: the benchmark store holds a different corpus; remove it first")
            build(store, args.passages)
    results = {name: search_bench(store, args.runs) for name, store in stores.items()}
    print(f"\nsearch at {args.passages:,} passages (exact totals, facets on; p50 / p95 ms):")
    for label in ("selective", "broad", "phrases", "phrases kept"):
        line = "  ".join(f"{name} {r[label][0]:.1f} / {r[label][1]:.1f}" for name, r in results.items())
        same = results["sqlite"][label][2] == results["postgresql"][label][2]
        print(f"  {label:12s} {line}   totals equal: {same} {results['postgresql'][label][2]}")
    print("\nclaim throughput (4 worker processes, 20,000 queued jobs behind 100,000 finished files):")
    for name in stores:
        folder, schema = Path(args.dir) / f"claims-{name}-{time.time_ns()}", f"bench_claims_{time.time_ns()}"
        fresh = Store(folder, url="sqlite:" if name == "sqlite" else f"{args.pg}{sep}schema={schema}")
        rate, unique = claim_bench(fresh)
        print(f"  {name:10s} {rate:,.0f} jobs/s, every job handed out once: {unique}")
        fresh.close()
        shutil.rmtree(folder)
        if name == "postgresql":
            import psycopg

            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
