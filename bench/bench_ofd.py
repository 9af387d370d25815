"""Benchmark: OFD ingest speed beside PDF, one core, in-process, OCR off. Prints numbers; asserts nothing.

    .venv/bin/python bench/bench_ofd.py [--pages 50] [--repeat 3]

A generated text OFD and a generated text-layer PDF carry the same 公文-style pages (the PDF of
bench_ingest: a running header, a numbered heading, five paragraphs and a page number per A4 page), so
their pages/s compare the two readers on equal content. When ../shared is present the 8 real OFD
files are timed too (the image-only one needs OCR, which is off here).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_ingest import _paragraph, generated_pdf, timed  # noqa: E402
from ingest import IngestError, ParseOptions  # noqa: E402
from tests.conftest import SHARED  # noqa: E402
from tests.ingest.test_ofd import make_ofd, text  # noqa: E402

OFD_DIR = SHARED / "corpora" / "ofd"
PT = 25.4 / 72  # millimetres per point


def generated_ofd(pages: int) -> bytes:
    """The pages of `bench_ingest.generated_pdf` as an OFD: same text, sizes and A4 positions."""
    rng = random.Random(7)
    content = []
    for p in range(pages):
        objects = [text("璧山区督查激励申报材料", 28, 15 - 9 * PT, size=9 * PT)]  # baselines as in make_pdf
        y = 37.0 - 14 * PT
        blocks = [("heading", f"{'一二三四五六七八九十'[p % 10]}、第{p + 1}部分工作情况")]
        blocks += [("body", _paragraph(rng)) for _ in range(5)]
        for style, s in blocks:
            size = (16 if style == "heading" else 14) * PT
            per_line = int(154 // size)
            first = True
            while s and y < 267:
                n = per_line - (2 if first and style == "body" else 0)
                x = 28 + (2 * size if first and style == "body" else 0)
                objects.append(text(s[:n], x, y, size=size))
                s, first, y = s[n:], False, y + size * 1.6
            y += size * 0.4
        objects.append(text(f"— {p + 1} —", 94.5, 297 - 15 - 12 * PT, size=12 * PT))
        content.append(objects)
    return make_ofd(content)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    options = ParseOptions(ocr=False)
    timed(generated_pdf(2), "warm.pdf", options, 1)  # imports and first-use costs
    timed(generated_ofd(2), "warm.ofd", options, 1)

    ofd = generated_ofd(args.pages)
    pdf = generated_pdf(args.pages)
    for name, data in (("generated.ofd", ofd), ("generated.pdf", pdf)):
        secs, doc = timed(data, name, options, args.repeat)
        print(f"{doc.format.value.upper():3s} generated: {doc.pages} pages, {len(doc.text)} chars, "
              f"{len(doc.passages)} passages, {len(data) / 1024:.0f} KiB: {secs * 1000:.0f} ms, "
              f"{doc.pages / secs:.0f} pages/s")

    if OFD_DIR.is_dir():
        total_pages = total = 0.0
        for path in sorted(OFD_DIR.glob("*.ofd")):
            try:
                s, d = timed(path.read_bytes(), path.name, options, args.repeat)
            except IngestError as exc:  # the image-only file needs OCR, which is off here
                print(f"  {path.name:40s} skipped: {exc.reason}")
                continue
            total_pages += d.pages
            total += s
            print(f"  {path.name:40s} {d.pages:2d} pages {len(d.text):5d} chars {s * 1000:6.1f} ms "
                  f"{d.pages / s:5.0f} pages/s")
        print(f"real OFD files (OCR off): {total_pages:.0f} pages in {total * 1000:.0f} ms: "
              f"{total_pages / total:.0f} pages/s")


if __name__ == "__main__":
    main()
