"""PDF: pypdfium2 text layer (fast), ruled tables from PDFium's drawing, RapidOCR for pages that need it.

pypdfium2 gives each page's text in content order with line breaks; we take a box for every line from
its first and last characters (two calls per line instead of one per character), mapped from PDF user
space onto the displayed page (its /Rotate and crop box applied, the frame pdfplumber, the renderer and
OCR use too), split lines at wide gaps, and let `ingest.layout` find the reading order.

Per page, one of three readings:
- text: the text layer passes the quality gate (icon-font glyphs from the Private Use Area are dropped);
- whole-page OCR: the text layer is garbled, or there is none (an image-only page);
- mixed: a good text layer plus embedded images that may hold text (a stamped attachment, a scanned
  table): the page is rendered once and only the image regions are OCR'd, their lines merged into the
  page's reading order with `source=ocr`.
Ruled tables are read from the page's line and rectangle paths (`ingest.pdftables`) on pages that carry
ruling lines; pdfplumber, the reference the tests compare them with, is used instead on request
(`ParseOptions(pdf_tables="pdfplumber")`). Files that PDFium opens only after
repairing them (a rebuilt cross-reference table, a page tree that loops or lies about its size, an
unusable MediaBox) are read with a warning that names the repair.
"""

from __future__ import annotations

import ctypes
import io
import logging
import math
import re
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.builder import ParsedContent
from ingest.errors import CorruptFileError, EncryptedFileError, LimitExceededError
from ingest.layout import MARGIN, Line, mark_headings, page_blocks
from ingest.model import BBox, Source
from ingest.options import ParseOptions
from ingest.pdfgeom import Box, page_frame, to_display, walk_objects
from ingest.pdftables import Table, find_tables
from ingest.quality import PageQuality, garbled_reason, measure

log = logging.getLogger(__name__)

# PDFium is not thread-safe, not even across documents: a process that calls it from several threads
# (the API renders page images and sniffs uploads in request threads) must hold this lock around each use.
PDFIUM_LOCK = threading.RLock()

# icon fonts (web icon sets, Wingdings bullets) put their glyphs in the Private Use Area
_PUA = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")
# renders for OCR: the longest side in pixels, and the coarsest scale (pixels per point) worth OCR'ing
RENDER_MAX_SIDE, RENDER_MIN_SIDE, RENDER_MIN_SCALE = 2400, 1400, 0.5
# embedded images worth OCR'ing on a page with a good text layer (all in points or shares of the page)
_MIN_REGION_SHARE = 0.025  # smaller: icons, logos, bullets, small photos
_BAND_HEIGHT = 0.1  # shorter images in the top or bottom margin band: letterheads, logos, footers
_MIN_REGION_SIDE = (36.0, 18.0)  # width, height
_COVERED = 0.25  # text-layer lines already cover this share of the image: a watermark, an OCR'd scan
_MAX_REGIONS = 12
_MIN_IMAGE_PX = 12  # a picture this few pixels high or wide is a rule, a gradient or a spacer, not text
_FIGURE_CAPTION = re.compile(r"^\s*图\s*[0-9０-９一二三四五六七八九十]")


@dataclass(slots=True)
class _Image:
    box: BBox  # on the displayed page, in points
    pixels: tuple[int, int]
    digest: int | None = None  # of the image data, for images big enough to be OCR'd: repeats are logos


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    quality: PageQuality
    images: list[_Image] = field(default_factory=list)
    paths: int = 0
    ruled: bool = False  # ruling lines or cell boxes that suggest a table: worth looking for one
    pua: int = 0  # Private Use Area glyphs dropped from the lines
    box_problem: str | None = None  # the unusable page box, "MediaBox (0 × 0 pt)": the page is not rendered
    media_origin: tuple[float, float] = (0.0, 0.0)  # the MediaBox's top-left corner, for pdfplumber boxes
    fingerprint: int = 0
    tables: list[tuple[BBox, list[list[str]]]] = field(default_factory=list)  # read from the ruling lines


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
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise EncryptedFileError("the PDF is encrypted with an unsupported security handler",
                                     filename=filename) from exc
        detail = {pdfium_c.FPDF_ERR_FORMAT: "not a valid PDF structure",
                  pdfium_c.FPDF_ERR_FILE: "unreadable"}.get(code, f"PDFium error {code}")
        raise CorruptFileError(f"the PDF is damaged or truncated and cannot be opened ({detail})",
                               filename=filename) from exc
    try:
        return _parse(pdf, data, filename, options)
    finally:
        pdf.close()


