"""extract_document: figures cited to segments, pages and Document.text offsets; tables by their headers."""

from __future__ import annotations

from decimal import Decimal

from extract import FigureKind, extract_document
from extract.model import Direction
from ingest.model import Source

BISHAN = [
    ("heading", "一、基本情况", 1),
    "2022年，全区规模以上工业总产值达到1386.4亿元，同比增长12.6%。",
    ("caption", "表1　2022年制造业主要指标完成情况", 1),
    ("paragraph", "单位：亿元", 1),
    ("table", [["指标", "2021年", "2022年", "同比增长（%）"],
               ["规上工业总产值", "1231.2", "1386.4", "12.6"],
               ["制造业投资", "142.3", "172.9", "-3.5"]], 2),
    ("paragraph", "新增高新技术企业36家。", 2),
]


def test_every_figure_cites_document_text_exactly(make_document) -> None:
    doc = make_document(BISHAN)
    figures = extract_document(doc)
    assert figures
    for f in figures:
        assert doc.text[f.start : f.end] == f.raw
        assert f.document_id == doc.id
        seg = doc.segment(f.segment_id)
        assert seg.start <= f.start and f.end <= seg.end
        assert f.page == seg.page


def test_paragraph_figures_keep_reading_order_and_pages(make_document) -> None:
    doc = make_document(BISHAN)
    text_figures = [f for f in extract_document(doc) if f.source is Source.TEXT]
    assert [(f.raw, f.page) for f in text_figures] == [("1386.4亿元", 1), ("12.6%", 1), ("36家", 2)]
    assert text_figures[0].period is not None and text_figures[0].period.text == "2022年"


def test_table_cells_take_metric_from_headers_and_unit_from_the_unit_line(make_document) -> None:
    doc = make_document(BISHAN)
    cells = [f for f in extract_document(doc) if f.source is Source.TABLE]
    got = [(f.raw, f.value, f.unit, f.kind, f.metric, f.direction, f.period.text if f.period else None)
           for f in cells]
    assert got == [
        ("1231.2", Decimal("123120000000"), "元", FigureKind.AMOUNT, "规上工业总产值", None, "2021年"),
        ("1386.4", Decimal("138640000000"), "元", FigureKind.AMOUNT, "规上工业总产值", None, "2022年"),
        ("12.6", Decimal("12.6"), "%", FigureKind.CHANGE, "规上工业总产值", Direction.UP, None),
        ("142.3", Decimal("14230000000"), "元", FigureKind.AMOUNT, "制造业投资", None, "2021年"),
        ("172.9", Decimal("17290000000"), "元", FigureKind.AMOUNT, "制造业投资", None, "2022年"),
        ("-3.5", Decimal("3.5"), "%", FigureKind.CHANGE, "制造业投资", Direction.DOWN, None),
    ]
    assert {f.rule_id for f in cells} == {"table.cell"}
    assert {f.page for f in cells} == {2}


def test_column_headers_carry_units_and_ranks(make_document) -> None:
    doc = make_document([
        ("table", [["区县", "企业数（家）", "投资额（万元）", "排名"],
                   ["璧山区", "120", "5,000", "1"]], 1),
    ])
    got = [(f.value, f.unit, f.kind, f.metric) for f in extract_document(doc)]
    assert got == [
        (Decimal(120), "家", FigureKind.QUANTITY, "璧山区企业数"),
        (Decimal(50000000), "元", FigureKind.AMOUNT, "璧山区投资额"),
        (Decimal(1), "位", FigureKind.RANK, "璧山区"),
    ]


def test_a_unit_row_inside_the_table_applies_to_its_cells(make_document) -> None:
    doc = make_document([("table", [["单位：万元"], ["项目", "金额"], ["智能化改造专项资金", "500"]], 1)])
    (f,) = extract_document(doc)
    assert (f.value, f.unit, f.kind, f.metric) == (Decimal(5000000), "元", FigureKind.AMOUNT, "智能化改造专项资金")


def test_a_table_without_header_or_unit_keeps_only_figures_written_with_units(make_document) -> None:
    doc = make_document([("table", [["规上工业总产值", "1386.4亿元"], ["序号", "3"]], 1)])
    got = [(f.raw, f.value, f.unit, f.metric) for f in extract_document(doc)]
    assert got == [("1386.4亿元", Decimal(138640000000), "元", "规上工业总产值")]


def test_cells_with_phrases_go_through_the_text_extractor(make_document) -> None:
    doc = make_document([
        ("table", [["指标", "完成情况"], ["社会消费品零售总额", "1018.6亿元，同比增长1.2%"]], 1),
    ])
    got = [(f.raw, f.kind, f.metric) for f in extract_document(doc)]
    assert got == [("1018.6亿元", FigureKind.AMOUNT, "社会消费品零售总额"),
                   ("1.2%", FigureKind.CHANGE, "社会消费品零售总额")]


def test_skipped_columns_are_not_figures(make_document) -> None:
    doc = make_document([("table", [["序号", "项目名称", "联系电话", "投资（亿元）"],
                                    ["1", "智能工厂", "02363895678", "12"]], 1)])
    got = [(f.value, f.unit, f.metric) for f in extract_document(doc)]
    assert got == [(Decimal(1200000000), "元", "智能工厂投资")]


def test_ocr_tables_are_marked_ocr_and_checked(make_document) -> None:
    doc = make_document([("table", [["指标", "增速（%）"], ["社会消费品零售总额", "853"]], 1)], source=Source.OCR)
    (f,) = extract_document(doc)
    assert (f.kind, f.source, f.suspect) == (FigureKind.CHANGE, Source.OCR, True)


def test_a_document_without_numbers_has_no_figures(make_document) -> None:
    assert extract_document(make_document(["坚持稳中求进工作总基调。", ("heading", "二、主要做法", 1)])) == []
