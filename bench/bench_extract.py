"""Throughput of key-figure extraction: MB of UTF-8 text per second on one core.

Run on demand (`python bench/bench_extract.py`); prints numbers, asserts nothing. Speed depends on how
dense the figures are, so it reports several kinds of text: a real 公文 with few figures, district
declaration materials (dense), real government passages about the measures (classify-dev: as dense),
and the real-text figure dev passages (chosen for their figures: densest).

Each text is cut into documents of about 30 KB (a 20-page declaration) and run the way ingest runs it:
`extract_document` per Document, and `extract_figures` per paragraph. The candidate regex alone is shown
as the ceiling. The first line says whether the mypyc-compiled extractor is in use (see setup.py).
"""

from __future__ import annotations

import glob
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extract import extract_document, extract_figures  # noqa: E402
from extract.lexicon import compiled  # noqa: E402
from extract.numerals import fold_width  # noqa: E402
from ingest.model import Document, InputFormat, Segment, SegmentKind  # noqa: E402

TARGET_BYTES = 4_000_000  # each text is repeated up to about this size
DOC_BYTES = 30_000  # then cut into documents of about this size
REPEATS = 3  # best of


def _texts() -> dict[str, str]:
    texts = {}
    notice = ROOT / "corpora" / "campaigns" / "2022.notice.txt"
    if notice.exists():
        texts["notice (real 公文, sparse)"] = notice.read_text(encoding="utf-8")
    samples = sorted(glob.glob(str(ROOT / "corpora" / "samples" / "src" / "*.md")))
    if samples:
        texts["declarations (dense)"] = "\n".join(Path(p).read_text(encoding="utf-8") for p in samples)
    real_text = ROOT.parent / "shared" / "corpora" / "real-text"
    for name, label in (("classify-dev", "real passages (dense)"), ("extract-dev", "dev passages (densest)")):
        path = real_text / f"{name}.jsonl"
        if path.exists():
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            texts[label] = "\n".join(r["text"] for r in rows)
    return texts


def _scaled(text: str) -> str:
    return text * max(1, TARGET_BYTES // len(text.encode("utf-8")))


def _documents(text: str) -> list[Document]:
    """`text` cut at line ends into Documents of about DOC_BYTES each."""
    docs, lines, size = [], [], 0
    for line in text.splitlines():
        lines.append(line)
        size += len(line.encode("utf-8")) + 1
        if size >= DOC_BYTES:
            docs.append(_document("\n".join(lines)))
            lines, size = [], 0
    if lines:
        docs.append(_document("\n".join(lines)))
    return docs


def _document(text: str) -> Document:
    segments, pos = [], 0
    lines = [line for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        segments.append(Segment(id=f"s{i}", kind=SegmentKind.PARAGRAPH, text=line, page=1 + i // 40, start=pos,
                                end=pos + len(line)))
        pos += len(line) + 1
    return Document(id="0" * 64, filename="bench.txt", format=InputFormat.TXT, pages=1 + len(lines) // 40,
                    text="\n".join(lines), segments=segments)


def _best(fn) -> tuple[float, int]:
    best, n = float("inf"), 0
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        n = fn()
        best = min(best, time.perf_counter() - t0)
    return best, n


def main() -> None:
    import extract.figures

    candidate = compiled().candidate
    extract_figures("预热：地区生产总值增长5%")  # load rules and compile regexes outside the timings
    compiled_ = not extract.figures.__file__.endswith(".py")
    print(f"extractor: {'compiled by mypyc' if compiled_ else 'interpreted (JILI_PURE_PYTHON build)'}")
    print(f"{'text':28} {'path':30} {'MB':>6} {'figures':>8} {'s':>7} {'MB/s':>7} {'fig/s':>8}")
    for name, text in _texts().items():
        big = _scaled(text)
        docs = _documents(big)
        paragraphs = [line for line in big.splitlines() if line.strip()]
        mb = len(big.encode("utf-8")) / 1e6
        for label, fn in (
            (f"extract_document ({len(docs)} docs)", lambda docs=docs: sum(len(extract_document(d)) for d in docs)),
            ("extract_figures per paragraph", lambda ps=paragraphs: sum(len(extract_figures(p)) for p in ps)),
            ("candidate regex only", lambda big=big: sum(1 for _ in candidate.finditer(fold_width(big)))),
        ):
            seconds, n = _best(fn)
            print(f"{name:28} {label:30} {mb:6.2f} {n:8d} {seconds:7.3f} {mb / seconds:7.2f} {n / seconds:8.0f}")


if __name__ == "__main__":
    main()