def _parse(pdf: pdfium.PdfDocument, data: bytes, filename: str, options: ParseOptions) -> ParsedContent:
    out = ParsedContent(blocks=[], pages=0)  # filled page by page: blocks, warnings, pages OCR'd or needing it
    if not pdfium_c.FPDF_DocumentHasValidCrossReferenceTable(pdf.raw):
        out.warnings.append("PDF: the cross-reference table was damaged and rebuilt")
    pages, repaired = _read_pages(pdf, data, filename, options, out.warnings)
    meta = {k: v for k, v in (pdf.get_metadata_dict() or {}).items() if v}

    good = [p.quality for p in pages if garbled_reason(p.quality) is None and p.quality.chars >= 50]
    doc_ratio = (sum(q.cjk for q in good) / sum(q.chars for q in good)) if good else None
    on_pages = Counter(d for p in pages for d in {i.digest for i in p.images if i.digest is not None})
    repeated = frozenset(d for d, k in on_pages.items() if k >= 2)  # logos and watermarks

    plumber = None
    try:
        for page in pages:
            boxed = page.box_problem is None  # without a page box: no margins (running heads), no tables
            garbled = garbled_reason(page.quality, doc_ratio)
            image_only = garbled is None and page.quality.chars < 20 and (bool(page.images) or page.paths > 200)
            ocr_lines: list[Line] = []
            if garbled or image_only:
                lines = _ocr_whole_page(pdf, page, garbled or "no text layer (image-only page)", bool(garbled),
                                        options, out)
                if lines is not None:
                    out.blocks.extend(page_blocks(page.number, page.height, lines, [], Source.OCR))
                    continue
                if garbled:
                    continue  # a garbled text layer is not kept, even without OCR
            else:
                ocr_lines = _ocr_image_regions(pdf, page, repeated, options, out)
            if page.pua:
                out.warnings.append(f"page {page.number}: {page.pua} icon-font glyph{'s' if page.pua > 1 else ''} "
                                    "(Private Use Area) removed")
            tables = page.tables
            if options.pdf_tables == "pdfplumber" and page.ruled and page.lines and boxed and not repaired:
                if plumber is None:
                    import pdfplumber

                    plumber = pdfplumber.open(io.BytesIO(data))
                tables = _plumber_tables(plumber, page)
            out.blocks.extend(page_blocks(page.number, page.height, page.lines, tables, Source.TEXT,
                                          ocr_lines=ocr_lines, margins=boxed))
    finally:
        if plumber is not None:
            plumber.close()

    mark_headings(out.blocks)
    if meta.get("Producer"):
        meta["producer"] = meta.pop("Producer")
    out.metadata = {k.lower(): str(v) for k, v in meta.items()}
    out.pages = max((p.number for p in pages), default=0)
    return out


# -- the page tree ------------------------------------------------------------------------------------

