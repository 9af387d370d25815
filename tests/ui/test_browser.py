"""End-to-end: the web UI in headless Chromium against a real `jili serve` with the sample corpus."""

from __future__ import annotations

import base64
import io
import re

import docx
import openpyxl

from index import Store
from index.recommendations import load_list
from tests.ui.conftest import LATE_FILE, publish_screenshot, zip_bytes

FINAL = {"done", "duplicate", "failed", "expanded"}
CLS_OBSERVER = """
window.__cls = 0;
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.hadRecentInput) continue;
    window.__cls += e.value;
    window.__shifts.push(`${e.value.toFixed(3)}: ` + e.sources.map((s) => s.node ? (s.node.id || s.node.className ||
      s.node.nodeName) : "?").join(", "));
  }
}).observe({ type: "layout-shift", buffered: true });
"""


def _searched(page) -> None:
    """Wait until the search page shows the answer to its query (not the skeleton it starts with)."""
    page.wait_for_function("""() => document.getElementById('hits').getAttribute('aria-busy') === 'false'
        && !['检索结果', '正在检索…'].includes(document.getElementById('summary-text').textContent)""")


def _docx(*paragraphs: str) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _drop(page, selector: str, files: dict[str, bytes]) -> None:
    """Drop files on an element the way a user's drag-and-drop does (a DataTransfer with File objects)."""
    payload = [{"name": n, "data": base64.b64encode(b).decode()} for n, b in files.items()]
    transfer = page.evaluate_handle("""(files) => {
        const dt = new DataTransfer();
        for (const f of files) {
            const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
            dt.items.add(new File([bytes], f.name));
        }
        return dt;
    }""", payload)
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_sign_in_with_a_token_keeps_it_in_an_httponly_cookie_and_sign_out_clears_it(session):
    s = session()
    page = s.page
    page.goto(s.url("/ui/review"))
    assert "/ui/login" in page.url  # pages send a signed-out visitor to sign in, then back
    page.fill("#token", "jili_not-a-real-token")
    page.keyboard.press("Enter")
    assert "令牌无效" in page.locator("[role=alert]").inner_text()
    s.shot("login")
    page.fill("#token", s.server["tokens"]["agri"])
    page.click("button[type=submit]")
    page.wait_for_url("**/ui/review")
    cookie = next(c for c in s.context.cookies() if c["name"] == "jili_token")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # scripts never see the token
    assert page.locator("[data-testid=user-name]").inner_text() == "市农业农村委"
    page.click("text=退出")
    page.wait_for_url("**/ui/login")
    assert not [c for c in s.context.cookies() if c["name"] == "jili_token"]


def test_uploader_drops_a_zip_and_watches_every_file_reach_its_final_state(session):
    s = session("hechuan")
    page = s.page
    page.goto(s.url("/ui/upload"))
    archive = zip_bytes({
        "合川区/补充说明.docx": _docx("重庆市合川区农业农村委员会关于高标准农田建设的补充说明",
                                  "2022年全区新建高标准农田6.5万亩，亩均粮食产能提高100公斤。"),
        "合川区/情况说明.txt": "合川区推进高标准农田建设，全年完成投资2.1亿元。".encode("gbk"),
        "合川区/空白.pdf": b"",
        "合川区/损坏.pdf": b"%PDF-1.7\n1 0 obj <<>> broken",
    })
    _drop(page, "#dropzone", {"合川区-补充材料.zip": archive, "附件说明.txt": "合川区补充材料附件说明。".encode()})
    batch = page.locator(".batch[data-complete=true]")
    batch.wait_for(timeout=60_000)
    rows = page.locator(".file-row")
    statuses = [rows.nth(i).get_attribute("data-status") for i in range(rows.count())]
    assert rows.count() == 6 and set(statuses) <= FINAL, statuses  # the zip, its 4 members, the text file
    assert "已解压（4 个文件）" in page.locator(".file-row[data-status=expanded]").inner_text()
    failed = page.locator(".file-row[data-status=failed]")
    reasons = " ".join(failed.nth(i).locator(".file-reason").inner_text() for i in range(failed.count()))
    assert failed.count() == 2 and "空文件" in reasons and "损坏" in reasons
    assert page.locator(".file-row.member[data-status=done]").count() == 2
    assert "3 个成功，2 个失败（共 5 个文件）" in page.locator("[data-testid=batch-text]").inner_text()
    deadlines = page.locator("[data-testid=deadlines]")
    deadlines.locator("[data-testid=late-list]").wait_for()
    assert "2023-02-01" in deadlines.inner_text() and LATE_FILE not in deadlines.inner_text()  # not 合川区's
    history = page.locator("[data-testid=batch-history] tbody tr")
    history.first.wait_for()
    assert "失败" in history.first.inner_text()
    s.shot("upload")


