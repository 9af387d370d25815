"""End-to-end: declarations as reviewers read them — applicants by their own name, declared kept apart from
mentioned, relevance in words, late declarations marked, and tables that stay usable with every applicant."""

from __future__ import annotations

import datetime
import io
import re
import time

import docx
import httpx

from index import Store
from index.recommendations import load_list
from tests.ui.conftest import LATE_FILE, late_declaration, zip_bytes
from tests.ui.test_browser import _drop

TOWNSHIP = "草堂镇（奉节县）"
RAW_SCORE = re.compile(r"(?<![\d.])0\.\d{2,}")  # 0.999, 0.87: a model's score shown as it is


def _docx(*paragraphs: str, created: datetime.datetime | None = None) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if created:
        d.core_properties.created = created
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def township_declaration() -> bytes:
    """草堂镇, a township of 奉节县, declaring measure 14 on time."""
    return _docx("重庆市奉节县草堂镇人民政府关于申报2022年度推动农业高质量发展督查激励事项的报告",
                 "县农业农村委：",
                 "2022年，我镇坚持以脐橙产业为主导推动农业高质量发展，全镇脐橙种植面积4.8万亩，产量8.1万吨，综合产值6.2亿元，"
                 "新增绿色食品认证产品3个，农产品加工产值增长12.5%，带动农户增收。",
                 "一是建设标准化脐橙示范园1.2万亩，二是发展农村电商，线上销售农产品2.3亿元。",
                 "重庆市奉节县草堂镇人民政府", "2023年1月20日", created=datetime.datetime(2023, 1, 20, 9, 0))


def late_county_declaration(title: str, day: int) -> bytes:
    """A 奉节县 declaration for measure 15 dated (成文日期) after the 2023-02-01 deadline."""
    return _docx(f"重庆市奉节县人民政府关于申报2022年度推进高标准农田建设和稳定粮食生产督查激励事项的{title}",
                 "市农业农村委、市财政局：",
                 f"2022年，全县新建高标准农田{day / 10:.1f}万亩，粮食播种面积105.3万亩，粮食总产量41.6万吨。",
                 "重庆市奉节县人民政府", f"2023年2月{day}日", created=datetime.datetime(2023, 2, day, 10, 0))


def _as(server, who: str) -> httpx.Client:
    return httpx.Client(base_url=server["base"], timeout=60,
                        headers={"Authorization": f"Bearer {server['tokens'][who]}"})