def _read_pages(pdf: pdfium.PdfDocument, data: bytes, filename: str, options: ParseOptions,
                warnings: list[str]) -> tuple[list[_Page], bool]:
    """Every distinct page PDFium can load, and whether the page tree had to be repaired.

    PDFium trusts the root /Count and skips /Kids that loop back to an ancestor, so a tree that lies
    about its size ends in pages that cannot be loaded, and one that lists a page twice gives the same
    page twice. Those are told apart from a page that is merely damaged by walking the tree itself.
    """
    claimed = len(pdf)
    walk: _TreeWalk | None = None
    n = claimed
    if claimed > options.max_pages:
        walk = _walk_page_tree(data)  # a /Count of a million over two real pages is a lie, not a limit
        if walk is None or walk.pages > options.max_pages:
            raise LimitExceededError(f"the PDF has {claimed} pages, more than the limit of {options.max_pages}",
                                     filename=filename)
        n = walk.pages
    if n == 0:
        raise CorruptFileError("the PDF has no pages", filename=filename)
    read: list[_Page | str] = []
    for i in range(n):
        try:
            read.append(_read_page(pdf, i, tables=options.pdf_tables == "pdfium"))
        except pdfium.PdfiumError as exc:
            read.append(str(exc))
    while read and not isinstance(read[-1], _Page):
        read.pop()  # pages past the end of a tree whose /Count lies
    if not read:
        raise CorruptFileError("the PDF has no readable pages", filename=filename)
    pages: list[_Page] = []
    for i, p in enumerate(read):
        if isinstance(p, _Page):
            pages.append(p)
        else:
            warnings.append(f"page {i + 1}: could not be read ({p})")
            pages.append(_Page(i + 1, 595, 842, [], measure("")))

    seen: dict[int, int] = {}
    repeats = [p for p in pages if (p.lines or p.images) and seen.setdefault(p.fingerprint, p.number) != p.number]
    short = len(read) < claimed
    if (repeats or short) and walk is None:
        walk = _walk_page_tree(data)
    repaired = False
    if walk is not None and walk.loops:
        warnings.append("PDF: the page tree loops back on itself; each page was read once")
        repaired = True
    if repeats and walk is not None and (walk.loops or walk.repeats):
        dropped = {p.number for p in repeats}
        pages = [p for p in pages if p.number not in dropped]
        if walk.repeats:
            warnings.append("PDF: the page tree lists the same page more than once; each page was read once")
        repaired = True
    if len(read) != claimed:
        warnings.append(f"PDF: the page tree claims {claimed} pages but has {len(pages)}")
    for page in pages:
        if page.box_problem:
            warnings.append(f"PDF: page {page.number} has an unusable {page.box_problem}; "
                            "the text was read, the page is not rendered")
    return pages, repaired


@dataclass(frozen=True, slots=True)
class _TreeWalk:
    pages: int  # distinct page objects
    loops: int  # /Kids entries that point back to an ancestor
    repeats: int  # page objects listed again


def _walk_page_tree(data: bytes, budget: int = 200_000) -> _TreeWalk | None:
    """Walk /Pages with pdfminer (the object-level view PDFium does not expose); None if it cannot."""
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import PDFObjRef, resolve1

        doc = PDFDocument(PDFParser(io.BytesIO(data)))
        root = doc.catalog.get("Pages")
        pages: set[int] = set()
        loops = repeats = 0
        stack: list[tuple[object, frozenset[int]]] = [(root, frozenset())]
        while stack and budget > 0:
            budget -= 1
            ref, ancestors = stack.pop()
            objid = ref.objid if isinstance(ref, PDFObjRef) else id(ref)
            if objid in ancestors:
                loops += 1
                continue
            node = resolve1(ref)
            if not isinstance(node, dict):
                continue
            kids = resolve1(node.get("Kids"))
            if isinstance(kids, list):
                inner = ancestors | {objid}
                stack.extend((kid, inner) for kid in reversed(kids))
            elif objid in pages:
                repeats += 1
            else:
                pages.add(objid)
        return _TreeWalk(len(pages), loops, repeats)
    except Exception as exc:  # pdfminer fails on some files PDFium repairs; the repair then goes unnamed
        log.info("page tree walk failed: %s", exc)
        return None


# -- one page -----------------------------------------------------------------------------------------

