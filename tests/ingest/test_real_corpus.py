"""The 29 real files in ../shared/corpora/real: readable text or a specific error, OCR where needed,
and the same body text across the formats of each twin set. Skipped when ../shared is absent."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

import pytest

from ingest import ParseOptions, parse_path
from ingest.clean import cjk_count, is_page_number, nfkc_key

pytestmark = pytest.mark.real

OPTIONS = ParseOptions()  # one process, so the OCR model loads once


@pytest.fixture(scope="module")
def parsed(real_dir):
    out = {}
    for path in sorted(real_dir.glob("*/*")):
        if path.suffix.lower() in {".pdf", ".docx", ".doc", ".wps"}:
            out[f"{path.parent.name}/{path.name}"] = parse_path(path, OPTIONS)
    return out


def _doc(parsed, name):
    [result] = parsed[name]
    assert result.ok, result.error
    return result.document


def test_all_29_files_give_readable_text(parsed):
    assert len(parsed) == 29
    for name, results in parsed.items():
        for r in results:
            assert r.ok, f"{name}: {r.error}"
            doc = r.document
            readable = cjk_count(doc.text) + sum(ch.isascii() and ch.isalpha() for ch in doc.text)
            assert readable >= 15, f"{name}: only {readable} readable characters"
            assert "(cid:" not in doc.text and "\ufffd" not in doc.text, name


@pytest.mark.parametrize(
    ("name", "expect_pages", "phrase"),
    [
        ("pdf/gmt0031_standard_garbled_11p.pdf", list(range(1, 12)), "签章"),
        ("pdf/customs_form_bad_tounicode_1p.pdf", [1], "TORONTO"),
        ("pdf/paper_gbk_font_no_tounicode_garbled_1p.pdf", [1], "基因外显子"),
        ("pdf/image_with_text_mostly_1p.pdf", [1], "横向文本框"),
        ("pdf-scanned/scanned_book_8p.pdf", list(range(1, 9)), "商品"),
        ("pdf-scanned/scanned_book_lowres_2p.pdf", [1, 2], "商品"),
    ],
)
def test_garbled_and_scanned_pages_are_detected_and_ocrd(parsed, name, expect_pages, phrase):
    doc = _doc(parsed, name)
    assert doc.ocr_pages == expect_pages
    assert phrase in doc.text
    assert {s.source.value for s in doc.segments if s.page in expect_pages} <= {"ocr"}
    assert "犐犆犛" not in doc.text  # the wrong-ToUnicode text of the standard is gone


def test_clean_text_layers_are_not_ocrd(parsed):
    for name in ("pdf/gongwen_redhead_notice_2p.pdf", "pdf/caj2pdf_paper_stsong_gbk_euc_6p.pdf",
                 "pdf/research_report_2col_tables_4p.pdf", "pdf/prospectus_tables_1p.pdf",
                 "pdf/procurement_notice_browser_print_2p.pdf", "pdf/broker_report_financial_tables_1p.pdf"):
        assert _doc(parsed, name).ocr_pages == [], name


def test_page_numbers_leave_the_body_and_numbers_of_tables_stay(parsed):
    bare = re.compile(r"-?\d{1,4}")
    for name, results in parsed.items():
        for r in results:
            lines = [s.text for s in r.document.segments if s.parent is None and is_page_number(s.text)
                     and not bare.fullmatch(s.text)]
            assert not lines, f"{name}: {lines[:3]}"  # no — 3 —, 第3页 or 3 / 4 left in the text
    report = _doc(parsed, "pdf/research_report_2col_tables_4p.pdf")
    assert [f.text for f in report.furniture if f.kind == "page_number"] == ["2 / 4", "3 / 4", "4 / 4"]
    broker = _doc(parsed, "pdf/broker_report_financial_tables_1p.pdf")
    assert [f.text for f in broker.furniture if f.kind == "page_number"] == ["第 26 页 共 29 页"]
    body = {s.text for s in broker.segments}
    assert {"878", "345", "585"} <= body  # cash-flow values, not page numbers


TWINS = {
    "A": ["pdf/gongwen_redhead_notice_2p.pdf", "docx/gongwen_redhead_notice_wps.docx", "wps/gongwen_redhead_notice.wps"],
    "B": ["pdf/gongwen_redhead_secret_seal_1p.pdf", "docx/gongwen_redhead_secret_wps.docx", "wps/gongwen_redhead_secret.wps"],
    "C": ["docx/nbt_standard_draft_part1.docx", "doc/nbt_standard_draft_part1_word.doc"],
    "D": ["docx/nbt_bianzhi_shuoming_part1.docx", "doc/nbt_bianzhi_shuoming_part1_word.doc"],
}


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_twin_sets_give_the_same_body_text_across_formats(parsed, twin):
    keys = [nfkc_key(_doc(parsed, name).text) for name in TWINS[twin]]
    for name, key in zip(TWINS[twin][1:], keys[1:], strict=True):
        ratio = SequenceMatcher(None, keys[0], key, autojunk=False).ratio()
        assert ratio >= 0.9, f"{twin}: {TWINS[twin][0]} vs {name}: similarity {ratio:.3f}"


def test_gongwen_elements_are_found_in_every_format_of_set_a(parsed):
    for name in TWINS["A"]:
        meta = _doc(parsed, name).gongwen
        assert (meta.doc_number, meta.title, meta.addressee, meta.date) == (
            "国防部发〔2012〕21号", "国防部关于放假的通知", "各有关单位", "2012-12-12"), name


def test_the_head_lines_of_a_gongwen_pdf_each_stand_alone(parsed):
    lines = [s.text for s in _doc(parsed, "pdf/gongwen_redhead_secret_seal_1p.pdf").segments if s.parent is None]
    assert lines[:2] == ["001012", "机密★5年"] and "特急" in lines  # 份号, 密级, 紧急程度
    assert "XXX〔2023〕X 号" in lines and "测试公文标题" in lines  # 发文字号 and title are not run together
    notice = [s.text for s in _doc(parsed, "pdf/gongwen_redhead_notice_2p.pdf").segments if s.parent is None]
    assert "抄送：教育局，教育局。" in notice and "分送：教育局，教育局。" in notice  # 印发机关 国防部 apart


def test_docx_headers_stay_out_of_the_body(parsed):
    doc = _doc(parsed, "docx/four_sections_distinct_headers_wps.docx")
    headers = " ".join(f.text for f in doc.furniture if f.kind == "header")
    assert all(h in headers for h in ("第一节页眉", "第二节页眉", "第三节页眉", "第四节页眉"))
    assert "页眉" not in doc.text
    secret = _doc(parsed, "docx/gongwen_redhead_secret_wps.docx")
    # 份号/密级/紧急程度 sit in the page header, not the body ("BJTU机密文件" in the body is its 版头)
    assert "机密★5年" not in secret.text and "特急" not in secret.text
    assert any("机密★5年" in f.text for f in secret.furniture)


def test_custom_heading_styles_and_auto_numbering_are_recognised(parsed):
    std = _doc(parsed, "docx/nbt_standard_draft_part1.docx")
    assert sum(s.kind.value == "heading" for s in std.segments) >= 20
    shuoming = _doc(parsed, "docx/nbt_bianzhi_shuoming_part1.docx")
    assert shuoming.text.startswith("一、任务来源及计划要求") or "\n一、任务来源及计划要求" in shuoming.text


def test_text_box_text_appears_once(parsed):
    doc = _doc(parsed, "docx/nbt_standard_draft_part6_textboxes.docx")
    assert doc.text.count("编制评价报告") == 1


def test_merged_cells_do_not_repeat_text_in_the_big_table(parsed):
    doc = _doc(parsed, "docx/mineru_demo_headings_tables_hf.docx")
    table_cjk = sum(cjk_count(s.text) for s in doc.segments if s.kind.value == "table")
    assert table_cjk < 6427  # python-docx's own cell text repeats merged cells up to 6,427 CJK
