"""Shared fixtures: the real corpus (skipped when ../shared is absent) and small documents built here."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REAL = SHARED / "corpora" / "real"
REAL_TEXT = SHARED / "corpora" / "real-text"


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip("the real corpus (../shared/corpora/real) is not available")
    return REAL


def make_pdf(pages: list[list[tuple[str, str]]], *, header: str | None = None, page_numbers: bool = True,
             encrypt: str | None = None, columns: bool = False, table: list[list[str]] | None = None) -> bytes:
    """A 公文-like A4 PDF with the CID font STSong-Light (not embedded, as in typeset 公文).

    `pages` is a list of pages, each a list of (style, text) with style in title/heading/body.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    kwargs = {}
    if encrypt:
        from reportlab.lib import pdfencrypt

        kwargs["encrypt"] = pdfencrypt.StandardEncryption(encrypt, canPrint=0)
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, **kwargs)
    width, height = A4
    for number, page in enumerate(pages, start=1):
        y = height - 37 * mm
        if header:
            c.setFont("STSong-Light", 9)
            c.drawString(28 * mm, height - 15 * mm, header)
        col_x = [28 * mm, width / 2 + 5 * mm] if columns else [28 * mm]
        col_w = (width / 2 - 33 * mm) if columns else (width - 56 * mm)
        col = 0
        for style, text in page:
            size = {"title": 20, "heading": 16, "body": 14}[style]
            c.setFont("STSong-Light", size)
            if style == "title":
                c.drawCentredString(width / 2, y, text)
                y -= size * 2
                continue
            per_line = int(col_w // size)
            indent = 2 if style == "body" else 0
            chunks = []
            rest = text
            first = True
            while rest:
                n = per_line - (indent if first else 0)
                chunks.append((first, rest[:n]))
                rest = rest[n:]
                first = False
            for is_first, chunk in chunks:
                x = col_x[col] + (indent * size if is_first else 0)
                c.drawString(x, y, chunk)
                y -= size * 1.6
                if y < 30 * mm:
                    if columns and col == 0:
                        col, y = 1, height - 37 * mm
                    else:
                        break
            y -= size * 0.4
        if table:
            c.setFont("STSong-Light", 11)
            x0, row_h, col_w2 = 28 * mm, 8 * mm, 45 * mm
            top = y - 5 * mm
            for r, row in enumerate(table):
                for k, cell in enumerate(row):
                    c.rect(x0 + k * col_w2, top - (r + 1) * row_h, col_w2, row_h)
                    c.drawString(x0 + k * col_w2 + 2 * mm, top - (r + 1) * row_h + 2.5 * mm, cell)
        if page_numbers:
            c.setFont("STSong-Light", 12)
            c.drawCentredString(width / 2, 15 * mm, f"— {number} —")
        c.showPage()
    c.save()
    return buf.getvalue()
