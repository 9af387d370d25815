import json

import pytest

from index import StoreError
from index.auth import Role, create_token
from tests.api.conftest import auth, document_of


def test_uploads_are_processed_in_the_background_with_per_file_state(service):
    c, t = service["client"], service["tokens"]
    batch = service["uploads"]["hechuan"]["batch_id"]
    body = c.get(f"/api/batches/{batch}", headers=auth(t["hechuan"])).json()
    assert body["progress"]["complete"] and body["progress"]["progress"] == 1.0
    assert [f["status"] for f in body["files"]] == ["done"]
    doc = c.get(f"/api/documents/{body['files'][0]['document_id']}", headers=auth(t["hechuan"])).json()
    assert doc["region"] == "合川区" and doc["passages"] and doc["figures"]
    assert any(m["measure"] == 15 and m["eligible"] for m in doc["measures"])


def test_progress_events_stream_until_complete(service):
    c, t = service["client"], service["tokens"]
    batch = service["uploads"]["hechuan"]["batch_id"]
    with c.stream("GET", f"/api/batches/{batch}/events", headers=auth(t["hechuan"])) as r:
        text = "".join(r.iter_text())
    assert "event: progress" in text and "event: complete" in text
    progress = json.loads(text.split("data: ", 1)[1].split("\n", 1)[0])
    assert progress["complete"] is True


def test_original_file_and_page_image_are_served(service):
    c, t = service["client"], service["tokens"]
    doc_id = document_of(service, "hechuan")
    r = c.get(f"/api/documents/{doc_id}/file", headers=auth(t["hechuan"]))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    r = c.get(f"/api/documents/{doc_id}/pages/1.png", headers=auth(t["admin"]))
    assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert c.get(f"/api/documents/{doc_id}/pages/99.png", headers=auth(t["admin"])).status_code == 404


