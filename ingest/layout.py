"""Reading order for positioned text lines: fragments -> blocks -> recursive XY-cut -> paragraphs.

Input is a page's line fragments (text with a box, top-left origin), from the PDF text layer or from
OCR. Lines that sit close together and overlap horizontally form a block (a paragraph column); blocks
are ordered by a recursive XY-cut (cut across the page where nothing crosses, else cut between columns),
which keeps two-column and sidebar layouts from interleaving; each block is then split into
paragraphs at first-line indents and short last lines. `page_blocks` does this for one page of any
positioned source (PDF text layer, OFD glyphs, OCR) and flags paragraphs in the page margins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from ingest.builder import RawBlock
from ingest.clean import join_wrapped
from ingest.model import BBox, SegmentKind, Source

# a line that opens with 公文 numbering (二、 （三） 4. 第五条) after a finished sentence starts a paragraph
_NUMBERED = re.compile(r"(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、．]|"
                       r"第[一二三四五六七八九十\d]{1,4}[章节条])")
_SENTENCE_END = frozenset("。！？；：!?;:")
# 公文 版头 and 版记 lines stand alone: 份号, 密级, 紧急程度 and 发文字号 end their line's paragraph, and a
# 版记 label (抄送：, 分送：) starts one and, once its list ends with 。, ends it (the 印发机关 follows)
_STANDALONE = re.compile(r"^(?:\d{1,6}|(?:绝密|机密|秘密)(?:[★*][^，。,]{0,10})?|特急|加急|特提|平急|"
                         r".{0,20}[〔\[(（]\s*\d{4}\s*[〕\])）]\s*\S{0,6}\s*号)$")
_LABEL_START = re.compile(r"^(?:抄送|主送|分送|报送|发送|抄报)\s*[：:]")
# the 成文日期 of a 落款 is a line of its own, under the signing unit
_DATE_LINE = re.compile(r"^\s*(?:(?:19|20)\d{2}|[二〇○零Ｏ一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*"
                        r"[\d一二三四五六七八九十]{1,3}\s*[日白曰]\s*$")


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


@dataclass
class Block:
    lines: list[Line] = field(default_factory=list)
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    is_table: bool = False
    payload: object = None  # a table's rows, carried through ordering
    source: Source | None = None  # where the lines came from, when a page mixes sources (None: the page's)

    def add(self, line: Line) -> None:
        if not self.lines:
            self.x0, self.top, self.x1, self.bottom = line.x0, line.top, line.x1, line.bottom
        else:
            self.x0, self.top = min(self.x0, line.x0), min(self.top, line.top)
            self.x1, self.bottom = max(self.x1, line.x1), max(self.bottom, line.bottom)
        self.lines.append(line)


@dataclass(slots=True)
class Paragraph:
    text: str
    bbox: BBox
    height: float  # median line height: a proxy for font size


def group_blocks(lines: list[Line]) -> list[Block]:
    """Stack lines into blocks: next line just below, similar height, overlapping horizontally."""
    blocks: list[Block] = []
    for line in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
        best = None
        for block in reversed(blocks[-12:]):
            last = block.lines[-1]
            gap = line.top - last.bottom
            h = max(last.height, line.height)
            if gap > 1.2 * h or gap < -0.5 * h:
                continue
            if not (0.7 < line.height / last.height < 1.45):
                continue
            overlap = min(line.x1, block.x1) - max(line.x0, block.x0)
            if overlap > 0.3 * min(line.x1 - line.x0, block.x1 - block.x0):
                best = block
                break
        if best is None:
            best = Block()
            blocks.append(best)
        best.add(line)
    return blocks


def _split(blocks: list[Block], axis: str) -> list[list[Block]]:
    lo, hi = ("top", "bottom") if axis == "y" else ("x0", "x1")
    items = sorted(blocks, key=lambda b: getattr(b, lo))
    groups: list[list[Block]] = []
    end = None
    for b in items:
        if end is None or getattr(b, lo) >= end - 0.5:
            groups.append([b])
            end = getattr(b, hi)
        else:
            groups[-1].append(b)
            end = max(end, getattr(b, hi))
    return groups


def xy_cut(blocks: list[Block], depth: int = 0) -> list[Block]:
    """Order blocks: cut across where nothing crosses (top to bottom), else between columns (left first)."""
    if len(blocks) <= 1 or depth > 40:
        return sorted(blocks, key=lambda b: (b.top, b.x0))
    rows = _split(blocks, "y")
    if len(rows) > 1:
        return [b for row in rows for b in xy_cut(row, depth + 1)]
    cols = _split(blocks, "x")
    if len(cols) > 1:
        return [b for col in cols for b in xy_cut(col, depth + 1)]
    return sorted(blocks, key=lambda b: (b.top, b.x0))


def block_paragraphs(block: Block) -> list[Paragraph]:
    """Split a block into paragraphs at first-line indents, short last lines and numbered starts."""
    lines = block.lines
    if not lines:
        return []
    h = median(ln.height for ln in lines)
    # the text column's edges, robust to one stray line (a margin note, a page header, an OCR box that
    # runs long): the 20th percentile of left edges and the 80th of right edges
    lefts, rights = sorted(ln.x0 for ln in lines), sorted(ln.x1 for ln in lines)
    left, right = lefts[len(lefts) // 5], rights[-(-len(rights) * 4 // 5) - 1]
    paragraphs: list[Paragraph] = []
    cur: list[Line] = []

    def flush() -> None:
        if cur:
            text = ""
            for ln in cur:
                text = join_wrapped(text, ln.text)
            paragraphs.append(
                Paragraph(
                    text=text,
                    bbox=BBox(x0=min(ln.x0 for ln in cur), top=min(ln.top for ln in cur),
                              x1=max(ln.x1 for ln in cur), bottom=max(ln.bottom for ln in cur)),
                    height=median(ln.height for ln in cur),
                )
            )
            cur.clear()

    for ln in lines:
        if cur:
            prev = cur[-1]
            indented = ln.x0 > left + 1.2 * h
            prev_short = prev.x1 < right - 2.0 * h
            numbered = prev.text.rstrip()[-1:] in _SENTENCE_END and _NUMBERED.match(ln.text.lstrip()) is not None
            standalone = (_STANDALONE.match(prev.text.strip()) is not None or _LABEL_START.match(ln.text.lstrip())
                          or (_LABEL_START.match(prev.text.lstrip()) and prev.text.rstrip()[-1:] == "。")
                          or _DATE_LINE.match(ln.text) is not None or _DATE_LINE.match(prev.text) is not None)
            if indented or prev_short or numbered or standalone:
                flush()
        cur.append(ln)
    flush()
    return paragraphs


MARGIN = 0.085  # top/bottom share of the page where running heads and page numbers live


def page_blocks(number: int, height: float, lines: list[Line], tables, source: Source, *,
                ocr_lines: list[Line] | None = None, margins: bool = True) -> list[RawBlock]:
    """A page's lines (and ruled tables, as (box, rows)) as blocks in reading order.

    `ocr_lines` are lines OCR'd from images on a page whose other lines come from `source`: they form
    their own blocks (marked `Source.OCR`) and take their place in the page's reading order.
    Paragraphs in the top or bottom margin are flagged as header or footer candidates (unless
    `margins` is off: a page without a usable page box); the builder decides from repetition across
    pages whether they are running heads.
    """
    if tables:
        def in_table(ln: Line) -> bool:
            cx, cy = (ln.x0 + ln.x1) / 2, (ln.top + ln.bottom) / 2
            return any(bb.x0 - 1 <= cx <= bb.x1 + 1 and bb.top - 1 <= cy <= bb.bottom + 1 for bb, _ in tables)

        lines = [ln for ln in lines if not in_table(ln)]
    blocks = group_blocks(lines)
    if ocr_lines:
        for block in group_blocks(ocr_lines):
            block.source = Source.OCR
            blocks.append(block)
    for bb, rows in tables:
        blocks.append(Block(x0=bb.x0, top=bb.top, x1=bb.x1, bottom=bb.bottom, is_table=True, payload=rows))
    out: list[RawBlock] = []
    top_zone, bottom_zone = (height * MARGIN, height * (1 - MARGIN)) if margins else (-1.0, float("inf"))
    for block in xy_cut(blocks):
        if block.is_table:
            out.append(RawBlock(kind=SegmentKind.TABLE, text="", page=number, rows=block.payload,
                                bbox=BBox(x0=block.x0, top=block.top, x1=block.x1, bottom=block.bottom),
                                source=source))
            continue
        for para in block_paragraphs(block):
            furniture = None
            if para.bbox.bottom <= top_zone:
                furniture = "header"
            elif para.bbox.top >= bottom_zone:
                furniture = "footer"
            out.append(RawBlock(kind=SegmentKind.PARAGRAPH, text=para.text, page=number, bbox=para.bbox,
                                source=block.source or source, furniture=furniture, height=para.height))
    return out


def mark_headings(blocks: list[RawBlock]) -> None:
    """Short paragraphs set clearly larger than the body text are headings.

    Sizes are compared within one source: OCR boxes are taller than the glyph boxes of a text layer,
    so OCR'd images on text pages are measured against each other, not against the text layer.
    """
    for source in {b.source for b in blocks}:
        _mark_headings(blocks, source)


def _mark_headings(blocks: list[RawBlock], source: Source) -> None:
    heights = [(b.height or 0.0, len(b.text)) for b in blocks if b.kind is SegmentKind.PARAGRAPH and b.source is source]
    weighted = [h for h, n in heights for _ in range(min(n, 200)) if h > 0]
    if not weighted:
        return
    body = median(weighted)
    for b in blocks:
        h = b.height or 0.0
        if b.kind is SegmentKind.PARAGRAPH and b.source is source and not b.furniture and h >= body * 1.25 \
                and 2 <= len(b.text) <= 40:
            b.kind = SegmentKind.HEADING
            b.level = 1
