"""End-to-end: 核查 — passages copied across applicants and figures that contradict each other, listed on the
measure page (with exports) and marked in the margin of the document page; an uploader never learns which
file of another applicant its text matches."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests.ui.conftest import CONFLICT_FILE, COPIED_PRACTICE, COPY_FIRST, COPY_LATER, document_id, passage_id
from tests.ui.test_browser import CLS_OBSERVER

# -- 4. the 核查 panel of a measure ----------------------------------------------------------------------------

def test_the_measure_page_lists_copied_passages_and_contradicting_figures_with_exports(session, server, tmp_path):
    s = session("agri")
    page = s.page
    page.goto(s.url("/ui/review/15"))
    panel = page.locator("#checks-panel")
    copy = panel.locator("[data-testid=copy-finding]", has_text=COPY_LATER)
    copy.wait_for()
    line = copy.locator(".check-line").inner_text()
    # the later applicant's file first, the earlier one after it, how alike, and who came first
    assert line.index("永川区") < line.index(f"《{COPY_LATER}》") < line.index("与") < line.index("江津区") \
        < line.index(f"《{COPY_FIRST}》")
    assert "第1页" in line and "相似 100%" in line and "江津区材料在先" in line
    later_link = copy.get_by_role("link", name=f"《{COPY_LATER}》")
    assert later_link.get_attribute("href").endswith(f"passage={passage_id(server, COPY_LATER, COPIED_PRACTICE)}")
    text = copy.locator("details.check-text")
    assert not text.locator("p").is_visible()  # the passage text folded away
    text.locator("summary").click()
    assert text.locator("p").inner_text() == COPIED_PRACTICE

    figure = panel.locator("[data-testid=figure-finding]", has_text="粮食播种面积").filter(has_text="永川区").first
    figure.wait_for()
    head = figure.locator(".check-line").inner_text()
    assert head.startswith("数据矛盾") and "永川区" in head and "2022年" in head and "同一指标、同一时期数值不一致" in head
    rows = figure.locator(".check-figures li").all_inner_texts()
    assert any("158.6万亩" in r and f"《{COPY_LATER}》第1页" in r for r in rows)
    assert any("142.6万亩" in r and f"《{CONFLICT_FILE}》第1页" in r for r in rows)
    s.shot("measure-checks")

    xlsx = panel.locator("[data-testid=checks-xlsx]")
    assert xlsx.inner_text() == "导出 XLSX" and xlsx.get_attribute("href") == "/api/checks?measure=15&format=xlsx"
    with page.expect_download() as download:
        xlsx.click()
    path = tmp_path / "checks.xlsx"
    download.value.save_as(path)
    cells = [str(c) for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True) for c in row if c]
    assert "段落雷同" in cells and "数据矛盾" in cells and COPY_LATER in cells and "158.6万亩" in cells
    csv_link = panel.locator("[data-testid=checks-csv]")
    assert csv_link.inner_text() == "导出 CSV" and csv_link.get_attribute("href") == "/api/checks?measure=15&format=csv"
    with page.expect_download() as download:
        csv_link.click()
    path = tmp_path / "checks.csv"
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "类别" and any(r[0] == "段落雷同" and COPY_FIRST in r for r in rows[1:])


def test_a_measure_without_findings_says_what_was_checked(session):
    s = session("sci")
    page = s.page
    page.goto(s.url("/ui/review/4"))
    empty = page.locator("[data-testid=checks-empty]")
    empty.wait_for()
    text = empty.inner_text()
    assert "未发现" in text
    assert "不同申报主体" in text and "通知原文" in text  # copies across applicants, not the notice's wording
    assert "同一指标、同一时期" in text  # figures that disagree
    assert "超过100%" in text  # figures that cannot be true
    assert page.locator("#checks-panel [data-testid=checks-xlsx]").is_visible()


# -- 5. margin marks on the document page --------------------------------------------------------------------

def test_the_document_page_marks_copied_passages_and_contradicting_figures_in_the_margin(session, server):
    later, first = passage_id(server, COPY_LATER, COPIED_PRACTICE), passage_id(server, COPY_FIRST, COPIED_PRACTICE)
    s = session("agri")
    page = s.page
    page.add_init_script(CLS_OBSERVER)
    page.goto(s.url(f"/ui/documents/{document_id(server, COPY_LATER)}"))
    passage = page.locator(f".passage[data-passage='{later}']")
    mark = passage.locator("[data-testid=copy-mark]")
    mark.wait_for()
    page.wait_for_load_state("networkidle")
    cls = page.evaluate("window.__cls")
    assert cls < 0.1, f"the marks moved the page: {cls:.3f} {page.evaluate('window.__shifts')}"
    text = mark.inner_text()
    assert f"与江津区《{COPY_FIRST}》第1页 相似 100%" in text and "江津区材料在先" in text
    assert mark.get_by_role("link").get_attribute("href").endswith(f"passage={first}")
    assert "has-checks" in passage.get_attribute("class")
    assert page.locator("[data-testid=check-summary]").inner_text() == "⚠ 核查：段落雷同 1 处 · 数据矛盾 1 处"

    figure = page.locator("[data-testid=figure-mark]", has_text="158.6万亩").first
    assert f"与《{CONFLICT_FILE}》第1页 142.6万亩 不一致" in figure.inner_text()
    assert figure.inner_text().startswith("数据矛盾")
    assert page.locator("mark.figure-conflict", has_text="158.6万亩").count() == 1
    s.shot("document-checks")

    # the other side of each finding: the statement contradicted, the declaration copied from
    page.goto(s.url(f"/ui/documents/{document_id(server, CONFLICT_FILE)}"))
    figure = page.locator("[data-testid=figure-mark]").first
    figure.wait_for()
    assert f"与《{COPY_LATER}》第1页 158.6万亩 不一致" in figure.inner_text()
    page.goto(s.url(f"/ui/documents/{document_id(server, COPY_FIRST)}"))
    mark = page.locator(f".passage[data-passage='{first}'] [data-testid=copy-mark]")
    mark.wait_for()
    assert f"与永川区《{COPY_LATER}》第1页 相似 100%" in mark.inner_text() and "本段在先" in mark.inner_text()


def test_an_uploader_sees_its_copied_passage_marked_without_the_other_applicants_file(session, server):
    later = passage_id(server, COPY_LATER, COPIED_PRACTICE)
    s = session("yongchuan")
    page = s.page
    page.goto(s.url(f"/ui/documents/{document_id(server, COPY_LATER)}"))
    mark = page.locator(f".passage[data-passage='{later}'] [data-testid=copy-mark]")
    mark.wait_for()
    assert "与其他地区材料相似 100%" in mark.inner_text()
    assert mark.get_by_role("link").count() == 0
    figure = page.locator("[data-testid=figure-mark]", has_text="158.6万亩").first
    assert f"与《{CONFLICT_FILE}》第1页 142.6万亩 不一致" in figure.inner_text()  # its own documents, by name
    # nothing on the page names the other applicant's file, even with the similar passages open
    page.locator(f".passage[data-passage='{later}'] [data-testid=similar-button]").click()
    page.locator(f".passage[data-passage='{later}'] [data-testid=similar-panel][aria-busy=false]").wait_for()
    html = page.content()
    assert COPY_FIRST not in html and "江津区-高标准农田" not in html
    assert document_id(server, COPY_FIRST) not in html
    s.shot("document-checks-uploader")
