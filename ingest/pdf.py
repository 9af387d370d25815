"""PDF: pypdfium2 text layer (fast), pdfplumber for ruled tables, RapidOCR for pages that need it.

pypdfium2 gives each page's text in content order with line breaks; we take a box for every line from
its first and last characters (two calls per line instead of one per character), split lines at wide
gaps, and let `ingest.layout` find the reading order. Pages whose text layer fails the quality gate, and
image-only pages, are rendered and OCR'd. pdfplumber is opened only for pages that carry ruling lines.
"""

from __future__ import annotations

import ctypes
import io
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.builder import ParsedContent, RawBlock
from ingest.errors import CorruptFileError, EncryptedFileError, LimitExceededError
from ingest.layout import Block, Line, block_paragraphs, group_blocks, xy_cut
from ingest.model import BBox, SegmentKind, Source
from ingest.options import ParseOptions
from ingest.quality import PageQuality, garbled_reason, measure

log = logging.getLogger(__name__)

MARGIN = 0.085  # top/bottom share of the page where running heads and page numbers live

# PDFium is not thread-safe, not even across documents: a process that calls it from several threads
# (the API renders page images and sniffs uploads in request threads) must hold this lock around each use.
PDFIUM_LOCK = threading.RLock()


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    quality: PageQuality
    images: int
    image_cover: float
    paths: int
    ruled: bool  # ruling lines or cell boxes that suggest a table: worth opening pdfplumber


def parse_pdf(data: bytes, filename: str, options: ParseOptions) -> ParsedContent:
    with PDFIUM_LOCK:
        return _parse_pdf(data, filename, options)


def _parse_pdf(data: bytes, filename: str, options: ParseOptions) -> ParsedContent:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = pdfium_c.FPDF_GetLastError()
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedFileError("the PDF is encrypted; a password is needed to open it",
                                     filename=filename) from exc
        detail = {pdfium_c.FPDF_ERR_FORMAT: "not a valid PDF structure", pdfium_c.FPDF_ERR_FILE: "unreadable",
                  pdfium_c.FPDF_ERR_SECURITY: "unsupported security handler"}.get(code, f"PDFium error {code}")
        raise CorruptFileError(f"the PDF is damaged or truncated and cannot be opened ({detail})",
                               filename=filename) from exc
    try:
        return _parse(pdf, data, filename, options)
    finally:
        pdf.close()


def _parse(pdf: pdfium.PdfDocument, data: bytes, filename: str, options: ParseOptions) -> ParsedContent:
    n = len(pdf)
    if n > options.max_pages:
        raise LimitExceededError(f"the PDF has {n} pages, more than the limit of {options.max_pages}",
                                 filename=filename)
    if n == 0:
        raise CorruptFileError("the PDF has no pages", filename=filename)
    meta = {k: v for k, v in (pdf.get_metadata_dict() or {}).items() if v}
    warnings: list[str] = []
    pages: list[_Page] = []
    for i in range(n):
        try:
            pages.append(_read_page(pdf, i))
        except pdfium.PdfiumError as exc:
            warnings.append(f"page {i + 1}: could not be read ({exc})")
            pages.append(_Page(i + 1, 595, 842, [], measure(""), 0, 0.0, 0, False))

    good = [p.quality for p in pages if garbled_reason(p.quality) is None and p.quality.chars >= 50]
    doc_ratio = (sum(q.cjk for q in good) / sum(q.chars for q in good)) if good else None

    blocks: list[RawBlock] = []
    ocr_pages: list[int] = []
    plumber = None
    try:
        for page in pages:
            reason = _needs_ocr(page, doc_ratio)
            if reason:
                if options.ocr and len(ocr_pages) < options.max_ocr_pages:
                    lines = _ocr_page(pdf, page, options)
                    ocr_pages.append(page.number)
                    warnings.append(f"page {page.number}: OCR ({reason})")
                    blocks.extend(_page_blocks(page, lines, [], Source.OCR))
                    continue
                warnings.append(f"page {page.number}: text layer unusable ({reason}); OCR is off")
                continue
            tables: list[tuple[BBox, list[list[str]]]] = []
            if options.pdf_tables and page.ruled and page.lines:
                if plumber is None:
                    import pdfplumber

                    plumber = pdfplumber.open(io.BytesIO(data))
                tables = _find_tables(plumber, page)
            blocks.extend(_page_blocks(page, page.lines, tables, Source.TEXT))
    finally:
        if plumber is not None:
            plumber.close()

    _mark_headings(blocks)
    if meta.get("Producer"):
        meta["producer"] = meta.pop("Producer")
    metadata = {k.lower(): str(v) for k, v in meta.items()}
    return ParsedContent(blocks=blocks, pages=n, metadata=metadata, warnings=warnings, ocr_pages=ocr_pages)


