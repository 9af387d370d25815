"""OFD (GB/T 33190): text from what each page draws, laid out like PDF text.

Synthetic packages are built here with lxml (`make_ofd`); the 8 real files are read in place from
../shared/corpora/ofd (see its MANIFEST.md) and those tests skip when the folder is absent.
"""

from __future__ import annotations

import io
import itertools
import zipfile

import pytest
from lxml import etree
from lxml.builder import ElementMaker

from ingest import InputFormat, ParseOptions, Source, parse_bytes, parse_document, parse_path
from ingest.clean import cjk_count
from ingest.errors import CorruptFileError, EncryptedFileError, LimitExceededError, NoTextError
from ingest.ofd import MM, expand_deltas
from ingest.sniff import sniff_format
from tests.conftest import SHARED

OPTS = ParseOptions(ocr=False)
NS = "http://www.ofdspec.org/2016"
E = ElementMaker(namespace=NS, nsmap={"ofd": NS})
_ids = itertools.count(100)


# -- a tiny OFD builder ---------------------------------------------------------------------------------

def text(s: str, x: float, y: float, *, size: float = 5.0, delta_x: str | None = None, ctm: str | None = None,
         font: str = "2", **attrs: str):
    """A TextObject whose Boundary starts at (x, y) mm; the first glyph's baseline is `size` below it."""
    code = {"X": "0", "Y": str(size)}
    if len(s) > 1:
        code["DeltaX"] = delta_x if delta_x is not None else f"g {len(s) - 1} {size}"
    box = f"{x} {y} {size * len(s) + 2} {size * 1.4}"
    extra = {"CTM": ctm} if ctm else {}
    return E.TextObject(E.TextCode(s, **code), ID=str(next(_ids)), Boundary=box, Font=font, Size=str(size),
                        **extra, **attrs)


def paragraph(s: str, x: float, y: float, *, size: float = 5.0, per_line: int = 28) -> list:
    """A body paragraph: first line indented two characters, following lines at `x`, 1.6 x size apart."""
    out, first, line = [], True, 0
    while s:
        n = per_line - (2 if first else 0)
        out.append(text(s[:n], x + (2 * size if first else 0), y + line * size * 1.6, size=size))
        s, first, line = s[n:], False, line + 1
    return out


def _xml(el) -> bytes:
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8")


