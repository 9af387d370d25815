"""A generated corpus of bad input: every file ends in a clear per-file state and the service stays up."""

from __future__ import annotations

import io
import os
import random
import zipfile

import docx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from api.worker import run_worker
from index import Store
from index.auth import Role, create_token
from tests.conftest import make_pdf

PAGE = [("body", "全年新增高新技术企业42家，同比增长12.5%。")]


def _zip(members, *, compress=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def _docx(text="正文内容。") -> bytes:
    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _broken_xml_docx() -> bytes:
    src = zipfile.ZipFile(io.BytesIO(_docx()))
    return _zip([(i.filename, src.read(i)[: len(src.read(i)) // 2] if i.filename == "word/document.xml" else src.read(i))
                 for i in src.infolist()])


def bad_corpus() -> list[tuple[str, bytes, str]]:
    """(file name, bytes, expected final status). At least 50 files."""
    rng = random.Random(11)
    good_pdf = make_pdf([PAGE, PAGE])
    files = [("good.pdf", good_pdf, "done"), ("good.docx", _docx("有效的申报材料正文。"), "done")]
    files.append(("encrypted.pdf", make_pdf([PAGE], encrypt="pw"), "failed"))
    for i, cut in enumerate((10, 100, 400, len(good_pdf) // 2, len(good_pdf) - 50)):
        files.append((f"truncated-{i}.pdf", good_pdf[:cut], "failed"))
    for ext in ("pdf", "docx", "doc", "txt", "zip", "wps"):
        files.append((f"empty.{ext}", b"", "failed"))
    files.append(("whitespace.txt", b"  \n\t \n", "failed"))
    files.append(("pdf-named.docx", make_pdf([[("body", "扩展名是docx的PDF文件。")]]), "done"))
    files.append(("docx-named.pdf", _docx("扩展名是pdf的Word文件。"), "done"))
    files.append(("text-named.doc", "扩展名是doc的文本。".encode("gbk"), "done"))
    files.append(("zip-bomb.zip", _zip([("bomb.txt", b"0" * 30_000_000)]), "failed"))
    files.append(("zip-slip.zip", _zip([("../../evil.txt", "越界".encode())]), "failed"))
    nested = _zip([("deep.txt", "最深处的文件。".encode())])
    for _ in range(6):
        nested = _zip([("inner.zip", nested)])
    files.append(("deeply-nested.zip", nested, "failed"))
    files.append(("too-many-pages.pdf", make_pdf([PAGE] * 30, page_numbers=False), "failed"))
    files.append(("broken-xml.docx", _broken_xml_docx(), "failed"))
    files.append(("broken-xml-2.docx", _zip([("word/document.xml", b"<w:document><w:body>"), ("[Content_Types].xml", b"<x")]),
                  "failed"))
    for i in range(8):
        files.append((f"garbage-{i}.bin", bytes(rng.randrange(256) for _ in range(2000 + i * 100)), "failed"))
    files.append(("gbk-text-utf8-名字.txt", "这是GBK编码的申报说明，新增就业岗位1200个。".encode("gbk"), "done"))
    files.append(("gb18030.txt", "䶮字与申报材料正文。".encode("gb18030"), "done"))
    files.append(("utf16.txt", "UTF-16编码的申报材料。".encode("utf-16"), "done"))
    files.append(("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "failed"))
    files.append(("fake.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 10, "failed"))
    for i in range(3):
        d = _docx(f"第{i}份文件")
        files.append((f"truncated-{i}.docx", d[: len(d) // (i + 2)], "failed"))
    files.append(("fake.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "failed"))
    files.append(("fake2.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4, "failed"))
    files.append(("empty.zip", _zip([]), "failed"))
    files.append(("spreadsheet.xlsx", _zip([("[Content_Types].xml", b"<x/>"), ("xl/workbook.xml", b"<x/>")]), "failed"))
    files.append(("letter.rtf", b"{\\rtf1\\ansi hello}", "failed"))
    files.append(("drawing-only.pdf", _drawing_only_pdf(), "failed"))
    files.append(("long-line.txt", ("很长的一行文字" * 20000).encode(), "done"))
    files.append(("nul-bytes.txt", b"\x00\x01\x02" * 500, "failed"))
    for i in range(8):
        files.append((f"random-pdf-header-{i}.pdf", b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(500)), "failed"))
    return files


def _drawing_only_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    for i in range(40):
        c.line(10 * i, 10, 10 * i + 50, 500)
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def bad_service(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("bad")
    settings = Settings(data_dir=data_dir, parse_timeout_s=60, lease_s=30, ocr=False, max_pages=20)
    store = Store(data_dir)
    token = create_token(store, Role.ADMIN)[0]
    client = TestClient(create_app(settings))
    yield client, token, settings, store
    store.close()


def test_every_bad_file_fails_alone_with_a_clear_reason(bad_service):
    client, token, settings, store = bad_service
    corpus = bad_corpus()
    assert len(corpus) >= 50
    r = client.post("/api/batches", headers={"Authorization": f"Bearer {token}"},
                    files=[("files", (name, data)) for name, data, _ in corpus])
    assert r.status_code == 202
    batch = r.json()["batch_id"]
    os.environ.pop("JILI_DATA_DIR", None)
    run_worker(settings, "all", until_idle=True)
    body = client.get(f"/api/batches/{batch}", headers={"Authorization": f"Bearer {token}"}).json()
    top = {f["filename"]: f for f in body["files"] if f["parent_id"] is None}
    members = [f for f in body["files"] if f["parent_id"] is not None]
    assert body["progress"]["complete"]
    for name, _, expected in corpus:
        row = top[name]
        if row["kind"] == "archive" and row["status"] == "done":
            # an archive's own row is done once expanded; its (nested) members carry the outcome
            leaves = _leaves(row, members)
            status = "failed" if any(leaf["status"] == "failed" for leaf in leaves) else "done"
            _all_members_final(members)
        else:
            status = row["status"]
            if status == "failed":
                assert row["error_code"] and name in row["error_message"], row
        assert status == expected, (name, row)
    assert client.get("/api/health").json()["status"] == "ok"


def _leaves(row, members):
    out = []
    for kid in (m for m in members if m["parent_id"] == row["id"]):
        if kid["kind"] == "archive" and kid["status"] == "done":
            out += _leaves(kid, members)
        else:
            out.append(kid)
    return out


def _all_members_final(members):
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
