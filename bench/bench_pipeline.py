"""Benchmark: end-to-end ingest of text-layer PDFs (parse → classify → extract → store), one core.

    .venv/bin/python bench/bench_pipeline.py [--docs 5] [--pages 60]

Prints pages/s after model loading (measured separately), and pdfplumber's own text-extraction speed
on the same files for comparison (the issue's yardstick: ≥ 5× what pdfplumber alone extracts).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.pipeline import Pipeline, settle_heap  # noqa: E402
from bench.bench_ingest import generated_pdf  # noqa: E402
from index import Store  # noqa: E402
from ingest import ParseOptions  # noqa: E402


def _pdfplumber_pages_per_s(data: bytes) -> float:
    import pdfplumber

    t = time.perf_counter()
    n = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            n += 1
    return n / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=5)
    ap.add_argument("--pages", type=int, default=60)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    pdfs = []
    for i in range(args.docs):
        data = generated_pdf(args.pages)
        # make every file distinct (documents are deduplicated by content hash)
        pdfs.append(data.replace(b"%%EOF", f"% bench {i}\n%%EOF".encode(), 1))
    plumber = max(_pdfplumber_pages_per_s(pdfs[0]) for _ in range(2))  # as it runs on its own
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(tmp)
        pipeline = Pipeline(store, options=ParseOptions(timeout_s=None, ocr=False))
        t = time.perf_counter()
        pipeline.warm()
        print(f"model + dictionary load: {time.perf_counter() - t:.2f} s")
        settle_heap()  # as a worker process does once loaded
        t = time.perf_counter()
        pages = 0
        for i, data in enumerate(pdfs):
            [outcome] = pipeline.process_file(data, f"bench-{i}.pdf")
            assert outcome.status == "done", outcome
            pages += outcome.pages
        secs = time.perf_counter() - t
        counts = store.counts()
        print(f"end-to-end: {args.docs} PDFs, {pages} pages in {secs:.2f} s = {pages / secs:.0f} pages/s "
              f"({counts['passages']} passages, {counts['figures']} figures stored)")
    settled = _pdfplumber_pages_per_s(pdfs[0])
    print(f"pdfplumber extract_text alone: {plumber:.0f} pages/s (with the worker's collector settings: "
          f"{settled:.0f}) → end-to-end is {(pages / secs) / plumber:.1f}× ({(pages / secs) / settled:.1f}×)")


if __name__ == "__main__":
    main()
