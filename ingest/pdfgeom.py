"""PDF page geometry: from PDF user space to the page as displayed, and the matrices of page objects.

Every box jili takes from a PDF (text lines, images, ruling lines, table cells) is mapped onto the page
as a reader sees it: the /Rotate turned and the crop box's top-left corner as the origin, y growing
downwards, in points. The renderer, OCR and the UI's boxes over page images use the same frame.
"""

from __future__ import annotations

import math

import pypdfium2.raw as pdfium_c

# the PDF page size limits (ISO 32000, Annex C): 3 to 14,400 units a side
_MIN_SIDE, _MAX_SIDE = 3.0, 14_400.0
LETTER = (0.0, 0.0, 612.0, 792.0)  # what PDFium lays an unusable page box out on

Box = tuple[float, float, float, float]


def page_frame(page) -> tuple[int, Box, Box, str | None]:
    """The page's rotation, the box PDFium displays (crop box within media box), its MediaBox, and why
    the page box is unusable (then the page is laid out on a Letter page and never rendered)."""
    rotation = page.get_rotation() % 360
    mediabox = left, bottom, right, top = page.get_mediabox()
    w, h = abs(right - left), abs(top - bottom)
    if not (math.isfinite(w) and math.isfinite(h)) or min(w, h) < _MIN_SIDE or max(w, h) > _MAX_SIDE:
        return 0, LETTER, LETTER, f"MediaBox ({w:g} × {h:g} pt)"
    box = page.get_bbox()
    cw, ch = box[2] - box[0], box[3] - box[1]
    if min(cw, ch) < _MIN_SIDE:  # a crop box outside the MediaBox leaves nothing to show
        return 0, LETTER, LETTER, f"CropBox ({cw:g} × {ch:g} pt)"
    return rotation, box, mediabox, None


def to_display(rotation: int, box: Box):
    """A map from a box in PDF user space (left, bottom, right, top) to the displayed page
    (x0, top, x1, bottom): /Rotate turns the page clockwise, y grows downwards from the box's top-left."""
    x0, y0, x1, y1 = box
    if rotation == 90:
        return lambda left, bottom, right, top: (bottom - y0, left - x0, top - y0, right - x0)
    if rotation == 180:
        return lambda left, bottom, right, top: (x1 - right, bottom - y0, x1 - left, top - y0)
    if rotation == 270:
        return lambda left, bottom, right, top: (y1 - top, x1 - right, y1 - bottom, x1 - left)
    return lambda left, bottom, right, top: (left - x0, y1 - top, right - x0, y1 - bottom)


Matrix = tuple[float, float, float, float, float, float]


def matrix(obj) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def compose(inner: Matrix, outer: Matrix | None) -> Matrix:
    """`inner` then `outer` (a form inside a form): PDF's row-vector convention, inner × outer."""
    if outer is None:
        return inner
    a1, b1, c1, d1, e1, f1 = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def walk_objects(page, max_depth: int = 3):
    """Yield (object, kind, matrix of its form or None) for every page object that is not a form XObject,
    descending into forms `max_depth` deep. Walks PDFium's object lists directly, without pypdfium2's
    wrapper objects: a table page holds hundreds of objects."""
    get_page_obj, get_form_obj = pdfium_c.FPDFPage_GetObject, pdfium_c.FPDFFormObj_GetObject
    get_type, form = pdfium_c.FPDFPageObj_GetType, pdfium_c.FPDF_PAGEOBJ_FORM
    # (container, object count, next index, page-space matrix of the container or None for the page)
    stack: list[tuple[object, int, int, Matrix | None]] = [
        (page.raw, pdfium_c.FPDFPage_CountObjects(page.raw), 0, None)]
    while stack:
        parent, count, i, outer = stack.pop()
        if i >= count:
            continue
        stack.append((parent, count, i + 1, outer))
        obj = get_page_obj(parent, i) if outer is None else get_form_obj(parent, i)
        if not obj:
            continue
        kind = get_type(obj)
        if kind == form:
            if len(stack) <= max_depth:
                stack.append((obj, pdfium_c.FPDFFormObj_CountObjects(obj), 0, compose(matrix(obj), outer)))
            continue
        yield obj, kind, outer

