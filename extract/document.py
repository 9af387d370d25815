"""`extract_document`: the key figures of a whole `Document`, cited to segments, pages and offsets.

Every top-level segment (heading, paragraph, list item, caption) goes through the text extractor;
tables go through `extract.tables` with their rows, cells, header row and unit line (a "单位：万元"
paragraph or caption right before a table applies to it). Offsets are moved from the segment's own
text to `Document.text`, so `doc.text[f.start:f.end] == f.raw` for every figure.
"""

from __future__ import annotations

from collections import defaultdict

from extract.figures import extract_figures, extract_segment_figures
from extract.lexicon import compiled
from extract.model import KeyFigure
from extract.tables import TableReader, UnitSpec, unit_line
from ingest.model import Document, Segment, SegmentKind

_UNIT_LINE_REACH = 2  # a unit line applies to a table at most this many segments later (title, then unit)


def extract_document(doc: Document) -> list[KeyFigure]:
    """All figures of `doc` in reading order, each with segment_id, document_id, page and source.

    A paragraph "全年新设企业1.42万户" at Document.text offset 120 yields a figure with start 126.
    """
    lex = compiled()
    tables = TableReader(lex)
    children: dict[str, list[Segment]] = defaultdict(list)
    for seg in doc.segments:
        if seg.parent is not None:
            children[seg.parent].append(seg)
    out: list[KeyFigure] = []
    pending_unit: UnitSpec | None = None
    since_unit = 0
    for seg in doc.top_segments():
        if seg.kind is SegmentKind.TABLE:
            rows = [r for r in children.get(seg.id, []) if r.kind is SegmentKind.TABLE_ROW]
            cells = {r.id: [c for c in children.get(r.id, []) if c.kind is SegmentKind.TABLE_CELL] for r in rows}
            declared = pending_unit if since_unit <= _UNIT_LINE_REACH else None
            figs = tables.figures(seg, rows, cells, declared)
            for f in figs:
                f.document_id = doc.id
            pending_unit = None
        else:
            spec = unit_line(seg.text, lex) if len(seg.text) <= 60 else None
            if spec is not None:
                pending_unit, since_unit = spec, 0
            since_unit += 1
            figs = _text_figures(doc, seg)
        out.extend(figs)
    return out


def _text_figures(doc: Document, seg: Segment) -> list[KeyFigure]:
    """The figures of one text segment, cited to it; across a page break, each figure on its own page."""
    if seg.end_page in (None, seg.page):
        return extract_segment_figures(seg.text, source=seg.source, offset=seg.start, segment_id=seg.id,
                                       page=seg.page, document_id=doc.id)
    figs = extract_figures(seg.text, source=seg.source)
    for f in figs:
        f.start += seg.start
        f.end += seg.start
        f.segment_id = seg.id
        f.page = doc.page_of(f.start)
        f.document_id = doc.id
    return figs
