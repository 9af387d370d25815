"""Hostile and damaged PDFs end in a truthful outcome: the right typed error, or the text with a
warning that names what PDFium had to repair. Each file is a reportlab PDF with its bytes edited."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest

from ingest import ParseOptions, parse_document
from ingest.errors import EncryptedFileError
from ingest.pdf import RENDER_MAX_SIDE, parse_pdf, render_page
from tests.conftest import make_pdf, png_bytes, rebuild_xref, text_image

OPTS = ParseOptions()
PAGES = [[("body", "第一页：全区新建高标准农田3.2万亩。")], [("body", "第二页：建立县乡村三级管护机制。")]]
A4_BOX = b"/MediaBox [ 0 0 595.2756 841.8898 ]"


def two_pages() -> bytes:
    return make_pdf(PAGES, page_numbers=False)


@pytest.mark.parametrize("handler", [b"/Filter /FOOBAR", b"/Filter /Adobe.PubSec /SubFilter /adbe.pkcs7.s5"])
def test_an_unsupported_security_handler_is_reported_as_encrypted_not_corrupt(handler):
    data = rebuild_xref(make_pdf(PAGES, encrypt="secret").replace(b"/Filter /Standard", handler))
    with pytest.raises(EncryptedFileError, match="unsupported security handler") as err:
        parse_document(data, "locked.pdf", OPTS)
    assert err.value.code == "encrypted" and "locked.pdf" in str(err.value)


def test_a_kids_entry_pointing_back_to_the_root_gives_each_page_once():
    data = two_pages()
    assert b"/Count 2 /Kids [ 4 0 R 5 0 R ]" in data  # the root /Pages is object 8
    looped = rebuild_xref(data.replace(b"/Count 2 /Kids [ 4 0 R 5 0 R ]", b"/Count 3 /Kids [ 4 0 R 8 0 R 5 0 R ]"))
    doc = parse_document(looped, "loop.pdf", OPTS)
    assert doc.text.count("第一页") == 1 and doc.text.count("第二页") == 1
    assert doc.pages == 2
    assert "PDF: the page tree loops back on itself; each page was read once" in doc.warnings
    assert "PDF: the page tree claims 3 pages but has 2" in doc.warnings
    assert not any("could not be read" in w for w in doc.warnings)


def test_a_page_listed_three_times_is_read_once():
    data = two_pages().replace(b"/Count 2 /Kids [ 4 0 R 5 0 R ]", b"/Count 4 /Kids [ 4 0 R 5 0 R 4 0 R 4 0 R ]")
    doc = parse_document(rebuild_xref(data), "repeat.pdf", OPTS)
    assert doc.text.count("第一页") == 1 and doc.text.count("第二页") == 1
    assert doc.pages == 2
    assert "PDF: the page tree lists the same page more than once; each page was read once" in doc.warnings


def test_two_pages_with_the_same_text_in_a_sound_tree_both_stay():
    doc = parse_document(make_pdf([PAGES[0], PAGES[0]], page_numbers=False), "twice.pdf", OPTS)
    assert doc.pages == 2 and doc.text.count("第一页") == 2
    assert not any("page tree" in w for w in doc.warnings)


def test_a_startxref_pointing_nowhere_is_rebuilt_with_a_warning():
    data = re.sub(rb"startxref\s+\d+", b"startxref\n99999", two_pages())
    doc = parse_document(data, "xref.pdf", OPTS)
    assert "第一页" in doc.text and "第二页" in doc.text
    assert "PDF: the cross-reference table was damaged and rebuilt" in doc.warnings


def test_a_missing_xref_table_is_rebuilt_with_a_warning():
    data = two_pages()
    cut = data[: data.rindex(b"\nxref") + 1] + b"trailer\n<< /Root 6 0 R >>\n%%EOF\n"
    doc = parse_document(cut, "noxref.pdf", OPTS)
    assert "第二页" in doc.text
    assert "PDF: the cross-reference table was damaged and rebuilt" in doc.warnings


def test_a_sound_pdf_has_no_repair_warnings():
    assert parse_document(two_pages(), "ok.pdf", OPTS).warnings == []


@pytest.mark.parametrize("count", [9, 100_000])
def test_a_count_that_lies_gives_the_pages_that_exist(count):
    data = rebuild_xref(two_pages().replace(b"/Count 2", b"/Count %d" % count))
    doc = parse_document(data, "count.pdf", OPTS)
    assert doc.pages == 2 and "第一页" in doc.text and "第二页" in doc.text
    assert f"PDF: the page tree claims {count} pages but has 2" in doc.warnings
    assert not any("could not be read" in w for w in doc.warnings)


def test_a_count_beyond_the_page_limit_that_is_true_still_stops_the_file():
    from ingest.errors import LimitExceededError

    with pytest.raises(LimitExceededError, match="3 pages"):
        parse_document(make_pdf(PAGES + PAGES[:1]), "long.pdf", ParseOptions(max_pages=2))


@pytest.mark.parametrize(
    ("box", "shown"),
    [(b"/MediaBox [ 0 0 1000000000 1000000000 ]", "MediaBox (1e+09 × 1e+09 pt)"),
     (b"/MediaBox [ 0 0 1e9 1e9 ]", "MediaBox (0 × 0 pt)"),  # not a PDF number: PDFium reads it as 0
     (b"/MediaBox [ 0 0 0 0 ]", "MediaBox (0 × 0 pt)"),
     (b"/MediaBox [ 0 0 595 0 ]", "MediaBox (595 × 0 pt)"),
     (A4_BOX + b" /CropBox [ 1000 1000 1200 1200 ]", "CropBox (0 × 0 pt)")],  # crops to nothing
)
def test_an_unusable_page_box_keeps_the_text_and_says_the_page_is_not_rendered(box, shown):
    data = rebuild_xref(two_pages().replace(A4_BOX, box, 1))
    doc = parse_document(data, "box.pdf", OPTS)
    assert "第一页：全区新建高标准农田3.2万亩。" in doc.text and "第二页" in doc.text
    assert f"PDF: page 1 has an unusable {shown}; the text was read, the page is not rendered" in doc.warnings
    assert doc.furniture == [] and doc.ocr_pages == []


def _image_only_page(box: bytes) -> bytes:
    """One page holding only a picture of text (it needs OCR), with its MediaBox replaced."""
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.drawImage(ImageReader(BytesIO(png_bytes(text_image(["扫描件：验收意见"])))), 100, 500, 300, 60)
    c.showPage()
    c.save()
    return rebuild_xref(buf.getvalue().replace(A4_BOX, box, 1))


def test_a_page_that_needs_ocr_but_has_an_absurd_box_is_not_rendered(monkeypatch):
    rendered = []
    monkeypatch.setattr(pdfium.PdfPage, "render", lambda self, **kw: rendered.append(kw) or 1 / 0)
    content = parse_pdf(_image_only_page(b"/MediaBox [ 0 0 1000000000 1000000000 ]"), "huge.pdf", OPTS)
    assert rendered == [] and content.ocr_pages == []
    assert ("page 1: needs OCR (no text layer (image-only page)) but it has an unusable MediaBox "
            "(1e+09 × 1e+09 pt)") in content.warnings


def test_a_page_too_large_to_ocr_is_a_warning_and_no_bitmap_exceeds_the_cap(monkeypatch):
    sizes = []
    real = pdfium.PdfPage.render

    def spy(self, scale=1, **kw):
        w, h = self.get_size()
        sizes.append((w * scale, h * scale))
        return real(self, scale=scale, **kw)

    monkeypatch.setattr(pdfium.PdfPage, "render", spy)
    content = parse_pdf(_image_only_page(b"/MediaBox [ 0 0 14400 14400 ]"), "poster.pdf", OPTS)
    assert ("page 1: needs OCR (no text layer (image-only page)) but it is too large to render "
            "(14400 × 14400 pt)") in content.warnings
    assert content.ocr_pages == [] and sizes == []
    pdf = pdfium.PdfDocument(_image_only_page(b"/MediaBox [ 0 0 2384 3370 ]"))  # A0: large, still readable
    image, scale = render_page(pdf[0], 2384, 3370, 144)
    assert max(image.size) <= RENDER_MAX_SIDE and scale == pytest.approx(RENDER_MAX_SIDE / 3370)
