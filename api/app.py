"""The FastAPI application: upload, progress, documents, search, evidence, records, experiences, review.

Built by `create_app(settings)` (no import-time globals), so tests point it at a temporary data
directory. Every error is JSON ``{"error": {"code": ..., "message": ...}}`` with a stable code.
Work is not done in the request: uploads are stored content-addressed and queued in the database,
and workers (`jili worker`, started by `jili serve`) process them.
"""


import asyncio
import hashlib
import io
import json
import os
import queue
import tempfile
import time
import uuid
from typing import Annotated

from fastapi import Depends, FastAPI, File, Form, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.access import (
    Forbidden,
    Hidden,
    check_document,
    check_passage,
    measures_of,
    require,
    scope_filters,
    visible_passage_ids,
)
from api.pipeline import guess_kind
from api.settings import Settings
from api.web import mount_web
from index import (
    SearchFilters,
    Store,
    briefing_docx,
    evidence_for_measure,
    experiences_json,
    figure_table,
    rank_experiences,
    search,
    to_csv,
    to_xlsx,
)
from index.auth import Principal, Role, authenticate
from index.queue import batch_progress, enqueue, queue_length
from index.store import NotFoundError, UnknownMeasureError, now
from ingest.errors import JiliError

API_DESCRIPTION = """
jili 督查激励申报材料证据库 API — evidence from the declaration files of the Chongqing 督查激励 programme.

Authenticate with `Authorization: Bearer <token>` (tokens: `jili token create --role …`).
Roles: **admin**; **uploader** (一个区县: uploads, sees its own region's files); **reviewer** (牵头单位:
sees and reviews the measures it leads); **publicity** (宣传: search and typical experiences, cleared cases only).
"""


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        self.status, self.code, self.message = status, code, message


class ReviewIn(BaseModel):
    """A reviewer's action on a passage. 审核操作：改标、标记典型、取消典型、准予宣传。"""

    action: str = Field(description="relabel | exemplary | not_exemplary | cleared | uncleared")
    measures: list[int] | None = Field(default=None, description="relabel: the passage's correct measures (1-30)")
    note: str | None = Field(default=None, max_length=2000)