def test_an_uploader_cannot_open_another_regions_document(session, server):
    s = session("hechuan")
    page = s.page
    theirs = server["docs"]["bishan"]
    response = page.goto(s.url(f"/ui/documents/{theirs}"))
    assert response.status == 404
    assert "无权查看" in page.locator("[data-testid=error-message]").inner_text()
    assert page.request.get(s.url(f"/api/documents/{theirs}")).status == 404
    assert page.request.get(s.url(f"/api/documents/{theirs}/pages/1.png")).status == 404
    assert page.goto(s.url("/ui/review")).status == 403  # and no reviewer pages
    page.goto(s.url(f"/ui/documents/{server['docs']['hechuan']}"))
    page.locator(".passage").first.wait_for()
    assert page.locator(".passage").count() > 3


def test_reviewer_finds_evidence_relabels_marks_exemplary_and_exports_a_recommendation_list(session, server, tmp_path):
    s = session("agri")
    page = s.page
    # the review home: the measures 市农业农村委 leads, deadlines and the late declaration, the matrix
    page.locator(".measure-item[data-measure='15']").wait_for()
    assert page.locator(".measure-item").count() == 2  # measures 14 and 15
    late = page.locator("[data-testid=late-list]")
    late.wait_for()
    assert LATE_FILE in late.inner_text() and "晚于截止日期" in late.inner_text()
    assert "2023-02-01" in page.locator("[data-testid=deadlines]").inner_text()
    page.locator("#matrix th[scope=row]", has_text="合川区").wait_for()
    s.shot("review")

    # one measure: regions side by side, sortable; open the strongest evidence on its page
    page.click(".measure-item[data-measure='15']")
    page.wait_for_url("**/ui/review/15")
    page.locator("#compare tbody th[scope=row]", has_text="合川区").wait_for()
    regions = page.locator("#compare tbody th[scope=row]").all_inner_texts()
    assert {"合川区", "铜梁区"} <= set(regions)
    assert page.locator(".region-card[data-region='铜梁区'] [data-testid=late-badge]").count() == 1
    page.click("#compare th[data-key=region] button")
    assert page.locator("#compare th[data-key=region]").get_attribute("aria-sort") == "ascending"
    cards = page.locator(".region-card h3 > span:first-child").all_inner_texts()
    assert cards == page.locator("#compare tbody th[scope=row]").all_inner_texts()  # cards follow the table's order
    page.locator("#records tbody tr td.num").first.wait_for()
    s.shot("measure")
    evidence = page.locator(".region-card[data-region='合川区'] .passage-card", has_text="申报报告.pdf").first
    passage_id = int(evidence.get_attribute("data-passage"))
    evidence.locator("[data-testid=open-evidence]").click()
    page.wait_for_url(f"**passage={passage_id}")
    selected = page.locator("[data-testid=selected-passage]")
    selected.wait_for()
    page.wait_for_function("() => document.getElementById('page-image').complete && "
                           "document.getElementById('page-image').naturalWidth > 0")
    page.locator("[data-testid=page-box]").first.wait_for()
    publish_screenshot(s.shot("document-1366x768", full_page=False))  # before a full-page shot resizes the view
    s.shot("document")

    # relabel: the passage is evidence for 14 as well as 15
    selected.locator("[data-action=relabel]").click()
    dialog = page.locator("#relabel-dialog")
    assert dialog.locator("input[value='15']").is_checked()
    dialog.locator("input[value='14']").check()
    dialog.locator("#relabel-save").click()
    labels = page.locator("[data-testid=selected-passage] .labels")
    labels.locator("text=措施14（审核）").wait_for()
    assert "措施15（审核）" in labels.inner_text()
    stored = {r["measure"]: r["origin"] for r in server["store"].db.query(
        "SELECT measure, origin FROM passage_labels WHERE passage_id = ?", [passage_id])}
    assert stored == {14: "review", 15: "review"}

    # mark it exemplary: a reviewer's judgement, not yet a release for publicity
    page.locator("[data-testid=selected-passage] [data-action=exemplary]").click()
    page.locator("[data-testid=selected-passage] [data-action=exemplary][aria-pressed=true]").wait_for()
    assert not server["store"].passage_cleared(passage_id)
    # clearing it for publicity is a separate decision
    page.locator("[data-testid=selected-passage] [data-action=cleared]").click()
    page.locator("[data-testid=selected-passage] [data-action=cleared][aria-pressed=true]").wait_for()
    assert server["store"].passage_cleared(passage_id)

    # the recommendation list: add 合川区 from its card with a short reason, save, export for 督查办
    page.goto(s.url("/ui/review/15"))
    page.locator(".region-card[data-region='合川区'] .passage-card button", has_text="加入推荐名单").first.click()
    reason = "全年建成高标准农田6.5万亩，完成任务的108.3%，粮食产量保持全市前列。"
    page.locator(".rec-item[data-region='合川区'] textarea").fill(reason)
    page.click("[data-testid=rec-save]")
    page.locator("#rec-status", has_text="已保存").wait_for()
    with page.expect_download() as xlsx_download:
        page.click("[data-testid=rec-xlsx]")
    path = tmp_path / "list.xlsx"
    xlsx_download.value.save_as(path)
    assert xlsx_download.value.suggested_filename == "推荐名单-措施15.xlsx"
    cells = [c for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True) for c in row if c]
    assert "合川区" in cells and reason in cells
    assert any("合川区-高标准农田建设和稳定粮食生产-申报报告.pdf，第" in str(c) for c in cells)  # the cited evidence
    with page.expect_download() as docx_download:
        page.click("[data-testid=rec-docx]")
    path = tmp_path / "list.docx"
    docx_download.value.save_as(path)
    text = "\n".join(c.text for t in docx.Document(path).tables for row in t.rows for c in row.cells)
    assert "合川区" in text and reason in text
    store = Store(server["data_dir"])
    try:
        saved = load_list(store, 15)
    finally:
        store.close()
    assert saved["items"][0]["region"] == "合川区" and saved["updated_by"] == "市农业农村委"
    s.shot("recommendations")


