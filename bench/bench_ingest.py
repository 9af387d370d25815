"""Benchmark: ingest speed (parse + clean + segment), one core, in-process. Prints numbers; asserts nothing.

    .venv/bin/python bench/bench_ingest.py [--pages 60] [--repeat 3]

Text-layer PDFs: a generated 公文-style PDF (STSong-Light CID font, running headers, page numbers) and,
when ../shared is present, the real text-layer PDFs (these include ruled tables, which pdfplumber reads). DOCX: a generated file with
200 paragraphs and 4 tables, and the real DOCX files.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest import IngestError, ParseOptions, parse_document  # noqa: E402
from tests.conftest import REAL, make_pdf  # noqa: E402

PHRASES = [
    "全区固定资产投资完成{}亿元，同比增长{}%，增速居全市第{}位。",
    "新增高新技术企业{}家、科技型中小企业{}家，研发投入强度达到{}%。",
    "建成高标准农田{}万亩，粮食播种面积稳定在{}万亩以上。",
    "全面落实河长制，各级河长累计巡河{}万人次，整治问题{}个。",
    "实施城市更新项目{}个，改造老旧小区{}个、惠及居民{}户。",
]


def _paragraph(rng: random.Random) -> str:
    return "".join(rng.choice(PHRASES).format(*(rng.randint(2, 300) for _ in range(3))) for _ in range(4))


def generated_pdf(pages: int) -> bytes:
    rng = random.Random(7)
    content = []
    for p in range(pages):
        page = [("heading", f"{'一二三四五六七八九十'[p % 10]}、第{p + 1}部分工作情况")]
        page += [("body", _paragraph(rng)) for _ in range(5)]
        content.append(page)
    return make_pdf(content, header="璧山区督查激励申报材料")


def generated_docx() -> bytes:
    import docx

    rng = random.Random(7)
    d = docx.Document()
    d.add_heading("关于申报2022年度督查激励事项的报告", 0)
    for i in range(200):
        if i % 50 == 0:
            d.add_heading(f"{'一二三四'[i // 50]}、工作情况", 1)
            t = d.add_table(rows=6, cols=4)
            for r in range(6):
                for c in range(4):
                    t.cell(r, c).text = f"{rng.randint(1, 999)}.{rng.randint(0, 9)}"
        d.add_paragraph(_paragraph(rng))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def timed(data: bytes, name: str, options: ParseOptions, repeat: int):
    best = float("inf")
    doc = None
    for _ in range(repeat):
        t = time.perf_counter()
        doc = parse_document(data, name, options)
        best = min(best, time.perf_counter() - t)
    return best, doc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    options = ParseOptions(ocr=False)
    parse_document(generated_pdf(2), "warm.pdf", options)  # imports and first-use costs

    data = generated_pdf(args.pages)
    secs, doc = timed(data, "generated.pdf", options, args.repeat)
    print(f"text-layer PDF, generated: {doc.pages} pages, {len(doc.text)} chars, {len(doc.passages)} passages: "
          f"{secs * 1000:.0f} ms, {doc.pages / secs:.0f} pages/s")

    if REAL.is_dir():
        total_pages = total = 0.0
        for path in sorted((REAL / "pdf").glob("*.pdf")):
            try:
                s, d = timed(path.read_bytes(), path.name, options, 1)
            except IngestError as exc:  # garbled text layers need OCR, which is off here
                print(f"  {path.name:48s} skipped: {exc.reason}")
                continue
            total_pages += d.pages
            total += s
            print(f"  {path.name:48s} {d.pages:3d} pages {s * 1000:7.1f} ms  {d.pages / s:6.0f} pages/s")
        print(f"real text-layer PDFs (OCR off): {total_pages:.0f} pages in {total:.2f} s: {total_pages / total:.0f} pages/s")

    data = generated_docx()
    secs, doc = timed(data, "generated.docx", options, args.repeat)
    print(f"DOCX, generated 200 paragraphs + 4 tables: {secs * 1000:.1f} ms per file")
    if REAL.is_dir():
        for path in sorted((REAL / "docx").glob("*.docx")):
            s, d = timed(path.read_bytes(), path.name, options, args.repeat)
            print(f"  {path.name:48s} {len(d.text):6d} chars {s * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
