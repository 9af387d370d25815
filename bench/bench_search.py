"""Benchmark: search latency at scale and index size. Prints numbers; asserts nothing.

    .venv/bin/python bench/bench_search.py [--passages 1000000] [--dir /tmp/jili-bench]

Generates declaration-style passages (10 per document, 41 regions, 1–2 measure labels each) straight
into a Store (classification and extraction are not part of this benchmark), then times `index.search`
for selective queries (a rare term, a region-specific product, a 2-character term inside longer words)
and broad ones (terms in a large share of passages), with and without facet counts.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index import SearchFilters, Store, search  # noqa: E402
from index.grams import index_text  # noqa: E402
from index.tags import passage_tags  # noqa: E402

REGIONS = ["万州区", "黔江区", "涪陵区", "渝中区", "大渡口区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区", "渝北区",
           "巴南区", "长寿区", "江津区", "合川区", "永川区", "南川区", "綦江区", "大足区", "璧山区", "铜梁区", "潼南区",
           "荣昌区", "开州区", "梁平区", "武隆区", "城口县", "丰都县", "垫江县", "忠县", "云阳县", "奉节县", "巫山县",
           "巫溪县", "石柱土家族自治县", "秀山土家族苗族自治县", "酉阳土家族苗族自治县", "彭水苗族土家族自治县",
           "两江新区", "西部科学城重庆高新区", "万盛经开区"]
CLAUSES = [
    "全年完成固定资产投资{n}亿元，同比增长{p}%", "新增高新技术企业{n}家", "建成高标准农田{n}万亩",
    "社会消费品零售总额增长{p}%", "落实河长制，巡河{n}万人次", "改造老旧小区{n}个", "城镇新增就业{n}万人",
    "新建养老服务中心{n}个", "义务教育巩固率达到{p}%", "医保参保率稳定在{p}%以上", "接待游客{n}万人次",
    "生产安全事故起数下降{p}%", "打造数字化应用场景{n}个", "推动{n}家企业上市辅导备案", "营商环境评价居全市第{r}位",
    "实施技术改造项目{n}个", "培育专精特新企业{n}家", "签约招商项目{n}个、到位资金{n}亿元", "森林覆盖率达到{p}%",
    "建成四好农村路{n}公里", "空气质量优良天数{n}天", "脱贫人口人均纯收入增长{p}%", "新增市场主体{n}万户",
]
RARE = ["巫山脆李", "奉节脐橙", "涪陵榨菜", "信易贷·渝惠融", "一表通", "渝快办", "林长制", "云长制"]


def passage(rng: random.Random) -> str:
    parts = [rng.choice(CLAUSES).format(n=rng.randint(2, 900), p=round(rng.uniform(1, 30), 1), r=rng.randint(1, 38))
             for _ in range(rng.randint(3, 6))]
    if rng.random() < 0.02:
        parts.insert(rng.randrange(len(parts)), f"打造{rng.choice(RARE)}品牌")
    return "，".join(parts) + "。"


def build(store: Store, n: int, seed: int = 1) -> float:
    rng = random.Random(seed)
    db = store.db
    started = time.perf_counter()
    per_doc = 10
    text_bytes = 0
    conn = db.conn
    conn.execute("BEGIN")
    for d in range(n // per_doc):
        doc_id = hashlib.sha256(f"doc{seed}-{d}".encode()).hexdigest()
        region = rng.choice(REGIONS)
        conn.execute("INSERT INTO documents (id, filename, format, pages, region, applicant_type, campaign_year, "
                     "doc_date, document_json) VALUES (?,?,?,?,?,?,?,?,?)",
                     [doc_id, f"{region}-申报材料-{d}.pdf", "pdf", 3, region, "区县", 2022,
                      f"2023-01-{1 + d % 28:02d}", "{}"])
        for s in range(per_doc):
            text = passage(rng)
            text_bytes += len(text.encode())
            cur = conn.execute("INSERT INTO passages (document_id, span_id, seq, text, page, end_page, start, end, "
                               "top_measure, top_score, words) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                               [doc_id, f"p{s}", s, text, 1 + s // 4, 1 + s // 4, 0, len(text),
                                rng.randint(1, 30), rng.random(), ""])
            pid = cur.lastrowid
            measures = rng.sample(range(1, 31), rng.randint(1, 2))
            for m in measures:
                conn.execute("INSERT INTO passage_labels (passage_id, measure, score, eligible, origin) "
                             "VALUES (?,?,?,?,?)", [pid, m, rng.random(), 1, "model"])
            tags = passage_tags(measures=measures, region=region, applicant_type="区县", year=2022, fmt="pdf",
                                document_id=doc_id)
            conn.execute("UPDATE passages SET tags = ? WHERE id = ?", [tags, pid])
            conn.execute("INSERT INTO passages_fts(rowid, grams, words, tags) VALUES (?,?,?,?)",
                         [pid, index_text(text), " ".join(store._words.cut(text)), tags])
        if d % 5000 == 4999:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
            print(f"  {(d + 1) * per_doc:,} passages, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    conn.execute("COMMIT")
    conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")
    conn.execute("ANALYZE")
    return text_bytes / 1e6


def timed(store: Store, query: str, filters: SearchFilters, facets: bool, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        search(store, query, filters, size=20, facets=facets)
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--dir", default="/tmp/jili-bench-search")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    path = Path(args.dir)
    db_file = path / "jili.db"
    store = Store(path)
    store._word_text("预热")  # load the tokenizer
    if store.db["passages"].count < args.passages:
        if store.db["passages"].count:
            raise SystemExit(f"{path} holds a different benchmark store; remove it first")
        t = time.perf_counter()
        mb = build(store, args.passages)
        print(f"built {args.passages:,} passages ({mb:.0f} MB of text) in {time.perf_counter() - t:.0f} s")
    n = store.db["passages"].count
    text_mb = next(store.db.query("SELECT SUM(LENGTH(CAST(text AS BLOB))) AS b FROM passages"))["b"] / 1e6
    size_mb = os.path.getsize(db_file) / 1e6
    fts_pages = next(store.db.query("SELECT COUNT(*) AS n FROM passages_fts_data"))["n"]
    print(f"store: {n:,} passages, {text_mb:.0f} MB text, db file {size_mb:.0f} MB "
          f"({size_mb / text_mb:.2f} MB per MB of text; FTS data rows {fts_pages:,})")

    selective = ["巫山脆李", "信易贷", "一表通 品牌", "林长制"]
    broad = ["增长", "企业", "建成", "项目"]
    filtered = [("农田", SearchFilters(measure=15)), ("增长", SearchFilters(region="璧山区"))]
    for label, queries in (("selective", selective), ("broad", broad)):
        for facets in (False, True):
            lat = []
            for q in queries:
                search(store, q, SearchFilters(), facets=facets)  # warm
                lat += timed(store, q, SearchFilters(), facets, args.runs)
            print(f"{label:9s} facets={'on ' if facets else 'off'}: p50 {pct(lat, .5):7.1f} ms  p95 {pct(lat, .95):7.1f} ms")
    for q, f in filtered:
        lat = timed(store, q, f, True, args.runs)
        print(f"filtered  {q} {f.measure or f.region}: p50 {pct(lat, .5):7.1f} ms  p95 {pct(lat, .95):7.1f} ms "
              f"(mean {statistics.mean(lat):.1f})")
    for q in selective[:2] + broad[:2]:
        res = search(store, q, SearchFilters())
        print(f"  {q}: {res.total:,} hits")


if __name__ == "__main__":
    main()
