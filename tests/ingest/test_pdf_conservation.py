"""Every character of a PDF text layer ends in the document text or its furniture, exactly once.

Checked against PDFium's own raw text of every page (`get_text_range`, a multiset of CJK characters)
on every real text-layer PDF, OCR off. Pages whose text layer the quality gate rejects as garbled are
OCR'd in production and left out here; which pages those are is asserted, so the exclusion cannot
silently grow. Private Use Area glyphs (icon fonts) are dropped from clean pages with a warning.
"""

from __future__ import annotations

import re
from collections import Counter

import pypdfium2 as pdfium
import pytest

from ingest import ParseOptions, parse_document
from ingest.builder import build_document
from ingest.model import InputFormat
from ingest.pdf import parse_pdf
from tests.conftest import make_pdf, rebuild_xref

OFF = ParseOptions(ocr=False)

# the pages whose text layer is garbled (wrong ToUnicode maps, GBK read as Latin-1): OCR'd in production
GARBLED = {
    "customs_form_bad_tounicode_1p.pdf": [1],
    "gmt0031_standard_garbled_11p.pdf": list(range(1, 12)),
    "paper_gbk_font_no_tounicode_garbled_1p.pdf": [1],
}
_NOT_USED = re.compile(r"^page (\d+): needs OCR \(.+\) but OCR is off; its text layer is not used$")


def cjk(text: str) -> Counter:
    return Counter(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")


_DROPPED = re.compile(r"[\s\x00-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff\u00ad\ue000-\uf8ff\U000f0000-\U0010ffff]")


def visible(text: str) -> Counter:
    """Every character but spaces, control and zero-width characters (the cleaner drops them) and icon
    glyphs (dropped with a warning)."""
    return Counter(_DROPPED.sub("", text))


def real_pdfs():
    from tests.conftest import REAL

    return sorted((REAL / "pdf").glob("*.pdf")) if REAL.is_dir() else []


@pytest.mark.real
@pytest.mark.parametrize("path", real_pdfs(), ids=lambda p: p.name)
def test_the_text_layer_is_kept_once(real_dir, path):
    data = path.read_bytes()
    content = parse_pdf(data, path.name, OFF)
    excluded = sorted(int(m.group(1)) for w in content.warnings if (m := _NOT_USED.match(w)))
    assert excluded == GARBLED.get(path.name, [])
    assert set(excluded) <= set(content.ocr_needed)  # and they are handed to OCR in production
    doc = build_document(content, data=data, filename=path.name, fmt=InputFormat.PDF, options=OFF)

    pdf = pdfium.PdfDocument(data)
    try:
        raw = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)) if i + 1 not in excluded)
    finally:
        pdf.close()
    out = doc.text + "\n" + "\n".join(f.text for f in doc.furniture)
    if path.name in GARBLED and len(GARBLED[path.name]) == doc.pages:
        assert raw == "" and cjk(out) == Counter()  # every page is left to OCR
        return
    for count in (cjk, visible):  # the brief's measure, then every character
        reference, got = count(raw), count(out)
        total = sum(reference.values())
        kept, extra = sum((reference & got).values()), sum((got - reference).values())
        assert total > 0
        assert kept / total >= 0.995, f"{count.__name__} lost: {''.join((reference - got).elements())[:80]}"
        assert extra <= 0.01 * total, f"{count.__name__} extra: {''.join((got - reference).elements())[:80]}"


@pytest.mark.real
def test_the_rotated_e_invoice_keeps_its_passenger_fields_and_tables_once(real_dir):
    doc = parse_document((real_dir / "pdf" / "e_invoice_form_1p.pdf").read_bytes(), "e.pdf", OFF)
    for field in ("旅客姓名", "王某某", "有效身份证件号码", "国内国际标识"):
        assert doc.text.count(field) == 1, field
    assert doc.text.count("中国南方航空股份有限公司") == 1
    # the page is /Rotate 90: boxes are on the page as displayed, top-left first
    first = next(s for s in doc.segments if s.parent is None)
    assert first.text == "仅供预览" and first.bbox.top < 40 and first.bbox.x0 < 60


