"""The work queue: each uploaded file's row in `files` carries its state, its turn and a lease.

A small typed API, the only code that moves a file between states:

    create_batch(store, uploader=…, region=…, uploads=[Upload…])  -> Receipt   (one transaction: all or nothing)
    claim(store, worker, kinds, lease_s=…, max_attempts=…)        -> Job | None
    expand(store, job, members, max_members=…)                    an archive becomes member jobs
    finish(store, job, status, document_id=…)                     done / duplicate (inside the document's
                                                                   own transaction: effects happen once)
    fail(store, job, code, message)                                failed, with a typed reason
    hand_over(store, job, JobKind.OCR)                             a text job that needs OCR
    register_worker / beat / reclaim_orphans                      live workers and their leases

Fair turns. Every job has a `turn`; a worker claims the queued job with the lowest turn. A batch's k-th
file gets turn start + k, where start is the head of the queue when the batch arrives (and one past the
uploader's previous batch), so a new batch is interleaved with the backlog instead of waiting behind
it: claims go round-robin across batches, and one slow file delays another batch by at most one
worker for one time limit. OCR hand-overs and retries keep their turn.

The claim is one UPDATE … WHERE id = (SELECT … ORDER BY turn, id LIMIT 1) RETURNING * inside
BEGIN IMMEDIATE, over a partial index of the queued rows only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from index.store import Store, now


class JobKind(str, Enum):
    TEXT = "text"  # anything but an image: text-layer PDFs, Word files, OFD, text, and zips (expanded)
    OCR = "ocr"  # scans and garbled text layers: served by their own workers so they never starve text
    ARCHIVE = "archive"  # a zip once expanded: its members carry the outcomes


class FileStatus(str, Enum):
    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    DUPLICATE = "duplicate"
    FAILED = "failed"


FINAL = (FileStatus.DONE, FileStatus.DUPLICATE, FileStatus.FAILED)


@dataclass(frozen=True)
class Upload:
    """One file of a batch, already in the content-addressed store (or refused at the door)."""

    filename: str
    sha256: str
    size: int
    kind: JobKind = JobKind.TEXT
    error_code: str | None = None  # set: the file is recorded as failed at once (too large, empty)
    error_message: str | None = None


@dataclass(frozen=True)
class Receipt:
    batch_id: str
    files: list[dict]


@dataclass(frozen=True)
class Job:
    id: int
    batch_id: str | None
    sha256: str
    filename: str
    archive_path: str | None
    uploader: str | None
    region: str | None
    kind: JobKind
    attempts: int
    parent_id: int | None
    root_id: int | None
    depth: int
    turn: int
    worker: str | None = None
    created_at: str | None = None  # when the file was uploaded

    @property
    def label(self) -> str:
        """How a person names this file: the upload's name, and the member inside an archive."""
        return f"{self.filename}!{self.archive_path}" if self.archive_path else self.filename


@dataclass(frozen=True)
class Member:
    """A file found inside an archive: stored already, or refused alone with its reason."""

    path: str
    sha256: str = ""
    size: int = 0
    kind: JobKind = JobKind.TEXT
    error_code: str | None = None
    error_message: str | None = None


def _row(rec: dict) -> Job:
    return Job(rec["id"], rec["batch_id"], rec["sha256"], rec["filename"], rec["archive_path"], rec["uploader"],
               rec["region"], JobKind(rec["kind"]), rec["attempts"] or 0, rec["parent_id"], rec["root_id"],
               rec["depth"] or 0, rec["turn"] or rec["id"], rec["worker"], rec["created_at"])


# -- batches -------------------------------------------------------------------------------------------

def _head(db) -> int:
    """The turn now being served: the lowest queued turn, or one past every turn ever given."""
    row = db.execute("SELECT MIN(turn) FROM files WHERE status = 'queued'").fetchone()
    if row[0] is not None:
        return int(row[0])
    row = db.execute("SELECT MAX(turn) FROM files").fetchone()
    return int(row[0] or 0) + 1