def _read_page(pdf: pdfium.PdfDocument, index: int) -> _Page:
    page = pdf[index]
    try:
        width, height = page.get_size()
        images = paths = thin_h = thin_v = boxes = 0
        cover = 0.0
        box_tops: Counter = Counter()
        box_lefts: Counter = Counter()
        for obj in page.get_objects(max_depth=2):
            if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                images += 1
                try:
                    left, b, r, t = obj.get_bounds()
                    cover += max(0.0, r - left) * max(0.0, t - b)
                except pdfium.PdfiumError:
                    pass
            elif obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
                paths += 1
                try:
                    left, b, r, t = obj.get_bounds()
                except pdfium.PdfiumError:
                    continue
                w, h = r - left, t - b
                if h < 3 and w > 15:
                    thin_h += 1
                elif w < 3 and h > 8:
                    thin_v += 1
                elif w > 10 and h > 5 and w * h < 0.5 * width * height:
                    boxes += 1
                    box_tops[round(t)] += 1
                    box_lefts[round(left)] += 1
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
            lines = _lines(textpage, text, height)
        finally:
            textpage.close()
    finally:
        page.close()
    cover = min(cover / max(width * height, 1.0), 1.0)
    # a seal or a rule under the 版头 is not a table; grids of lines or many cell boxes are
    grid = sum(n >= 2 for n in box_tops.values()) >= 2 and sum(n >= 2 for n in box_lefts.values()) >= 2
    ruled = (thin_h >= 2 and thin_v >= 2) or boxes >= 20 or (thin_h >= 3 and boxes >= 4) or grid
    return _Page(index + 1, width, height, lines, measure(text), images, cover, paths, ruled)


def _lines(textpage, text: str, page_height: float) -> list[Line]:
    """Positioned lines from pdfium's text: one box per line, split at wide gaps."""
    if textpage.count_chars() != len(text):
        # surrogate pairs or generated characters shift indices: fall back to one box per character
        return _lines_by_char(textpage, page_height)
    raw = textpage.raw
    left, r, b, t = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()

    def box(i: int) -> tuple[float, float, float, float]:
        pdfium_c.FPDFText_GetCharBox(raw, i, left, r, b, t)
        return left.value, page_height - t.value, r.value, page_height - b.value

    out: list[Line] = []
    start = 0
    n = len(text)
    while start < n:
        end = text.find("\r\n", start)
        if end < 0:
            end = n
        _emit_line(text, start, end, box, out)
        start = end + 2
    return out


def _emit_line(text, start, end, box, out: list[Line]) -> None:
    # trim spaces, then split at spaces that stand for wide gaps (column gutters, form fields)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return
    seg_start = start
    first, last = box(start), box(end - 1)
    # dashes and dots have flat boxes: never let them make a gap look wide
    h = max(first[3] - first[1], last[3] - last[1], 6.0)
    i = text.find(" ", start, end)
    while 0 <= i < end:
        j = i
        while j < end and text[j] == " ":
            j += 1
        if j < end:
            left, right = box(i - 1), box(j)
            if right[0] - left[2] > 2.5 * h:
                _append(text, seg_start, i, box, out)
                seg_start = j
        i = text.find(" ", j, end)
    _append(text, seg_start, end, box, out)


def _append(text, start, end, box, out: list[Line]) -> None:
    s = text[start:end].strip()
    if not s:
        return
    a, z = box(start), box(end - 1)
    x0, x1 = min(a[0], z[0]), max(a[2], z[2])
    top, bottom = min(a[1], z[1]), max(a[3], z[3])
    if bottom - top < 1 or x1 <= x0:  # degenerate boxes (rotated or zero-size glyphs)
        top, bottom = min(top, bottom), max(top, bottom) + 1
        x1 = max(x1, x0 + 1)
    out.append(Line(s, x0, top, x1, bottom))


def _lines_by_char(textpage, page_height: float) -> list[Line]:
    raw = textpage.raw
    left, r, b, t = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    lines: list[Line] = []
    cur: list[tuple[str, float, float, float, float]] = []

    def flush() -> None:
        s = "".join(c[0] for c in cur).strip()
        if s:
            lines.append(Line(s, min(c[1] for c in cur), min(c[2] for c in cur),
                              max(c[3] for c in cur), max(c[4] for c in cur)))
        cur.clear()

    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        ch = chr(code) if code else ""
        if ch in ("\r", "\n"):
            flush()
            continue
        pdfium_c.FPDFText_GetCharBox(raw, i, left, r, b, t)
        cur.append((ch, left.value, page_height - t.value, r.value, page_height - b.value))
    flush()
    return lines


