"""Reading order for positioned text lines: fragments -> blocks -> recursive XY-cut -> paragraphs.

Input is a page's line fragments (text with a box, top-left origin), from the PDF text layer or from
OCR. Lines that sit close together and overlap horizontally form a block (a paragraph column); blocks
are ordered by a recursive XY-cut (cut across the page where nothing crosses, else cut between columns),
which keeps two-column and sidebar layouts from interleaving; each block is then split into
paragraphs at first-line indents and short last lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from ingest.clean import join_wrapped
from ingest.model import BBox

# a line that opens with 公文 numbering (二、 （三） 4. 第五条) after a finished sentence starts a paragraph
_NUMBERED = re.compile(r"(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、．]|"
                       r"第[一二三四五六七八九十\d]{1,4}[章节条])")
_SENTENCE_END = frozenset("。！？；：!?;:")
# 公文 版头 and 版记 lines stand alone: 份号, 密级, 紧急程度 and 发文字号 end their line's paragraph, and a
# 版记 label (抄送：, 分送：) starts one and, once its list ends with 。, ends it (the 印发机关 follows)
_STANDALONE = re.compile(r"^(?:\d{1,6}|(?:绝密|机密|秘密)(?:[★*][^，。,]{0,10})?|特急|加急|特提|平急|"
                         r".{0,20}[〔\[(（]\s*\d{4}\s*[〕\])）]\s*\S{0,6}\s*号)$")
_LABEL_START = re.compile(r"^(?:抄送|主送|分送|报送|发送|抄报)\s*[：:]")


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
                          or (_LABEL_START.match(prev.text.lstrip()) and prev.text.rstrip()[-1:] == "。"))
            if indented or prev_short or numbered or standalone:
                flush()
        cur.append(ln)
    flush()
    return paragraphs
