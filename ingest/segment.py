"""Sentences and passages over `Document.text`, with offsets and pages.

Sentences end at Chinese and ASCII end punctuation (。！？!?…… and "." before a space), keeping
closing quotes and brackets with the sentence they close, and never splitting inside brackets or
quotes. Passages are heading-bounded sections cut at sentence boundaries to a configurable size, so a
classifier sees coherent stretches and a citation points at one page range.
"""

from __future__ import annotations

import re

from ingest.model import Document, Segment, SegmentKind, Span, SpanKind

_END = set("。！？!?")
_CLOSERS = set("”’」』）)】》\"'")
_OPENERS = {"“": "”", "（": "）", "(": ")", "【": "】", "「": "」", "『": "』", "《": "》"}


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Split `text` into sentence (start, end) pairs; line breaks always end a sentence.

    >>> t = "全市GDP增长6.1%。他说：“做得好！”然后离开。"
    >>> [t[s:e] for s, e in sentence_bounds(t)]
    ['全市GDP增长6.1%。', '他说：“做得好！”', '然后离开。']
    """
    bounds: list[tuple[int, int]] = []
    n = len(text)
    start = 0
    depth: list[str] = []
    i = 0
    while i < n:
        ch = text[i]
        if ch == "\n":
            if text[start:i].strip():
                bounds.append((start, i))
            start = i + 1
            depth.clear()
        elif ch in _OPENERS:
            if len(depth) < 8:
                depth.append(_OPENERS[ch])
        elif depth and ch == depth[-1]:
            depth.pop()
        elif ch in _END or ch == "…" or (ch == "." and i + 1 < n and text[i + 1] == " " and i > 0
                                         and not text[i - 1].isdigit()):
            if ch == "…":
                while i + 1 < n and text[i + 1] == "…":
                    i += 1
            # swallow further end marks and closing quotes/brackets: 。” / ！？ / ……）
            while i + 1 < n and (text[i + 1] in _END or text[i + 1] in _CLOSERS):
                if text[i + 1] in _CLOSERS and depth and text[i + 1] == depth[-1]:
                    depth.pop()
                i += 1
            if not depth:
                bounds.append((start, i + 1))
                start = i + 1
        i += 1
    if start < n and text[start:].strip():
        bounds.append((start, n))
    # trim leading/trailing whitespace inside each bound
    out = []
    for s, e in bounds:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _leaf_segments(doc: Document) -> list[Segment]:
    return [s for s in doc.segments if s.parent is None]


def split_sentences(doc: Document) -> list[Span]:
    spans: list[Span] = []
    for seg in _leaf_segments(doc):
        if seg.kind is SegmentKind.TABLE:
            # each table row reads as one "sentence": header cells give it its meaning later
            rows = [s for s in doc.segments if s.parent == seg.id and s.kind is SegmentKind.TABLE_ROW]
            for row in rows:
                spans.append(_span(doc, SpanKind.SENTENCE, len(spans), row.start, row.end, [row.id], seg))
            continue
        local = seg.text
        for s, e in sentence_bounds(local):
            spans.append(_span(doc, SpanKind.SENTENCE, len(spans), seg.start + s, seg.start + e, [seg.id], seg))
    return spans


def _span(doc: Document, kind: SpanKind, index: int, start: int, end: int, seg_ids: list[str],
          seg: Segment, heading: str | None = None, end_page: int | None = None) -> Span:
    prefix = "t" if kind is SpanKind.SENTENCE else "p"
    return Span(
        id=f"{prefix}{index + 1}", kind=kind, text=doc.text[start:end], start=start, end=end,
        page=seg.page, end_page=end_page or seg.end_page or seg.page, segment_ids=seg_ids,
        heading=heading, source=seg.source,
    )


MIN_PASSAGE = 20
_ENDS_SENTENCE = re.compile(r"[。！？；：:!?;][”’）)」』]*\s*$")


def _bounded(pieces: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Sentences no longer than `limit`: a run of text with no sentence end (a table dumped as one line,
    a hostile file) is cut into pieces, so that no passage grows without bound."""
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        while e - s > limit:
            out.append((s, s + limit))
            s += limit
        out.append((s, e))
    return out


def split_passages(doc: Document, *, max_chars: int = 400) -> list[Span]:
    """Heading-bounded passages of at most about `max_chars` characters, split at sentence ends.

    A passage never crosses a heading; the heading it sits under is kept as `Span.heading` (context for
    classification and display) and is not repeated in the passage text. Tables become their own
    passages, row by row when large.
    """
    passages: list[Span] = []
    heading: str | None = None
    buf: list[tuple[int, int, Segment]] = []  # (start, end, segment) pieces in order

    def flush() -> None:
        if not buf:
            return
        start, end = buf[0][0], buf[-1][1]
        first, last = buf[0][2], buf[-1][2]
        ids = []
        for _, _, s in buf:
            if s.id not in ids:
                ids.append(s.id)
        passages.append(
            _span(doc, SpanKind.PASSAGE, len(passages), start, end, ids, first, heading,
                  end_page=last.end_page or last.page)
        )
        buf.clear()

    def size() -> int:
        return buf[-1][1] - buf[0][0] if buf else 0

    for seg in _leaf_segments(doc):
        if seg.kind is SegmentKind.HEADING:
            flush()
            heading = seg.text
            continue
        if seg.kind is SegmentKind.TABLE:
            flush()
            rows = [s for s in doc.segments if s.parent == seg.id and s.kind is SegmentKind.TABLE_ROW]
            for row in rows:
                if buf and row.end - buf[0][0] > max_chars:
                    flush()
                buf.append((row.start, row.end, seg))
            flush()
            continue
        pieces = _bounded(sentence_bounds(seg.text) or [(0, len(seg.text))], max_chars * 2)
        for s, e in pieces:
            s, e = seg.start + s, seg.start + e
            if buf and (e - buf[0][0]) > max_chars and size() >= max_chars // 4:
                flush()
            buf.append((s, e, seg))
        # a paragraph boundary is a passage boundary once the paragraph is complete: a practice, a
        # result or a formula is published (and judged) as its own paragraph; lines that do not end a
        # sentence (a signature, a date, text cut by a page break) stay with what follows, and so does a
        # line too short to stand alone (an addressee "市发展改革委：" goes with the formula after it)
        if size() >= max_chars // 2 or (size() >= MIN_PASSAGE and _ENDS_SENTENCE.search(doc.text[buf[-1][0]:buf[-1][1]])):
            flush()
    flush()
    return passages
