"""The UI's pages without a browser (sign-in cookie, page guards) and the API routes only the UI uses."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import docx
import openpyxl
import pytest

from classify.lateness import file_created
from index import Store
from index.overview import late_declarations
from index.recommendations import import_files, load_list
from tests.api.conftest import auth, document_of


@pytest.fixture
def client(service):
    c = service["client"]
    c.cookies.clear()
    yield c
    c.cookies.clear()


def sign_in(service, who: str) -> None:
    r = service["client"].post("/ui/login", data={"token": service["tokens"][who]}, follow_redirects=False)
    assert r.status_code == 303


def test_sign_in_sets_an_httponly_strict_cookie_and_sign_out_clears_it(service, client):
    r = client.post("/ui/login", data={"token": service["tokens"]["agri"], "next": "/ui/review/15"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/review/15"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("jili_token=jili_") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/api/me").json()["role"] == "reviewer"
    assert client.get("/api/measures").status_code == 200  # the API accepts the same cookie
    r = client.post("/ui/logout", follow_redirects=False)
    assert r.status_code == 303 and 'jili_token=""' in r.headers["set-cookie"]


def test_sign_in_refuses_a_bad_token_and_never_sends_the_user_off_site(service, client):
    r = client.post("/ui/login", data={"token": "jili_forged"}, follow_redirects=False)
    assert r.status_code == 401 and "令牌无效" in r.text and "set-cookie" not in r.headers
    for target in ("https://evil.example/", "//evil.example/x", "/api/metrics", "/ui\\..\\x"):
        r = client.post("/ui/login", data={"token": service["tokens"]["pub"], "next": target}, follow_redirects=False)
        assert r.headers["location"] == "/ui/experiences", target


@pytest.mark.parametrize(("who", "path", "status"), [
    (None, "/ui/review", 303), ("hechuan", "/ui/review", 403), ("agri", "/ui/upload", 403),
    ("pub", "/ui/upload", 403), ("hechuan", "/ui/experiences", 403), ("sci", "/ui/review/15", 403),
    ("agri", "/ui/review/15", 200), ("agri", "/ui/review/99", 404), ("agri", "/ui/review/x", 404),
    ("pub", "/ui/search", 200), ("hechuan", "/ui/upload", 200), ("admin", "/ui/review/5", 200),
])
def test_pages_send_visitors_to_sign_in_and_refuse_other_roles(service, client, who, path, status):
    if who:
        sign_in(service, who)
    r = client.get(path, follow_redirects=False)
    assert r.status_code == status
    if status == 303:
        assert r.headers["location"] == f"/ui/login?next={path}"


def test_each_role_lands_on_its_own_page(service, client):
    for who, home in (("admin", "/ui/review"), ("hechuan", "/ui/upload"), ("agri", "/ui/review"),
                      ("pub", "/ui/experiences")):
        sign_in(service, who)
        assert client.get("/ui/", follow_redirects=False).headers["location"] == home
    client.cookies.clear()
    assert client.get("/", follow_redirects=True).url.path == "/ui/login"


def test_pages_allow_only_this_servers_scripts_styles_and_images(service, client):
    sign_in(service, "agri")
    r = client.get("/ui/review")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "http" not in csp
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", r.text)  # no CDN, no web fonts
    css = client.get("/ui/static/css/app.css")
    assert css.status_code == 200 and "Noto Sans CJK SC" in css.text and "url(" not in css.text


def test_a_document_page_is_hidden_from_other_regions(service, client):
    sign_in(service, "hechuan")
    assert client.get(f"/ui/documents/{document_of(service, 'hechuan')}").status_code == 200
    r = client.get(f"/ui/documents/{document_of(service, 'bishan')}")
    assert r.status_code == 404 and "无权查看" in r.text
    assert client.get("/ui/documents/nope").status_code == 404


def test_me_tells_the_ui_who_is_signed_in(service, client):
    assert client.get("/api/me").status_code == 401
    sign_in(service, "hechuan")
    me = client.get("/api/me").json()
    assert me["role"] == "uploader" and me["region"] == "合川区" and me["measures"] is None
    assert [p["key"] for p in me["pages"]] == ["upload", "search"]
    me = client.get("/api/me", headers=auth(service["tokens"]["agri"])).json()
    assert me["lead_units"] == ["市农业农村委"] and me["measures"] == [14, 15]


def test_the_matrix_shows_a_reviewer_only_the_measures_it_leads(service, client):
    m = client.get("/api/matrix", headers=auth(service["tokens"]["agri"])).json()
    assert [x["id"] for x in m["measures"]] == [14, 15]
    hechuan = next(r for r in m["regions"] if r["region"] == "合川区")
    assert hechuan["cells"]["15"]["documents"] == 1 and hechuan["declared"] >= 1
    assert all(set(r["cells"]) <= {"14", "15"} for r in m["regions"])
    # declared and mentioned are never added together: a cell with no declaring document only mentions
    for r in m["regions"]:
        for c in r["cells"].values():
            assert c["documents"] > 0 or c["mentions"] > 0 or c["possible"] > 0
    caotang = next(r for r in m["regions"] if r["region"].startswith("草堂镇"))
    assert caotang["region"] == "草堂镇（奉节县）" and caotang["county"] == "奉节县" and caotang["applicant_type"] == "乡镇(街道)"
    everything = client.get("/api/matrix", headers=auth(service["tokens"]["admin"])).json()
    assert len(everything["measures"]) == 30 and len(everything["regions"]) > len(m["regions"])
    for who in ("hechuan", "pub"):
        assert client.get("/api/matrix", headers=auth(service["tokens"][who])).status_code == 403


def test_recommendation_lists_are_saved_per_measure_and_exported_for_the_supervision_office(service, client):
    h = auth(service["tokens"]["agri"])
    empty = client.get("/api/recommendations/15", headers=h).json()
    assert empty["items"] == [] and [c["region"] for c in empty["candidates"]] == ["合川区"]
    reason = "建成高标准农田6.5万亩，完成任务的108.3%。"
    r = client.put("/api/recommendations/15", headers=h,
                   json={"items": [{"region": "合川区", "justification": f"  {reason} "}]})
    assert r.status_code == 200, r.text
    saved = load_list(service["store"], 15)
    assert saved["items"] == [{"region": "合川区", "justification": reason, "passage_ids": []}]
    assert saved["updated_by"] == "市农业农村委"
    assert client.get("/api/recommendations/15", headers=h).json()["items"][0]["justification"] == reason
    xlsx = client.get("/api/recommendations/15/export", params={"format": "xlsx"}, headers=h)
    assert xlsx.status_code == 200 and "filename*=UTF-8''" in xlsx.headers["content-disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert "措施15" in rows[0][0] and rows[2][:4] == (1, "合川区", "区县", reason)
    assert "合川区-高标准农田建设和稳定粮食生产-申报报告.pdf，第" in rows[2][4] and "万亩" in rows[2][5]
    assert "市政府督查办" in rows[-1][0]
    word = client.get("/api/recommendations/15/export", params={"format": "docx"}, headers=h)
    table = docx.Document(io.BytesIO(word.content)).tables[0]
    assert [c.text for c in table.rows[1].cells][:4] == ["1", "合川区", "区县", reason]


@pytest.mark.parametrize(("items", "code"), [
    ([{"region": "璧山区", "justification": "好"}], "region_not_declared"),
    ([{"region": "合川区", "justification": "   "}], "justification_required"),
    ([{"region": "合川区", "justification": "好"}, {"region": "合川区", "justification": "好"}], "duplicate_region"),
    ([{"region": "合川区", "justification": "x" * 501}], "invalid_request"),
])
def test_a_recommendation_list_names_declaring_regions_once_each_with_a_reason(service, client, items, code):
    r = client.put("/api/recommendations/15", headers=auth(service["tokens"]["agri"]), json={"items": items})
    assert r.status_code == 422 and r.json()["error"]["code"] == code


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("agri", 200), ("sci", 403), ("hechuan", 403),
                                             ("pub", 403)])
def test_recommendation_lists_follow_the_role_rules(service, client, who, status):
    h = auth(service["tokens"][who])
    assert client.get("/api/recommendations/15", headers=h).status_code == status
    assert client.get("/api/recommendations/15/export", headers=h).status_code == status
    body = {"items": []}
    assert client.put("/api/recommendations/15", headers=h, json=body).status_code == status


def test_recommendation_lists_kept_as_files_by_earlier_versions_move_into_the_store(tmp_path):
    folder = tmp_path / "recommendations"
    folder.mkdir()
    (folder / "measure-03.json").write_text(json.dumps({
        "measure": 3, "items": [{"region": "重庆两江新区", "justification": "招商成效显著"}],
        "updated_at": "2026-11-27T04:31:00+00:00", "updated_by": "市招商投资局"}, ensure_ascii=False), "utf-8")
    store = Store(tmp_path / "data")
    try:
        assert import_files(store, folder) == 1
        record = load_list(store, 3)
        assert record["items"] == [{"region": "重庆两江新区", "justification": "招商成效显著", "passage_ids": []}]
        assert record["updated_by"] == "市招商投资局"
        assert not folder.exists() and (tmp_path / "recommendations.imported").is_dir()
        assert load_list(store, 4) == {"measure": 4, "items": [], "updated_at": None, "updated_by": None}
    finally:
        store.close()


@pytest.mark.parametrize(("metadata", "expected"), [
    ({"creationdate": "D:20230117093000+08'00'"}, date(2023, 1, 17)),
    ({"creationdate": "D:20230131200000Z"}, date(2023, 2, 1)),  # 04:00 on 1 February in Chongqing
    ({"created": "2023-01-31T20:00:00+00:00"}, date(2023, 2, 1)),
    ({"created": "2023-01-16T09:30:00"}, date(2023, 1, 16)),
    ({"creationdate": "D:2023"}, None),
    ({"created": "not a date"}, None),
    ({}, None),
])
def test_the_file_creation_date_is_read_in_beijing_time(metadata, expected):
    assert file_created(metadata) == expected


def test_a_late_declaration_is_listed_with_the_date_that_decided_it(service, client):
    from api.worker import run_worker
    from tests.ui.conftest import LATE_FILE, late_declaration

    store = service["store"]
    assert late_declarations(store, date(2023, 2, 1), 2022) == []  # every sample was on time
    r = client.post("/api/batches", headers=auth(service["tokens"]["admin"]),
                    files=[("files", ("补报.zip", _zip([(LATE_FILE, late_declaration())])))])
    run_worker(service["settings"], "all", until_idle=True)
    [late] = late_declarations(store, date(2023, 2, 1), 2022)
    assert late["name"] == f"补报.zip!{LATE_FILE}" and late["late_source"] == "document"
    assert late["reasons"] == ["成文日期 2023-02-10 晚于截止日期 2023-02-01"]
    batch = client.get(f"/api/batches/{r.json()['batch_id']}", headers=auth(service["tokens"]["admin"])).json()
    member = next(f for f in batch["files"] if f["archive_path"] == LATE_FILE)
    assert member["late"] is True and member["doc_date"] == "2023-02-10" and 15 in member["measures"]
    doc = client.get(f"/api/documents/{member['document_id']}", headers=auth(service["tokens"]["admin"])).json()
    assert doc["late"] is True and doc["late_source"] == "document"
    store.delete_document(member["document_id"])  # the other tests expect the samples alone


def _zip(members) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def test_deadlines_come_from_the_campaign_catalog(service, client):
    d = client.get("/api/deadlines", headers=auth(service["tokens"]["agri"])).json()
    assert d["declaration_deadline"] == "2023-02-01" and d["campaign"] == 2022
    assert [x["name"] for x in d["deadlines"]] == ["激励措施实施办法报送", "区县申报", "通报实施"]
    assert d["late"] == []
    assert client.get("/api/deadlines", headers=auth(service["tokens"]["pub"])).status_code == 403


def test_a_briefing_holds_the_chosen_cases_and_publicity_gets_only_cleared_ones(service, client):
    t = service["tokens"]
    ranked = client.get("/api/experiences", headers=auth(t["admin"])).json()["experiences"]
    first, second = ranked[0], ranked[1]
    word = client.get("/api/experiences", params={"format": "docx", "id": [second["passage_id"]]}, headers=auth(t["admin"]))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert second["text"][:30] in text and first["text"][:30] not in text
    r = client.get("/api/experiences", params={"format": "docx", "id": [first["passage_id"]]}, headers=auth(t["pub"]))
    assert r.status_code == 404  # not cleared yet
    h = auth(t["admin"])
    assert client.post(f"/api/passages/{first['passage_id']}/review", json={"action": "cleared"}, headers=h).status_code == 200
    r = client.get("/api/experiences", params={"format": "docx", "id": [first["passage_id"]]}, headers=auth(t["pub"]))
    assert r.status_code == 200 and first["text"][:30] in "\n".join(
        p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert client.get("/api/experiences", params={"format": "docx"}, headers=auth(t["hechuan"])).status_code == 403


def test_a_passage_is_located_on_its_pdf_page(service, client):
    t = service["tokens"]
    doc_id = document_of(service, "hechuan")
    passage = client.get(f"/api/documents/{doc_id}", headers=auth(t["agri"])).json()["passages"][1]
    b = client.get(f"/api/documents/{doc_id}/passages/{passage['id']}/boxes", headers=auth(t["agri"])).json()
    assert b["boxes"] and all(box["page"] == passage["page"] for box in b["boxes"])
    assert all(0 <= box["x0"] < box["x1"] <= 595 and 0 <= box["top"] < box["bottom"] <= 842  # on the A4 page
               for box in b["boxes"])
    other = client.get(f"/api/documents/{document_of(service, 'bishan')}/passages/{passage['id']}/boxes",
                       headers=auth(t["agri"]))
    assert other.status_code == 404
    assert client.get(f"/api/documents/{doc_id}/passages/{passage['id']}/boxes",
                      headers=auth(t["bishan"])).status_code == 404
    assert client.get(f"/api/documents/{doc_id}/passages/{passage['id']}/boxes",
                      headers=auth(t["pub"])).status_code == 403


def test_review_states_show_marks_and_labels_of_visible_passages_only(service, client):
    t = service["tokens"]
    doc_id = document_of(service, "hechuan")
    pid = client.get(f"/api/documents/{doc_id}", headers=auth(t["agri"])).json()["passages"][2]["id"]
    client.post(f"/api/passages/{pid}/review", json={"action": "exemplary"}, headers=auth(t["agri"]))
    states = client.get("/api/reviews", params={"passage": [pid]}, headers=auth(t["agri"])).json()["passages"]
    assert states[str(pid)]["exemplary"] and not states[str(pid)]["cleared"] and 15 in states[str(pid)]["labels"]
    client.post(f"/api/passages/{pid}/review", json={"action": "cleared"}, headers=auth(t["agri"]))
    client.post(f"/api/passages/{pid}/review", json={"action": "not_exemplary"}, headers=auth(t["agri"]))
    state = client.get("/api/reviews", params={"passage": [pid]}, headers=auth(t["agri"])).json()["passages"][str(pid)]
    assert not state["exemplary"] and state["cleared"] and len(state["history"]) == 3
    client.post(f"/api/passages/{pid}/review", json={"action": "uncleared"}, headers=auth(t["agri"]))
    assert client.get("/api/reviews", params={"passage": [pid]}, headers=auth(t["sci"])).json()["passages"] == {}
    assert client.get("/api/reviews", params={"passage": [pid]}, headers=auth(t["pub"])).status_code == 403