def create_batch(store: Store, *, batch_id: str, uploader: str | None, region: str | None, note: str | None,
                 uploads: Iterable[Upload]) -> Receipt:
    """Record a batch and every file of it in one transaction: all of them, or (on error) none."""
    ts = now()
    out = []
    with store.write() as db:
        start = _head(db)
        prev = db.execute("SELECT MAX(start_turn) FROM batches WHERE uploader IS ?", [uploader]).fetchone()[0]
        if prev is not None:
            start = max(start, int(prev) + 1)
        db.execute("INSERT INTO batches (id, created_at, uploader, region, note, start_turn) VALUES (?,?,?,?,?,?)",
                   [batch_id, ts, uploader, region, note, start])
        for k, up in enumerate(uploads):
            status = FileStatus.FAILED if up.error_code else FileStatus.QUEUED
            cur = db.execute(
                "INSERT INTO files (batch_id, sha256, filename, archive_path, uploader, region, size, status, "
                "error_code, error_message, attempts, kind, parent_id, root_id, depth, turn, created_at, updated_at) "
                "VALUES (?,?,?,NULL,?,?,?,?,?,?,0,?,NULL,NULL,0,?,?,?)",
                [batch_id, up.sha256, up.filename, uploader, region, up.size, status.value, up.error_code,
                 up.error_message, up.kind.value, start + k, ts, ts])
            fid = cur.lastrowid
            db.execute("UPDATE files SET root_id = ? WHERE id = ?", [fid, fid])
            out.append({"id": fid, "filename": up.filename, "status": status.value, "kind": up.kind.value,
                        "sha256": up.sha256 or None, "size": up.size, "error_code": up.error_code,
                        "error_message": up.error_message})
    return Receipt(batch_id, out)


# -- claiming ------------------------------------------------------------------------------------------

# On PostgreSQL, workers on many machines claim at once: the row is locked as it is chosen and rows other
# claims hold are skipped (SKIP LOCKED), so no two take the same job and none waits for another.
_CLAIM = ("UPDATE files SET status = 'processing', worker = :worker, lease_until = :lease, "
          "attempts = COALESCE(attempts, 0) + 1, updated_at = :ts "
          "WHERE id = (SELECT id FROM files WHERE status = 'queued' AND kind IN ({kinds}) "
          "ORDER BY turn, id LIMIT 1{lock}) RETURNING *")
_LOCK = {"sqlite": "", "postgresql": " FOR UPDATE SKIP LOCKED"}


def claim(store: Store, worker: str, kinds: Iterable[JobKind | str], *, lease_s: float,
          max_attempts: int) -> Job | None:
    """Claim the queued job with the lowest turn among `kinds`; None when there is none.

    Leases that ran out (their worker stopped heartbeating) are put back first. A job claimed more than
    `max_attempts` times is failed as `gave_up` and the next one is tried.
    """
    kinds = [JobKind(k).value for k in kinds]
    sql = _CLAIM.format(kinds=", ".join(f":k{i}" for i in range(len(kinds))), lock=_LOCK[store.dialect])
    while True:
        t = time.time()
        params = {"worker": worker, "lease": t + lease_s, "ts": now(), **{f"k{i}": k for i, k in enumerate(kinds)}}
        with store.write() as db:
            db.execute("UPDATE files SET status = 'queued', worker = NULL, lease_until = NULL "
                       "WHERE status = 'processing' AND lease_until < ?", [t])
            cur = db.execute(sql, params)
            row = cur.fetchone()
            if row is None:
                return None
            rec = dict(zip([d.name if hasattr(d, "name") else d[0] for d in cur.description], row, strict=True))
            if rec["attempts"] > max_attempts:
                db.execute(
                    "UPDATE files SET status = 'failed', error_code = 'gave_up', worker = NULL, lease_until = NULL, "
                    "error_message = ?, updated_at = ? WHERE id = ?",
                    [f"{_label(rec)}: processing did not finish after {max_attempts} attempts "
                     "(the worker stopped or the file exceeded a limit)", now(), rec["id"]])
                continue
        return _row(rec)


def _label(rec: dict) -> str:
    return f"{rec['filename']}!{rec['archive_path']}" if rec.get("archive_path") else rec["filename"]


def extend_lease(store: Store, job: Job, worker: str, lease_s: float) -> bool:
    """Keep a running job's lease; False when it was taken away (the job is no longer ours)."""
    with store.write() as db:
        cur = db.execute("UPDATE files SET lease_until = ? WHERE id = ? AND worker = ? AND status = 'processing'",
                         [time.time() + lease_s, job.id, worker])
    return cur.rowcount == 1


def _settle(db, job: Job, status: FileStatus, *, document_id: str | None = None, code: str | None = None,
            message: str | None = None, kind: JobKind | None = None) -> bool:
    """Write a job's final state, unless another worker already owns it (a lease we lost)."""
    sets = ["status = ?", "document_id = ?", "error_code = ?", "error_message = ?", "updated_at = ?",
            "lease_until = NULL", "worker = NULL"]
    params: list = [status.value, document_id, code, message, now()]
    if kind is not None:
        sets.append("kind = ?")
        params.append(kind.value)
    cur = db.execute(f"UPDATE files SET {', '.join(sets)} WHERE id = ? AND status = 'processing' "
                     "AND worker IS ?", [*params, job.id, job.worker])
    return cur.rowcount == 1


