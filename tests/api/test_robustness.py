"""The hostile corpus in one upload: every file ends final with its typed reason, and the service stays up."""

from __future__ import annotations

import os
import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from api.worker import run_worker
from index import Store
from index.auth import Role, create_token
from tests.api.hostile import DONE, hostile_corpus


@pytest.fixture(scope="module")
def bad_service(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("bad")
    settings = Settings(data_dir=data_dir, parse_timeout_s=30, parse_cpu_s=30, parse_memory_mb=512, lease_s=30,
                        ocr=False, max_pages=20)
    store = Store(data_dir)
    token = create_token(store, Role.ADMIN)[0]
    client = TestClient(create_app(settings))
    yield client, token, settings, store
    store.close()


def test_every_hostile_file_ends_alone_with_its_typed_reason(bad_service):
    client, token, settings, store = bad_service
    corpus = hostile_corpus()
    assert len(corpus) >= 100
    r = client.post("/api/batches", headers={"Authorization": f"Bearer {token}"},
                    files=[("files", (name, data)) for name, data, _ in corpus])
    assert r.status_code == 202 and len(r.json()["files"]) == len(corpus)
    batch = r.json()["batch_id"]
    os.environ.pop("JILI_DATA_DIR", None)
    run_worker(settings, "all", until_idle=True)
    body = client.get(f"/api/batches/{batch}", headers={"Authorization": f"Bearer {token}"}).json()
    top = {f["filename"]: f for f in body["files"] if f["parent_id"] is None}
    members = [f for f in body["files"] if f["parent_id"] is not None]
    assert body["progress"]["complete"]
    _all_final(members)
    wrong = []
    for name, _, expected in corpus:
        row = top[name]
        if row["kind"] == "archive" and row["status"] == "done":
            # an archive's own row is done once expanded; its (nested) members carry the outcome
            failed = [leaf for leaf in _leaves(row, members) if leaf["status"] == "failed"]
            outcome = failed[0]["error_code"] if failed else DONE
        else:
            outcome = DONE if row["status"] in ("done", "duplicate") else row["error_code"]
            if row["status"] == "failed":
                assert row["error_code"] and name in row["error_message"], row
        if outcome not in (expected if isinstance(expected, set) else {expected}):
            wrong.append((name, expected, outcome, row["error_message"]))
    assert not wrong, "\n".join(map(str, wrong))
    # what people read is Chinese and says what to do next (the technical reason stays in error_detail)
    for f in body["files"]:
        if f["status"] == "failed":
            name = f"{f['filename']}!{f['archive_path']}" if f["archive_path"] else f["filename"]
            said = f["error_message"].replace(name, "")
            assert not re.search(r"[A-Za-z]{3,}", said.replace("PDF", "").replace("Word", "").replace("DOCX", "")
                                 .replace("OCR", "").replace("ZIP", "").replace("OFD", "").replace("TXT", "")
                                 .replace("WPS", "").replace("DOC", "").replace("HTML", "").replace("SVG", "")
                                 .replace("RAR", "").replace("gzip", "").replace("Zip", "").replace("Excel", "")
                                 .replace("PPT", "").replace("RTF", "").replace("OpenDocument", "")), said
            assert said.endswith("。") and f["error_detail"]
    assert client.get("/api/health").json()["status"] == "ok"


def _leaves(row, members):
    out = []
    for kid in (m for m in members if m["parent_id"] == row["id"]):
        if kid["kind"] == "archive" and kid["status"] == "done":
            out += _leaves(kid, members)
        else:
            out.append(kid)
    return out


def _all_final(members):
    for m in members:
        assert m["status"] in ("done", "duplicate", "failed"), m
        if m["status"] == "failed":
            assert m["error_message"], m


def test_nothing_already_stored_is_lost_by_a_bad_batch(bad_service):
    client, token, settings, store = bad_service
    before = store.counts()
    r = client.post("/api/batches", headers={"Authorization": f"Bearer {token}"},
                    files=[("files", ("x.pdf", b"%PDF-1.7 broken")), ("files", ("y.docx", b"PK\x03\x04junk"))])
    assert r.status_code == 202
    run_worker(settings, "all", until_idle=True)
    after = store.counts()
    assert after["documents"] == before["documents"] and after["passages"] == before["passages"]
