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

from api.pipeline import Pipeline  # noqa: E402
from bench.bench_ingest import generated_pdf  # noqa: E402
from index import Store  # noqa: E402
from ingest import ParseOptions  # noqa: E402


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
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(tmp)
        pipeline = Pipeline(store, options=ParseOptions(timeout_s=None, ocr=False))
        t = time.perf_counter()
        pipeline.classifier  # noqa: B018
        pipeline.campaign  # noqa: B018
        store._word_text("预热")
        print(f"model + dictionary load: {time.perf_counter() - t:.2f} s")
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
    import pdfplumber

    t = time.perf_counter()
    n = 0
    with pdfplumber.open(io.BytesIO(pdfs[0])) as pdf:
        for page in pdf.pages:
            page.extract_text()
            n += 1
    secs_plb = time.perf_counter() - t
    print(f"pdfplumber extract_text alone: {n / secs_plb:.0f} pages/s → end-to-end is {(pages / secs) / (n / secs_plb):.1f}×")


if __name__ == "__main__":
    main()
