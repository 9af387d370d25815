import copy
import io

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from ingest import ParseOptions, parse_document
from ingest.docx import format_number
from ingest.errors import CorruptFileError
from ingest.model import SegmentKind

OPTS = ParseOptions(ocr=False)


def _save(d) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _doc(data: bytes):
    return parse_document(data, "申报材料.docx", OPTS)


def test_body_keeps_paragraphs_and_tables_in_order():
    d = docx.Document()
    d.add_paragraph("开头段落。")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "指标", "数值"
    t.cell(1, 0).text, t.cell(1, 1).text = "新增企业", "42家"
    d.add_paragraph("结尾段落。")
    doc = _doc(_save(d))
    kinds = [s.kind for s in doc.segments if s.parent is None]
    assert kinds == [SegmentKind.PARAGRAPH, SegmentKind.TABLE, SegmentKind.PARAGRAPH]
    assert doc.text == "开头段落。\n指标\t数值\n新增企业\t42家\n结尾段落。"
    cells = [s for s in doc.segments if s.kind is SegmentKind.TABLE_CELL]
    assert [(c.row, c.col, c.text) for c in cells][-1] == (1, 1, "42家")
    assert all(doc.text[c.start:c.end] == c.text for c in cells)


def test_merged_cells_are_not_repeated():
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    a = t.cell(0, 0).merge(t.cell(0, 2))
    a.text = "2022年重点项目投资情况"
    b = t.cell(1, 0).merge(t.cell(2, 0))
    b.text = "交通"
    t.cell(1, 1).text, t.cell(2, 1).text = "高速公路", "农村公路"
    doc = _doc(_save(d))
    assert doc.text.count("2022年重点项目投资情况") == 1
    assert doc.text.count("交通") == 1
    rows = [s.text for s in doc.segments if s.kind is SegmentKind.TABLE_ROW]
    assert rows[0].split("\t") == ["2022年重点项目投资情况", "", ""]  # columns stay aligned


def test_headers_and_footers_are_kept_apart_from_the_body():
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "璧山区督查激励申报材料"
    d.sections[0].footer.paragraphs[0].text = "— 1 —"
    d.add_paragraph("正文内容。")
    doc = _doc(_save(d))
    assert doc.text == "正文内容。"
    assert {(f.kind, f.text) for f in doc.furniture} == {("header", "璧山区督查激励申报材料"), ("footer", "— 1 —")}


def test_heading_levels_come_from_styles_and_from_gongwen_numbering():
    d = docx.Document()
    d.add_heading("关于申报督查激励的报告", level=0)
    d.add_heading("工作成效", level=1)
    d.add_paragraph("一、基本情况")
    d.add_paragraph("（一）强化组织领导")
    d.add_paragraph("（二）完善工作机制。各镇街要建立台账，按月调度。")  # run-in heading: a paragraph
    headings = {(s.text, s.level) for s in _doc(_save(d)).segments if s.kind is SegmentKind.HEADING}
    assert headings == {("关于申报督查激励的报告", 0), ("工作成效", 1), ("一、基本情况", 1), ("（一）强化组织领导", 2)}


def _add_chinese_numbering(d) -> str:
    numbering = d.part.numbering_part.element
    abstract = etree.SubElement(numbering, qn("w:abstractNum"))
    abstract.set(qn("w:abstractNumId"), "90")
    lvl = etree.SubElement(abstract, qn("w:lvl"))
    lvl.set(qn("w:ilvl"), "0")
    for tag, val in (("w:start", "1"), ("w:numFmt", "chineseCounting"), ("w:lvlText", "%1、")):
        el = etree.SubElement(lvl, qn(tag))
        el.set(qn("w:val"), val)
    num = etree.SubElement(numbering, qn("w:num"))
    num.set(qn("w:numId"), "90")
    ref = etree.SubElement(num, qn("w:abstractNumId"))
    ref.set(qn("w:val"), "90")
    # abstractNum elements must precede num elements
    numbering.remove(abstract)
    numbering.insert(0, abstract)
    return "90"


def test_word_generated_numbering_is_rendered_into_the_text():
    d = docx.Document()
    num_id = _add_chinese_numbering(d)
    for text in ("任务来源及计划要求", "编制过程"):
        p = d.add_paragraph(text)
        numpr = p._p.get_or_add_pPr().get_or_add_numPr()
        numpr.get_or_add_ilvl().val = 0
        numpr.get_or_add_numId().val = int(num_id)
    doc = _doc(_save(d))
    assert doc.text.split("\n") == ["一、任务来源及计划要求", "二、编制过程"]
    assert [s.level for s in doc.segments] == [1, 1]


TXBX = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
  xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
  xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent><mc:Choice Requires="wps">
  <w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>编制评价报告</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing>
  </mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>编制评价报告</w:t></w:r></w:p>
  </w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"""


def test_text_boxes_are_read_once():
    d = docx.Document()
    p = d.add_paragraph("流程如下：")
    p._p.append(etree.fromstring(TXBX))
    doc = _doc(_save(d))
    assert doc.text == "流程如下：\n编制评价报告"


def test_malformed_xml_inside_docx_is_a_clear_error():
    import zipfile

    good = _save(docx.Document())
    src = zipfile.ZipFile(io.BytesIO(good))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            out.writestr(copy.copy(item), data)
    with pytest.raises(CorruptFileError, match="申报材料.docx"):
        _doc(buf.getvalue())


@pytest.mark.parametrize(
    ("n", "fmt", "label"),
    [(1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (23, "chineseCountingThousand", "二十三"),
     (3, "decimal", "3"), (2, "upperLetter", "B"), (4, "lowerRoman", "iv"), (3, "decimalEnclosedCircle", "③"),
     (1, "bullet", "")],
)
def test_numbering_formats(n, fmt, label):
    assert format_number(n, fmt) == label
