"""The real `jili serve` under stress (marker: heavy): the hostile corpus in one request with the API
process's memory watched, and SIGTERM leaving no process behind."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import pytest

from index import Store
from index.auth import Role, create_token
from tests.api.hostile import hostile_corpus
from tests.api.test_heavy import _free_port, _kill_group, _serve, _wait

pytestmark = pytest.mark.heavy


def _children(pid: int) -> dict[int, int]:
    """Every process whose parent is `pid`, recursively: {pid: parent}."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        for child, parent in parents.items():
            if parent == p and child not in out:
                out[child] = parent
                todo.append(child)
    return out


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_hostile_corpus_in_one_request_keeps_the_api_small_and_every_file_final(tmp_path):
    store = Store(tmp_path / "data")
    token = create_token(store, Role.ADMIN)[0]
    port = _free_port()
    proc = _serve(tmp_path / "data", port, tmp_path / "serve.log", workers=2, ocr_workers=0,
                  env={"JILI_PARSE_TIMEOUT_S": "30", "JILI_PARSE_CPU_S": "30", "JILI_PARSE_MEMORY_MB": "768",
                       "JILI_MAX_PAGES": "20"})
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=300)
    api_pid = client.get("/api/metrics").json()["api_pid"]
    peak = {"api": _rss_mb(api_pid), "child": 0.0}
    watching = threading.Event()

    def watch() -> None:
        while not watching.is_set():
            peak["api"] = max(peak["api"], _rss_mb(api_pid))
            for child in _children(proc.pid):
                if child != api_pid:
                    peak["child"] = max(peak["child"], _rss_mb(child))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    corpus = hostile_corpus()
    try:
        r = client.post("/api/batches", files=[("files", (name, data)) for name, data, _ in corpus])
        assert r.status_code == 202, r.text
        rows = _wait(client, [r.json()["batch_id"]], 900)
        assert all(row["status"] in ("done", "duplicate", "failed") for row in rows)
        assert all(row["error_code"] for row in rows if row["status"] == "failed")
        assert client.get("/api/health").status_code == 200
        # a page whose MediaBox is absurd is answered, not crashed on
        huge = next(row for row in rows if row["filename"] == "absurd-mediabox.pdf")
        page = client.get(f"/api/documents/{huge['document_id']}/pages/1.png")
        assert page.status_code in (200, 422) and page.status_code < 500
    finally:
        watching.set()
        watcher.join(5)
        _kill_group(proc)
    limit = 768 + 400  # the parser's budget on top of the warm worker it is forked from
    print(f"\nhostile corpus: {len(corpus)} files; API process peak {peak['api']:.0f} MB; "
          f"largest worker or parser child {peak['child']:.0f} MB")
    assert peak["api"] < 300
    assert peak["child"] < limit


def test_sigterm_stops_the_server_and_every_worker_and_parser(tmp_path):
    store = Store(tmp_path / "data")
    token = create_token(store, Role.ADMIN)[0]
    port = _free_port()
    proc = _serve(tmp_path / "data", port, tmp_path / "serve.log", workers=2, ocr_workers=1,
                  env={"JILI_OCR": "true"})
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    slow = [(name, data) for name, data, _ in hostile_corpus() if name in ("slow-operators.pdf", "flate-bomb.pdf")]
    r = client.post("/api/batches", files=[("files", f) for f in slow])
    assert r.status_code == 202
    time.sleep(3)  # the workers are busy with the slow files
    family = _children(proc.pid)
    assert len(family) >= 4  # the API process, three workers and at least one parser child
    stopped_at = time.monotonic()
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
        assert time.monotonic() - stopped_at < 10  # no worker sat out the 15 s grace period
    except Exception:
        _kill_group(proc)
        raise
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in family):
        time.sleep(0.2)
    assert [p for p in family if _alive(p)] == []
    rows = list(store.db.query("SELECT status FROM files"))
    assert all(r["status"] in ("queued", "failed", "done") for r in rows)  # abandoned jobs went back to the queue
