"""Workers on other machines (marker: heavy; needs PostgreSQL: JILI_DATABASE_URL=postgresql://…, as CI's second
run sets): two `jili worker` processes with their own HOME, temp and data directories share nothing but the
database URL and an S3 store, and process one batch; one is SIGKILLed mid-file and the other finishes that
file once its lease has run out. Every file is processed exactly once."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from api.intake import accept, record
from api.settings import Settings
from index import Store
from index.pg import split_url
from tests.conftest import make_pdf

pytestmark = pytest.mark.heavy
JILI = str(Path(sys.executable).parent / "jili")
BASE_URL = os.environ.get("JILI_DATABASE_URL", "")


def _files(n: int) -> list[tuple[str, bytes]]:
    out = []
    for i in range(n):
        body = [("body", f"第{i}号申报材料：全年新增高新技术企业{i + 10}家，建成高标准农田{i + 1}.5万亩。" * 6)]
        pages = 120 if i % 10 == 0 else 1  # every tenth file keeps a worker busy for a while
        out.append((f"f{i}.pdf", make_pdf([body] * pages)))
    return out


@pytest.mark.skipif(not BASE_URL.startswith("postgresql"), reason="needs JILI_DATABASE_URL=postgresql://…")
def test_two_workers_sharing_only_the_database_and_s3_process_every_file_once_and_survive_a_kill(tmp_path, s3_bucket):
    base, _ = split_url(BASE_URL, tmp_path)
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}schema=scale_{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "JILI_DATABASE_URL": url, "JILI_STORE_URL": s3_bucket, "JILI_OCR": "false",
           "JILI_LEASE_S": "6", "JILI_WORKER_STALE_S": "300", "JILI_PARSE_TIMEOUT_S": "120"}
    front = tmp_path / "api"  # the machine that takes uploads
    os.environ["JILI_STORE_URL"] = s3_bucket
    try:
        store = Store(front, url=url)
        settings = Settings(data_dir=front, ocr=False)
        files = _files(30)
        uploads = [accept(store, settings, name, io.BytesIO(data)) for name, data in files]
        receipt = record(store, uploads, uploader="测试", region=None)
    finally:
        del os.environ["JILI_STORE_URL"]
    workers = []
    for name in ("a", "b"):
        home = tmp_path / f"machine-{name}"
        (home / "tmp").mkdir(parents=True)
        workers.append(subprocess.Popen(
            [JILI, "worker", "--data-dir", str(home / "data"), "--kind", "all"],
            env={**env, "HOME": str(home), "TMPDIR": str(home / "tmp")}, start_new_session=True,
            stdout=(home / "log").open("wb"), stderr=subprocess.STDOUT))
    try:
        # wait until worker a holds one of the long files, then kill it (and its parser child) outright
        a_pid = workers[0].pid
        deadline = time.monotonic() + 120
        victim = None
        while time.monotonic() < deadline and victim is None:
            for r in store.db.query("SELECT id, worker, filename FROM files WHERE status = 'processing'"):
                if r["worker"] and f":{a_pid}:" in r["worker"] and r["filename"] in ("f10.pdf", "f20.pdf", "f0.pdf"):
                    victim = r
            time.sleep(0.05)
        assert victim, "worker a never took a long file"
        os.killpg(a_pid, signal.SIGKILL)
        workers[0].wait(10)
        killed_at = time.time()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            left = store.db["files"].count_where("batch_id = ? AND status NOT IN ('done', 'duplicate', 'failed')",
                                                 [receipt.batch_id])
            if left == 0:
                break
            time.sleep(0.3)
        rows = list(store.db.query("SELECT id, filename, status, attempts, document_id, updated_at FROM files "
                                   "WHERE batch_id = ?", [receipt.batch_id]))
    finally:
        for w in workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
                w.wait(30)
    assert [r["status"] for r in rows] == ["done"] * 30
    assert len({r["document_id"] for r in rows}) == 30 == store.db["documents"].count
    again = next(r for r in rows if r["id"] == victim["id"])
    assert again["attempts"] == 2  # claimed by a, then by b after the lease ran out
    from datetime import datetime

    assert datetime.fromisoformat(again["updated_at"]).timestamp() >= killed_at
    logs = (tmp_path / "machine-b" / "log").read_text(errors="replace")
    assert "Traceback" not in logs
    store.close()