@pytest.mark.real
def test_icon_font_glyphs_of_the_browser_printed_notice_are_dropped_with_a_warning(real_dir):
    doc = parse_document((real_dir / "pdf" / "procurement_notice_browser_print_2p.pdf").read_bytes(), "n.pdf",
                         ParseOptions())
    assert "\ue778" not in doc.text and "\ue6e0" not in doc.text
    assert not re.search("[\ue000-\uf8ff]", doc.text + "".join(f.text for f in doc.furniture))
    assert "page 1: 2 icon-font glyphs (Private Use Area) removed" in doc.warnings
    assert "page 2: 1 icon-font glyph (Private Use Area) removed" in doc.warnings
    assert doc.ocr_pages == []


# -- PUA glyphs in a PDF built here: Helvetica with a ToUnicode map that sends letters to the PUA ----

def _with_pua(text_by_letter: dict[str, str], body: str) -> bytes:
    """A page with `body` in STSong and a Helvetica line whose letters map to code points in the PUA."""
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setFont("STSong-Light", 14)
    for i, line in enumerate(body.split("\n")):
        c.drawString(80, 760 - 24 * i, line)
    c.setFont("Helvetica", 14)
    c.drawString(80, 300, " ".join(text_by_letter))
    c.showPage()
    c.save()
    data = buf.getvalue()

    def utf16(cp: str) -> str:
        return cp.encode("utf-16-be").hex().upper()

    pairs = "".join(f"<{ord(k):02X}> <{utf16(v)}>\n" for k, v in text_by_letter.items()) + "<20> <0020>\n"
    cmap = (f"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Pua def "
            f"1 begincodespacerange <00> <FF> endcodespacerange {len(text_by_letter) + 1} beginbfchar\n"
            f"{pairs}endbfchar endcmap CMapName currentdict /CMap defineresource pop end end").encode()
    stream = b"99 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (len(cmap), cmap)
    font = b"/BaseFont /Helvetica /Encoding /WinAnsiEncoding /Name /F1"
    assert font in data
    data = data.replace(font, font + b" /ToUnicode 99 0 R")
    xref = data.rindex(b"\nxref") + 1
    return rebuild_xref(data[:xref] + stream + data[xref:])


BODY = "一、基本情况\n全区新建高标准农田3.2万亩，完成投资1.8亿元，带动就业1.2万人。\n" \
       "二、主要做法\n建立县乡村三级管护机制，落实管护资金，开展季度巡查。"


def test_a_few_icon_glyphs_on_a_clean_page_are_removed_and_the_page_is_not_ocrd():
    data = _with_pua({"a": "\ue778", "b": "\ue6e0", "c": "\U000f0001"}, BODY)
    doc = parse_document(data, "icons.pdf", ParseOptions())
    assert doc.ocr_pages == [] and "高标准农田3.2万亩" in doc.text
    assert not re.search("[\ue000-\uf8ff\U000f0000-\U0010ffff]", doc.text)
    assert "page 1: 3 icon-font glyphs (Private Use Area) removed" in doc.warnings


def test_a_page_set_mostly_in_a_font_that_maps_to_the_pua_still_goes_to_ocr():
    letters = "abcdefghijklmnopqrstuvwxyz"
    data = _with_pua({ch: chr(0xE100 + i) for i, ch in enumerate(letters)}, "附件")
    content = parse_pdf(data, "broken.pdf", OFF)
    assert any(re.match(r"page 1: needs OCR \(Private Use Area characters \(26\)\) but OCR is off; "
                        r"its text layer is not used", w) for w in content.warnings), content.warnings
    assert not any("\ue100" <= ch <= "\ue119" for b in content.blocks for ch in b.text)


def test_text_layer_and_table_text_appear_once_on_a_rotated_page():
    table = [["指标", "2021年", "2022年"], ["固定资产投资", "120.5", "131.2"], ["新增企业", "36", "42"]]
    data = make_pdf([[("body", "新增限额以上商贸企业42家，建成特色商业街区5条。")]], table=table)
    rotated = rebuild_xref(data.replace(b"/Rotate 0", b"/Rotate 90"))
    straight = parse_document(data, "t.pdf", OFF)
    turned = parse_document(rotated, "r.pdf", OFF)
    assert cjk(turned.text) == cjk(straight.text)
    # turned a quarter, the table's rows are its columns: the same cells, each once
    assert sorted(s.text for s in turned.segments if s.kind.value == "table_cell") == \
        sorted(s.text for s in straight.segments if s.kind.value == "table_cell")
    assert turned.text.count("固定资产投资") == 1 and turned.text.count("商贸企业") == 1