def finish(store: Store, job: Job, status: FileStatus, *, document_id: str | None) -> bool:
    """Mark a job done or duplicate. Call inside the transaction that stores its document."""
    with store.write() as db:
        return _settle(db, job, status, document_id=document_id)


def fail(store: Store, job: Job, code: str, message: str) -> bool:
    with store.write() as db:
        return _settle(db, job, FileStatus.FAILED, code=code, message=message)


def hand_over(store: Store, job: Job, kind: JobKind) -> bool:
    """Give the job to workers of another kind (a text job that needs OCR); the claim does not count."""
    with store.write() as db:
        cur = db.execute("UPDATE files SET status = 'queued', kind = ?, worker = NULL, lease_until = NULL, "
                         "attempts = CASE WHEN COALESCE(attempts, 1) > 1 THEN COALESCE(attempts, 1) - 1 ELSE 0 END, updated_at = ? "
                         "WHERE id = ? AND status = 'processing' AND worker IS ?", [kind.value, now(), job.id, job.worker])
    return cur.rowcount == 1


def release(store: Store, job: Job) -> bool:
    """Put a job back as it was (its worker is stopping); the claim does not count."""
    return hand_over(store, job, job.kind)


def expand(store: Store, job: Job, members: list[Member], *, max_members: int) -> bool:
    """An archive's members become jobs of their own, in one transaction; the archive row is settled.

    `max_members` caps the files one upload may unpack to, across every level of nested archives.
    """
    ts = now()
    root = job.root_id or job.id
    with store.write() as db:
        if db.execute("SELECT status, worker FROM files WHERE id = ?", [job.id]).fetchone() != ("processing", job.worker):
            return False  # another worker finished this archive after our lease ran out
        if not members:
            return _settle(db, job, FileStatus.FAILED, code="empty_file",
                           message=f"{job.label}: the archive holds no files", kind=JobKind.ARCHIVE)
        already = db.execute("SELECT COUNT(*) FROM files WHERE root_id = ? AND id != ?", [root, root]).fetchone()[0]
        if already + len(members) > max_members:
            return _settle(db, job, FileStatus.FAILED, code="limit_exceeded", kind=JobKind.ARCHIVE,
                           message=f"{job.label}: the upload unpacks to more than {max_members} files "
                                   "across its nested archives")
        for k, m in enumerate(members):
            inner = f"{job.archive_path}/{m.path}" if job.archive_path else m.path
            status = FileStatus.FAILED if m.error_code else FileStatus.QUEUED
            db.execute(
                "INSERT INTO files (batch_id, sha256, filename, archive_path, uploader, region, size, status, "
                "error_code, error_message, attempts, kind, parent_id, root_id, depth, turn, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?,?,?,?,?,?)",
                [job.batch_id, m.sha256, job.filename, inner, job.uploader, job.region, m.size, status.value,
                 m.error_code, m.error_message, m.kind.value, job.id, root, job.depth + 1, job.turn + k, ts, ts])
        return _settle(db, job, FileStatus.DONE, kind=JobKind.ARCHIVE)


# -- workers -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkerInfo:
    id: str
    host: str
    pid: int
    proc_start: str  # the process's start time (from /proc), so a reused pid is not taken for it
    kind: str


def register_worker(store: Store, info: WorkerInfo) -> None:
    with store.write() as db:
        db.execute("INSERT OR REPLACE INTO workers (id, host, pid, proc_start, kind, started_at, heartbeat_at, "
                   "stopped_at) VALUES (?,?,?,?,?,?,?,NULL)",
                   [info.id, info.host, info.pid, info.proc_start, info.kind, now(), time.time()])


def beat(store: Store, worker: str, job: Job | None, lease_s: float) -> bool:
    """The worker is alive; its running job's lease is extended. False when the job was taken away."""
    t = time.time()
    with store.write() as db:
        db.execute("UPDATE workers SET heartbeat_at = ? WHERE id = ?", [t, worker])
        if job is None:
            return True
        cur = db.execute("UPDATE files SET lease_until = ? WHERE id = ? AND worker = ? AND status = 'processing'",
                         [t + lease_s, job.id, worker])
    return cur.rowcount == 1


def worker_stopped(store: Store, worker: str) -> None:
    with store.write() as db:
        db.execute("UPDATE workers SET stopped_at = ? WHERE id = ?", [now(), worker])


