"""The work queue lives in the `files` table: each uploaded file's row carries its state and a lease.

A worker claims the oldest queued row of the kinds it serves (or a row whose lease expired: its worker
died) by setting `processing`, its name and a lease deadline in one statement; the pipeline then
writes the document and the row's final state in one transaction, so effects happen exactly once.
After `max_attempts` claims a row is failed with the reason.

The claim is a single UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING, inside BEGIN IMMEDIATE on
SQLite. On PostgreSQL the same statement takes `FOR UPDATE SKIP LOCKED` in the inner SELECT
(`CLAIM_SQL["postgresql"]`), so workers on several machines can share one database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from index.store import Store, now


class JobKind:
    TEXT = "text"  # text-layer PDFs, Word files, text: seconds
    OCR = "ocr"  # scans and garbled text layers: minutes; served by their own workers so they never starve text
    ARCHIVE = "archive"  # zip: expanded into member rows


_CLAIM_WHERE = ("kind IN ({kinds}) AND (status = 'queued' OR (status = 'processing' AND lease_until < :now)) "
                "ORDER BY id LIMIT 1")
CLAIM_SQL = {
    "sqlite": ("UPDATE files SET status = 'processing', worker = :worker, lease_until = :lease, "
               "attempts = COALESCE(attempts, 0) + 1, updated_at = :ts "
               "WHERE id = (SELECT id FROM files WHERE " + _CLAIM_WHERE + ") RETURNING *"),
    "postgresql": ("UPDATE files SET status = 'processing', worker = :worker, lease_until = :lease, "
                   "attempts = COALESCE(attempts, 0) + 1, updated_at = :ts "
                   "WHERE id = (SELECT id FROM files WHERE " + _CLAIM_WHERE + " FOR UPDATE SKIP LOCKED) RETURNING *"),
}


@dataclass
class Job:
    id: int
    batch_id: str | None
    sha256: str
    filename: str
    archive_path: str | None
    uploader: str | None
    region: str | None
    kind: str
    attempts: int
    parent_id: int | None
    depth: int


def enqueue(store: Store, *, batch_id: str | None, sha256: str, filename: str, size: int, kind: str,
            uploader: str | None = None, region: str | None = None, archive_path: str | None = None,
            parent_id: int | None = None, depth: int = 0) -> int:
    ts = now()
    with store.write():
        row = store.db["files"].insert({
            "batch_id": batch_id, "sha256": sha256, "filename": filename, "archive_path": archive_path,
            "uploader": uploader, "region": region, "size": size, "status": "queued", "kind": kind,
            "attempts": 0, "parent_id": parent_id, "depth": depth, "created_at": ts, "updated_at": ts,
        })
    return row.last_pk


def claim(store: Store, worker: str, kinds: list[str], *, lease_s: float, max_attempts: int) -> Job | None:
    """Claim the next job of `kinds`, failing any whose attempts are used up. None when there is no work."""
    marks = ", ".join(f":k{i}" for i in range(len(kinds)))
    sql = CLAIM_SQL["sqlite"].format(kinds=marks)
    while True:
        t = time.time()
        params = {"worker": worker, "lease": t + lease_s, "now": t, "ts": now()}
        params.update({f"k{i}": k for i, k in enumerate(kinds)})
        with store.write():
            row = store.db.execute(sql, params).fetchone()
            if row is None:
                return None
            cols = [d[0] for d in store.db.execute("SELECT * FROM files LIMIT 0").description]
            rec = dict(zip(cols, row, strict=True))
            if rec["attempts"] > max_attempts:
                store.db["files"].update(rec["id"], {
                    "status": "failed", "error_code": "gave_up", "worker": None, "lease_until": None,
                    "error_message": f"{rec['filename']}: processing did not finish after {max_attempts} attempts "
                                     "(the worker stopped or the file exceeded the time limit)",
                    "updated_at": now(),
                })
                continue
        return Job(rec["id"], rec["batch_id"], rec["sha256"], rec["filename"], rec["archive_path"], rec["uploader"],
                   rec["region"], rec["kind"], rec["attempts"], rec["parent_id"], rec["depth"] or 0)


def extend_lease(store: Store, job_id: int, worker: str, lease_s: float) -> bool:
    with store.write():
        cur = store.db.execute("UPDATE files SET lease_until = ? WHERE id = ? AND worker = ? AND status = 'processing'",
                               [time.time() + lease_s, job_id, worker])
    return cur.rowcount == 1


def requeue(store: Store, job_id: int, kind: str) -> None:
    """Hand a job to other workers (a text job that turned out to need OCR); the claim does not count."""
    with store.write():
        store.db.execute("UPDATE files SET status = 'queued', kind = ?, worker = NULL, lease_until = NULL, "
                         "attempts = MAX(COALESCE(attempts, 1) - 1, 0), updated_at = ? WHERE id = ?", [kind, now(), job_id])


def queue_length(store: Store) -> dict[str, int]:
    return {f"{r['kind']}": r["n"] for r in store.db.query(
        "SELECT kind, COUNT(*) AS n FROM files WHERE status IN ('queued', 'processing') GROUP BY kind")}


def batch_progress(store: Store, batch_id: str) -> dict:
    counts = {r["status"]: r["n"] for r in store.db.query(
        "SELECT status, COUNT(*) AS n FROM files WHERE batch_id = ? AND kind != 'archive' GROUP BY status",
        [batch_id])}
    archives = {r["status"]: r["n"] for r in store.db.query(
        "SELECT status, COUNT(*) AS n FROM files WHERE batch_id = ? AND kind = 'archive' GROUP BY status",
        [batch_id])}
    total = sum(counts.values())
    finished = sum(counts.get(s, 0) for s in ("done", "duplicate", "failed"))
    pending_archives = archives.get("queued", 0) + archives.get("processing", 0)
    return {"counts": counts, "archives": archives, "total": total, "finished": finished,
            "complete": total == finished and pending_archives == 0,
            "progress": round(finished / total, 4) if total else (0.0 if pending_archives else 1.0)}
