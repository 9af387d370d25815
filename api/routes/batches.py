"""Uploads and their progress. A request streams the files into the content-addressed store, looks at
their magic bytes only, and records the batch in one transaction (202 with every file, or an error and
nothing recorded); workers do the rest."""

from __future__ import annotations

import asyncio
import json
import os
import time

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import StreamingResponse

from api.deps import StoreDep, Who
from api.errors import ApiError
from api.intake import accept, record
from api.messages import error_text
from api.schemas import ERRORS, BatchDetailOut, BatchesOut, ReceiptOut
from index import Store
from index.access import Forbidden, Hidden, require
from index.auth import Principal, Role
from index.queue import batch_files, batch_progress, batch_row, list_batches
from ingest.archive import decode_name

router = APIRouter(tags=["batches"])


def upload_name(raw: str | None) -> str:
    """The file's own name from a multipart header: no folders, and raw GBK bytes decoded.

    Browsers send UTF-8; some Windows tools send GBK bytes, which arrive as Latin-1 characters.

    >>> upload_name("ÉêÇë.pdf")   # "申请.pdf" in GBK, read as Latin-1
    '申请.pdf'
    """
    name = os.path.basename((raw or "").replace("\\", "/")) or "upload"
    try:
        data = name.encode("latin-1")
    except UnicodeEncodeError:
        return name  # already real characters
    if data.isascii():
        return name
    return decode_name(data, name)


@router.post("/api/batches", status_code=202, response_model=ReceiptOut, responses=ERRORS,
             summary="上传申报文件（可多个、可含zip） / upload files and zip archives")
def upload(store: StoreDep, who: Who, request: Request, files: list[UploadFile] = File(...),
           note: str | None = Form(default=None, max_length=2000), region: str | None = Form(default=None, max_length=60)):
    require(who, Role.UPLOADER)
    settings = request.app.state.settings
    length = int(request.headers.get("content-length") or 0)
    if length > settings.max_batch_bytes:
        raise ApiError(413, "too_large", f"the upload is {length} bytes, over the {settings.max_batch_bytes} limit")
    owner = who.region if who.role is Role.UPLOADER else region
    uploads = [accept(store, settings, upload_name(f.filename), f.file) for f in files]
    receipt = record(store, uploads, uploader=who.name, region=owner, note=note)
    return {"batch_id": receipt.batch_id, "files": [_in_words(f) for f in receipt.files],
            "progress_url": f"/api/batches/{receipt.batch_id}",
            "events_url": f"/api/batches/{receipt.batch_id}/events"}


def _batch_or_hide(store: Store, who: Principal, batch_id: str) -> dict:
    row = batch_row(store, batch_id)
    if row is None or (who.role is Role.UPLOADER and row["region"] != who.region):
        raise Hidden(batch_id)
    if who.role not in (Role.ADMIN, Role.UPLOADER):
        raise Forbidden("only uploaders and admins see batches")
    return row


@router.get("/api/batches", summary="批次列表 / batches", response_model=BatchesOut, responses=ERRORS)
def batches(store: StoreDep, who: Who, limit: int = Query(50, ge=1, le=500)):
    require(who, Role.UPLOADER)
    rows = list_batches(store, region=who.region if who.role is Role.UPLOADER else None, limit=limit)
    return {"batches": [r | {"progress": batch_progress(store, r["id"])} for r in rows]}


@router.get("/api/batches/{batch_id}", summary="批次进度与每个文件状态 / per-file status",
            response_model=BatchDetailOut, responses=ERRORS)
def batch(batch_id: str, store: StoreDep, who: Who):
    row = _batch_or_hide(store, who, batch_id)
    return row | {"progress": batch_progress(store, batch_id),
                  "files": [_in_words(f) for f in batch_files(store, batch_id)]}


def _in_words(f: dict) -> dict:
    """A file row for people: its failure in Chinese (`error_message`), the technical one in `error_detail`."""
    if not f.get("error_code"):
        return f
    name = f"{f['filename']}!{f['archive_path']}" if f.get("archive_path") else f["filename"]
    return f | {"error_message": error_text(f["error_code"], f.get("error_message"), name=name),
                "error_detail": f.get("error_message")}


@router.get("/api/batches/{batch_id}/events", summary="进度事件流 (SSE) / progress events",
            response_class=StreamingResponse,
            responses={**ERRORS, 200: {"description": "`event: progress` with the batch progress as JSON, then "
                                                     "`event: complete`", "content": {"text/event-stream": {}}}})
async def batch_events(batch_id: str, request: Request, who: Who, timeout: float = Query(600, ge=1, le=3600)):
    # an async endpoint runs on the event loop's thread: it gets its own connection, used only there
    s = Store(request.app.state.settings.data_dir)
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
