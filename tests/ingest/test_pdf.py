import pytest

from ingest import ParseOptions, parse_document
from ingest.builder import RawBlock, join_page_breaks
from ingest.errors import CorruptFileError, EncryptedFileError, LimitExceededError
from ingest.model import SegmentKind, Source
from tests.conftest import make_pdf

OPTS = ParseOptions()

PAGE1 = [
    ("title", "关于申报督查激励事项的报告"),
    ("heading", "一、基本情况"),
    ("body", "2022年我区社会消费品零售总额完成126.4亿元，同比增长8.5%，增速居全市第3位。"),
    ("heading", "二、主要做法"),
    ("body", "一是建立重点商圈培育机制，二是开展夜间经济示范街区建设，三是推动县域商业体系建设。"),
]
PAGE2 = [("body", "新增限额以上商贸企业42家，建成特色商业街区5条，带动就业1.2万人。")]


def test_text_layer_pdf_keeps_reading_order_and_drops_page_furniture():
    data = make_pdf([PAGE1, PAGE2, PAGE2], header="璧山区督查激励申报材料")
    doc = parse_document(data, "report.pdf", OPTS)
    assert doc.pages == 3
    assert "— 1 —" not in doc.text and "督查激励申报材料" not in doc.text
    assert doc.text.index("基本情况") < doc.text.index("126.4亿元") < doc.text.index("主要做法")
    assert "同比增长8.5%，增速居全市第3位。" in doc.text
    assert {f.kind for f in doc.furniture} >= {"page_number", "header"}
    assert all(s.source is Source.TEXT for s in doc.segments)
    headings = [(s.text, s.level) for s in doc.segments if s.kind is SegmentKind.HEADING]
    assert ("一、基本情况", 1) in headings and ("二、主要做法", 1) in headings
    assert doc.gongwen.title == "关于申报督查激励事项的报告"


def test_every_segment_cites_its_page_box_and_offsets():
    doc = parse_document(make_pdf([PAGE1, PAGE2]), "r.pdf", OPTS)
    for seg in doc.segments:
        assert doc.text[seg.start:seg.end] == seg.text
        assert seg.bbox is not None and 0 <= seg.bbox.top < seg.bbox.bottom
    assert doc.segments[-1].page == 2
    # each complete paragraph is its own passage, citing the page it is on
    assert [(p.page, p.end_page) for p in doc.passages] == [(1, 1), (1, 1), (2, 2)]


def test_a_sentence_cut_by_a_page_break_is_one_paragraph_across_both_pages():
    blocks = [
        RawBlock(SegmentKind.HEADING, "一、基本情况", page=1, level=1),
        RawBlock(SegmentKind.PARAGRAPH, "全年开展林业有害生物防治作业面积12.6万亩，疫情发生面积同", page=1),
        RawBlock(SegmentKind.PARAGRAPH, "比下降18.2%，成灾率控制在千分之一以内。", page=2),
        RawBlock(SegmentKind.PARAGRAPH, "建立林长巡林制度。", page=2),
        RawBlock(SegmentKind.PARAGRAPH, "二、主要做法", page=3),
    ]
    joined = join_page_breaks(blocks)
    assert [b.text for b in joined] == ["一、基本情况", "全年开展林业有害生物防治作业面积12.6万亩，疫情发生面积同比下降18.2%，成灾率控制在千分之一以内。",
                                        "建立林长巡林制度。", "二、主要做法"]
    assert (joined[1].page, joined[1].end_page) == (1, 2)


def test_a_numbered_line_after_a_finished_sentence_starts_a_new_paragraph():
    page = [("heading", "一、基本情况"), ("body", "成灾率控制在千分之一以内。"), ("heading", "二、主要做法"),
            ("body", "建立林长巡林制度。")]
    doc = parse_document(make_pdf([page]), "r.pdf", OPTS)
    headings = [s.text for s in doc.segments if s.kind is SegmentKind.HEADING]
    assert headings == ["一、基本情况", "二、主要做法"]


def test_two_columns_are_read_column_by_column():
    left = [("body", "左栏第一段讲高标准农田建设，新建高标准农田3.2万亩。" * 12)]
    data = make_pdf([left + [("body", "右栏内容讲河长制，巡河2.1万次。" * 14)]], columns=True, page_numbers=False)
    doc = parse_document(data, "cols.pdf", OPTS)
    first_right = doc.text.index("右栏")
    assert "左栏" not in doc.text[first_right:]


def test_ruled_tables_become_table_segments_with_cells():
    table = [["指标", "2021年", "2022年"], ["固定资产投资", "120.5", "131.2"], ["新增企业", "36", "42"]]
    doc = parse_document(make_pdf([PAGE2], table=table), "t.pdf", OPTS)
    tables = [s for s in doc.segments if s.kind is SegmentKind.TABLE]
    assert len(tables) == 1
    cells = {(s.row, s.col): s.text for s in doc.segments if s.kind is SegmentKind.TABLE_CELL}
    assert cells[(1, 0)] == "固定资产投资" and cells[(2, 2)] == "42"
    assert all(s.source is Source.TABLE for s in doc.segments if s.parent == tables[0].id)


def test_encrypted_pdf_says_a_password_is_needed():
    with pytest.raises(EncryptedFileError, match="password"):
        parse_document(make_pdf([PAGE2], encrypt="secret"), "locked.pdf", OPTS)


def test_truncated_pdf_is_reported_as_damaged():
    data = make_pdf([PAGE1, PAGE2])
    with pytest.raises(CorruptFileError, match="truncated.pdf"):
        parse_document(data[: len(data) // 3], "truncated.pdf", OPTS)


def test_page_limit_is_enforced():
    with pytest.raises(LimitExceededError, match="3 pages"):
        parse_document(make_pdf([PAGE2, PAGE2, PAGE2]), "long.pdf", ParseOptions(max_pages=2))
