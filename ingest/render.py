"""Page images for citations: one PDF page rendered to PNG, within a pixel budget.

Runs in a limited child (the service never renders in a server process). A page whose size is absurd
(a MediaBox of 10^9 points) is refused with a typed error instead of allocating a huge bitmap.
"""

from __future__ import annotations

import io

from ingest.errors import CorruptFileError, IngestError

MAX_PIXELS = 24_000_000  # about 4900 x 4900: an A4 page at 3x is 1786 x 2526


class RenderError(IngestError):
    code = "render_failed"


def render_page_png(path: str, number: int, scale: float, max_pixels: int = MAX_PIXELS) -> bytes:
    """Page `number` (1-based) of the PDF at `path` as PNG bytes, at `scale` or less to fit `max_pixels`."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise CorruptFileError(f"the PDF cannot be opened ({exc})") from exc
    try:
        if not 1 <= number <= len(pdf):
            raise RenderError(f"the document has {len(pdf)} pages")
        page = pdf[number - 1]
        try:
            width, height = page.get_size()
            if not (width > 0 and height > 0) or width * height > 1e10:
                raise RenderError(f"page {number} has an unusable size ({width:.0f} x {height:.0f} points)")
            fit = (max_pixels / (width * height)) ** 0.5
            scale = min(scale, fit)
            if width * scale < 16 or height * scale < 16:
                raise RenderError(f"page {number} is too large to render ({width:.0f} x {height:.0f} points)")
            image = page.render(scale=scale).to_pil()
        finally:
            page.close()
    finally:
        pdf.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