def _read_page(pdf: pdfium.PdfDocument, index: int, *, tables: bool = True) -> _Page:
    page = pdf[index]
    found: list[Table] = []
    try:
        rotation, frame, mediabox, problem = page_frame(page)
        display = to_display(rotation, frame)
        width, height = (frame[3] - frame[1], frame[2] - frame[0]) if rotation in (90, 270) else \
            (frame[2] - frame[0], frame[3] - frame[1])
        ml, mb, mr, mt = mediabox
        origin = display(min(ml, mr), min(mb, mt), max(ml, mr), max(mb, mt))[:2]
        images, paths, ruled = _page_objects(page, display, width, height)
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
            quality = measure(text)
            lines = _lines(textpage, text, rotation, frame)
            if tables and ruled and lines and problem is None:
                found = find_tables(page, textpage, display)
        finally:
            textpage.close()
    finally:
        page.close()
    pua = 0
    if quality.pua:
        kept = []
        for ln in lines:
            s, k = _PUA.subn("", ln.text)
            pua += k
            if s.strip():
                ln.text = s.strip()
                kept.append(ln)
        lines = kept
    fingerprint = hash((text, round(width), round(height), len(images), paths))
    return _Page(index + 1, width, height, lines, quality, images, paths, ruled, pua, problem, origin, fingerprint,
                 _data_tables((BBox(x0=t.x0, top=t.top, x1=t.x1, bottom=t.bottom), t.rows) for t in found))


_IMAGE, _PATH = pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH


def _page_objects(page, display, width: float, height: float) -> tuple[list[_Image], int, bool]:
    """Images (with their boxes on the page) and path statistics: is there a ruled table?

    Walks PDFium's object lists directly (form XObjects to depth 3) rather than through pypdfium2's
    wrappers: a text page holds dozens of objects and only its images and paths matter here.
    """
    images: list[_Image] = []
    paths = thin_h = thin_v = boxes = 0
    box_tops: Counter = Counter()
    box_lefts: Counter = Counter()
    fl, fb, fr, ft = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    refs = tuple(ctypes.byref(v) for v in (fl, fb, fr, ft))
    for obj, kind, outer in walk_objects(page):
        if (kind != _IMAGE and kind != _PATH) or not pdfium_c.FPDFPageObj_GetBounds(obj, *refs):
            continue
        left, b, r, t = fl.value, fb.value, fr.value, ft.value
        if outer is not None:  # bounds inside a form XObject are in the form's space
            a, bb, c, d, e, f = outer
            xs = [a * x + c * y + e for x, y in ((left, b), (left, t), (r, b), (r, t))]
            ys = [bb * x + d * y + f for x, y in ((left, b), (left, t), (r, b), (r, t))]
            left, b, r, t = min(xs), min(ys), max(xs), max(ys)
        x0, top, x1, bottom = display(left, b, r, t)
        x0, x1 = min(x0, x1), max(x0, x1)
        top, bottom = min(top, bottom), max(top, bottom)
        if kind == _IMAGE:
            x0, top, x1, bottom = max(x0, 0.0), max(top, 0.0), min(x1, width), min(bottom, height)
            if x1 > x0 and bottom > top:
                pw, ph = ctypes.c_uint(), ctypes.c_uint()
                if not pdfium_c.FPDFImageObj_GetImagePixelSize(obj, ctypes.byref(pw), ctypes.byref(ph)):
                    pw.value = ph.value = 0
                big = (x1 - x0) * (bottom - top) >= _MIN_REGION_SHARE * width * height
                images.append(_Image(BBox(x0=x0, top=top, x1=x1, bottom=bottom), (pw.value, ph.value),
                                     _image_digest(obj) if big else None))
            continue
        paths += 1
        w, h = x1 - x0, bottom - top
        if h < 3 and w > 15:
            thin_h += 1
        elif w < 3 and h > 8:
            thin_v += 1
        elif w > 10 and h > 5 and w * h < 0.5 * width * height:
            boxes += 1
            box_tops[round(top)] += 1
            box_lefts[round(x0)] += 1
    # a seal or a rule under the 版头 is not a table; grids of lines or many cell boxes are
    grid = sum(n >= 2 for n in box_tops.values()) >= 2 and sum(n >= 2 for n in box_lefts.values()) >= 2
    ruled = (thin_h >= 2 and thin_v >= 2) or boxes >= 20 or (thin_h >= 3 and boxes >= 4) or grid
    return images, paths, ruled