def _needs_ocr(page: _Page, doc_ratio: float | None) -> str | None:
    reason = garbled_reason(page.quality, doc_ratio)
    if reason:
        return reason
    if page.quality.chars < 20 and (page.images > 0 or page.paths > 200):
        return "no text layer (image-only page)"
    if page.images and page.image_cover > 0.35 and page.quality.chars < 120:
        return f"image covers {page.image_cover:.0%} of the page with little text"
    return None


def _ocr_page(pdf: pdfium.PdfDocument, page: _Page, options: ParseOptions) -> list[Line]:
    from ingest.ocr import ocr_image

    scale = options.ocr_dpi / 72
    longest = max(page.width, page.height) * scale
    if longest > 2400:
        scale *= 2400 / longest
    if longest < 1400:
        scale *= 1400 / longest
    pg = pdf[page.number - 1]
    try:
        bitmap = pg.render(scale=scale, grayscale=False)
        image = bitmap.to_pil()
    finally:
        pg.close()
    return ocr_image(image, scale=scale)


def _find_tables(plumber, page: _Page) -> list[tuple[BBox, list[list[str]]]]:
    ppage = plumber.pages[page.number - 1]
    found = []
    try:
        for table in ppage.find_tables():
            rows = [[(c or "").strip() for c in row] for row in table.extract()]
            rows = [r for r in rows if any(r)]
            if len(rows) < 2 or max(len(r) for r in rows) < 2:
                continue  # a framed box, not a data table
            if max(len(c) for r in rows for c in r) > 300:
                continue  # a layout table that swallowed a text column
            x0, top, x1, bottom = table.bbox
            # pdfplumber gives "" for the spanned part of a merged cell, so merged text is not repeated
            found.append((BBox(x0=x0, top=top, x1=x1, bottom=bottom), rows))
    except Exception as exc:  # pdfplumber raises assorted errors on odd pages; text still flows
        log.warning("table detection failed on page %s: %s", page.number, exc)
    finally:
        ppage.close()
    return found


def _page_blocks(page: _Page, lines: list[Line], tables, source: Source) -> list[RawBlock]:
    if tables:
        def in_table(ln: Line) -> bool:
            cx, cy = (ln.x0 + ln.x1) / 2, (ln.top + ln.bottom) / 2
            return any(bb.x0 - 1 <= cx <= bb.x1 + 1 and bb.top - 1 <= cy <= bb.bottom + 1 for bb, _ in tables)

        lines = [ln for ln in lines if not in_table(ln)]
    blocks = group_blocks(lines)
    for bb, rows in tables:
        blocks.append(Block(x0=bb.x0, top=bb.top, x1=bb.x1, bottom=bb.bottom, is_table=True, payload=rows))
    out: list[RawBlock] = []
    top_zone, bottom_zone = page.height * MARGIN, page.height * (1 - MARGIN)
    for block in xy_cut(blocks):
        if block.is_table:
            out.append(RawBlock(kind=SegmentKind.TABLE, text="", page=page.number, rows=block.payload,
                                bbox=BBox(x0=block.x0, top=block.top, x1=block.x1, bottom=block.bottom),
                                source=source))
            continue
        for para in block_paragraphs(block):
            furniture = None
            if para.bbox.bottom <= top_zone:
                furniture = "header"
            elif para.bbox.top >= bottom_zone:
                furniture = "footer"
            out.append(RawBlock(kind=SegmentKind.PARAGRAPH, text=para.text, page=page.number, bbox=para.bbox,
                                source=source, furniture=furniture, height=para.height))
    return out


def _mark_headings(blocks: list[RawBlock]) -> None:
    """Short paragraphs set clearly larger than the body text are headings."""
    heights = [(b.height or 0.0, len(b.text)) for b in blocks if b.kind is SegmentKind.PARAGRAPH]
    weighted = [h for h, n in heights for _ in range(min(n, 200)) if h > 0]
    if not weighted:
        return
    body = median(weighted)
    for b in blocks:
        h = b.height or 0.0
        if b.kind is SegmentKind.PARAGRAPH and not b.furniture and h >= body * 1.25 and 2 <= len(b.text) <= 40:
            b.kind = SegmentKind.HEADING
            b.level = 1