def make_ofd(pages: list[list], *, templates: dict[str, tuple[str, str, list]] | None = None,
             uses: dict[int, list[tuple[str, str]]] | None = None, units: dict[str, list] | None = None,
             media: dict[str, str] | None = None, parts: dict[str, bytes] | None = None,
             info: dict[str, str] | None = None, signatures: str | None = None,
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An OFD package: OFD.xml -> Doc_0/Document.xml -> one Content.xml per page (one Layer each).

    templates: ID -> (BaseLoc as Document.xml writes it, path stored in the zip, objects);
    uses: page index -> [(TemplateID, ZOrder)]; units: CompositeGraphicUnit ID -> its Content objects;
    media: MultiMedia ID -> file name under Doc_0/Res; parts: further files stored as given.
    """
    files: dict[str, bytes] = {}
    docinfo = E.DocInfo(E.DocID("0f0f"), *(getattr(E, k)(v) for k, v in (info or {}).items()))
    body = E.DocBody(docinfo, E.DocRoot("Doc_0/Document.xml"))
    if signatures:
        body.append(E.Signatures(signatures))
    files["OFD.xml"] = _xml(E.OFD(body, Version="1.0", DocType="OFD"))
    common = E.CommonData(E.MaxUnitID("999"), E.PageArea(E.PhysicalBox("0 0 210 297")),
                          E.PublicRes("PublicRes.xml"), E.DocumentRes("DocumentRes.xml"))
    for tid, (written, stored, objects) in (templates or {}).items():
        common.append(E.TemplatePage(ID=tid, BaseLoc=written))
        files[stored] = _xml(E.Page(E.Content(E.Layer(*objects, ID=str(next(_ids))))))
    page_refs = E.Pages()
    for i, objects in enumerate(pages):
        page = E.Page(E.Area(E.PhysicalBox("0 0 210 297")))
        for tid, zorder in (uses or {}).get(i, []):
            page.append(E.Template(TemplateID=tid, ZOrder=zorder))
        page.append(E.Content(E.Layer(*objects, ID=str(next(_ids)))))
        files[f"Doc_0/Pages/Page_{i}/Content.xml"] = _xml(page)
        page_refs.append(E.Page(ID=str(next(_ids)), BaseLoc=f"Pages/Page_{i}/Content.xml"))
    files["Doc_0/Document.xml"] = _xml(E.Document(common, page_refs))
    files["Doc_0/PublicRes.xml"] = _xml(E.Res(E.Fonts(E.Font(ID="2", FontName="仿宋_GB2312"),
                                                      E.Font(ID="3", FontName="方正小标宋简体")), BaseLoc="Res"))
    res = E.Res(BaseLoc="Res")
    if units:
        res.append(E.CompositeGraphicUnits(*(E.CompositeGraphicUnit(E.Content(*objects), ID=uid, Width="100",
                                                                    Height="50") for uid, objects in units.items())))
    if media:
        res.append(E.MultiMedias(*(E.MultiMedia(E.MediaFile(name), ID=mid, Type="Image")
                                   for mid, name in media.items())))
    files["Doc_0/DocumentRes.xml"] = _xml(res)
    files.update(parts or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _segments(doc):
    return [s for s in doc.segments if s.parent is None]


def _segment(doc, phrase):
    [seg] = [s for s in _segments(doc) if phrase in s.text]
    return seg


BODY = "全区固定资产投资完成126.4亿元，同比增长8.5%，增速居全市第3位。新增高新技术企业42家，研发投入强度达到2.6%。"


# -- synthetic packages -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "limit", "expected"), [
    ("g 3 4.2 2.1 g 2 1", 10, [4.2, 4.2, 4.2, 2.1, 1.0, 1.0]),
    ("5.57 2.77 2.77", 10, [5.57, 2.77, 2.77]),
    ("g 1000000000 3.5", 4, [3.5, 3.5, 3.5, 3.5]),  # a huge repeat count costs nothing
    ("g 4 2.1167 4.2333 x 2.1166", 10, [2.1167] * 4 + [4.2333, 2.1166]),  # a stray token is skipped
    (None, 5, []),
])
def test_delta_lists_expand_the_g_shorthand(value, limit, expected):
    assert expand_deltas(value, limit) == expected


def test_the_g_shorthand_places_every_glyph_where_it_is_drawn():
    # 甲乙丙 5 mm apart, a 40 mm jump, then 丁戊己: two separate lines at the right places
    data = make_ofd([[text("甲乙丙丁戊己", 20, 100, delta_x="g 2 5 40 g 2 5")] + paragraph(BODY, 20, 150)])
    doc = parse_document(data, "g.ofd", OPTS)
    left, right = _segment(doc, "甲乙丙"), _segment(doc, "丁戊己")
    assert left.text == "甲乙丙" and right.text == "丁戊己"
    assert right.bbox.x0 == pytest.approx((20 + 5 + 5 + 40) * MM)
    assert right.bbox.x1 == pytest.approx((20 + 50 + 5 + 5 + 5) * MM)


def test_a_ctm_scaled_text_object_lands_where_the_matrix_puts_it():
    # Size 3 scaled 2x from a Boundary at (30, 50): baseline at 50 + 2 * 3 = 56 mm, glyphs 6 mm wide
    scaled = E.TextObject(E.TextCode("放大的标题", X="0", Y="3", DeltaX="g 4 3"), ID="7", Boundary="30 50 40 10",
                          Font="3", Size="3", CTM="2 0 0 2 0 0")
    doc = parse_document(make_ofd([[scaled] + paragraph(BODY, 20, 100)]), "ctm.ofd", OPTS)
    seg = _segment(doc, "放大的标题")
    assert seg.bbox.x0 == pytest.approx(30 * MM)
    assert seg.bbox.x1 == pytest.approx((30 + 5 * 6) * MM)
    assert seg.bbox.top == pytest.approx((56 - 0.86 * 6) * MM)
    assert seg.bbox.bottom == pytest.approx((56 + 0.14 * 6) * MM)


def test_a_template_is_read_once_on_each_page_that_uses_it_and_never_on_others():
    # a template in a non-standard folder, named from the root with a different case than stored
    template = ("/doc_0/kgtpls/TPL_0/content.xml", "Doc_0/KGTPLS/TPL_0/Content.xml",
                [text("模板中的固定文字说明", 30, 200)])
    pages = [paragraph(BODY, 20, 60), paragraph(BODY, 20, 60), paragraph(BODY, 20, 60)]
    data = make_ofd(pages, templates={"9": template}, uses={0: [("9", "Background")], 2: [("9", "Foreground")]})
    doc = parse_document(data, "tpl.ofd", OPTS)
    assert doc.text.count("模板中的固定文字说明") == 2
    assert [s.page for s in _segments(doc) if "模板中的" in s.text] == [1, 3]
    assert not doc.warnings


def test_rotated_text_is_one_line_and_text_off_the_page_is_not_drawn():
    # a stamp-like label turned 90 degrees, and a note placed beyond the right edge of the A4 page box
    turned = text("竖排的侧边说明文字", 190, 100, ctm="0 1 -1 0 0 0")
    doc = parse_document(make_ofd([[turned, text("页面之外的文字", 230, 100)] + paragraph(BODY, 20, 60)]),
                         "r.ofd", OPTS)
    side = _segment(doc, "竖排的侧边说明文字")
    assert side.bbox.x1 - side.bbox.x0 < side.bbox.bottom - side.bbox.top  # tall, not wide
    assert "页面之外" not in doc.text


def test_text_inside_page_blocks_and_composite_objects_is_drawn_and_unreferenced_units_are_not():
    nested = E.PageBlock(E.PageBlock(text("嵌套块中的文字", 20, 40), ID="11"), ID="10")
    composite = E.CompositeObject(ID="12", ResourceID="50", Boundary="20 100 100 50", CTM="1 0 0 1 0 0")
    units = {"50": [text("复合对象中的文字", 5, 5)], "60": [text("资源里未被引用的文字", 5, 5)]}
    doc = parse_document(make_ofd([[nested, composite] + paragraph(BODY, 20, 160)], units=units), "c.ofd", OPTS)
    assert "嵌套块中的文字" in doc.text
    assert _segment(doc, "复合对象中的文字").bbox.x0 == pytest.approx((20 + 5) * MM)
    assert "未被引用" not in doc.text


def test_reading_order_and_gongwen_elements_come_through_the_pdf_layout_pipeline():
    page = [text("璧山区人民政府办公室文件", 40, 40, size=10, font="3"), text("璧山府办发〔2023〕12号", 70, 70),
            text("关于申报督查激励事项的报告", 45, 95, size=7, font="3"), text("市政府办公厅：", 20, 115),
            *paragraph(BODY * 2, 20, 125), text("璧山区人民政府办公室", 110, 200), text("2023年3月1日", 120, 210)]
    doc = parse_document(make_ofd([page]), "gw.ofd", OPTS)
    assert doc.format is InputFormat.OFD
    assert doc.gongwen.doc_number == "璧山府办发〔2023〕12号"
    assert doc.gongwen.title == "关于申报督查激励事项的报告"
    assert doc.text.index("关于申报") < doc.text.index("126.4亿元") < doc.text.index("2023年3月1日")
    assert (doc.gongwen.addressee, doc.gongwen.date) == ("市政府办公厅", "2023-03-01")


def test_a_glyph_drawn_twice_for_bold_is_read_once():
    bold = [text("加粗的标题文字", 40, 40), text("加粗的标题文字", 40.1, 40)]
    doc = parse_document(make_ofd([bold + paragraph(BODY, 20, 80)]), "bold.ofd", OPTS)
    assert doc.text.count("加粗的标题文字") == 1 and "加加" not in doc.text


def test_docinfo_becomes_the_usual_metadata_keys():
    info = {"Title": "申报材料", "Author": "璧山区发改委", "CreationDate": "2023-7-12", "ModDate": "2023-07-20"}
    doc = parse_document(make_ofd([paragraph(BODY, 20, 60)], info=info), "m.ofd", OPTS)
    assert {k: doc.metadata[k] for k in ("title", "author", "created", "modified")} == {
        "title": "申报材料", "author": "璧山区发改委", "created": "2023-07-12", "modified": "2023-07-20"}
    assert doc.metadata["ofd_fonts"] == "仿宋_GB2312"


def test_an_image_only_page_with_ocr_off_has_no_text_and_says_so():
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(png, format="PNG")
    image = E.ImageObject(ID="5", ResourceID="8", Boundary="20 20 170 85", CTM="170 0 0 85 0 0")
    data = make_ofd([[image]], media={"8": "scan.png"}, parts={"Doc_0/Res/scan.png": png.getvalue()})
    with pytest.raises(NoTextError, match=r"\(OCR is off\)"):
        parse_document(data, "scan.ofd", OPTS)


def test_an_ofd_is_sniffed_as_ofd_never_as_a_batch_of_its_xml_parts():
    data = make_ofd([paragraph(BODY, 20, 60)])
    assert sniff_format(data, "x.zip") is InputFormat.OFD
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("Ofd.XML", b"<ofd:OFD/>")
    assert sniff_format(buf.getvalue(), "y.ofd") is InputFormat.OFD


def test_an_ofd_inside_a_zip_batch_is_one_document_of_format_ofd():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("批次/申报公文.ofd", make_ofd([paragraph(BODY, 20, 60)]))
        zf.writestr("批次/说明.txt", "督查激励申报说明".encode("gbk"))
    results = parse_bytes(buf.getvalue(), "batch.zip", OPTS)
    assert sorted(r.archive_path for r in results) == ["批次/申报公文.ofd", "批次/说明.txt"]
    [ofd] = [r for r in results if r.archive_path.endswith(".ofd")]
    assert ofd.ok and ofd.format is InputFormat.OFD and "126.4亿元" in ofd.document.text


def test_a_truncated_ofd_is_corrupt():
    data = make_ofd([paragraph(BODY, 20, 60)])
    [result] = parse_bytes(data[: len(data) // 2], "cut.ofd", OPTS)
    assert result.error.code == "corrupt"


def test_an_ofd_without_its_document_xml_is_corrupt_and_says_why():
    src = zipfile.ZipFile(io.BytesIO(make_ofd([paragraph(BODY, 20, 60)])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in src.namelist():
            if name != "Doc_0/Document.xml":
                zf.writestr(name, src.read(name))
    [result] = parse_bytes(buf.getvalue(), "nodoc.ofd", OPTS)
    assert result.error.code == "corrupt" and "Document.xml" in result.error.reason


def test_a_damaged_page_part_is_corrupt():
    data = make_ofd([paragraph(BODY, 20, 60)], compression=zipfile.ZIP_STORED)
    marker = "126.4亿元".encode()
    damaged = data.replace(marker, "999.9亿元".encode(), 1)  # same length, wrong CRC
    with pytest.raises(CorruptFileError, match="could not be extracted"):
        parse_document(damaged, "bad.ofd", OPTS)


def test_an_encrypted_ofd_asks_for_a_key():
    data = make_ofd([paragraph(BODY, 20, 60)], parts={"Encryptions.xml": _xml(E.Encryptions())})
    with pytest.raises(EncryptedFileError, match="encrypted"):
        parse_document(data, "secret.ofd", OPTS)


def test_zip_limits_apply_to_the_parts_of_an_ofd():
    bomb = _xml(E.Page(E.Content(E.Layer(*paragraph(BODY, 20, 60))))) + b" " * 3_000_000  # ratio > 200:1
    data = make_ofd([[]], parts={"Doc_0/Pages/Page_0/Content.xml": bomb})
    with pytest.raises(LimitExceededError, match="Page_0/Content.xml has a compression ratio"):
        parse_document(data, "bomb.ofd", OPTS)
    unused = make_ofd([paragraph(BODY, 20, 60)], parts={"Doc_0/Res/unused.xml": b" " * 3_000_000})
    assert "126.4亿元" in parse_document(unused, "ok.ofd", OPTS).text  # a part nothing names is never unpacked
    with pytest.raises(LimitExceededError, match="parts"):
        parse_document(make_ofd([paragraph(BODY, 20, 60)]), "many.ofd", ParseOptions(zip_max_members=3))
    with pytest.raises(LimitExceededError, match="3 pages"):
        parse_document(make_ofd([paragraph(BODY, 20, 60)] * 3), "long.ofd", ParseOptions(max_pages=2))


# -- the real files ---------------------------------------------------------------------------------------

OFD_DIR = SHARED / "corpora" / "ofd"
# CJK characters of the text objects each page draws, measured independently (MANIFEST.md)
MEASURED = {
    "gongwen_pifu_2p.ofd": 227, "gongwen_han_vector_redhead_1p.ofd": 188, "shouwen_form_stamps_1p.ofd": 183,
    "lian_jueding_nonstandard_paths_2p.ofd": 175, "essay_2p.ofd": 1084, "form_table_2p.ofd": 698,
    "long_report_2p.ofd": 838,
}


@pytest.fixture(scope="module")
def real_ofd():
    if not OFD_DIR.is_dir():
        pytest.skip("the real OFD files (../shared/corpora/ofd) are not available")
    out = {}
    for path in sorted(OFD_DIR.glob("*.ofd")):
        [result] = parse_path(path, OPTS)
        out[path.name] = result
    return out


def _real(real_ofd, name):
    result = real_ofd[name]
    assert result.ok, result.error
    return result.document


@pytest.mark.real
def test_every_real_ofd_parses_and_the_image_only_one_needs_ocr(real_ofd):
    assert len(real_ofd) == 8
    for name, result in real_ofd.items():
        assert result.format is InputFormat.OFD, name
        if name == "image_only_2p.ofd":
            assert result.error.code == "no_text" and "OCR is off" in result.error.reason
        else:
            assert result.ok, f"{name}: {result.error}"


@pytest.mark.real
@pytest.mark.parametrize(("name", "measured"), sorted(MEASURED.items()))
def test_real_ofd_cjk_counts_agree_with_the_manifest(real_ofd, name, measured):
    doc = _real(real_ofd, name)
    read = cjk_count(doc.text) + sum(cjk_count(f.text) for f in doc.furniture)
    assert abs(read - measured) <= 0.03 * measured, f"{name}: read {read}, measured {measured}"


@pytest.mark.real
def test_the_pifu_reads_in_gongwen_order(real_ofd):
    doc = _real(real_ofd, "gongwen_pifu_2p.ofd")
    assert doc.gongwen.doc_number == "路卫发〔2011〕76号"
    assert doc.gongwen.title == "关于同意张阿三同志辞职的批复"
    assert doc.text.index("路卫发〔2011〕76号") < doc.text.index("关于同意张阿三同志辞职的批复") \
        < doc.text.index("区中医院：") < doc.text.index("同意张阿三同志辞职。") < doc.text.index("2011年3月10日")
    assert (doc.gongwen.signer, doc.gongwen.date) == ("测试符路桥区卫生局办公室", "2011-03-10")
    assert [f.text for f in doc.furniture if f.kind == "page_number"] == ["— 1 —", "— 2 —"]


@pytest.mark.real
def test_the_essay_paragraphs_come_in_order_and_the_one_across_the_page_break_is_one(real_ofd):
    doc = _real(real_ofd, "essay_2p.ofd")
    starts = ["拿来主义", "鲁迅", "中国一向是所谓“闭关主义”", "但我们没有人根据了“礼尚往来”的仪节", "所以我们要运用脑髓",
              "譬如罢，我们之中的一个穷青年", "他占有，挑选。", "总之，我们要拿来。"]
    texts = [s.text for s in _segments(doc)]
    found = [next(i for i, t in enumerate(texts) if t.startswith(start)) for start in starts]
    assert found == sorted(found)
    assert doc.gongwen.title is None or doc.gongwen.title == "拿来主义"
    crossing = _segment(doc, "譬如罢，我们之中的一个穷青年")
    assert (crossing.page, crossing.end_page) == (1, 2)


@pytest.mark.real
def test_the_long_reports_paragraph_split_by_the_page_break_is_joined(real_ofd):
    doc = _real(real_ofd, "long_report_2p.ofd")
    fourth = _segment(doc, "第四段")
    assert (fourth.page, fourth.end_page) == (1, 2)
    assert fourth.text.endswith("*位，区，，B*(区*别D有区位结过位结区划”(")  # the last line of page 2
    assert [s.text[:3] for s in _segments(doc) if "段：" in s.text] == ["第一段", "第二段", "第三段", "第四段"]


@pytest.mark.real
def test_signatures_and_stamps_are_noted_not_read(real_ofd):
    pifu = _real(real_ofd, "gongwen_pifu_2p.ofd")
    assert "OFD: 1 electronic signature(s) noted, not read as text" in pifu.warnings
    assert pifu.metadata["ofd_signatures"] == "1" and "dms360" not in pifu.text
    form = _real(real_ofd, "shouwen_form_stamps_1p.ofd")
    assert "OFD: 4 stamp annotation(s) noted, not read as text" in form.warnings
    assert form.metadata["ofd_stamp_annotations"] == "4"
    assert "测试文本注释" not in form.text  # the text of a FreeText stamp annotation
    assert form.gongwen.doc_number == "府办专督〔2020〕24号"


@pytest.mark.real
def test_templates_in_non_standard_folders_and_template_text_are_read(real_ofd):
    lian = _real(real_ofd, "lian_jueding_nonstandard_paths_2p.ofd")
    assert not lian.warnings and lian.text.count("立案决定书") == 2
    form = _real(real_ofd, "form_table_2p.ofd")  # its fixed labels live in the page templates
    assert form.text.count("建筑工程施工许可证") >= 2 and "特发此证" in form.text
    assert "2020年10月09日至2021年04月07日" in form.text  # DeltaX in `g N value` shorthand


@pytest.mark.real
def test_a_vector_redhead_is_not_text_but_the_body_is(real_ofd):
    doc = _real(real_ofd, "gongwen_han_vector_redhead_1p.ofd")
    assert doc.gongwen.title == "关于加快南货场铁路涵洞下穿建设的函"
    assert doc.metadata["title"] == "蚌埠市国土资源局" and "蚌埠市国土资源局" not in doc.text


@pytest.mark.real
@pytest.mark.ocr
def test_the_image_only_ofd_is_ocrd_from_its_embedded_images():
    path = OFD_DIR / "image_only_2p.ofd"
    if not path.is_file():
        pytest.skip("the real OFD files (../shared/corpora/ofd) are not available")
    [result] = parse_path(path, ParseOptions())
    doc = result.document
    assert result.ok and doc.ocr_pages == [1, 2]
    assert doc.text.count("MY PEOPLE,MY COUNTRY") == 2 and cjk_count(doc.text) >= 6  # the poster's title, per page
    assert {s.source for s in doc.segments} == {Source.OCR}
    # the photo is drawn at Boundary 31.743 25.6484 145.3829 109.0266 (mm): its lines sit inside it
    for seg in doc.segments:
        assert 31.7 * MM <= seg.bbox.x0 < seg.bbox.x1 <= (31.75 + 145.39) * MM
        assert 25.6 * MM <= seg.bbox.top < seg.bbox.bottom <= (25.65 + 109.03) * MM