def test_errors_are_json_with_a_stable_code(service):
    c, t = service["client"], service["tokens"]
    r = c.get("/api/search", params={"q": "x"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = c.get("/api/search", params={"size": 1000}, headers=auth(t["admin"]))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    r = c.get("/api/documents/nope", headers=auth(t["admin"]))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_search_records_and_experiences_over_http(service):
    c, t = service["client"], service["tokens"]
    r = c.get("/api/search", params={"q": "高标准农田", "measure": 15}, headers=auth(t["agri"])).json()
    assert r["total"] >= 1 and all(any(m["measure"] == 15 for m in h["measures"]) for h in r["hits"])
    rec = c.get("/api/records", params={"measure": 15, "kind": "quantity"}, headers=auth(t["agri"]))
    assert rec.status_code == 200 and rec.json()["records"]
    csv = c.get("/api/records", params={"measure": 15, "format": "csv"}, headers=auth(t["agri"]))
    assert csv.headers["content-type"].startswith("text/csv") and "region" in csv.text
    xlsx = c.get("/api/records", params={"measure": 15, "format": "xlsx"}, headers=auth(t["agri"]))
    assert xlsx.content[:2] == b"PK"
    exp = c.get("/api/experiences", params={"format": "docx"}, headers=auth(t["admin"]))
    assert exp.status_code == 200 and exp.content[:2] == b"PK"


def test_review_relabels_and_clears_for_publicity(service):
    c, t = service["client"], service["tokens"]
    hits = c.get("/api/search", params={"q": "高标准农田"}, headers=auth(t["agri"])).json()["hits"]
    pid = hits[0]["passage_id"]
    assert c.get("/api/search", params={"q": "高标准农田"}, headers=auth(t["pub"])).json()["total"] == 0
    r = c.post(f"/api/passages/{pid}/review", json={"action": "exemplary", "note": "好做法"}, headers=auth(t["agri"]))
    assert r.status_code == 200 and r.json()["reviewer"] == "市农业农村委"
    # 标为典型 is not 准予宣传: publicity staff still see nothing until the passage is cleared
    assert c.get("/api/search", params={"q": "高标准农田"}, headers=auth(t["pub"])).json()["total"] == 0
    assert c.post(f"/api/passages/{pid}/review", json={"action": "cleared"}, headers=auth(t["agri"])).status_code == 200
    pub = c.get("/api/search", params={"q": "高标准农田"}, headers=auth(t["pub"])).json()
    assert [h["passage_id"] for h in pub["hits"]] == [pid]
    exp = c.get("/api/experiences", headers=auth(t["pub"])).json()["experiences"]
    assert [e["passage_id"] for e in exp] == [pid]
    r = c.post(f"/api/passages/{pid}/review", json={"action": "relabel", "measures": [14, 15]}, headers=auth(t["agri"]))
    assert r.status_code == 200
    hits = c.get("/api/search", params={"q": "高标准农田", "measure": 14}, headers=auth(t["agri"])).json()["hits"]
    labels = {m["measure"]: m["origin"] for m in next(h for h in hits if h["passage_id"] == pid)["measures"]}
    assert labels == {14: "review", 15: "review"}
    bad = c.post(f"/api/passages/{pid}/review", json={"action": "relabel", "measures": [5]}, headers=auth(t["agri"]))
    assert bad.status_code == 403  # 市科技局 leads measure 5, not 市农业农村委


def test_a_reviewer_can_undo_relabelling_a_passage_to_no_measure(service):
    c, t = service["client"], service["tokens"]
    pid = c.get("/api/search", params={"q": "粮食"}, headers=auth(t["agri"])).json()["hits"][-1]["passage_id"]
    gone = c.post(f"/api/passages/{pid}/review", json={"action": "relabel", "measures": []}, headers=auth(t["agri"]))
    assert gone.status_code == 200
    back = c.post(f"/api/passages/{pid}/review", json={"action": "relabel", "measures": [15]}, headers=auth(t["agri"]))
    assert back.status_code == 200, back.text
    other = c.post(f"/api/passages/{pid}/review", json={"action": "exemplary"}, headers=auth(t["sci"]))
    assert other.status_code == 404  # still hidden from a unit that may not see the document


def test_a_reviewer_reads_every_passage_and_relabels_only_their_own_measures(service):
    c, t, store = service["client"], service["tokens"], service["store"]
    doc = document_of(service, "hechuan")
    as_agri = c.get(f"/api/documents/{doc}", headers=auth(t["agri"])).json()["passages"]
    as_admin = c.get(f"/api/documents/{doc}", headers=auth(t["admin"])).json()["passages"]
    assert [p["id"] for p in as_agri] == [p["id"] for p in as_admin]  # unlabelled passages and tables too
    agri_led = {r["id"] for r in store.db.query("SELECT id, lead_units FROM measures") if "市农业农村委" in r["lead_units"]}
    other = next(p for p in as_admin if {lb["measure"] for lb in p["labels"]} - agri_led)
    foreign = {lb["measure"] for lb in other["labels"]} - agri_led
    r = c.post(f"/api/passages/{other['id']}/review", json={"action": "relabel", "measures": [15]}, headers=auth(t["agri"]))
    assert r.status_code == 200, r.text
    after = {row["measure"] for row in store.db.query("SELECT measure FROM passage_labels WHERE passage_id = ?",
                                                      [other["id"]])}
    assert after == foreign | {15}


ROLE_MATRIX = [
    # (method, path template, {role: expected status})
    ("POST", "/api/batches", {"admin": 202, "hechuan": 202, "agri": 403, "pub": 403}),
    ("GET", "/api/batches", {"admin": 200, "hechuan": 200, "agri": 403, "pub": 403}),
    ("GET", "/api/batches/{hechuan_batch}", {"admin": 200, "hechuan": 200, "bishan": 404, "agri": 403, "pub": 403}),
    ("GET", "/api/documents/{hechuan_doc}", {"admin": 200, "hechuan": 200, "bishan": 404, "agri": 200, "sci": 404}),
    ("GET", "/api/documents/{bishan_doc}", {"admin": 200, "bishan": 200, "hechuan": 404, "agri": 404,
                                            "pub": 404}),
    ("GET", "/api/documents/{hechuan_doc}/file", {"admin": 200, "hechuan": 200, "bishan": 404, "sci": 404}),
    ("GET", "/api/documents/{bishan_doc}/file", {"bishan": 200, "hechuan": 404, "pub": 404}),
    ("GET", "/api/documents/{hechuan_doc}/pages/1.png", {"admin": 200, "bishan": 404, "sci": 404}),
    ("GET", "/api/measures/15/evidence", {"admin": 200, "agri": 200, "sci": 403, "hechuan": 403, "pub": 403}),
    ("GET", "/api/records?measure=15", {"admin": 200, "agri": 200, "sci": 403, "hechuan": 403, "pub": 403}),
    ("GET", "/api/experiences", {"admin": 200, "agri": 200, "pub": 200, "hechuan": 403}),
    ("GET", "/api/metrics", {"admin": 200, "hechuan": 403, "agri": 403, "pub": 403}),
    ("GET", "/api/checks?measure=15", {"admin": 200, "agri": 200, "sci": 403, "hechuan": 200, "pub": 403}),
    ("GET", "/api/checks", {"admin": 200, "agri": 200, "hechuan": 200, "pub": 403}),
    ("GET", "/api/documents/{hechuan_doc}/checks", {"admin": 200, "hechuan": 200, "bishan": 404, "agri": 200}),
    ("GET", "/api/passages/{hechuan_passage}/similar", {"admin": 200, "hechuan": 200, "bishan": 404, "agri": 200}),
    ("GET", "/api/measures", {"admin": 200, "hechuan": 200, "agri": 200, "pub": 200}),
    ("POST", "/api/passages/{hechuan_passage}/review", {"admin": 200, "agri": 200, "sci": 404, "hechuan": 403,
                                                        "pub": 403}),
]


def _fill(service, path):
    c, t = service["client"], service["tokens"]
    doc = document_of(service, "hechuan")
    passage = next(p["id"] for p in c.get(f"/api/documents/{doc}", headers=auth(t["agri"])).json()["passages"])
    return path.format(hechuan_batch=service["uploads"]["hechuan"]["batch_id"], hechuan_doc=doc,
                       bishan_doc=document_of(service, "bishan"), hechuan_passage=passage)


@pytest.mark.parametrize(("method", "path", "expected"), ROLE_MATRIX, ids=[f"{m} {p}" for m, p, _ in ROLE_MATRIX])
def test_every_role_gets_exactly_its_access(service, method, path, expected):
    c, t = service["client"], service["tokens"]
    url = _fill(service, path)
    for role, status in expected.items():
        kwargs = {"headers": auth(t[role])}
        if method == "POST" and "batches" in url:
            kwargs["files"] = [("files", ("note.txt", "角色测试文件。".encode()))]
        if method == "POST" and "review" in url:
            kwargs["json"] = {"action": "cleared"}
        r = c.request(method, url, **kwargs)
        assert r.status_code == status, f"{role} {method} {url}: {r.status_code} {r.text[:200]}"
        if status == 404:
            # a hidden object answers exactly like a missing one: nothing leaks
            assert r.json() == {"error": {"code": "not_found", "message": "没有找到该对象，或您无权查看。请核对链接或编号。",
                                          "detail": "no such object"}}
    assert c.request(method, url).status_code == 401


def test_uploaders_search_only_their_own_region(service):
    c, t = service["client"], service["tokens"]
    mine = c.get("/api/search", params={"q": "高标准农田"}, headers=auth(t["hechuan"])).json()
    theirs = c.get("/api/search", params={"q": "高标准农田"}, headers=auth(t["bishan"])).json()
    assert mine["total"] >= 1 and theirs["total"] == 0
    assert set(mine["facets"]["region"]) == {"合川区"}


def test_openapi_documents_every_route_in_chinese_and_english(service):
    spec = service["client"].get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for op in ops.values():
            assert op.get("summary") and "/" in op["summary"], path


def test_reviewer_corrections_export_as_training_lines(service):
    from index.reviews import corrections

    c, t = service["client"], service["tokens"]
    hit = c.get("/api/search", params={"q": "粮食"}, headers=auth(t["agri"])).json()["hits"][0]
    c.post(f"/api/passages/{hit['passage_id']}/review", json={"action": "relabel", "measures": [15]},
           headers=auth(t["agri"]))
    lines = {line["id"]: line for line in corrections(service["store"])}
    line = lines[f"review-{hit['passage_id']}"]
    assert line["text"] == hit["text"] and line["measures"] == [15] and line["reviewer"] == "市农业农村委"


@pytest.mark.parametrize("path", ["/api/measures/31/evidence", "/api/records?measure=31", "/api/search?q=农田&measure=31",
                                  "/api/experiences?measure=31"])
def test_a_measure_the_catalog_lacks_is_a_404_that_says_so(service, path):
    r = service["client"].get(path, headers=auth(service["tokens"]["admin"]))
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == "unknown_measure" and "31" in r.json()["error"]["message"]


def test_tokens_name_only_known_regions_and_lead_units(service):
    store = service["store"]
    with pytest.raises(StoreError, match="unknown region"):
        create_token(store, Role.UPLOADER, region="不存在区")
    with pytest.raises(StoreError, match="unknown lead unit 不存在单位"):
        create_token(store, Role.REVIEWER, lead_units=["不存在单位"])
    _, principal = create_token(store, Role.UPLOADER, region="合川")
    assert principal.region == "合川区"


def test_a_raw_gbk_file_name_in_the_upload_is_decoded(service):
    c, t = service["client"], service["tokens"]
    boundary = "jili-boundary"
    name = "璧山区申报材料.txt".encode("gbk")
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"".encode() + name +
            b"\"\r\nContent-Type: text/plain\r\n\r\n" + "申报说明：新增就业岗位1200个。".encode() +
            f"\r\n--{boundary}--\r\n".encode())
    r = c.post("/api/batches", content=body, headers=auth(t["bishan"]) |
               {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 202, r.text
    assert r.json()["files"][0]["filename"] == "璧山区申报材料.txt"


def test_the_openapi_document_shows_every_response_shape(service):
    spec = service["client"].get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            ok = op["responses"].get("200") or op["responses"].get("202")
            content = (ok or {}).get("content", {})
            if "application/json" in content:
                assert content["application/json"]["schema"], (method, path)
            assert "404" in op["responses"] or path in ("/api/health", "/api/batches"), (method, path)


def test_the_same_bytes_from_another_region_are_that_regions_own_declaration(service):
    """No existence oracle: a second region uploading bytes identical to another region's file gets its own
    file record and declaration, never `duplicate`, and learns nothing of the first upload."""
    from api.worker import run_worker

    c, t = service["client"], service["tokens"]
    bishan_doc = document_of(service, "bishan")
    bishan_name = c.get(f"/api/documents/{bishan_doc}", headers=auth(t["admin"])).json()["filename"]
    original = c.get(f"/api/documents/{bishan_doc}/file", headers=auth(t["admin"])).content
    assert original[:4] == b"%PDF"
    r = c.post("/api/batches", headers=auth(t["hechuan"]), files=[("files", ("合川区-申报材料.pdf", original))])
    assert r.status_code == 202, r.text
    run_worker(service["settings"], "all", until_idle=True)
    files = c.get(f"/api/batches/{r.json()['batch_id']}", headers=auth(t["hechuan"])).json()["files"]
    assert [f["status"] for f in files] == ["done"]
    own = files[0]["document_id"]
    assert own != bishan_doc
    doc = c.get(f"/api/documents/{own}", headers=auth(t["hechuan"])).json()
    assert doc["filename"] == "合川区-申报材料.pdf" and doc["region"] == "合川区"
    assert bishan_name not in json.dumps(doc, ensure_ascii=False)
    assert c.get(f"/api/documents/{bishan_doc}", headers=auth(t["hechuan"])).status_code in (403, 404)
    # and the same bytes again from the same region are a duplicate of its own declaration
    again = c.post("/api/batches", headers=auth(t["hechuan"]), files=[("files", ("再次上传.pdf", original))])
    run_worker(service["settings"], "all", until_idle=True)
    rows = c.get(f"/api/batches/{again.json()['batch_id']}", headers=auth(t["hechuan"])).json()["files"]
    assert rows[0]["status"] == "duplicate" and rows[0]["document_id"] == own


def test_checks_answer_the_stable_json_and_export_with_chinese_file_names(service):
    c, t = service["client"], service["tokens"]
    body = c.get("/api/checks", params={"measure": 15}, headers=auth(t["agri"])).json()
    assert set(body) >= {"copies", "figure_conflicts"}
    for k in body["figure_conflicts"]:
        assert set(k) >= {"region", "metric", "period", "kind", "figures"} and k["kind"] in ("disagree", "impossible")
        assert all(set(f) >= {"document_id", "filename", "page", "raw", "value", "unit"} for f in k["figures"])
    r = c.get("/api/checks", params={"measure": 15, "format": "xlsx"}, headers=auth(t["agri"]))
    assert r.status_code == 200 and "%E6%A0%B8%E6%9F%A5" in r.headers["content-disposition"]  # 核查…