def reclaim_orphans(store: Store, *, host: str, alive: Callable[[int, str], bool], stale_s: float) -> int:
    """Put back, at once, the jobs held by workers that are gone; returns how many.

    A worker is gone when it said it stopped, when it ran on this host and its process (pid and start
    time) no longer exists, or when it has not heartbeaten for `stale_s` seconds (another host).
    """
    t = time.time()
    with store.write() as db:
        rows = db.execute("SELECT f.id, w.id, w.host, w.pid, w.proc_start, w.heartbeat_at, w.stopped_at FROM files f "
                          "LEFT JOIN workers w ON w.id = f.worker WHERE f.status = 'processing'").fetchall()
        dead = [fid for fid, wid, whost, pid, start, hb, stopped in rows
                if wid is None or stopped is not None or (whost == host and not alive(pid, start))
                or (hb or 0) < t - stale_s]
        for fid in dead:
            db.execute("UPDATE files SET status = 'queued', worker = NULL, lease_until = NULL, updated_at = ? "
                       "WHERE id = ? AND status = 'processing'", [now(), fid])
    return len(dead)


# -- reading the queue ---------------------------------------------------------------------------------

def live_workers(store: Store, *, within_s: float = 60.0) -> list[dict]:
    """Workers that heartbeat within the last `within_s` seconds, with the job each is running."""
    return list(store.db.query(
        "SELECT w.id, w.host, w.pid, w.kind, w.started_at, w.heartbeat_at, "
        "(SELECT f.filename FROM files f WHERE f.worker = w.id AND f.status = 'processing' LIMIT 1) AS running "
        "FROM workers w WHERE w.stopped_at IS NULL AND w.heartbeat_at >= ? ORDER BY w.id", [time.time() - within_s]))


def queue_length(store: Store) -> dict[str, int]:
    return {r["kind"]: r["n"] for r in store.db.query(
        "SELECT kind, COUNT(*) AS n FROM files WHERE status IN ('queued', 'processing') GROUP BY kind")}


def files_by_status(store: Store) -> dict[str, int]:
    return {r["status"]: r["n"] for r in store.db.query("SELECT status, COUNT(*) AS n FROM files GROUP BY status")}


def finished_since(store: Store, stamp: str) -> int:
    return store.db.execute("SELECT COUNT(*) FROM files WHERE status IN ('done','duplicate','failed') "
                            "AND updated_at >= ?", [stamp]).fetchone()[0]


def batch_progress(store: Store, batch_id: str) -> dict:
    """Counts of the batch's documents by state (archives are counted through their members)."""
    counts: dict[str, int] = {}
    archives: dict[str, int] = {}
    for status, kind, n in store.db.execute(
            "SELECT status, kind = 'archive', COUNT(*) FROM files WHERE batch_id = ? GROUP BY status, kind = 'archive'",
            [batch_id]):
        target = archives if kind else counts
        target[status] = target.get(status, 0) + n
    total = sum(counts.values())
    finished = sum(counts.get(s.value, 0) for s in FINAL)
    pending_archives = archives.get("queued", 0) + archives.get("processing", 0)
    return {"counts": counts, "archives": archives, "total": total, "finished": finished,
            "complete": total == finished and pending_archives == 0,
            "progress": round(finished / total, 4) if total else (0.0 if pending_archives else 1.0)}


def batch_row(store: Store, batch_id: str) -> dict | None:
    return next(store.db.query("SELECT * FROM batches WHERE id = ?", [batch_id]), None)


def batch_files(store: Store, batch_id: str) -> list[dict]:
    """Every file of a batch with its state and, once stored, what it declared: applicant, measures, date,
    and whether it came in late."""
    rows = list(store.db.query(
        "SELECT f.id, f.filename, f.archive_path, f.size, f.kind, f.status, f.error_code, f.error_message, "
        "f.document_id, f.attempts, f.parent_id, f.updated_at, f.created_at, d.region, d.county, d.applicant_type, "
        "d.doc_date, d.late, d.late_source, d.late_date, d.region_warning, "
        "(SELECT group_concat(CAST(dm.measure AS TEXT), ',') FROM (SELECT measure FROM document_measures WHERE document_id = d.id "
        " AND level = 'declared' ORDER BY probability DESC) dm) AS measures "
        "FROM files f LEFT JOIN documents d ON d.id = f.document_id WHERE f.batch_id = ? ORDER BY f.id", [batch_id]))
    for r in rows:
        r["measures"] = [int(m) for m in r["measures"].split(",")] if r["measures"] else []
        r["late"] = None if r["late"] is None else bool(r["late"])
    return rows


def list_batches(store: Store, *, region: str | None = None, limit: int = 50) -> list[dict]:
    where, params = ("WHERE region = ?", [region]) if region is not None else ("", [])
    return list(store.db.query(f"SELECT * FROM batches {where} ORDER BY created_at DESC, id LIMIT ?",
                               [*params, limit]))

