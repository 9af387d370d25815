"""End-to-end: finding more than the words typed — the related terms searched with a query (同时检索), each a
switch; 相似段落 on search hits, document passages and experience cards; typical experiences by theme."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.ui.conftest import COPIED_PRACTICE, COPY_FIRST, COPY_LATER, SEWAGE_FILE, document_id, passage_id
from tests.ui.test_browser import CLS_OBSERVER, _searched

CITATION = re.compile(r"，第[\d–-]+页$")


# -- 1. 同时检索: related terms as switches ----------------------------------------------------------------------

def test_a_question_searches_related_terms_shown_as_switches_and_marks_hits_found_only_through_them(session):
    s = session("admin")
    page = s.page
    page.add_init_script(CLS_OBSERVER)
    page.goto(s.url("/ui/search"))
    _searched(page)
    page.fill("[data-testid=search-input]", "如何减少农村污水直排")
    page.keyboard.press("Enter")
    box = page.locator("#expansions")
    chips = box.locator("[data-testid=expansion-chip]")
    chips.first.wait_for()
    _searched(page)
    assert box.text_content().startswith("同时检索：生活污水、截污纳管")
    words = chips.all_inner_texts()
    assert {"生活污水", "截污纳管", "污水管网"} <= set(words) and "污水直排" not in words
    assert {c.get_attribute("aria-pressed") for c in chips.all()} == {"true"}

    # the sewage statement never says 污水直排: it is found through 截污纳管 and 生活污水, and says so
    hit = page.locator(".hit[data-passage]", has_text=SEWAGE_FILE).first
    hit.wait_for()
    assert "污水直排" not in hit.inner_text()
    badge = hit.locator("[data-testid=related-badge]")
    assert badge.inner_text() == "相关词" and "截污纳管" in badge.get_attribute("title")
    marks = hit.locator("[data-testid=snippet] mark").all_inner_texts()
    assert "截污纳管" in marks
    assert page.locator(".hit[data-passage]").count() == page.locator(".hit [data-testid=related-badge]").count()
    s.shot("search-expansions")

    # switch 截污纳管 off: searched again without it (the URL keeps it), the chip shown as off
    box.locator("[data-word='截污纳管']").click()
    box.locator("[data-word='截污纳管'][aria-pressed=false]").wait_for()
    _searched(page)
    assert parse_qs(urlsplit(page.url).query)["without"] == ["截污纳管"]
    assert box.locator("[data-word='生活污水']").get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.activeElement.dataset.word") == "截污纳管"  # the keyboard stays on the chip
    hit = page.locator(".hit[data-passage]", has_text=SEWAGE_FILE).first
    hit.wait_for()  # still found, through 生活污水
    marks = hit.locator("[data-testid=snippet] mark").all_inner_texts()
    assert "截污纳管" not in marks and any("生活污水" in m for m in marks)

    # the shared URL keeps the switch (and the chips fill a line kept for them: nothing moves); switching it on
    # again searches it again
    page.reload()
    box.locator("[data-word='截污纳管'][aria-pressed=false]").wait_for()
    _searched(page)
    cls = page.evaluate("window.__cls")
    assert cls < 0.1, f"layout shift {cls:.3f} {page.evaluate('window.__shifts')}"
    box.locator("[data-word='截污纳管']").click()
    box.locator("[data-word='截污纳管'][aria-pressed=true]").wait_for()
    _searched(page)
    assert "without" not in parse_qs(urlsplit(page.url).query)
    hit = page.locator(".hit[data-passage]", has_text=SEWAGE_FILE).first
    assert "截污纳管" in hit.locator("[data-testid=snippet] mark").all_inner_texts()

    # a new query starts with every related term on
    page.fill("[data-testid=search-input]", "污水直排")
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === '污水直排'")
    _searched(page)
    assert "without" not in parse_qs(urlsplit(page.url).query)


def test_hits_that_contain_the_query_come_first_without_the_related_badge(session):
    s = session("admin")
    page = s.page
    page.goto(s.url("/ui/search?q=高标准农田"))
    page.wait_for_selector("#hits[aria-busy=false] .hit[data-passage]")
    assert page.locator("#expansions [data-testid=expansion-chip]").count() >= 1
    hits = page.locator(".hit[data-passage]")
    badges = [hits.nth(i).locator("[data-testid=related-badge]").count() for i in range(hits.count())]
    assert badges[0] == 0 and badges == sorted(badges)  # typed matches first, related-only after them
    for i in range(hits.count()):
        if not badges[i]:
            assert "高标准农田" in hits.nth(i).inner_text()


# -- 2. 相似段落 ----------------------------------------------------------------------------------------------

def test_similar_passages_open_inline_from_a_search_hit_and_lead_to_the_passage(session, server):
    first, later = passage_id(server, COPY_FIRST, COPIED_PRACTICE), passage_id(server, COPY_LATER, COPIED_PRACTICE)
    s = session("agri")
    page = s.page
    page.goto(s.url("/ui/search?q=三级管护机制"))
    hit = page.locator(f".hit[data-passage='{first}']")
    hit.wait_for()
    button = hit.locator("[data-testid=similar-button]")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    panel = hit.locator("[data-testid=similar-panel]")
    panel.locator(".similar-item").first.wait_for()
    assert button.get_attribute("aria-expanded") == "true" and button.get_attribute("aria-controls") == panel.get_attribute("id")
    assert panel.get_attribute("aria-busy") == "false"
    items = panel.locator(".similar-item")
    ids = [int(x) for x in items.evaluate_all("ns => ns.map(n => n.dataset.passage)")]
    assert ids[0] == later and first not in ids  # the copy first; never the passage itself
    top = items.first
    assert "永川区" in top.locator(".region-badge").inner_text()
    link = top.locator("[data-testid=similar-link]")
    assert link.inner_text() == f"{COPY_LATER}，第1页"
    for text in panel.locator("[data-testid=similar-link]").all_inner_texts():
        assert CITATION.search(text), text
    s.shot("search-similar")
    panel.get_by_role("button", name="收起").click()
    assert not panel.is_visible() and button.get_attribute("aria-expanded") == "false"
    button.click()
    assert panel.is_visible()
    link.click()
    page.wait_for_url(f"**passage={later}")
    assert page.locator("[data-testid=selected-passage] .text").inner_text() == COPIED_PRACTICE


def test_similar_passages_open_on_the_document_page_and_stay_open_when_a_passage_is_chosen(session, server):
    first, later = passage_id(server, COPY_FIRST, COPIED_PRACTICE), passage_id(server, COPY_LATER, COPIED_PRACTICE)
    s = session("admin")
    page = s.page
    page.goto(s.url(f"/ui/documents/{document_id(server, COPY_FIRST)}"))
    passage = page.locator(f".passage[data-passage='{first}']")
    passage.wait_for()
    passage.locator("[data-testid=similar-button]").click()
    item = passage.locator(f"[data-testid=similar-panel] .similar-item[data-passage='{later}']")
    item.wait_for()
    assert item.locator("[data-testid=similar-link]").get_attribute("href").endswith(f"passage={later}")
    # choosing a passage draws the list again: the panel stays open
    passage.locator(".page-link").click()
    page.wait_for_function(f"() => location.search.includes('passage={first}')")
    assert page.locator(f".passage[data-passage='{first}'] [data-testid=similar-panel]").is_visible()
    assert page.locator(f".passage[data-passage='{first}'] [data-testid=similar-button]").get_attribute("aria-expanded") == "true"


def test_similar_passages_open_on_an_experience_card(session):
    s = session("admin")
    page = s.page
    page.goto(s.url("/ui/experiences"))
    card = page.locator(".exp-card[data-passage]").first
    card.wait_for()
    own = card.get_attribute("data-passage")
    card.locator("[data-testid=similar-button]").click()
    panel = card.locator("[data-testid=similar-panel]")
    panel.locator(".similar-item").first.wait_for()
    ids = panel.locator(".similar-item").evaluate_all("ns => ns.map(n => n.dataset.passage)")
    assert ids and own not in ids
    for i in range(len(ids)):
        link = panel.locator(".similar-item").nth(i).locator("[data-testid=similar-link]")
        assert CITATION.search(link.inner_text())
        assert link.get_attribute("href").startswith("/ui/documents/") and f"passage={ids[i]}" in link.get_attribute("href")


# -- 3. typical experiences by theme -----------------------------------------------------------------------------

def test_publicity_finds_cleared_experiences_by_theme_with_related_terms_summary_and_reasons(session, server):
    admin = server["admin"]
    hit = next(h for h in admin.get("/api/search", params={"q": "积分超市"}).json()["hits"]
               if h["region"].startswith("白沙镇"))
    assert admin.post(f"/api/passages/{hit['passage_id']}/review", json={"action": "cleared"}).status_code == 200
    store = server["store"]
    s = session("pub")
    page = s.page
    page.locator("#experiences[aria-busy=false]").wait_for()
    assert page.locator("#exp-expansions [data-testid=expansion-chip]").count() == 0  # no theme, nothing expanded
    page.fill("[data-testid=theme-input]", "积分制")
    page.click("#exp-filter button[type=submit]")
    box = page.locator("#exp-expansions")
    box.locator("[data-testid=expansion-chip]").first.wait_for()
    assert box.text_content().startswith("同时检索：积分超市")
    card = page.locator(f".exp-card[data-passage='{hit['passage_id']}']")
    card.wait_for()
    shown = {int(x) for x in page.locator(".exp-card[data-passage]").evaluate_all("ns => ns.map(n => n.dataset.passage)")}
    assert all(store.passage_cleared(p) for p in shown)  # publicity: cleared passages only

    with _client(server, "pub") as c:
        expected = next(e for e in c.get("/api/experiences", params={"q": "积分制", "limit": 50}).json()["experiences"]
                        if e["passage_id"] == hit["passage_id"])
    assert expected["summary"] and expected["reasons"]
    summary = card.locator("[data-testid=summary] .summary-badge").all_inner_texts()
    assert "+".join(summary) == expected["summary"]
    reasons = card.locator("[data-testid=reasons]").inner_text()
    assert reasons.startswith("入选理由：") and all(r in reasons for r in expected["reasons"])
    s.shot("experiences-theme")

    # switch a related term off: asked again without it, the chip shown as off; the briefing asks the same
    box.locator("[data-word='积分超市']").click()
    box.locator("[data-word='积分超市'][aria-pressed=false]").wait_for()
    card.wait_for()  # still found: its heading says 积分制
    assert page.locator("#b-q").input_value() == "积分制" and page.locator("#b-q").is_enabled()
    assert page.locator("#briefing-form input[name=without]").evaluate_all("ns => ns.map(n => n.value)") == ["积分超市"]


def _client(server, who: str):
    import httpx

    return httpx.Client(base_url=server["base"], timeout=60, headers={"Authorization": f"Bearer {server['tokens'][who]}"})