class StorePool:
    """Connections for request handlers: each request borrows one and gives it back.

    FastAPI runs a request's dependencies and its handler on different pool threads, so a connection is
    handed between threads — one request at a time, never concurrently.
    """

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self._free: queue.SimpleQueue[Store] = queue.SimpleQueue()

    def acquire(self) -> Store:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            return Store(self.data_dir, shared=True)

    def release(self, store: Store) -> None:
        if store.db.conn.in_transaction:  # a handler failed mid-write: never hand out an open transaction
            store.db.conn.rollback()
        self._free.put(store)

    def session(self):
        """A FastAPI dependency: a connection for the length of one request."""
        store = self.acquire()
        try:
            yield store
        finally:
            self.release(store)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="jili 激励", version="0.1.0", description=API_DESCRIPTION,
                  openapi_tags=[{"name": "batches", "description": "上传与进度 / uploads and progress"},
                                {"name": "documents", "description": "申报文件 / declaration documents"},
                                {"name": "evidence", "description": "检索与证据 / search and evidence"},
                                {"name": "review", "description": "审核 / review"},
                                {"name": "system", "description": "运行状态 / health and metrics"}])
    app.state.settings = settings
    pool = StorePool(settings.data_dir)
    app.state.store_pool = pool  # shared with the web UI's routes
    started = time.time()
    get_store = pool.session

    def principal(request: Request, store: Annotated[Store, Depends(get_store)]) -> Principal:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get("jili_token")
        who = authenticate(store, token)
        if who is None:
            raise ApiError(401, "unauthorized", "a valid API token is required (Authorization: Bearer <token>)")
        return who

    Store_ = Annotated[Store, Depends(get_store)]
    Who = Annotated[Principal, Depends(principal)]

    # -- errors -------------------------------------------------------------------------------------
    def error(status: int, code: str, message: str) -> JSONResponse:
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)

    @app.exception_handler(ApiError)
    async def _api_error(request, exc: ApiError):
        return error(exc.status, exc.code, exc.message)

    @app.exception_handler(Forbidden)
    async def _forbidden(request, exc: Forbidden):
        return error(403, "forbidden", str(exc))

    @app.exception_handler(Hidden)
    async def _hidden(request, exc: Hidden):
        return error(404, "not_found", "no such object")

    @app.exception_handler(NotFoundError)
    async def _not_found(request, exc: NotFoundError):
        if isinstance(exc, UnknownMeasureError):
            return error(404, exc.code, exc.reason)
        return error(404, "not_found", "no such object")

    @app.exception_handler(JiliError)
    async def _jili(request, exc: JiliError):
        return error(400, exc.code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error(422, "invalid_request", f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request, exc: Exception):
        return error(500, "internal_error", f"internal error ({type(exc).__name__})")

    # -- system -------------------------------------------------------------------------------------
    @app.get("/api/health", tags=["system"], summary="健康检查 / health")
    def health(store: Store_):
        store.db.execute("SELECT 1").fetchone()
        return {"status": "ok", "time": now()}

    @app.get("/api/metrics", tags=["system"], summary="运行指标 / counts, queue length, processing rates")
    def metrics(store: Store_, who: Who):
        require(who, Role.ADMIN)
        hour_ago = time.time() - 3600
        done_last_hour = next(store.db.query(
            "SELECT COUNT(*) AS n FROM files WHERE status IN ('done','duplicate','failed') AND updated_at >= ?",
            [time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(hour_ago))]))["n"]
        statuses = {r["status"]: r["n"] for r in store.db.query("SELECT status, COUNT(*) AS n FROM files GROUP BY status")}
        return {"counts": store.counts(), "files_by_status": statuses, "queue": queue_length(store),
                "files_finished_last_hour": done_last_hour, "uptime_s": round(time.time() - started, 1)}

    # -- batches ------------------------------------------------------------------------------------
    @app.post("/api/batches", tags=["batches"], status_code=202,
              summary="上传申报文件（可多个、可含zip） / upload files and zip archives")
    def upload(store: Store_, who: Who, request: Request, files: list[UploadFile] = File(...),
               note: str | None = Form(default=None), region: str | None = Form(default=None)):
        require(who, Role.UPLOADER)
        length = int(request.headers.get("content-length") or 0)
        if length > settings.max_batch_bytes:
            raise ApiError(413, "too_large", f"the upload is {length} bytes, over the {settings.max_batch_bytes} limit")
        owner = who.region if who.role is Role.UPLOADER else region
        batch_id = uuid.uuid4().hex[:16]
        with store.write():
            store.db["batches"].insert({"id": batch_id, "created_at": now(), "uploader": who.name, "region": owner,
                                        "note": note})
        out = []
        for f in files:
            sha, size, too_big = _spool(store, f, settings.max_upload_bytes)
            name = os.path.basename(f.filename or "upload")
            if too_big:
                ts = now()
                with store.write():
                    fid = store.db["files"].insert({
                        "batch_id": batch_id, "sha256": "", "filename": name, "uploader": who.name, "region": owner,
                        "size": size, "status": "failed", "error_code": "limit_exceeded", "kind": "text",
                        "error_message": f"{name}: the file is larger than the {settings.max_upload_bytes}-byte limit",
                        "attempts": 0, "created_at": ts, "updated_at": ts}).last_pk
                out.append({"id": fid, "filename": name, "status": "failed"})
                continue
            kind = guess_kind(store.original_path(sha))
            fid = enqueue(store, batch_id=batch_id, sha256=sha, filename=name, size=size, kind=kind,
                          uploader=who.name, region=owner)
            out.append({"id": fid, "filename": name, "status": "queued", "kind": kind, "sha256": sha})
        return {"batch_id": batch_id, "files": out, "progress_url": f"/api/batches/{batch_id}",
                "events_url": f"/api/batches/{batch_id}/events"}

    def _batch_or_hide(store: Store, who: Principal, batch_id: str) -> dict:
        row = next(store.db.query("SELECT * FROM batches WHERE id = ?", [batch_id]), None)
        if row is None:
            raise Hidden(batch_id)
        if who.role is Role.UPLOADER and row["region"] != who.region:
            raise Hidden(batch_id)
        if who.role not in (Role.ADMIN, Role.UPLOADER):
            raise Forbidden("only uploaders and admins see batches")
        return row

    @app.get("/api/batches", tags=["batches"], summary="批次列表 / batches")
    def batches(store: Store_, who: Who, limit: int = Query(50, ge=1, le=500)):
        require(who, Role.UPLOADER)
        where, params = ("WHERE region = ?", [who.region]) if who.role is Role.UPLOADER else ("", [])
        rows = list(store.db.query(f"SELECT * FROM batches {where} ORDER BY created_at DESC LIMIT ?", [*params, limit]))
        return {"batches": [r | {"progress": batch_progress(store, r["id"])} for r in rows]}

    @app.get("/api/batches/{batch_id}", tags=["batches"], summary="批次进度与每个文件状态 / per-file status")
    def batch(batch_id: str, store: Store_, who: Who):
        row = _batch_or_hide(store, who, batch_id)
        files = list(store.db.query(
            "SELECT id, filename, archive_path, size, kind, status, error_code, error_message, document_id, attempts, "
            "parent_id, updated_at FROM files WHERE batch_id = ? ORDER BY id", [batch_id]))
        return row | {"progress": batch_progress(store, batch_id), "files": files}

    @app.get("/api/batches/{batch_id}/events", tags=["batches"], summary="进度事件流 (SSE) / progress events")
    async def batch_events(batch_id: str, request: Request, who: Who, timeout: float = Query(600, ge=1, le=3600)):
        # an async endpoint runs on the event loop's thread: it gets its own connection, used only there
        s = Store(settings.data_dir)
        try:
            _batch_or_hide(s, who, batch_id)
        except BaseException:
            s.close()
            raise

        async def stream():
            try:
                deadline = time.monotonic() + timeout
                last = None
                while time.monotonic() < deadline:
                    if await request.is_disconnected():
                        break
                    p = batch_progress(s, batch_id)
                    if p != last:
                        yield f"event: progress\ndata: {json.dumps(p)}\n\n"
                        last = p
                    if p["complete"]:
                        yield "event: complete\ndata: {}\n\n"
                        break
                    await asyncio.sleep(0.5)
            finally:
                s.close()

        return StreamingResponse(stream(), media_type="text/event-stream")

    # -- documents ----------------------------------------------------------------------------------
    @app.get("/api/documents/{document_id}", tags=["documents"], summary="申报文件详情 / a document")
    def document(document_id: str, store: Store_, who: Who):
        row = check_document(store, who, document_id)
        allowed = visible_passage_ids(store, who, document_id)
        measures = [m | {"lead_units": json.loads(m["lead_units"]), "co_units": json.loads(m["co_units"]),
                         "eligible": None if m["eligible"] is None else bool(m["eligible"])}
                    for m in store.db.query("SELECT dm.measure, dm.score, dm.eligible, dm.lead_units, dm.co_units, "
                                            "m.title FROM document_measures dm LEFT JOIN measures m ON m.id = dm.measure "
                                            "WHERE dm.document_id = ? ORDER BY dm.score DESC", [document_id])]
        passages = []
        for p in store.db.query("SELECT id, seq, text, heading, page, end_page, start, end, source, scores, model_version "
                                "FROM passages WHERE document_id = ? ORDER BY seq", [document_id]):
            if allowed is not None and p["id"] not in allowed:
                continue
            labels = list(store.db.query("SELECT measure, score, eligible, origin FROM passage_labels "
                                         "WHERE passage_id = ? ORDER BY score DESC", [p["id"]]))
            passages.append({k: p[k] for k in ("id", "seq", "text", "heading", "page", "end_page", "start", "end",
                                               "source", "model_version")} | {"labels": labels})
        figures = list(store.db.query("SELECT id, passage_id, kind, raw, value_num AS value, unit, metric, direction, "
                                      "approx, is_target, period_text AS period, page, suspect, suspect_reason, rule_id "
                                      "FROM figures WHERE document_id = ? ORDER BY start", [document_id]))
        if allowed is not None:
            shown = {p["id"] for p in passages}
            figures = [f for f in figures if f["passage_id"] in shown]
        meta = {k: row[k] for k in ("id", "filename", "archive_path", "format", "pages", "chars", "title", "doc_number",
                                    "issuer", "signer", "doc_date", "region", "applicant_type", "township",
                                    "campaign_year", "classifier_version", "rules_version", "created_at")}
        return meta | {"ocr_pages": json.loads(row["ocr_pages"]), "warnings": json.loads(row["warnings"]),
                       "measures": measures, "passages": passages, "figures": figures}

    @app.get("/api/documents/{document_id}/file", tags=["documents"], summary="原始文件 / the original file")
    def document_file(document_id: str, store: Store_, who: Who):
        row = check_document(store, who, document_id)
        if who.role is Role.PUBLICITY:
            raise Forbidden("publicity staff see cleared passages, not original files")
        path = store.original_path(document_id)
        if not path.exists():
            raise Hidden(document_id)
        name = os.path.basename(row["archive_path"] or row["filename"])
        media = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "doc": "application/msword", "txt": "text/plain; charset=utf-8", "image": "application/octet-stream"}
        from urllib.parse import quote

        return Response(path.read_bytes(), media_type=media.get(row["format"], "application/octet-stream"),
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})

    @app.get("/api/documents/{document_id}/pages/{number}.png", tags=["documents"],
             summary="PDF页面图像（引用证据） / a rendered PDF page")
    def document_page(document_id: str, store: Store_, who: Who, number: int = Path(ge=1, le=100_000),
                      scale: float = Query(1.5, ge=0.5, le=3.0)):
        row = check_document(store, who, document_id)
        if who.role is Role.PUBLICITY:
            raise Forbidden("publicity staff see cleared passages, not page images")
        if row["format"] != "pdf":
            raise ApiError(404, "no_page_image", "page images exist for PDF documents only")
        if not 1 <= number <= row["pages"]:
            raise ApiError(404, "no_such_page", f"the document has {row['pages']} pages")
        import pypdfium2 as pdfium

        from ingest.pdf import PDFIUM_LOCK

        with PDFIUM_LOCK:
            pdf = pdfium.PdfDocument(store.original_path(document_id).read_bytes())
            try:
                image = pdf[number - 1].render(scale=scale).to_pil()
            finally:
                pdf.close()
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return Response(buf.getvalue(), media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    # -- search, measures, evidence, records, experiences -------------------------------------------------
    @app.get("/api/search", tags=["evidence"], summary="全文检索 / full-text search")
    def search_api(store: Store_, who: Who, q: str = Query("", max_length=200), measure: int | None = Query(None, ge=1, le=99),
                   region: str | None = None, applicant_type: str | None = None, lead_unit: str | None = None,
                   year: int | None = None, format: str | None = None, document: str | None = None,
                   page: int = Query(1, ge=1, le=10000), size: int = Query(20, ge=1, le=100),
                   sort: str = Query("relevance", pattern="^(relevance|date)$"), advanced: bool = False):
        if measure is not None:
            store.require_measure(measure)
        filters = scope_filters(store, who, SearchFilters(measure=measure, region=region, applicant_type=applicant_type,
                                                          lead_unit=lead_unit, year=year, format=format,
                                                          document_id=document))
        return search(store, q, filters, page=page, size=size, sort=sort, advanced=advanced).to_dict()

    @app.get("/api/measures", tags=["evidence"], summary="激励措施及申报情况 / the measures with counts")
    def measures(store: Store_, who: Who):
        led = measures_of(store, who)
        rows = []
        for m in store.db.query("SELECT * FROM measures ORDER BY campaign_id DESC, id"):
            if led is not None and m["id"] not in led:
                continue
            counts = next(store.db.query(
                "SELECT COUNT(DISTINCT dm.document_id) AS documents, COUNT(DISTINCT d.region) AS regions "
                "FROM document_measures dm JOIN documents d ON d.id = dm.document_id WHERE dm.measure = ?", [m["id"]]))
            rows.append({"id": m["id"], "campaign": m["campaign_id"], "title": m["title"],
                         "lead_units": json.loads(m["lead_units"]), "co_units": json.loads(m["co_units"]),
                         "applicant_types": json.loads(m["applicant_types"]), "incentives": json.loads(m["incentives"]),
                         **(counts if who.role in (Role.ADMIN, Role.REVIEWER) else {})})
        return {"measures": rows}

    def _check_measure(store: Store, who: Principal, measure: int) -> None:
        require(who, Role.REVIEWER)
        store.require_measure(measure)
        led = measures_of(store, who)
        if led is not None and measure not in led:
            raise Forbidden(f"measure {measure} is not led by your unit")

    @app.get("/api/measures/{measure}/evidence", tags=["evidence"], summary="按措施查看各地证据 / evidence by measure")
    def measure_evidence(store: Store_, who: Who, measure: int = Path(ge=1, le=99)):
        _check_measure(store, who, measure)
        return evidence_for_measure(store, measure).to_dict()

    @app.get("/api/records", tags=["evidence"], summary="关键数据比较表 / figures ranked across regions")
    def records(store: Store_, who: Who, measure: int = Query(..., ge=1, le=99), metric: str | None = None,
                kind: str | None = Query(None, pattern="^(amount|quantity|percent|change|rank)$"),
                format: str = Query("json", pattern="^(json|csv|xlsx)$"), best_per_region: bool = True):
        _check_measure(store, who, measure)
        rows = figure_table(store, measure, metric=metric, kind=kind, best_per_region=best_per_region)
        if format == "csv":
            return Response(to_csv(rows), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="measure-{measure}-records.csv"'})
        if format == "xlsx":
            return Response(to_xlsx(rows), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": f'attachment; filename="measure-{measure}-records.xlsx"'})
        return {"measure": measure, "records": rows}

    @app.get("/api/experiences", tags=["evidence"], summary="典型经验做法 / typical experiences")
    def experiences(store: Store_, who: Who, measure: int | None = Query(None, ge=1, le=99), region: str | None = None,
                    limit: int = Query(20, ge=1, le=100), format: str = Query("json", pattern="^(json|docx)$")):
        require(who, Role.REVIEWER, Role.PUBLICITY)
        if measure is not None:
            if who.role is Role.REVIEWER:
                _check_measure(store, who, measure)
            else:
                store.require_measure(measure)
        items = rank_experiences(store, measure=measure, region=region, limit=limit,
                                 cleared_only=who.role is Role.PUBLICITY)
        if who.role is Role.REVIEWER and measure is None:
            led = set(measures_of(store, who) or ())
            items = [e for e in items if e.measure in led]
        if format == "docx":
            return Response(briefing_docx(items), headers={"Content-Disposition": 'attachment; filename="briefing.docx"'},
                            media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        return {"experiences": experiences_json(items)}

    # -- review -------------------------------------------------------------------------------------
    @app.post("/api/passages/{passage_id}/review", tags=["review"], summary="审核：改标/标记典型 / review a passage")
    def review(body: ReviewIn, store: Store_, who: Who, passage_id: int = Path(ge=1, le=2**62)):
        require(who, Role.REVIEWER)
        check_passage(store, who, passage_id)
        if body.action not in ("relabel", "exemplary", "not_exemplary", "cleared", "uncleared"):
            raise ApiError(422, "invalid_action", f"unknown action {body.action!r}")
        valid = store.measure_ids()
        if body.action == "relabel":
            if body.measures is None or any(m not in valid for m in body.measures):
                raise ApiError(422, "invalid_measures", "relabel needs measures that exist in the catalog")
            led = measures_of(store, who)
            if led is not None and any(m not in led for m in body.measures):
                raise Forbidden("you may only assign measures your unit leads")
        kept: list[int] = []
        if body.action == "relabel" and led is not None:
            # a reviewer relabels only the measures their unit leads; other units' labels stay as they are
            kept = [r["measure"] for r in store.db.query("SELECT measure FROM passage_labels WHERE passage_id = ?",
                                                        [passage_id]) if r["measure"] not in led]
        with store.write() as db:
            labelled = sorted(set(kept) | set(body.measures)) if body.measures is not None else None
            rid = db["reviews"].insert({"passage_id": passage_id, "reviewer": who.name, "action": body.action,
                                        "measures": json.dumps(labelled) if labelled is not None else None,
                                        "note": body.note, "created_at": now()}).last_pk
            if body.action == "relabel":
                db.execute("DELETE FROM passage_labels WHERE passage_id = ? AND measure NOT IN "
                           "(SELECT value FROM json_each(?))", [passage_id, json.dumps(kept)])
                db["passage_labels"].insert_all([{"passage_id": passage_id, "measure": m, "score": 1.0, "eligible": 1,
                                                  "origin": "review"} for m in body.measures])
            store.reindex_passage(passage_id)
        return {"review_id": rid, "passage_id": passage_id, "action": body.action, "reviewer": who.name}

    mount_web(app, settings)
    return app


def _spool(store: Store, upload: UploadFile, limit: int) -> tuple[str, int, bool]:
    """Copy an upload to content-addressed storage in chunks, hashing as it goes. (sha256, size, too_big)."""
    digest = hashlib.sha256()
    size = 0
    store.files_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=store.files_dir, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := upload.file.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    return "", size, True
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        final = store.original_path(sha)
        if not final.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            tmp = None
        return sha, size, False
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