def test_publicity_sees_only_cleared_cases_and_exports_a_briefing(session, server, tmp_path):
    admin, store = server["admin"], server["store"]
    # a reviewer clears one case of measure 14 (independently of the other tests)
    hit = admin.get("/api/search", params={"q": "村集体经济", "measure": 14}).json()["hits"][0]
    r = admin.post(f"/api/passages/{hit['passage_id']}/review", json={"action": "cleared"})
    assert r.status_code == 200
    cleared = {r["id"] for r in store.db.query("SELECT id FROM passages") if store.passage_cleared(r["id"])}
    assert hit["passage_id"] in cleared and len(cleared) < store.db["passages"].count

    s = session("pub")
    page = s.page
    assert page.url.endswith("/ui/experiences")
    cards = page.locator(".exp-card[data-passage]")
    cards.first.wait_for()
    shown = {int(cards.nth(i).get_attribute("data-passage")) for i in range(cards.count())}
    assert shown and shown <= cleared
    assert hit["passage_id"] in shown
    s.shot("experiences")
    chosen = cards.filter(has=page.locator(f"[value='{hit['passage_id']}']"))
    chosen.locator("[data-testid=pick]").check()
    assert page.locator("#selected-count").inner_text() == "已选 1 个案例"
    with page.expect_download() as download:
        page.click("[data-testid=export-briefing]")
    path = tmp_path / "briefing.docx"
    download.value.save_as(path)
    text = "\n".join(p.text for p in docx.Document(path).paragraphs)
    assert hit["region"] in text and "来源：" in text
    assert text.count("来源：") == 1  # only the chosen case

    # search as publicity: cleared passages only; no page images of the originals
    page.goto(s.url("/ui/search?q=" + "高标准农田"))
    page.wait_for_selector("#hits[aria-busy=false]")
    found = {int(x) for x in page.locator(".hit[data-passage]").evaluate_all("ns => ns.map(n => n.dataset.passage)")}
    assert found <= cleared
    page.goto(s.url(f"/ui/documents/{hit['document_id']}?passage={hit['passage_id']}"))
    page.locator("[data-testid=selected-passage]").wait_for()
    assert page.locator("[data-testid=no-page-image]").is_visible()
    assert page.locator(".passage").count() == len({p for p in cleared if store.db["passages"].get(p)["document_id"]
                                                    == hit["document_id"]})




