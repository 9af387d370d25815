"""Shared fixtures for the extract tests: small `Document`s built by hand, the way ingest builds them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from extract import evaluate, extract_figures
from ingest.model import Document, InputFormat, Segment, SegmentKind, Source

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DEV_SET = SHARED / "corpora" / "real-text" / "extract-dev.jsonl"

Block = str | tuple[str, str | Sequence[Sequence[str]], int]


def build_document(blocks: Sequence[Block], *, source: Source = Source.TEXT) -> Document:
    """A Document from paragraphs and tables, with offsets exactly as ingest's builder computes them.

    A block is a paragraph string (page 1), or (kind, text, page) with kind "paragraph", "heading",
    "caption" or "list_item", or ("table", rows, page) with rows of cell strings. Top-level segment
    texts joined by "\\n" form Document.text; a table's text is its rows joined by "\\n", cells by "\\t".
    """
    segments: list[Segment] = []
    parts: list[str] = []
    pos = 0
    n = 0

    def next_id() -> str:
        nonlocal n
        n += 1
        return f"s{n}"

    for block in blocks:
        kind, body, page = ("paragraph", block, 1) if isinstance(block, str) else block
        if kind == "table":
            rows = [list(r) for r in body]  # type: ignore[union-attr]
            table_id, table_text = next_id(), "\n".join("\t".join(r) for r in rows)
            table_source = Source.OCR if source is Source.OCR else Source.TABLE
            children: list[Segment] = []
            row_pos = pos
            for ri, row in enumerate(rows):
                row_id, row_text = next_id(), "\t".join(row)
                cell_pos = row_pos
                cells = []
                for ci, cell in enumerate(row):
                    if cell:
                        cells.append(Segment(id=next_id(), kind=SegmentKind.TABLE_CELL, text=cell, page=page,
                                             start=cell_pos, end=cell_pos + len(cell), source=table_source,
                                             parent=row_id, row=ri, col=ci))
                    cell_pos += len(cell) + 1
                children.append(Segment(id=row_id, kind=SegmentKind.TABLE_ROW, text=row_text, page=page,
                                        start=row_pos, end=row_pos + len(row_text), source=table_source,
                                        parent=table_id, row=ri))
                children.extend(cells)
                row_pos += len(row_text) + 1
            segments.append(Segment(id=table_id, kind=SegmentKind.TABLE, text=table_text, page=page, start=pos,
                                    end=pos + len(table_text), source=table_source))
            segments.extend(children)
            text = table_text
        else:
            text = str(body)
            segments.append(Segment(id=next_id(), kind=SegmentKind(kind), text=text, page=page, start=pos,
                                    end=pos + len(text), source=source))
        parts.append(text)
        pos += len(text) + 1
    full = "\n".join(parts)
    pages = max((s.page for s in segments), default=1)
    return Document(id="0" * 64, filename="test.docx", format=InputFormat.DOCX, pages=pages, text=full,
                    segments=segments)


@pytest.fixture
def make_document() -> Callable[..., Document]:
    return build_document


@pytest.fixture
def dev_set() -> Path:
    """The shared real-text dev set; tests that need it skip when ../shared is absent."""
    if not DEV_SET.exists():
        pytest.skip(f"{DEV_SET} is not present")
    return DEV_SET


def assert_gold_scores(rows: Sequence[dict], *, f1: float, metric: float, per_kind_f1: float) -> None:
    """Extract every gold row's text and hold the scores (as `jili eval extract` computes them) to a bar."""
    predicted = [{"id": r["id"], "figures": [f.to_json_dict() for f in extract_figures(r["text"])]} for r in rows]
    report = evaluate(predicted, list(rows))
    assert report["f1"] >= f1, report
    assert report["metric_accuracy"] >= metric, report
    for kind in ("amount", "quantity", "percent", "change", "rank"):
        assert report["per_kind"][kind]["f1"] >= per_kind_f1, (kind, report["per_kind"][kind])
