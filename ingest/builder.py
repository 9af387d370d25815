"""Assemble a `Document` from the blocks a format parser found, in reading order.

Parsers only say *what* they saw (`RawBlock`: kind, text, page, box, table cells); the builder owns
everything common to all formats: heading detection from 公文 numbering, furniture (headers, footers,
page numbers) removal, offsets into the plain text, 公文 metadata, and sentence/passage segmentation.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.clean import clean_line, furniture_key, is_page_number
from ingest.gongwen import detect_gongwen
from ingest.model import (
    BBox,
    Document,
    Furniture,
    InputFormat,
    Segment,
    SegmentKind,
    Source,
)
from ingest.options import ParseOptions
from ingest.segment import split_passages, split_sentences


@dataclass
class RawBlock:
    kind: SegmentKind
    text: str
    page: int = 1
    bbox: BBox | None = None
    source: Source = Source.TEXT
    level: int | None = None
    rows: list[list[str]] | None = None  # for tables: cell texts, merged cells appear once
    end_page: int | None = None
    # set by parsers that know a block is page furniture (PDF margins, DOCX header parts)
    furniture: str | None = None
    height: float | None = None  # typical line height: a font-size proxy for heading detection


@dataclass
class ParsedContent:
    """What a format parser hands to the builder."""

    blocks: list[RawBlock]
    pages: int
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)
    ocr_needed: list[int] = field(default_factory=list)  # pages that need OCR, which was off
    furniture: list[Furniture] = field(default_factory=list)


# 公文 heading numbering: 一、 / （一） / 1. 1、 1． / （1）. Levels follow GB/T 9704: 一、 is the top.
_NUMBERING = [
    (1, re.compile(r"^[一二三四五六七八九十百]{1,3}\s*[、.．]")),
    (2, re.compile(r"^[（(]\s*[一二三四五六七八九十百]{1,3}\s*[）)]")),
    (3, re.compile(r"^\d{1,2}\s*(?:[、．]|\.(?!\d))")),
    (4, re.compile(r"^[（(]\s*\d{1,2}\s*[）)]")),
    (1, re.compile(r"^第[一二三四五六七八九十百\d]{1,4}[章部篇]")),
    (2, re.compile(r"^第[一二三四五六七八九十百\d]{1,4}节")),
]
_SECTION_WORDS = re.compile(
    r"^(基本情况|主要做法|工作成效|主要成效|取得成效|典型经验|经验做法|特色亮点|存在问题|存在的问题|下一步(工作)?(打算|计划|安排)|"
    r"工作措施|主要措施|工作亮点|创新做法|附件\s*\d*|前言|引言|摘要|目录|结语)[：:]?$"
)


def numbering_level(text: str) -> int | None:
    """The 公文 outline level a line's numbering implies, if any.

    >>> numbering_level("一、基本情况"), numbering_level("（二）主要做法"), numbering_level("2022年")
    (1, 2, None)
    """
    for level, pattern in _NUMBERING:
        if pattern.match(text):
            return level
    return None


def looks_like_heading(text: str) -> int | None:
    """Level of a paragraph that reads as a heading: numbered, short and not a full sentence.

    "（一）强化组织领导。各区县要……" is a run-in heading inside a paragraph and stays a paragraph.
    """
    t = text.strip()
    if not t or len(t) > 48:
        return None
    level = numbering_level(t)
    body = t.rstrip("。；;")
    if level is not None:
        if "。" in body or "；" in body or len(t) > 40:
            return None
        return level
    if _SECTION_WORDS.match(t):
        return 1
    return None


def _strip_furniture(blocks: list[RawBlock], pages: int) -> tuple[list[RawBlock], list[Furniture]]:
    """Remove page-number lines and running headers/footers that repeat across pages."""
    furniture: list[Furniture] = []
    kept: list[RawBlock] = []
    # Candidate running heads: blocks flagged by the parser as sitting in a page margin.
    # counted once per page: a running head repeats across pages, while a table's bottom row of numbers
    # repeats only within one page
    margin_keys = Counter(
        key for key, _page in {((b.furniture, furniture_key(b.text)), b.page) for b in blocks
                               if b.furniture in ("header", "footer")}
    )
    repeat_floor = 2 if pages <= 3 else max(2, int(pages * 0.3))
    # bare numbers per page margin: one is the page number, several are a table's bottom row
    bare_in_margin = Counter((b.page, b.furniture) for b in blocks
                             if b.furniture in ("header", "footer") and _BARE_NUMBER.match(b.text.strip()))
    numbered_in_margin = Counter((b.page, b.furniture) for b in blocks
                                 if b.furniture in ("header", "footer") and _has_page_number_part(b.text.strip()))
    for b in blocks:
        text = b.text.strip()
        if b.kind is not SegmentKind.TABLE and is_page_number(text) and (
            not _BARE_NUMBER.match(text) or _lone_in_margin(b, bare_in_margin)
        ):
            furniture.append(Furniture(page=b.page, kind="page_number", text=text))
            continue
        if b.furniture == "page_number":
            furniture.append(Furniture(page=b.page, kind="page_number", text=text))
            continue
        if b.furniture in ("header", "footer"):
            key = (b.furniture, furniture_key(b.text))
            if margin_keys[key] >= repeat_floor or (
                _has_page_number_part(text) and numbered_in_margin[(b.page, b.furniture)] == 1
            ):
                furniture.append(Furniture(page=b.page, kind=b.furniture, text=text))
                continue
        kept.append(b)
    return kept, furniture


_INLINE_PAGE = re.compile(r"(^|\s)[\-—–－]*\s*\d{1,4}\s*[\-—–－]*\s*$|^\s*\d{1,4}\s*[/／]\s*\d{1,4}\s")


# a paragraph that ends in one of these ends there; any other ending at the foot of a page runs on
_CLOSING = frozenset("。！？；：!?;:…”’」』）)】》")
_BODY = (SegmentKind.PARAGRAPH, SegmentKind.LIST_ITEM)


def join_page_breaks(blocks: list[RawBlock]) -> list[RawBlock]:
    """Join a paragraph that a page break cut mid-sentence ("…疫情发生面积同" | "比下降18.2%…") into one
    block spanning both pages (`end_page`), so that sentences, passages and figures are not cut in two.

    Only a body paragraph of some length that ends without closing punctuation is continued, and only by
    the first block of the next page when that block is a body paragraph that does not look like a heading.
    """
    out: list[RawBlock] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind in _BODY and b.kind in _BODY and prev.level is None and b.level is None
            and b.page == (prev.end_page or prev.page) + 1
            and len(prev.text) >= 20 and prev.text.rstrip()[-1:] not in _CLOSING
            and looks_like_heading(b.text.strip()) is None
        ):
            left, right = prev.text.rstrip(), b.text.lstrip()
            glue = " " if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum() else ""
            out[-1] = RawBlock(kind=prev.kind, text=left + glue + right, page=prev.page, bbox=prev.bbox,
                               source=prev.source, end_page=b.end_page or b.page, height=prev.height)
            continue
        out.append(b)
    return out


_BARE_NUMBER = re.compile(r"^[-−－]?[0-9０-９]{1,4}$")


def _lone_in_margin(b: RawBlock, bare_in_margin: Counter) -> bool:
    """Whether a bare number (3, not — 3 — or 第3页) is a page number: alone in its page margin.

    A bare number inside the page body (a chart label, a cell of an unruled table) or one of several in a
    margin (a table's bottom row) is data. Without positions (TXT, DOCX) a bare number line is a page number.
    """
    if b.furniture is None:
        return b.bbox is None
    return bare_in_margin[(b.page, b.furniture)] <= 1


def _has_page_number_part(text: str) -> bool:
    return bool(_INLINE_PAGE.search(text)) and len(text) < 80


def build_document(
    content: ParsedContent,
    *,
    data: bytes,
    filename: str,
    fmt: InputFormat,
    options: ParseOptions,
    archive_path: str | None = None,
) -> Document:
    blocks, furniture = _strip_furniture(content.blocks, content.pages)
    blocks = join_page_breaks(blocks)
    furniture = content.furniture + furniture

    segments: list[Segment] = []
    parts: list[str] = []
    pos = 0
    counter = 0

    def next_id() -> str:
        nonlocal counter
        counter += 1
        return f"s{counter}"

    for b in blocks:
        if b.kind is SegmentKind.TABLE and b.rows:
            rows = [[clean_line(c.replace("\n", " ")) for c in row] for row in b.rows]
            rows = [r for r in rows if any(r)]
            if not rows:
                continue
            table_id = next_id()
            table_start = pos
            child: list[Segment] = []
            row_pos = pos
            for ri, row in enumerate(rows):
                row_id = next_id()
                row_text = "\t".join(row)
                cell_pos = row_pos
                cells = []
                for ci, cell in enumerate(row):
                    if cell:
                        cells.append(
                            Segment(
                                id=next_id(), kind=SegmentKind.TABLE_CELL, text=cell, page=b.page,
                                start=cell_pos, end=cell_pos + len(cell), source=_table_source(b),
                                parent=row_id, row=ri, col=ci,
                            )
                        )
                    cell_pos += len(cell) + 1
                child.append(
                    Segment(
                        id=row_id, kind=SegmentKind.TABLE_ROW, text=row_text, page=b.page,
                        start=row_pos, end=row_pos + len(row_text), source=_table_source(b),
                        parent=table_id, row=ri,
                    )
                )
                child.extend(cells)
                row_pos += len(row_text) + 1
            table_text = "\n".join("\t".join(r) for r in rows)
            segments.append(
                Segment(
                    id=table_id, kind=SegmentKind.TABLE, text=table_text, page=b.page,
                    start=table_start, end=table_start + len(table_text), source=_table_source(b),
                    bbox=b.bbox, end_page=b.end_page,
                )
            )
            segments.extend(child)
            parts.append(table_text)
            pos += len(table_text) + 1
            continue

        text = clean_line(b.text) if "\n" not in b.text else "\n".join(
            t for t in (clean_line(x) for x in b.text.split("\n")) if t
        )
        if not text:
            continue
        kind, level = b.kind, b.level
        if kind in (SegmentKind.PARAGRAPH, SegmentKind.LIST_ITEM) and level is None:
            guessed = looks_like_heading(text)
            if guessed is not None:
                kind, level = SegmentKind.HEADING, guessed
        segments.append(
            Segment(
                id=next_id(), kind=kind, text=text, page=b.page, start=pos, end=pos + len(text),
                source=b.source, level=level, bbox=b.bbox, end_page=b.end_page,
            )
        )
        parts.append(text)
        pos += len(text) + 1

    doc_text = "\n".join(parts)
    doc = Document(
        id=hashlib.sha256(data).hexdigest(),
        filename=filename,
        archive_path=archive_path,
        format=fmt,
        pages=content.pages,
        text=doc_text,
        segments=segments,
        furniture=furniture,
        ocr_pages=sorted(set(content.ocr_pages)),
        ocr_needed=sorted(set(content.ocr_needed)),
        metadata=dict(content.metadata),
        warnings=list(content.warnings),
        size=len(data),
    )
    doc.gongwen = detect_gongwen(doc)
    _mark_title(doc)
    doc.sentences = split_sentences(doc)
    doc.passages = split_passages(doc, max_chars=options.passage_chars)
    return doc


def _table_source(b: RawBlock) -> Source:
    return Source.OCR if b.source is Source.OCR else Source.TABLE


def _mark_title(doc: Document) -> None:
    """Make the 公文 title a level-0 heading (every line of it, when it wraps over several)."""
    title = doc.gongwen.title
    if not title:
        return
    top = [s for s in doc.segments[:60] if s.parent is None]
    for i in range(len(top)):
        joined = ""
        for j in range(i, min(i + 3, len(top))):
            joined += top[j].text.replace(" ", "")
            if not title.startswith(joined):
                break
            if joined == title:
                for part in top[i:j + 1]:
                    part.kind, part.level = SegmentKind.HEADING, 0
                return