def _processed(client: httpx.Client, batch_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = client.get(f"/api/batches/{batch_id}").json()
        if batch["progress"]["complete"]:
            return batch
        time.sleep(0.3)
    raise AssertionError(f"batch {batch_id} was not processed in time")


def _late_document(server) -> str:
    """The id of the late 铜梁区 declaration the admin uploaded with the samples."""
    hits = server["admin"].get("/api/search", params={"q": "田长制", "region": "铜梁区"}).json()["hits"]
    return next(h["document_id"] for h in hits if h["filename"] == LATE_FILE)


# -- 1. applicants by their own name --------------------------------------------------------------------------

def test_a_township_is_shown_by_its_own_name_with_its_county_beside_it(session):
    s = session("agri")
    page = s.page
    page.goto(s.url("/ui/review/14"))
    row = page.locator(f"#compare tbody tr[data-region='{TOWNSHIP}']")
    row.wait_for()
    assert row.locator("th .applicant-name").inner_text() == "草堂镇"
    assert row.locator("th .applicant-county").inner_text() == "奉节县"
    declared = page.locator("#compare tbody th .applicant-name").all_inner_texts()
    assert "奉节县" not in declared and TOWNSHIP not in declared  # its own row, under its own name
    title = page.locator(f".region-card[data-region='{TOWNSHIP}'] h3")
    assert title.locator(".applicant-name").inner_text() == "草堂镇"
    assert title.locator(".applicant-county").inner_text() == "奉节县"
    assert not page.locator(".region-card h3 .applicant-county", has_text="合川区").count()  # no label where it is itself

    page.goto(s.url("/ui/review"))
    matrix_row = page.locator(f"#matrix tbody tr[data-region='{TOWNSHIP}']")
    matrix_row.wait_for()
    assert matrix_row.locator("th .applicant-name").inner_text() == "草堂镇"
    assert matrix_row.locator("th .applicant-county").inner_text() == "奉节县"
    assert matrix_row.locator("a.cell-declared").count() >= 1  # its declaration of measure 14 sits in its own row

    page.goto(s.url("/ui/search?q=脐橙"))
    page.wait_for_selector("#hits[aria-busy=false] .hit[data-passage]")
    facet = page.locator(f"[data-facet=region][data-value='{TOWNSHIP}']")
    assert facet.locator(".applicant-name").inner_text() == "草堂镇"
    assert facet.locator(".applicant-county").inner_text() == "奉节县"
    assert "草堂镇" in page.locator(".hit .region-badge .applicant-name").all_inner_texts()

    page.goto(s.url("/ui/experiences"))
    page.select_option("#e-measure", "14")
    card = page.locator(f".exp-card[data-region='{TOWNSHIP}'] h2").first
    card.wait_for()
    assert card.locator(".applicant-name").inner_text() == "草堂镇"
    assert card.locator(".applicant-county").inner_text() == "奉节县"


# -- 2. declared vs mentioned ---------------------------------------------------------------------------------

def test_the_measure_page_counts_declarations_and_lists_mentions_apart_with_an_explicit_override(session, server):
    evidence = server["admin"].get("/api/measures/14/evidence").json()
    declared = {r["region"] for r in evidence["regions"]}
    mentioned = {m["region"] for m in evidence["mentioned"]}
    assert "合川区" in mentioned and "合川区" not in declared

    s = session("agri")
    page = s.page
    page.goto(s.url("/ui/review/14"))
    page.locator("#compare tbody tr[data-region]").first.wait_for()
    assert page.locator("[data-testid=declared-count]").inner_text().startswith(f"{len(declared)} 个地区申报")
    assert {r.get_attribute("data-region") for r in page.locator("#compare tbody tr[data-region]").all()} == declared
    assert {c.get_attribute("data-region") for c in page.locator(".region-card[data-region]").all()} == declared
    box = page.locator("[data-testid=mentioned]")
    assert "仅提及（未申报）" in box.locator("h3").inner_text()
    assert "不计入申报地区数" in box.locator("[data-testid=mentioned-note]").inner_text()
    assert {m.get_attribute("data-region") for m in box.locator(".mention-item").all()} == mentioned
    hechuan = box.locator(".mention-item[data-region='合川区']")
    assert hechuan.locator("[data-testid=strength]").count() == 1  # its best passage, with its strength

    # a mentioned applicant is not offered for the list, except through the override it must tick
    assert hechuan.get_by_role("button", name="加入推荐名单", exact=True).count() == 0
    options = set(page.locator("#rec-add-region option").evaluate_all("os => os.map(o => o.value)"))
    assert options and options <= declared
    add = hechuan.locator("[data-testid=override-add]")
    assert add.is_disabled()
    hechuan.get_by_label("未申报，特别推荐（需说明理由）").check()
    assert add.is_enabled()
    add.click()
    item = page.locator(".rec-item[data-region='合川区']")
    assert "未申报 · 特别推荐" in item.inner_text()
    assert item.locator("[data-testid=rec-override]").is_checked()
    item.locator("textarea").fill("虽未申报此项，但农户投工投劳参与建设、亩均投资3298元，经审核确认列入。")
    page.click("[data-testid=rec-save]")
    page.locator("#rec-status", has_text="已保存").wait_for()
    store = Store(server["data_dir"])
    try:
        assert {i["region"]: i.get("override", False) for i in load_list(store, 14)["items"]} == {"合川区": True}
        # without the tick, the page refuses to save it
        item.locator("[data-testid=rec-override]").uncheck()
        page.click("[data-testid=rec-save]")
        page.locator("#rec-status", has_text="请勾选").wait_for()
        assert {i["region"]: i.get("override", False) for i in load_list(store, 14)["items"]} == {"合川区": True}
        item.get_by_role("button", name="从名单中移除 合川区").click()
        page.click("[data-testid=rec-save]")
        page.locator("#rec-status", has_text="已保存 0 个地区").wait_for()
        assert load_list(store, 14)["items"] == []
    finally:
        store.close()


def test_the_matrix_never_adds_mentions_to_declarations_and_explains_each_mark(session, server):
    matrix = server["admin"].get("/api/matrix").json()
    s = session("admin")
    page = s.page
    page.goto(s.url("/ui/review"))
    page.locator("#matrix tbody tr[data-region]").first.wait_for()
    legend = page.locator("[data-testid=matrix-legend]").inner_text()
    assert "申报文件数" in legend and "可能" in legend and "提及" in legend
    text = page.locator("#matrix").inner_text()
    assert not re.search(r"\d\s*[（(]\s*\d", text), "a count with a bracketed count beside it"
    shown = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#matrix tbody tr[data-region]')]
        .map((tr) => [tr.dataset.region, [...tr.querySelectorAll('td')].map((td) => {
            const a = td.querySelector('a');
            return a ? [a.textContent, a.title, a.className] : null;
        })]))""")
    columns = [m["id"] for m in matrix["measures"]]
    kinds = set()
    for row in matrix["regions"]:
        for measure, c in row["cells"].items():
            cell = shown[row["region"]][columns.index(int(measure))]
            if c["documents"]:
                kinds.add("declared")
                assert cell[0] == str(c["documents"]) and "申报了" in cell[1] and "cell-declared" in cell[2]
            elif c["possible"]:
                kinds.add("possible")
                assert cell[0] == "可能" and "可能涉及" in cell[1] and "未申报" in cell[1] and "cell-possible" in cell[2]
            elif c["mentions"]:
                kinds.add("mention")
                assert cell[0] == "提及" and "段落提及" in cell[1] and "cell-mention" in cell[2]
    assert kinds == {"declared", "possible", "mention"}
    muted = page.locator("#matrix a.cell-possible").first.evaluate("a => getComputedStyle(a).fontWeight")
    assert int(muted) < 700  # possible is a muted mark, not a count


# -- 3. relevance as 强/中/弱 with its reason -------------------------------------------------------------------

def test_relevance_is_shown_as_strong_medium_or_weak_with_the_reason_never_as_a_score(session, server):
    s = session("agri")
    page = s.page
    page.goto(s.url("/ui/review/15"))
    page.locator(".region-card .passage-card").first.wait_for()
    strength = page.locator("#compare tbody tr[data-region] td:nth-child(4)")
    for i in range(strength.count()):
        assert strength.nth(i).locator("[data-testid=strength]").inner_text() in {"强", "中", "弱"}
        assert re.search(r"[强中弱]：(命中：|审核人员确认|与措施表述)", strength.nth(i).locator("[data-testid=strength]").get_attribute("title"))
        assert not RAW_SCORE.search(strength.nth(i).inner_text())
    for h in page.locator(".region-card h3").all_inner_texts():
        assert not RAW_SCORE.search(h), h
    cards = page.locator(".region-card .passage-card")
    for i in range(cards.count()):
        facts = cards.nth(i).locator(".passage-facts")
        assert facts.locator("[data-testid=strength]").inner_text() in {"强", "中", "弱"}
        assert re.match(r"^(命中：|审核人员确认|与措施表述)", facts.locator("[data-testid=strength-reason]").inner_text())
        assert not RAW_SCORE.search(facts.inner_text())

    page.goto(s.url("/ui/search?q=高标准农田"))
    page.wait_for_selector("#hits[aria-busy=false] .hit[data-passage]")
    badges = page.locator(".hit [data-testid=hit-measure] [data-testid=strength]")
    assert badges.count() >= 1
    for i in range(badges.count()):
        assert badges.nth(i).inner_text() in {"强", "中", "弱"}
        assert re.search(r"相关度[强中弱]：(命中：|审核人员确认|与措施表述)", badges.nth(i).get_attribute("title"))
    assert not RAW_SCORE.search(page.locator(".hit-cite").first.inner_text())

    page.goto(s.url(f"/ui/documents/{server['docs']['hechuan']}"))
    page.locator(".passage .labels .label-chip").first.wait_for()
    assert page.locator("[title*='得分']").count() == 0
    assert page.locator(".passage .labels [data-testid=strength]").count() >= 1
    assert not RAW_SCORE.search(" ".join(page.locator(".passage .meta").all_inner_texts()))


# -- 4. every applicant of a campaign: 43 rows, 30 measure columns ---------------------------------------------

def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box, "not rendered"
    return box


def _reachable(page, row) -> None:
    """The row can be brought into view and is then on screen and not covered (by a sticky header or a hint)."""
    row.scroll_into_view_if_needed()
    page.wait_for_timeout(50)
    box = _box(row)
    viewport = page.viewport_size
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 1, box
    hit = row.evaluate("""(tr) => {
        const r = tr.querySelector('th').getBoundingClientRect();
        const at = document.elementFromPoint(r.left + 8, r.top + r.height / 2);
        return tr.contains(at);
    }""")
    assert hit, "the row's first cell is covered"


def test_the_comparison_table_stays_usable_with_every_applicant_of_the_campaign(crowded_session, crowded_server):
    n = crowded_server["applicants"]
    s = crowded_session("agri")
    page = s.page
    page.goto(s.url("/ui/review/15"))
    rows = page.locator("#compare tbody tr[data-region]")
    rows.first.wait_for()
    assert rows.count() == n >= 41
    assert page.locator("[data-testid=declared-count]").inner_text().startswith(f"{n} 个地区申报")
    wrap = page.locator("#compare-wrap")
    frame = page.locator("#compare-frame")
    # as many rows as the screen holds, not a box cut after four; a cue that there are more below
    header = page.locator("#compare thead th").first
    visible = [r for r in rows.all()[:15] if _box(r)["y"] + _box(r)["height"] <= _box(wrap)["y"] + _box(wrap)["height"]]
    assert len(visible) >= 8, f"only {len(visible)} rows fit"
    assert "more-down" in frame.get_attribute("class")
    hint = frame.locator(".scroll-hint")
    assert hint.is_visible() and "向下滚动" in hint.inner_text()
    top = _box(header)["y"]
    wrap.evaluate("w => { w.scrollTop = w.scrollHeight; }")
    page.wait_for_function("() => !document.getElementById('compare-frame').classList.contains('more-down')")
    assert abs(_box(header)["y"] - top) < 1  # the header row stays in place
    assert "more-up" in frame.get_attribute("class") and not hint.is_visible()
    last = rows.nth(n - 1)
    assert _box(last)["y"] + _box(last)["height"] <= _box(wrap)["y"] + _box(wrap)["height"] + 1
    _reachable(page, last)
    # the cards beside each other scroll sideways, with the same cue
    cards = page.locator("#regions-frame")
    assert "more-right" in cards.get_attribute("class")
    page.locator("#regions").evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    page.wait_for_function("() => !document.getElementById('regions-frame').classList.contains('more-right')")
    assert "more-left" in cards.get_attribute("class")
    s.shot("crowded-measure", full_page=False)

    # on a phone the table scrolls sideways and its first column stays
    p = crowded_session("agri", width=390, height=844)
    phone = p.page
    phone.goto(p.url("/ui/review/15"))
    phone.locator("#compare tbody tr[data-region]").first.wait_for()
    frame = phone.locator("#compare-frame")
    assert "more-right" in frame.get_attribute("class")
    assert "向右滑动" in frame.locator(".scroll-hint").inner_text()
    first = phone.locator("#compare tbody tr[data-region] th").first
    second = phone.locator("#compare tbody tr[data-region] td").first
    left, other = _box(first)["x"], _box(second)["x"]
    phone.locator("#compare-wrap").evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    phone.wait_for_function("() => !document.getElementById('compare-frame').classList.contains('more-right')")
    assert abs(_box(first)["x"] - left) < 1 and _box(second)["x"] < other - 20  # the first column stays
    assert "more-left" in frame.get_attribute("class")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    p.shot("crowded-measure-phone", full_page=False)


def test_the_matrix_stays_usable_with_every_applicant_and_thirty_measures(crowded_session, crowded_server):
    n = crowded_server["applicants"]
    s = crowded_session("admin")
    page = s.page
    page.goto(s.url("/ui/review"))
    rows = page.locator("#matrix tbody tr[data-region]")
    rows.first.wait_for()
    assert rows.count() == n and page.locator("#matrix thead th").count() == 31
    frame = page.locator("#matrix-frame")
    wrap = page.locator("#matrix-wrap")
    wrap.scroll_into_view_if_needed()
    assert "more-right" in frame.get_attribute("class") and "more-down" in frame.get_attribute("class")
    hint = frame.locator(".scroll-hint")
    assert hint.is_visible() and "向右滑动查看更多" in hint.inner_text()
    header, first = page.locator("#matrix thead th").nth(3), rows.first.locator("th")
    top, left = _box(header)["y"], _box(first)["x"]
    wrap.evaluate("w => { w.scrollTop = w.scrollHeight; w.scrollLeft = w.scrollWidth; }")
    page.wait_for_function("() => !document.getElementById('matrix-frame').classList.contains('more-right')")
    assert abs(_box(header)["y"] - top) < 1, "the header row scrolled away"
    assert abs(_box(rows.nth(n - 1).locator("th"))["x"] - left) < 1, "the first column scrolled away"
    assert "more-left" in frame.get_attribute("class") and not hint.is_visible()
    _reachable(page, rows.nth(n - 1))
    s.shot("crowded-matrix", full_page=False)


# -- 5. the upload history on a phone --------------------------------------------------------------------------

def test_the_batch_history_reads_as_label_and_value_pairs_on_a_phone(session, server):
    with _as(server, "fengjie") as c:
        r = c.post("/api/batches", data={"note": "第二批补充材料（含附件）"},
                   files=[("files", ("补充说明.txt", "奉节县高标准农田建设补充说明：全县新建高标准农田1.5万亩。".encode()))])
        assert r.status_code == 202, r.text
        _processed(c, r.json()["batch_id"])
    s = session("fengjie", width=390, height=844)
    page = s.page
    page.goto(s.url("/ui/upload"))
    page.locator("#history tbody tr[data-batch]").first.wait_for()
    cells = page.evaluate("""() => [...document.querySelectorAll('#history tbody tr[data-batch] td')].map((td) => {
        const r = td.getBoundingClientRect();
        return { label: td.dataset.label, text: td.innerText, width: r.width, height: r.height, right: r.right,
                 line: parseFloat(getComputedStyle(td).lineHeight), before: getComputedStyle(td, '::before').content };
    })""")
    notes = [c for c in cells if c["label"] == "备注"]
    assert any("第二批补充材料" in c["text"] for c in notes)
    for c in cells:
        assert c["width"] >= 60, c
        assert c["right"] <= 390, c
        if c["label"]:
            assert c["label"] in c["before"], c  # stacked label/value pairs
    for c in notes:
        assert c["height"] <= 5 * c["line"], f"a short note wraps into {c['height'] / c['line']:.0f} lines"
    s.shot("phone-history", full_page=False)


# -- 6. upload rows say what each file turned out to be ---------------------------------------------------------

def test_upload_rows_show_the_applicant_measures_date_lateness_warnings_and_errors_in_chinese(session):
    s = session("fengjie")
    page = s.page
    page.goto(s.url("/ui/upload"))
    _drop(page, "#dropzone", {LATE_FILE: late_declaration(), "草堂镇-补充材料.docx": township_declaration(),
                              "空白.txt": b""})
    page.locator(".batch[data-complete=true]").wait_for(timeout=60_000)

    late = page.locator(".file-row", has_text=LATE_FILE)
    assert late.get_attribute("data-status") == "done"
    assert late.locator("[data-testid=file-applicant] .applicant-name").inner_text() == "奉节县"  # the uploader's
    assert "措施15" in late.locator("[data-testid=file-measures]").inner_text()
    assert "2023-02-10" in late.locator("[data-testid=file-date]").inner_text()
    assert late.locator("[data-testid=file-late]").inner_text() == "逾期（依据成文日期 2023-02-10）"
    warning = late.locator("[data-testid=file-warning]")
    assert warning.is_visible() and "铜梁区" in warning.inner_text() and "奉节县上传" in warning.inner_text()

    town = page.locator(".file-row", has_text="草堂镇-补充材料.docx")
    assert town.locator("[data-testid=file-applicant] .applicant-name").inner_text() == "草堂镇"
    assert town.locator("[data-testid=file-applicant] .applicant-county").inner_text() == "奉节县"
    assert "乡镇(街道)" in town.locator("[data-testid=file-facts]").inner_text()
    assert "措施14" in town.locator("[data-testid=file-measures]").inner_text()
    assert "2023-01-20" in town.locator("[data-testid=file-date]").inner_text()
    assert town.locator("[data-testid=file-late]").inner_text().startswith("按时")
    assert not town.locator("[data-testid=file-warning]").is_visible()

    empty = page.locator(".file-row", has_text="空白.txt")
    assert empty.get_attribute("data-status") == "failed"
    reason = empty.locator(".file-reason")
    assert "文件是空的" in reason.locator(".reason-text").inner_text()
    detail = reason.locator(".reason-detail code")
    assert not detail.is_visible() and "empty" in detail.text_content()  # the technical reason, folded away
    assert not re.search(r"[A-Za-z]{4,}", reason.inner_text().replace("技术详情", ""))
    s.shot("upload-results")

    late.locator(".file-name a").click()
    page.wait_for_url("**/ui/documents/**")
    assert "铜梁区" in page.locator("[data-testid=doc-region-warning]").inner_text()
    assert page.locator("[data-testid=doc-late]").is_visible()
    assert "成文日期 2023-02-10" in page.locator("#doc-meta").inner_text()


# -- 7. late declarations, wherever their passages show ----------------------------------------------------------

def test_late_declarations_carry_a_badge_in_search_evidence_and_the_document(session, server):
    late_doc = _late_document(server)
    with _as(server, "agri") as c:
        found = c.get("/api/search", params={"q": "高标准农田", "size": 10}).json()["hits"]
    late = {h["passage_id"]: h["late"] for h in found}
    assert any(late.values()) and not all(late.values())
    s = session("agri")
    page = s.page
    page.goto(s.url("/ui/search?q=高标准农田"))
    page.wait_for_selector("#hits[aria-busy=false] .hit[data-passage]")
    hits = page.locator(".hit[data-passage]")
    assert hits.count() == len(late)
    for i in range(hits.count()):
        hit = hits.nth(i)
        badge = hit.locator(".hit-title [data-testid=hit-late]")
        assert badge.count() == (1 if late[int(hit.get_attribute("data-passage"))] else 0)
        if badge.count():
            assert badge.inner_text() == "逾期"

    page.goto(s.url("/ui/review/15"))
    page.locator(".region-card[data-region='铜梁区'] .passage-card").first.wait_for()
    assert page.locator(".region-card[data-region='铜梁区'] [data-testid=passage-late]").count() >= 1
    assert page.locator(".region-card[data-region='合川区'] [data-testid=passage-late]").count() == 0

    page.goto(s.url(f"/ui/documents/{late_doc}"))
    assert page.locator("[data-testid=doc-late]").inner_text() == "逾期"
    assert "依据成文日期 2023-02-10" in page.locator("#doc-meta").inner_text()
    page.goto(s.url(f"/ui/documents/{server['docs']['hechuan']}"))
    assert page.locator("[data-testid=doc-late]").count() == 0


def test_the_late_list_names_archive_members_not_their_archive(session, server):
    members = {"补报/高标准农田补充报告.docx": late_county_declaration("补充报告", 15),
               "补报/粮食生产情况说明.docx": late_county_declaration("情况说明", 16)}
    with _as(server, "fengjie") as c:
        r = c.post("/api/batches", files=[("files", ("奉节县-补报材料.zip", zip_bytes(members)))])
        assert r.status_code == 202, r.text
        _processed(c, r.json()["batch_id"])
    s = session("fengjie")
    page = s.page
    page.goto(s.url("/ui/upload"))
    page.locator("ul[data-testid=late-list]").wait_for()
    names = page.locator(".late-list .late-name").all_inner_texts()
    assert set(members) <= set(names)
    assert "奉节县-补报材料.zip" not in names
    for item in page.locator(".late-list li").filter(has=page.locator(".late-archive")).all():
        assert item.inner_text().count("奉节县-补报材料.zip") == 1  # the archive once, beside its member


# -- 8. 标为典型 and 准予宣传 are two decisions ------------------------------------------------------------------

def test_marking_exemplary_does_not_release_a_passage_to_publicity_until_it_is_cleared(session, server):
    s = session("agri")
    page = s.page
    page.goto(s.url("/ui/review/15"))
    card = page.locator(".region-card[data-region='铜梁区'] .passage-card").first
    card.wait_for()
    passage_id = int(card.get_attribute("data-passage"))
    exemplary, cleared = card.locator("[data-action=exemplary]"), card.locator("[data-action=cleared]")
    assert exemplary.inner_text() == "☆ 标为典型" and cleared.inner_text() == "准予宣传"
    exemplary.click()
    card.locator("[data-action=exemplary][aria-pressed=true]").wait_for()
    assert cleared.get_attribute("aria-pressed") == "false"
    assert not server["store"].passage_cleared(passage_id)

    pub = session("pub")
    view = pub.page
    view.select_option("#e-measure", "15")
    view.wait_for_selector("#experiences[aria-busy=false]")
    assert view.locator(f".exp-card[data-passage='{passage_id}']").count() == 0  # exemplary is not released

    cleared.click()
    card.locator("[data-action=cleared][aria-pressed=true]").wait_for()
    assert server["store"].passage_cleared(passage_id)
    view.reload()
    view.select_option("#e-measure", "15")
    view.locator(f".exp-card[data-passage='{passage_id}']").wait_for()

    # the document page offers the same two buttons, and shows both decisions
    page.goto(s.url(f"/ui/documents/{_late_document(server)}?passage={passage_id}"))
    selected = page.locator("[data-testid=selected-passage]")
    selected.wait_for()
    assert selected.locator("[data-action=exemplary]").get_attribute("aria-pressed") == "true"
    assert selected.locator("[data-action=cleared]").get_attribute("aria-pressed") == "true"


# -- 9. typical experiences: 展开全文 where the text is cut off; an empty state that explains ------------------------

def test_the_full_text_button_appears_only_on_cards_whose_text_is_cut_off(session):
    s = session("admin", width=390, height=844)  # one narrow column: long practices run past seven lines
    page = s.page
    page.goto(s.url("/ui/experiences"))
    page.locator(".exp-card[data-passage]").first.wait_for()
    cards = page.evaluate("""() => [...document.querySelectorAll('.exp-card[data-passage]')].map((card) => {
        const text = card.querySelector('.practice-text');
        const full = text.cloneNode(true);  // the same text unclamped, at the same width
        full.style.display = 'block';
        full.style.webkitLineClamp = 'unset';
        full.style.position = 'absolute';
        full.style.visibility = 'hidden';
        full.style.width = `${text.clientWidth}px`;
        card.append(full);
        const cut = full.getBoundingClientRect().height > text.getBoundingClientRect().height + 2;
        full.remove();
        const more = card.querySelector('[data-testid=more]');
        return { id: card.dataset.passage, cut, shown: !!more && more.offsetParent !== null };
    })""")
    assert any(c["cut"] for c in cards) and any(not c["cut"] for c in cards), cards
    for c in cards:
        assert c["shown"] == c["cut"], c
    card = page.locator(f".exp-card[data-passage='{next(c['id'] for c in cards if c['cut'])}']")
    before = _box(card.locator(".practice-text"))["height"]
    card.locator("[data-testid=more]").click()
    assert card.locator("[data-testid=more]").get_attribute("aria-expanded") == "true"
    assert card.locator("[data-testid=more]").inner_text() == "收起"
    assert _box(card.locator(".practice-text"))["height"] > before


def test_an_empty_list_of_experiences_says_what_is_searched_and_how_to_find_more(session, server):
    hit = server["admin"].get("/api/search", params={"q": "脐橙"}).json()["hits"][0]
    assert server["admin"].post(f"/api/passages/{hit['passage_id']}/review", json={"action": "cleared"}).status_code == 200
    s = session("pub")
    page = s.page
    page.fill("#e-region", "城口县")  # no declaration from there
    page.click("#exp-filter button[type=submit]")
    empty = page.locator("[data-testid=no-experiences]")
    empty.wait_for()
    text = empty.inner_text()
    assert "只检索" in text and "准予宣传" in text  # what is searched
    assert "清除筛选" in text  # how to find more
    empty.locator("[data-testid=clear-filters]").click()
    page.locator(f".exp-card[data-passage='{hit['passage_id']}']").wait_for()
    assert page.locator("#e-region").input_value() == ""