def test_search_shows_highlighted_snippets_with_citations_and_facets_without_layout_shift(session):
    s = session("admin")
    page = s.page
    page.add_init_script(CLS_OBSERVER)
    page.goto(s.url("/ui/search"))
    page.wait_for_selector("#hits[aria-busy=false]")
    page.fill("[data-testid=search-input]", "高标准农田")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('q=')")
    page.wait_for_selector("#hits[aria-busy=false] .hit[data-passage]")
    first = page.locator(".hit[data-passage]").first
    # the mark may span a longer term that holds the query (高标准农田建设, a related term searched as well)
    assert "高标准农田" in first.locator("mark").first.inner_text()
    citation = first.locator("[data-testid=citation]").inner_text()
    assert re.search(r"\.(pdf|docx|txt)，第\d+(–\d+)?页$", citation), citation  # file (archive member) and page
    page.locator("[data-facet=region][data-value='合川区']").click()
    page.wait_for_selector("[data-facet=region][data-value='合川区'][aria-pressed=true]")
    regions = page.locator(".hit .hit-title .region-badge").all_inner_texts()  # not 逾期 or 相关词 beside it
    assert regions and set(regions) == {"合川区"}
    assert "region=" in page.url
    s.shot("search")
    cls = page.evaluate("window.__cls")
    assert cls < 0.1, f"cumulative layout shift {cls:.3f}"


def test_the_advanced_syntax_box_makes_or_and_exclusion_work(session):
    s = session("admin")
    page = s.page
    page.goto(s.url("/ui/search?q=林长制 OR 河长制"))
    _searched(page)
    # as plain text, "OR" is a word to find: no passage matches as typed; what shows was found through the
    # thesaurus (同时检索: 林长制, 河长制 and their related terms, each searched on its own), each hit saying so
    hits = page.locator(".hit[data-passage]")
    assert page.locator("#expansions [data-testid=expansion-chip]").count() > 0
    assert hits.count() == page.locator(".hit [data-testid=related-badge]").count()
    page.check("[data-testid=search-advanced]")
    page.wait_for_function("() => location.search.includes('advanced=true')")
    page.wait_for_selector("#hits[aria-busy=false] .hit[data-passage]")
    texts = page.locator(".hit[data-passage]").all_inner_texts()
    assert texts and all("林长制" in t or "河长制" in t for t in texts)
    page.reload()
    page.wait_for_selector("#hits[aria-busy=false] .hit[data-passage]")
    assert page.is_checked("[data-testid=search-advanced]")  # the shared URL keeps the mode


def test_pages_fit_a_1366_screen_and_a_phone_and_do_not_jump_while_loading(session, server):
    for width, height, label in ((1366, 768, "desktop"), (390, 844, "phone")):
        s = session("agri", width=width, height=height)
        page = s.page
        page.add_init_script(CLS_OBSERVER)
        for path in ("/ui/review", "/ui/review/15", "/ui/search?q=农田", "/ui/experiences",
                     f"/ui/documents/{server['docs']['hechuan']}"):
            page.goto(s.url(path))
            page.wait_for_load_state("networkidle")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than a {label} screen"
            cls = page.evaluate("window.__cls")
            assert cls < 0.1, f"{path} on a {label} screen: layout shift {cls:.3f} {page.evaluate('window.__shifts')}"
            names = {"/ui/review/15": "phone-measure", "/ui/experiences": "phone-experiences"}
            if label == "phone" and path in names:
                s.shot(names[path], full_page=False)
        s = session("hechuan", width=width, height=height)
        s.page.goto(s.url("/ui/upload"))
        s.page.wait_for_load_state("networkidle")
        assert s.page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        if label == "phone":
            s.shot("phone-upload", full_page=False)


def test_keyboard_users_skip_to_content_and_sort_tables(session):
    s = session("agri")
    page = s.page
    page.goto(s.url("/ui/review/15"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.locator("#compare tbody th[scope=row]").first.wait_for()
    page.focus("#compare th[data-key=documents] button")
    page.keyboard.press("Enter")
    assert page.locator("#compare th[data-key=documents]").get_attribute("aria-sort") == "descending"
    page.keyboard.press("Enter")
    assert page.locator("#compare th[data-key=documents]").get_attribute("aria-sort") == "ascending"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
