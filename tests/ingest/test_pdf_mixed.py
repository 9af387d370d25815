"""Pages that mix a good text layer with pictures of text (a scanned attachment, a stamped approval
pasted into a report) OCR only the pictures; pages without a text layer are OCR'd whole."""

from __future__ import annotations

from io import BytesIO

import pytest

from ingest import ParseOptions, parse_document
from ingest.model import BBox, SegmentKind, Source
from ingest.pdf import _Image, _Page, image_regions
from ingest.quality import measure
from tests.conftest import png_bytes, text_image

OPTS = ParseOptions()
ABOVE = ["一、基本情况", "全区新建高标准农田3.2万亩，完成投资1.8亿元。", "项目验收意见附后。"]
BELOW = ["二、主要做法", "建立县乡村三级管护机制，落实管护资金。"]
SCAN = ["高标准农田建设项目验收意见", "经现场核查，项目建设内容全部完成，", "工程质量合格，同意通过验收。"]


def page_pdf(pages: list[tuple[list[str], object, list[str]]], *, image_width: float = 340,
             caption: str | None = None) -> bytes:
    """A4 pages of text lines (STSong, a real text layer) around an optional embedded PNG picture."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for above, image, below in pages:
        y = A4[1] - 110
        c.setFont("STSong-Light", 14)
        for line in above:
            c.drawString(80, y, line)
            y -= 24
        if image is not None:
            h = image_width * image.height / image.width
            c.drawImage(ImageReader(BytesIO(png_bytes(image))), 80, y - h, image_width, h)
            y -= h + 24
            if caption:
                c.drawString(80, y, caption)
                y -= 24
        for line in below:
            c.drawString(80, y, line)
            y -= 24
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.ocr
def test_a_scanned_attachment_on_a_text_page_is_ocrd_alone_and_read_in_place():
    doc = parse_document(page_pdf([(ABOVE, text_image(SCAN), BELOW)]), "report.pdf", OPTS)
    assert doc.ocr_pages == [1]
    assert "page 1: OCR of 1 embedded image; the text layer is kept" in doc.warnings
    top = [s for s in doc.segments if s.parent is None]
    text = [s.text for s in top if s.source is Source.TEXT]
    ocr = "".join(s.text for s in top if s.source is Source.OCR)
    # the text layer is taken as it is, not re-read by OCR
    assert text == ["一、基本情况", "全区新建高标准农田3.2万亩，完成投资1.8亿元。项目验收意见附后。", "二、主要做法",
                    "建立县乡村三级管护机制，落实管护资金。"]
    assert "同意通过验收" in ocr and "验收意见" in ocr and "高标准农田" not in ocr.replace("高标准农田建设项目", "")
    # OCR boxes are taller than glyph boxes: the picture's body lines are not taken for headings
    assert all(s.kind is SegmentKind.PARAGRAPH for s in top if s.source is Source.OCR)
    # the picture's lines sit where the picture is: after the text above it, before the text below it
    order = [s.source for s in top]
    assert order.index(Source.OCR) > 1 and max(i for i, s in enumerate(order) if s is Source.OCR) < len(order) - 2
    assert doc.text.index("附后") < doc.text.index("同意通过验收") < doc.text.index("二、主要做法")


@pytest.mark.ocr
def test_a_page_with_no_text_layer_but_a_picture_is_ocrd_whole():
    doc = parse_document(page_pdf([(["附件"], text_image(SCAN), [])], image_width=420), "scan.pdf", OPTS)
    assert doc.ocr_pages == [1]
    assert "page 1: OCR (no text layer (image-only page))" in doc.warnings
    assert {s.source for s in doc.segments} == {Source.OCR}
    assert "同意通过验收" in doc.text and "附件" in doc.text


def test_with_ocr_off_a_mixed_page_keeps_its_text_layer_and_says_what_was_not_read():
    doc = parse_document(page_pdf([(ABOVE, text_image(SCAN), BELOW)]), "report.pdf",
                         ParseOptions(ocr=False))
    assert doc.ocr_pages == [] and "项目验收意见附后。" in doc.text
    assert "page 1: 1 embedded image not OCR'd (OCR is off)" in doc.warnings
    assert doc.ocr_needed == [1]  # the service hands such a file to an OCR worker


def test_with_ocr_off_an_image_only_page_keeps_the_little_text_it_has():
    doc = parse_document(page_pdf([(["附件"], text_image(SCAN), [])], image_width=420), "scan.pdf",
                         ParseOptions(ocr=False))
    assert doc.text == "附件" and doc.ocr_needed == [1]
    assert ("page 1: needs OCR (no text layer (image-only page)) but OCR is off; its text layer is kept"
            in doc.warnings)


def test_captioned_figures_small_logos_and_pictures_repeated_on_every_page_are_not_ocrd(monkeypatch):
    import ingest.ocr

    monkeypatch.setattr(ingest.ocr, "ocr_image", lambda *a, **k: pytest.fail("nothing here should be OCR'd"))
    figure = page_pdf([(ABOVE, text_image(SCAN), BELOW)], caption="图1 项目建设现场")
    logo = page_pdf([(ABOVE, text_image(["督查激励"], size=20), BELOW)], image_width=60)
    letterhead = text_image(["重庆市某某县农业农村委员会"], size=30)
    repeated = page_pdf([(ABOVE, letterhead, BELOW), (BELOW, letterhead, ABOVE)], image_width=300)
    for name, data in (("figure", figure), ("logo", logo), ("repeated", repeated)):
        doc = parse_document(data, f"{name}.pdf", OPTS)
        assert doc.ocr_pages == [] and doc.ocr_needed == [], name
        assert not any("embedded image" in w for w in doc.warnings), name


def _page(images: list[BBox], lines=()) -> _Page:
    return _Page(1, 595, 842, list(lines), measure("正文" * 50), [_Image(b, (1000, 40)) for b in images])


def test_image_strips_of_one_scan_are_one_region_and_a_covered_image_is_none():
    from ingest.layout import Line

    strips = [BBox(x0=50, top=200 + 20 * i, x1=545, bottom=220 + 20 * i) for i in range(20)]
    assert image_regions(_page(strips)) == [BBox(x0=50, top=200, x1=545, bottom=600)]
    # a watermark or a scan with its own text layer: text lines already run across the picture
    lines = [Line("正文" * 20, 50, 210 + 30 * i, 545, 226 + 30 * i) for i in range(13)]
    assert image_regions(_page(strips, lines)) == []
