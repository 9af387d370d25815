"""The one ingestion path: queued jobs become stored documents, archives member jobs, scans OCR jobs."""

from __future__ import annotations

import io
import zipfile

import pytest

from api.intake import accept, record
from api.settings import Settings
from api.worker import run_worker
from index import Store
from index.queue import batch_files
from ingest import parse as parse_module
from ingest.model import InputFormat
from tests.conftest import ingest_into, make_pdf

PAGE = [("title", "合川区高标准农田建设申报报告"), ("body", "全年建成高标准农田6.5万亩，完成任务的108.3%。")]


def _zip(members) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_an_archive_becomes_member_documents_nested_ones_included(tmp_path):
    inner = _zip([("附件2.txt", "附件二：全年新增就业岗位1200个。".encode())])
    outer = _write(tmp_path, "批量.zip", _zip([("申报报告.pdf", make_pdf([PAGE])), ("附件.zip", inner)]))
    rows = ingest_into(tmp_path / "data", [outer])
    by_path = {r["archive_path"]: r for r in rows}
    assert by_path[None]["kind"] == "archive" and by_path[None]["status"] == "done"
    assert by_path["申报报告.pdf"]["status"] == "done" and by_path["附件.zip/附件2.txt"]["status"] == "done"
    store = Store(tmp_path / "data")
    try:
        doc = store.document_row(by_path["申报报告.pdf"]["document_id"])
        assert doc["archive_path"] == "申报报告.pdf" and doc["filename"] == "批量.zip"
    finally:
        store.close()


def test_the_same_bytes_uploaded_twice_are_one_document(tmp_path):
    path = _write(tmp_path, "a.pdf", make_pdf([PAGE]))
    [first] = ingest_into(tmp_path / "data", [path])
    [again] = ingest_into(tmp_path / "data", [path], uploader="other")
    assert (first["status"], again["status"]) == ("done", "duplicate")
    assert first["document_id"] == again["document_id"]


def _crash(data, filename, options):
    import ctypes

    ctypes.string_at(0)


def test_a_parser_that_crashes_fails_its_file_and_the_next_file_is_processed(tmp_path, monkeypatch):
    monkeypatch.setitem(parse_module.PARSERS, InputFormat.TXT, _crash)  # the forked parser child inherits it
    files = [_write(tmp_path, "crash.txt", "会崩溃的文本。".encode()), _write(tmp_path, "ok.pdf", make_pdf([PAGE]))]
    rows = {r["filename"]: r for r in ingest_into(tmp_path / "data", files)}
    assert rows["crash.txt"]["status"] == "failed" and rows["crash.txt"]["error_code"] == "limit_exceeded"
    assert "crash.txt" in rows["crash.txt"]["error_message"]
    assert rows["ok.pdf"]["status"] == "done"


@pytest.mark.ocr
def test_a_text_worker_hands_a_scan_to_the_ocr_workers(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1240, 400), "white")
    font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 56)
    ImageDraw.Draw(image).text((60, 150), "全年建成高标准农田6.5万亩", fill="black", font=font)
    buf = io.BytesIO()
    image.save(buf, format="PDF", resolution=150)  # an image-only PDF: a scan
    scan = _write(tmp_path, "扫描件.pdf", buf.getvalue())
    settings = Settings(data_dir=tmp_path / "data", ocr=True, ocr_workers=1)
    store = Store(settings.data_dir)
    try:
        with open(scan, "rb") as fh:
            receipt = record(store, [accept(store, settings, scan.name, fh)], uploader="t", region=None)
        run_worker(settings, "text", until_idle=True)  # a text worker: it may not OCR, so it hands over
        [row] = batch_files(store, receipt.batch_id)
        assert row["status"] == "queued" and row["kind"] == "ocr" and row["attempts"] == 0
        run_worker(settings, "ocr", until_idle=True)
        [row] = batch_files(store, receipt.batch_id)
        assert row["status"] == "done"
        assert "高标准农田" in store.document(row["document_id"]).text
    finally:
        store.close()