def _image_digest(obj) -> int | None:
    """A checksum of an image's (encoded) data: the same picture on several pages is a logo or watermark."""
    size = pdfium_c.FPDFImageObj_GetImageDataRaw(obj, None, 0)
    if size <= 0:
        return None
    buf = ctypes.create_string_buffer(size)
    pdfium_c.FPDFImageObj_GetImageDataRaw(obj, buf, size)
    return zlib.crc32(buf.raw) ^ (size << 32)


def _lines(textpage, text: str, rotation: int, frame: Box) -> list[Line]:
    """Positioned lines from pdfium's text: one box per line, split at wide gaps."""
    display = to_display(rotation, frame)
    if textpage.count_chars() != len(text):
        # surrogate pairs or generated characters shift indices: fall back to one box per character
        return _lines_by_char(textpage, display)
    raw = textpage.raw
    left, r, b, t = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    l0, t0 = frame[0], frame[3]

    def box(i: int) -> tuple[float, float, float, float]:
        pdfium_c.FPDFText_GetCharBox(raw, i, left, r, b, t)
        if rotation == 0:  # most pages: the map inlined, as this runs a few times per line
            return left.value - l0, t0 - t.value, r.value - l0, t0 - b.value
        return display(left.value, b.value, r.value, t.value)

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


def _lines_by_char(textpage, display) -> list[Line]:
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

    n = textpage.count_chars()
    low = 0
    for i in range(n):
        if low:  # the second half of a surrogate pair, already joined to the first
            low = 0
            continue
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        nxt = pdfium_c.FPDFText_GetUnicode(raw, i + 1) if 0xD800 <= code <= 0xDBFF and i + 1 < n else 0
        if 0xDC00 <= nxt <= 0xDFFF:
            code, low = 0x10000 + ((code - 0xD800) << 10) + (nxt - 0xDC00), nxt
        elif 0xD800 <= code <= 0xDFFF:
            code = 0  # a lone surrogate cannot be stored or encoded
        ch = chr(code) if code else ""
        if ch in ("\r", "\n"):
            flush()
            continue
        pdfium_c.FPDFText_GetCharBox(raw, i, left, r, b, t)
        cur.append((ch, *display(left.value, b.value, r.value, t.value)))
    flush()
    return lines


# -- OCR: whole pages and image regions ---------------------------------------------------------------

def render_page(page, width: float, height: float, dpi: int) -> tuple[object, float] | None:
    """Render a PDFium page for OCR: (PIL image, pixels per point), or None when the page is too large
    to render at a resolution OCR can read. The bitmap never exceeds RENDER_MAX_SIDE on its longest side.
    """
    scale = dpi / 72
    longest = max(width, height)
    if longest <= 0 or not math.isfinite(longest):
        return None
    if longest * scale > RENDER_MAX_SIDE:
        scale = RENDER_MAX_SIDE / longest
    elif longest * scale < RENDER_MIN_SIDE:
        scale = RENDER_MIN_SIDE / longest
    if scale < RENDER_MIN_SCALE:
        return None
    return page.render(scale=scale, grayscale=False).to_pil(), scale


def _render(pdf: pdfium.PdfDocument, page: _Page, options: ParseOptions) -> tuple[object, float] | str:
    """The page rendered for OCR, as (image, scale), or why it cannot be: a clause for a warning."""
    if page.box_problem:
        return f"it has an unusable {page.box_problem}"
    pg = pdf[page.number - 1]
    try:
        rendered = render_page(pg, page.width, page.height, options.ocr_dpi)
    finally:
        pg.close()
    return rendered or f"it is too large to render ({page.width:g} × {page.height:g} pt)"


