"""Crash recovery and concurrent load against a real `jili serve` process on loopback (marker: heavy).

Run with `make test` (and in CI); they start the server in its own process group, on a free port.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import docx
import httpx
import pytest

from extract import extract_document
from index import Store
from index.auth import Role, create_token
from tests.conftest import make_pdf

pytestmark = pytest.mark.heavy
JILI = str(Path(sys.executable).parent / "jili")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(data_dir: Path, port: int, log: Path, *, workers: int = 1, ocr_workers: int = 1,
           env: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "JILI_OCR": "false", "JILI_PARSE_TIMEOUT_S": "60", "JILI_MAX_ATTEMPTS": "5", **(env or {})}
    proc = subprocess.Popen([JILI, "serve", "--data-dir", str(data_dir), "--port", str(port), "--no-admin-token",
                             "--workers", str(workers), "--ocr-workers", str(ocr_workers)], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


def _kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)


def _file(i: int) -> tuple[str, bytes]:
    text = f"第{i}号申报材料：全年新增高新技术企业{i + 10}家，建成高标准农田{i + 1}.5万亩，河长巡河{i * 3 + 7}次。"
    if i % 3 == 0:
        return f"f{i}.pdf", make_pdf([[("body", text), ("body", text[::-1])]])
    if i % 3 == 1:
        d = docx.Document()
        d.add_paragraph(text)
        buf = io.BytesIO()
        d.save(buf)
        return f"f{i}.docx", buf.getvalue()
    return f"f{i}.txt", text.encode("gbk")


def _wait(client: httpx.Client, batches: list[str], timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        rows = []
        for b in batches:
            rows += client.get(f"/api/batches/{b}").json()["files"]
        if all(r["status"] in ("done", "duplicate", "failed") for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def test_sigkill_mid_batch_loses_nothing_and_duplicates_nothing(tmp_path):
    store = Store(tmp_path / "data")
    token = create_token(store, Role.ADMIN)[0]
    port = _free_port()
    log = tmp_path / "serve.log"
    proc = _serve(tmp_path / "data", port, log)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    files = [_file(i) for i in range(200)]
    batches = []
    for k in range(0, 200, 50):
        r = client.post("/api/batches", files=[("files", f) for f in files[k:k + 50]])
        assert r.status_code == 202, r.text
        batches.append(r.json()["batch_id"])
    while sum(1 for r in store.db.query("SELECT 1 FROM files WHERE status = 'done'")) < 30:
        time.sleep(0.2)
    _kill_group(proc)  # server, workers and parser children, mid-batch
    killed_at = store.db["files"].count_where("status = 'done'")
    in_flight = [r["id"] for r in store.db.query("SELECT id FROM files WHERE status = 'processing'")]
    restarted = time.time()
    proc = _serve(tmp_path / "data", port, log)
    try:
        rows = _wait(client, batches, 600)
    finally:
        _kill_group(proc)
    assert len(rows) == 200 and 0 < killed_at < 200 and in_flight
    # the files in flight were put back at start-up (their workers are gone), not after a lease ran out
    finished = {r["id"]: r["updated_at"] for r in rows}
    from datetime import datetime

    late = [i for i in in_flight if datetime.fromisoformat(finished[i]).timestamp() - restarted > 30]
    assert late == [], f"in-flight files finished more than 30 s after the restart: {late}"
    assert [r for r in rows if r["status"] != "done"] == []
    assert store.db["documents"].count == 200
    for row in store.db.query("SELECT id, document_json FROM documents"):
        from ingest.model import Document

        doc = Document.from_json(row["document_json"])
        assert store.db["passages"].count_where("document_id = ?", [doc.id]) == len(doc.passages)
        assert store.db["figures"].count_where("document_id = ?", [doc.id]) == len(extract_document(doc))
    indexed = ("SELECT COUNT(*) AS n FROM passages_fts" if store.dialect == "postgresql"
               else "SELECT COUNT(*) AS n FROM passages_fts_docsize")
    fts_rows = next(store.db.query(indexed))["n"]
    assert fts_rows == store.db["passages"].count
    print(f"\nrecovery: killed after {killed_at}/200 files; all 200 processed exactly once after restart")


def test_twenty_concurrent_clients_upload_and_search_without_errors(tmp_path):
    store = Store(tmp_path / "data")
    token = create_token(store, Role.ADMIN)[0]
    port = _free_port()
    proc = _serve(tmp_path / "data", port, tmp_path / "serve.log")
    errors: list[str] = []
    latencies: dict[str, list[float]] = {"upload": [], "search": []}
    uploaded: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 20

    def client_loop(n: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
                          timeout=60) as c:
            i = 0
            while time.monotonic() < stop_at and i < 120:
                i += 1
                try:
                    if i % 3 == 1:
                        name = f"c{n}-{i}.txt"
                        t = time.perf_counter()
                        r = c.post("/api/batches", files=[("files", (name, f"客户端{n}第{i}次上传，新增企业{i}家。".encode()))])
                        latencies_key, ok = "upload", r.status_code == 202
                        if ok:
                            with lock:
                                uploaded.append(r.json()["batch_id"])
                    else:
                        t = time.perf_counter()
                        r = c.get("/api/search", params={"q": "企业", "size": 10})
                        latencies_key, ok = "search", r.status_code == 200
                    with lock:
                        latencies[latencies_key].append((time.perf_counter() - t) * 1000)
                        if not ok:
                            errors.append(f"{r.status_code} {r.text[:200]}")
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(repr(exc))

    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
                          timeout=60) as c:
            rows = _wait(c, uploaded, 300)
    finally:
        _kill_group(proc)
    assert errors == []
    assert len(rows) == len(uploaded) and all(r["status"] in ("done", "duplicate") for r in rows)
    total = sum(len(v) for v in latencies.values())
    report = {k: {"n": len(v), "p50_ms": round(statistics.median(v), 1),
                  "p95_ms": round(sorted(v)[int(0.95 * (len(v) - 1))], 1)} for k, v in latencies.items() if v}
    print(f"\nload: {total} requests in {elapsed:.1f} s ({total / elapsed:.0f} req/s) from 20 clients: "
          f"{json.dumps(report)}")
