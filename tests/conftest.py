"""Shared fixtures: the real corpus (skipped when ../shared is absent) and small documents built here."""

from __future__ import annotations

import io
import os
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


def ingest_into(data_dir, paths, *, uploader: str = "test", region: str | None = None, **settings) -> list[dict]:
    """Ingest files through the service's own path (a batch, a worker, the limited parser child) and
    return the batch's file rows."""
    from api.intake import LocalFile, ingest_local
    from api.settings import Settings
    from index import Store
    from index.queue import batch_files

    settings = Settings(data_dir=data_dir, **({"ocr": False} | settings))
    receipt = ingest_local(settings, [LocalFile(Path(p), Path(p).name) for p in paths], uploader=uploader,
                           region=region)
    store = Store(data_dir)
    try:
        return batch_files(store, receipt.batch_id)
    finally:
        store.close()


def cjk_font(size: int):
    """A Pillow font that draws Chinese: WenQuanYi Micro Hei (`make system` installs it), or skip."""
    from PIL import ImageFont

    found = sorted(Path("/usr/share/fonts").glob("**/wqy-*.tt[cf]"))
    if not found:
        pytest.skip("no CJK font (fonts-wqy-microhei) to draw Chinese text with")
    return ImageFont.truetype(str(found[0]), size)


def text_image(lines: list[str], *, size: int = 36, color: str | tuple[int, int, int] = "black"):
    """A white RGB picture of Chinese text lines (a scanned attachment, a screenshot of a table)."""
    from PIL import Image, ImageDraw

    font = cjk_font(size)
    width = max(int(font.getlength(line)) for line in lines) + 2 * size
    image = Image.new("RGB", (width, len(lines) * size * 2 + size), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((size, size // 2 + i * size * 2), line, font=font, fill=color)
    return image


def png_bytes(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def rebuild_xref(data: bytes) -> bytes:
    """Re-serialise a reportlab PDF after its bytes were edited: objects in order, a correct xref table.

    Tests edit dictionaries in place (a /Kids loop, a lying /Count, a MediaBox) or append objects
    (`N 0 obj … endobj` before the xref) and need the file otherwise intact, so that the only damage
    PDFium sees is the one under test. reportlab writes streams ASCII85-encoded, so "endobj" cannot
    occur inside one.
    """
    import re

    out = bytearray(data[: data.index(b"1 0 obj")])
    offsets: dict[int, int] = {}
    for m in re.finditer(rb"(\d+) 0 obj\b.*?endobj\s*", data, re.S):
        offsets[int(m.group(1))] = len(out)
        out += m.group(0)
    size = max(offsets) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for i in range(1, size):
        out += b"%010d 00000 n \n" % offsets[i] if i in offsets else b"0000000000 65535 f \n"
    trailer = re.search(rb"trailer\s*<<.*?>>\s*(?=startxref)", data, re.S).group(0)
    out += re.sub(rb"/Size \d+", b"/Size %d" % size, trailer) + b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


@pytest.fixture(scope="session")
def s3_server():
    """An S3-compatible server on loopback (moto's), for the object store: yields its endpoint URL."""
    moto_server = pytest.importorskip("moto.server")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture()
def s3_bucket(s3_server):
    """A fresh bucket: yields its store URL (s3://bucket/prefix?endpoint=…)."""
    import uuid

    import boto3

    name = f"jili-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1").create_bucket(Bucket=name)
    return f"s3://{name}/originals?endpoint={s3_server}"