def _ocr_whole_page(pdf, page: _Page, reason: str, garbled: bool, options: ParseOptions,
                    out: ParsedContent) -> list[Line] | None:
    """OCR lines of the whole rendered page, or None (with a warning) when it is not OCR'd."""
    keeps = "; its text layer is not used" if garbled else "; its text layer is kept" if page.lines else ""
    if not options.ocr:
        out.warnings.append(f"page {page.number}: needs OCR ({reason}) but OCR is off{keeps}")
        out.ocr_needed.append(page.number)
        return None
    if len(out.ocr_pages) >= options.max_ocr_pages:
        out.warnings.append(f"page {page.number}: needs OCR ({reason}) but the limit of {options.max_ocr_pages} "
                            f"OCR pages was reached{keeps}")
        return None
    rendered = _render(pdf, page, options)
    if isinstance(rendered, str):
        out.warnings.append(f"page {page.number}: needs OCR ({reason}) but {rendered}{keeps}")
        return None
    from ingest.ocr import ocr_image

    image, scale = rendered
    out.warnings.append(f"page {page.number}: OCR ({reason})")
    out.ocr_pages.append(page.number)
    return ocr_image(image, scale=scale)


def image_regions(page: _Page, repeated: frozenset[int] = frozenset()) -> list[BBox]:
    """The parts of a page with a good text layer that embedded images may carry text in.

    Images found on several pages (`repeated` digests: logos, watermarks) and images a few pixels
    across (stretched rules and spacers) are left out; touching images are merged (scanners and
    converters build one picture from many strips); then icons and logos (small, or short ones in the
    margin bands), images the text layer already covers (a watermark under the body text, a scan with
    its own OCR text layer) and captioned figures (图1 …: charts and photos, whose tick labels would
    only add stray numbers) are left out.
    """
    boxes = [i.box for i in page.images if (i.digest is None or i.digest not in repeated)
             and (i.pixels == (0, 0) or min(i.pixels) >= _MIN_IMAGE_PX)]
    if not boxes:
        return []
    regions = _merge_boxes(boxes)
    area = page.width * page.height
    top_zone, bottom_zone = page.height * MARGIN, page.height * (1 - MARGIN)
    out = []
    for r in regions:
        w, h = r.x1 - r.x0, r.bottom - r.top
        if w * h < _MIN_REGION_SHARE * area or w < _MIN_REGION_SIDE[0] or h < _MIN_REGION_SIDE[1]:
            continue
        if (r.top < top_zone or r.bottom > bottom_zone) and h < _BAND_HEIGHT * page.height:
            continue
        if _covered(r, page.lines) >= _COVERED or _captioned(r, page.lines):
            continue
        out.append(r)
    out.sort(key=lambda b: (b.x1 - b.x0) * (b.bottom - b.top), reverse=True)
    return sorted(out[:_MAX_REGIONS], key=lambda b: (b.top, b.x0))


def _merge_boxes(boxes: list[BBox], gap: float = 2.0) -> list[BBox]:
    merged: list[BBox] = []
    for box in sorted(boxes, key=lambda b: (b.top, b.x0)):
        cur = box
        changed = True
        while changed:
            changed = False
            for i, m in enumerate(merged):
                if cur.x0 <= m.x1 + gap and m.x0 <= cur.x1 + gap and cur.top <= m.bottom + gap and m.top <= cur.bottom + gap:
                    cur = BBox(x0=min(cur.x0, m.x0), top=min(cur.top, m.top), x1=max(cur.x1, m.x1),
                               bottom=max(cur.bottom, m.bottom))
                    del merged[i]
                    changed = True
                    break
        merged.append(cur)
    return merged


def _overlap(a: BBox | Line, b: BBox | Line) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    return w * h if w > 0 and h > 0 else 0.0


def _covered(region: BBox, lines: list[Line]) -> float:
    area = (region.x1 - region.x0) * (region.bottom - region.top)
    return sum(_overlap(region, ln) for ln in lines) / area if area > 0 else 1.0


def _captioned(region: BBox, lines: list[Line]) -> bool:
    """A figure caption (图2 …) right below or above the image, across it."""
    for ln in lines:
        near = (0 <= ln.top - region.bottom <= 2.5 * ln.height) or (0 <= region.top - ln.bottom <= 2.5 * ln.height)
        across = min(ln.x1, region.x1) - max(ln.x0, region.x0) > 0
        if near and across and _FIGURE_CAPTION.match(ln.text):
            return True
    return False


def _ocr_image_regions(pdf, page: _Page, repeated: frozenset[int], options: ParseOptions,
                       out: ParsedContent) -> list[Line]:
    """OCR lines from the embedded images of a page whose text layer is good (see `image_regions`).

    The page is rendered once; each region is cropped from that render. OCR lines that repeat a
    text-layer line (the same place on the page) are dropped.
    """
    regions = image_regions(page, repeated)
    if not regions:
        return []
    if not options.ocr:
        out.warnings.append(f"page {page.number}: {_images(len(regions))} not OCR'd (OCR is off)")
        out.ocr_needed.append(page.number)
        return []
    if len(out.ocr_pages) >= options.max_ocr_pages:
        out.warnings.append(f"page {page.number}: {_images(len(regions))} not OCR'd (the limit of "
                            f"{options.max_ocr_pages} OCR pages was reached)")
        return []
    rendered = _render(pdf, page, options)
    if isinstance(rendered, str):
        out.warnings.append(f"page {page.number}: {_images(len(regions))} not OCR'd ({rendered})")
        return []
    from ingest.ocr import ocr_image

    image, scale = rendered
    pad = 3.0
    found: list[Line] = []
    for r in regions:
        x0, top = max(r.x0 - pad, 0.0), max(r.top - pad, 0.0)
        x1, bottom = min(r.x1 + pad, page.width), min(r.bottom + pad, page.height)
        crop = image.crop((int(x0 * scale), int(top * scale), math.ceil(x1 * scale), math.ceil(bottom * scale)))
        for ln in ocr_image(crop, scale=scale):
            found.append(Line(ln.text, ln.x0 + x0, ln.top + top, ln.x1 + x0, ln.bottom + top))
    kept = [ln for ln in found
            if sum(_overlap(ln, t) for t in page.lines) < 0.5 * (ln.x1 - ln.x0) * (ln.bottom - ln.top)]
    if kept:
        out.warnings.append(f"page {page.number}: OCR of {_images(len(regions))}; the text layer is kept")
        out.ocr_pages.append(page.number)
    return kept


def _images(n: int) -> str:
    return "1 embedded image" if n == 1 else f"{n} embedded images"


# -- tables -------------------------------------------------------------------------------------------

def _data_tables(found) -> list[tuple[BBox, list[list[str]]]]:
    """The tables worth keeping, cells without icon glyphs: at least two rows and two columns (a framed
    box is not a data table), and no cell longer than 300 characters (a layout table around a column)."""
    out = []
    for bbox, rows in found:
        rows = [[_PUA.sub("", c or "").strip() for c in row] for row in rows]
        rows = [r for r in rows if any(r)]
        if len(rows) < 2 or max(len(r) for r in rows) < 2 or max(len(c) for r in rows for c in r) > 300:
            continue
        out.append((bbox, rows))
    return out


def _plumber_tables(plumber, page: _Page) -> list[tuple[BBox, list[list[str]]]]:
    """pdfplumber's reading of the page's tables (`ParseOptions(pdf_tables="pdfplumber")`): the reference
    the tests hold `ingest.pdftables` to, and a second opinion for a difficult file."""
    ppage = plumber.pages[page.number - 1]
    found = []
    try:
        # pdfplumber's boxes are on the rotated page from the MediaBox's corner; ours from the crop box's
        dx = page.media_origin[0] - float(ppage.mediabox[0])
        dy = page.media_origin[1] - float(ppage.mediabox[1])
        for table in ppage.find_tables():
            x0, top, x1, bottom = table.bbox
            # pdfplumber gives "" for the spanned part of a merged cell, so merged text is not repeated
            found.append((BBox(x0=x0 + dx, top=top + dy, x1=x1 + dx, bottom=bottom + dy), table.extract()))
    except Exception as exc:  # pdfplumber raises assorted errors on odd pages; text still flows
        log.warning("table detection failed on page %s: %s", page.number, exc)
    finally:
        ppage.close()
    return _data_tables(found)
